package auth

// The one home of how an account is named; the window, the tray, the CLI and the session's
// messages all use these.

// String names the account as "Display Name (id)", or just the id when the display name adds
// nothing.
func (a Account) String() string {
	if a.DisplayName == "" || a.DisplayName == a.ID {
		return a.ID
	}
	return a.DisplayName + " (" + a.ID + ")"
}

// ShortName is the display name, or the id when there is none: for places with little room.
func (a Account) ShortName() string {
	if a.DisplayName != "" {
		return a.DisplayName
	}
	return a.ID
}

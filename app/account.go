package app

import (
	"net/url"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"tokentray/internal/local"
	"tokentray/internal/session"
)

const dashboardURL = "https://developer.spotify.com/dashboard"

// Sentences the tests look for.
const (
	flowPKCE       = "No client secret: PKCE will be used (fine for desktop apps)"
	flowSecret     = "Client secret set: Authorization Code flow with secret"
	flowStored     = "Client secret stored: Authorization Code flow with secret"
	registerURI    = "Add exactly this URI to your app at developer.spotify.com/dashboard › Settings › Redirect URIs, then Save"
	clientIDHint   = "32 characters: developer.spotify.com/dashboard › your app › Settings"
	waitingBrowser = "Waiting for the browser…"
)

// accountSection is the Spotify app form and the login controls.
type accountSection struct {
	w *Window

	clientID    *widget.Entry
	clientIDMsg *widget.Label

	secret       *widget.Entry
	forgetSecret *widget.Button
	// secretRemoved: the user pressed Forget; the next save deletes the stored secret.
	secretRemoved bool
	flow          *widget.Label

	redirect    *widget.Entry
	redirectMsg *widget.Label

	// attempted: a save or login was tried, so an empty client ID is now an error, not a hint.
	attempted bool

	save, login *widget.Button
	formMsg     *widget.Label // outcome of Save / Log in presses
	waiting     *fyne.Container
	authorize   *widget.Label
	loginState  *widget.Label // logged in as …, or the login's error

	// damaged shows a settings file tokentray cannot use, with the way out.
	damaged    *widget.Card
	damagedMsg *widget.Label
}

func newAccountSection(w *Window, st session.State) *accountSection {
	s := &accountSection{w: w}

	s.clientID = widget.NewEntry()
	s.clientID.SetPlaceHolder("e.g. 0123456789abcdef0123456789abcdef")
	s.clientID.SetText(st.Settings.ClientID)
	s.clientIDMsg = messageLabel()
	s.clientID.OnChanged = func(string) { s.checkClientID() }

	s.secret = widget.NewPasswordEntry()
	s.secret.OnChanged = func(string) { s.showFlow() }
	s.forgetSecret = widget.NewButtonWithIcon("Forget", theme.DeleteIcon(), func() {
		s.secretRemoved = true
		s.secret.SetText("")
		s.showFlow()
	})
	s.flow = messageLabel()

	s.redirect = widget.NewEntry()
	s.redirect.SetText(st.Settings.RedirectURI)
	if s.redirect.Text == "" {
		s.redirect.SetText(local.DefaultRedirectURI)
	}
	s.redirectMsg = messageLabel()
	s.redirect.OnChanged = func(string) { s.checkRedirect() }

	s.save = widget.NewButton("Save", func() {
		if s.w.saveForm() {
			say(s.formMsg, "Saved.", widget.SuccessImportance)
		}
	})
	s.login = widget.NewButtonWithIcon("Log in", theme.LoginIcon(), w.login)
	s.login.Importance = widget.HighImportance
	s.formMsg = messageLabel()
	s.loginState = messageLabel()

	s.authorize = widget.NewLabel("")
	s.authorize.Truncation = fyne.TextTruncateEllipsis
	s.waiting = container.NewVBox(
		container.NewHBox(widget.NewLabel(waitingBrowser),
			widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), w.backend.CancelLogin)),
		container.NewBorder(nil, nil, widget.NewLabel("Authorize URL:"),
			widget.NewButtonWithIcon("Copy", theme.ContentCopyIcon(), func() {
				w.app.Clipboard().SetContent(s.authorize.Text)
			}), s.authorize),
	)
	s.waiting.Hide()

	s.damagedMsg = widget.NewLabel("")
	s.damagedMsg.Wrapping = fyne.TextWrapWord
	s.damagedMsg.Importance = widget.DangerImportance
	reset := widget.NewButtonWithIcon(resetSettingsLabel, theme.ViewRefreshIcon(), s.resetSettings)
	reset.Importance = widget.DangerImportance
	s.damaged = widget.NewCard("Settings", "", container.NewVBox(s.damagedMsg, container.NewHBox(reset)))
	s.damaged.Hide()

	s.checkClientID()
	s.checkRedirect()
	s.showFlow()
	return s
}

// resetSettingsLabel is the button that replaces a damaged settings file.
const resetSettingsLabel = "Reset settings (keeps your login and secret)"

// resetSettings replaces the damaged file and fills the form from what is in effect now.
func (s *accountSection) resetSettings() {
	if err := s.w.backend.ResetSettings(); err != nil {
		say(s.formMsg, "Could not reset the settings: "+err.Error(), widget.DangerImportance)
		return
	}
	st := s.w.backend.State()
	s.clientID.SetText(st.Settings.ClientID)
	s.redirect.SetText(st.Settings.RedirectURI)
	say(s.formMsg, "The settings were reset to the defaults; the login and the client secret are as they were.", widget.SuccessImportance)
}

func (s *accountSection) content() fyne.CanvasObject {
	dashboard := widget.NewButtonWithIcon("Open dashboard", theme.ComputerIcon(), func() {
		u, _ := url.Parse(dashboardURL) // a constant that parses
		if err := s.w.app.OpenURL(u); err != nil {
			say(s.redirectMsg, "Could not open the browser ("+err.Error()+"); go to "+dashboardURL+" yourself.", widget.WarningImportance)
		}
	})
	copyURI := widget.NewButtonWithIcon("Copy", theme.ContentCopyIcon(), func() {
		s.w.app.Clipboard().SetContent(s.redirect.Text)
	})
	register := widget.NewLabel(registerURI)
	register.Wrapping = fyne.TextWrapWord

	form := widget.NewForm(
		widget.NewFormItem("Client ID", container.NewVBox(s.clientID, s.clientIDMsg)),
		widget.NewFormItem("Client secret", container.NewVBox(
			container.NewBorder(nil, nil, nil, s.forgetSecret, s.secret), s.flow)),
		widget.NewFormItem("Redirect URI", container.NewVBox(
			container.NewBorder(nil, nil, nil, copyURI, s.redirect), s.redirectMsg,
			register, container.NewHBox(dashboard))),
	)
	app := widget.NewCard("Spotify app", "", form)
	login := widget.NewCard("Log in", "", container.NewVBox(
		container.NewHBox(s.login, s.save), s.formMsg, s.waiting, s.loginState))
	sections := []fyne.CanvasObject{s.damaged, app, login}
	if s.w.st.Demo {
		sections = append([]fyne.CanvasObject{demoBanner()}, sections...)
	}
	return container.NewVScroll(container.NewVBox(sections...))
}

func (s *accountSection) checkClientID() {
	id := s.clientID.Text
	switch fe := local.ValidateClientID(id); {
	case id == "" && !s.attempted:
		say(s.clientIDMsg, clientIDHint, widget.MediumImportance)
	case fe != nil:
		say(s.clientIDMsg, fieldMessage(fe), widget.DangerImportance)
	default:
		say(s.clientIDMsg, "✓ Looks like a client ID", widget.SuccessImportance)
	}
}

func (s *accountSection) checkRedirect() {
	if _, fe := local.ParseRedirectURI(s.redirect.Text); fe != nil {
		say(s.redirectMsg, fieldMessage(fe), widget.DangerImportance)
	} else {
		say(s.redirectMsg, "", widget.MediumImportance)
	}
}

// secretInput is what a save does with the stored secret.
func (s *accountSection) secretInput() (secret string, changed bool) {
	return s.secret.Text, s.secret.Text != "" || s.secretRemoved
}

// showFlow says which OAuth flow the next login runs, following what is typed or stored.
func (s *accountSection) showFlow() {
	stored := s.w.st.HasSecret && !s.secretRemoved
	switch {
	case s.secret.Text != "":
		say(s.flow, flowSecret, widget.MediumImportance)
	case stored:
		say(s.flow, flowStored, widget.MediumImportance)
	default:
		say(s.flow, flowPKCE, widget.MediumImportance)
	}
	if stored {
		s.secret.SetPlaceHolder("Stored: type a new one to replace it")
		s.forgetSecret.Enable()
	} else {
		s.secret.SetPlaceHolder("Optional: leave empty for PKCE")
		s.forgetSecret.Disable()
	}
}

// showErrors puts each problem next to its field; it reports problems that have no field here.
func (s *accountSection) showErrors(fes local.FieldErrors) (elsewhere []*local.FieldError) {
	for _, fe := range fes {
		switch fe.Field {
		case local.FieldClientID:
			say(s.clientIDMsg, fieldMessage(fe), widget.DangerImportance)
		case local.FieldRedirectURI:
			say(s.redirectMsg, fieldMessage(fe), widget.DangerImportance)
		default:
			elsewhere = append(elsewhere, fe)
		}
	}
	return elsewhere
}

// saved resets the secret field once the store has taken it.
func (s *accountSection) saved() {
	s.secretRemoved = false
	s.secret.SetText("")
}

func (s *accountSection) apply(st session.State) {
	s.showFlow()
	if st.SettingsErr != "" {
		s.damagedMsg.SetText("tokentray cannot use its settings: " + st.SettingsErr)
		s.damaged.Show()
	} else {
		s.damaged.Hide()
	}
	if st.Login.InProgress {
		s.authorize.SetText(st.Login.AuthorizeURL)
		s.waiting.Show()
		s.login.Disable()
	} else {
		s.waiting.Hide()
		s.login.Enable()
	}
	switch {
	case st.StorageErr != "":
		// Without a keyring a login could not be kept: say so where the user is about to log in.
		s.login.Disable()
		say(s.loginState, "Cannot log in: "+st.StorageErr, widget.DangerImportance)
	case st.Login.Err != "":
		say(s.loginState, "Login failed: "+st.Login.Err, widget.DangerImportance)
	case st.Authorization == session.NeedsLogin:
		say(s.loginState, needsLoginText(st), widget.WarningImportance)
	case st.Authorization == session.LoggedIn && st.Account.ID == "":
		say(s.loginState, "Logged in.", widget.SuccessImportance) // who, Spotify tells us a moment later
	case st.Authorization == session.LoggedIn:
		say(s.loginState, "Logged in as "+st.Account.String(), widget.SuccessImportance)
	case st.Login.InProgress:
		say(s.loginState, "", widget.MediumImportance) // the waiting row says it all
	default:
		say(s.loginState, "Not logged in.", widget.MediumImportance)
	}
}

func needsLoginText(st session.State) string {
	if st.NeedsLoginReason != "" {
		return st.NeedsLoginReason + " Log in again."
	}
	return "Log in again: Spotify no longer accepts the stored authorization."
}

// demoBanner says plainly that nothing here is real, since a window without decorations (or a
// glance at it) does not show the title.
func demoBanner() fyne.CanvasObject {
	note := widget.NewLabelWithStyle("Demo mode: a built-in fake Spotify with a demo app and account. "+
		"Log in and copy tokens freely; nothing real is touched.", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	note.Importance = widget.HighImportance
	note.Wrapping = fyne.TextWrapWord
	return note
}

package app

import (
	"context"
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"tokentray/internal/session"
)

// refreshWarnBefore is when the refresh token's end starts to deserve a warning.
const refreshWarnBefore = 14 * 24 * time.Hour

// testTokenTimeout bounds the Test token request so a hung network does not leave the button
// waiting forever.
const testTokenTimeout = 20 * time.Second

// tokensSection shows the login status and the token buttons.
type tokensSection struct {
	w *Window

	account, granted, missing, access, refresh, storage *widget.Label
	result                                              *widget.Label
	copyUser, copyApp, copyEnv, test, logout            *widget.Button

	confirm      *fyne.Container // the inline "really log out?" row
	forgetSecret *widget.Check
}

func newTokensSection(w *Window) *tokensSection {
	s := &tokensSection{w: w}
	for _, l := range []**widget.Label{&s.account, &s.granted, &s.missing, &s.access, &s.refresh, &s.storage} {
		*l = widget.NewLabel("")
		(*l).Wrapping = fyne.TextWrapWord
	}
	s.result = messageLabel()
	s.copyUser = widget.NewButtonWithIcon("Copy access token", theme.ContentCopyIcon(), func() { s.copy(session.CopyUserToken) })
	s.copyApp = widget.NewButtonWithIcon("Copy app token", theme.ContentCopyIcon(), func() { s.copy(session.CopyAppToken) })
	s.copyEnv = widget.NewButtonWithIcon("Copy .env for other tools", theme.ContentCopyIcon(), func() { s.copy(session.CopyEnv) })
	s.test = widget.NewButtonWithIcon("Test token", theme.SearchIcon(), s.testToken)
	s.logout = widget.NewButtonWithIcon("Log out…", theme.LogoutIcon(), s.confirmLogout)
	s.forgetSecret = widget.NewCheck("Also forget the client secret", nil)
	really := widget.NewButtonWithIcon("Log out", theme.LogoutIcon(), s.doLogout)
	really.Importance = widget.DangerImportance
	s.confirm = container.NewVBox(
		widget.NewLabel("Remove the stored refresh and access tokens? You will have to log in again."),
		container.NewHBox(s.forgetSecret, layout.NewSpacer(), widget.NewButton("Cancel", func() {
			s.confirm.Hide()
			s.logout.Enable()
		}), really))
	s.confirm.Hide()
	return s
}

func (s *tokensSection) content() fyne.CanvasObject {
	row := func(name string, value fyne.CanvasObject) []fyne.CanvasObject {
		return []fyne.CanvasObject{widget.NewLabelWithStyle(name, fyne.TextAlignTrailing, fyne.TextStyle{Bold: true}), value}
	}
	var cells []fyne.CanvasObject
	cells = append(cells, row("Logged in as", s.account)...)
	cells = append(cells, row("Scopes granted", s.granted)...)
	cells = append(cells, row("Missing scopes", s.missing)...)
	cells = append(cells, row("Access token", s.access)...)
	cells = append(cells, row("Refresh token", s.refresh)...)
	cells = append(cells, row("Storage", s.storage)...)
	status := widget.NewCard("Status", "", container.New(layout.NewFormLayout(), cells...))

	buttons := container.NewGridWithColumns(3, s.copyUser, s.copyApp, s.copyEnv, s.test, s.logout)
	tokens := widget.NewCard("Tokens", "", container.NewVBox(buttons, s.confirm, s.result))
	return container.NewVScroll(container.NewVBox(status, tokens))
}

func (s *tokensSection) report(msg string, err error) {
	if err != nil {
		say(s.result, err.Error(), widget.DangerImportance)
		return
	}
	say(s.result, msg, widget.SuccessImportance)
}

// copy asks the tray to copy: the tray's clipboard keeps the copy after the window closes, and
// clears it later.
func (s *tokensSection) copy(what session.Copyable) {
	s.w.async(func() {
		msg, err := s.w.backend.Copy(what)
		s.w.ui(func() { s.report(msg, err) })
	})
}

func (s *tokensSection) testToken() {
	say(s.result, "Asking Spotify who you are…", widget.MediumImportance)
	s.test.Disable()
	s.w.async(func() {
		ctx, cancel := context.WithTimeout(context.Background(), testTokenTimeout)
		defer cancel()
		answer, err := s.w.backend.TestToken(ctx)
		s.w.ui(func() {
			s.test.Enable()
			s.report("The token works: "+answer, err)
		})
	})
}

// confirmLogout asks inline rather than in a dialog: the confirmation sits next to the button
// that asked for it.
func (s *tokensSection) confirmLogout() {
	s.forgetSecret.SetChecked(false)
	s.confirm.Show()
	s.logout.Disable()
}

func (s *tokensSection) doLogout() {
	s.confirm.Hide()
	all := s.forgetSecret.Checked
	if err := s.w.backend.Logout(all); err != nil {
		s.report("", err)
		return
	}
	if all {
		s.w.account.saved()
	}
	s.report("Logged out.", nil)
}

func (s *tokensSection) apply(st session.State, now time.Time) {
	switch st.Authorization {
	case session.NeedsLogin:
		setStatus(s.account, st.Account.String()+" — "+needsLoginText(st), widget.WarningImportance)
	case session.LoggedIn:
		setStatus(s.account, st.Account.String(), widget.MediumImportance)
	default:
		setStatus(s.account, "Not logged in (Account › Log in)", widget.MediumImportance)
	}
	setStatus(s.granted, orDash(commaList(st.GrantedScopes)), widget.MediumImportance)
	if len(st.MissingScopes) > 0 {
		setStatus(s.missing, commaList(st.MissingScopes)+" — log in again to grant them", widget.WarningImportance)
	} else {
		setStatus(s.missing, "none", widget.MediumImportance)
	}
	s.tick(st, now)
	switch {
	case st.Authorization != session.LoggedIn || st.AuthorizedAt.IsZero():
		setStatus(s.refresh, "—", widget.MediumImportance)
	case st.RefreshExpires.Sub(now) < refreshWarnBefore:
		setStatus(s.refresh, fmt.Sprintf("authorized on %s, expires on %s: log in again before then",
			day(st.AuthorizedAt), day(st.RefreshExpires)), widget.WarningImportance)
	default:
		setStatus(s.refresh, fmt.Sprintf("authorized on %s, expires on %s",
			day(st.AuthorizedAt), day(st.RefreshExpires)), widget.MediumImportance)
	}
	switch {
	case st.StorageErr != "":
		setStatus(s.storage, st.StorageErr, widget.DangerImportance)
	case st.InsecureStorage:
		setStatus(s.storage, st.Storage+" — not encrypted: anyone who can read your files can use your Spotify account", widget.WarningImportance)
	default:
		setStatus(s.storage, st.Storage, widget.MediumImportance)
	}
	usable := st.Authorization == session.LoggedIn
	enable(s.copyUser, usable)
	enable(s.test, usable)
	enable(s.logout, usable && !s.confirm.Visible())
	enable(s.copyApp, st.Settings.ClientID != "" && st.HasSecret)
	enable(s.copyEnv, st.Settings.ClientID != "")
}

// tick updates the access token countdown; the window calls it every second.
func (s *tokensSection) tick(st session.State, now time.Time) {
	left := st.AccessExpiry.Sub(now)
	switch {
	case st.Authorization != session.LoggedIn || st.AccessExpiry.IsZero():
		setStatus(s.access, "—", widget.MediumImportance)
	case left <= 0:
		setStatus(s.access, "expired, refreshing…", widget.WarningImportance)
	default:
		setStatus(s.access, "expires in "+countdown(left)+" (at "+st.AccessExpiry.Local().Format("15:04")+")", widget.MediumImportance)
	}
}

func enable(b *widget.Button, on bool) {
	if on {
		b.Enable()
	} else {
		b.Disable()
	}
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

package app

import (
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"tokentray/auth"
	"tokentray/internal/covers"
	"tokentray/internal/local"
	"tokentray/internal/session"
)

// Window is tokentray's settings and status window.
type Window struct {
	app     fyne.App
	win     fyne.Window
	backend Backend
	now     func() time.Time
	// async runs backend calls that may wait on the network, so the UI never freezes; tests
	// run them inline.
	async func(func())
	// ui runs f on the UI goroutine (fyne.Do); tests that drive a real, asynchronous session
	// queue it and play the UI goroutine themselves.
	ui func(func())

	st session.State // the last state rendered; read and written on the Fyne goroutine only

	tabs                  *container.AppTabs
	accountTab, tokensTab *container.TabItem
	account               *accountSection
	scopes                *scopesSection
	tokens                *tokensSection
	nowPlaying            *nowPlayingSection
	options               *optionsSection
	// covers fetches album covers; nil shows none.
	covers coverSource
}

// NewWindow builds the window (not shown) and follows b's state. Covers are cached in the
// user's cache directory.
func NewWindow(a fyne.App, b Backend) *Window {
	var serial sync.Mutex
	var cache coverSource
	if c, err := covers.Open(auth.APIURL()); err == nil { // the tray sets it to the Web API it uses
		cache = c
	}
	return newWindow(a, b, cache, time.Now, func(f func()) { go f() }, func(f func()) {
		// Once Fyne's loop has stopped (quitting), fyne.Do runs f on the caller's goroutine:
		// the clock and the session's updates must not then run side by side.
		fyne.Do(func() {
			serial.Lock()
			defer serial.Unlock()
			f()
		})
	})
}

func newWindow(a fyne.App, b Backend, covers coverSource, now func() time.Time, async, ui func(func())) *Window {
	w := &Window{app: a, backend: b, covers: covers, now: now, async: async, ui: ui, st: b.State()}
	w.win = a.NewWindow(w.st.AppName())
	w.win.SetIcon(appIcon)

	w.account = newAccountSection(w, w.st)
	w.scopes = newScopesSection(w.st.Settings.Scopes)
	w.tokens = newTokensSection(w)
	w.nowPlaying = newNowPlayingSection(w)
	w.options = newOptionsSection(w, w.st)

	w.accountTab = container.NewTabItem("Account", w.account.content())
	w.tokensTab = container.NewTabItem("Tokens", w.tokens.content())
	w.tabs = container.NewAppTabs(w.accountTab,
		container.NewTabItem("Scopes", w.scopes.content()),
		w.tokensTab,
		container.NewTabItem("Now playing", w.nowPlaying.content()),
		container.NewTabItem("Options", w.options.content()))
	if w.st.LoggedIn && !w.st.NeedsLogin {
		w.tabs.Select(w.tokensTab)
	}
	w.win.SetContent(w.tabs)
	w.win.Resize(fyne.NewSize(760, 680))

	w.apply(w.st)
	b.Subscribe(func(st session.State) { w.ui(func() { w.apply(st) }) })
	return w
}

// Show brings the window up on the Account tab when a login is needed, else where it was.
func (w *Window) Show() {
	if !w.st.LoggedIn || w.st.NeedsLogin {
		w.tabs.Select(w.accountTab)
	}
	w.win.Show()
	w.win.RequestFocus()
}

// RunClock updates the access token countdown every second until stop is closed.
func (w *Window) RunClock(stop <-chan struct{}) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			w.ui(w.tick)
		}
	}
}

func (w *Window) tick() {
	now := w.now()
	w.tokens.tick(w.st, now)
	w.nowPlaying.tick(now)
}

func (w *Window) apply(st session.State) {
	w.st = st
	w.account.apply(st)
	w.tokens.apply(st, w.now())
	w.nowPlaying.apply(st, w.now())
}

// collect reads the form into settings, showing problems next to their fields.
func (w *Window) collect() (local.Settings, bool) {
	w.account.attempted = true
	w.account.checkClientID()
	w.account.checkRedirect()
	s := w.st.Settings
	s.ClientID = w.account.clientID.Text
	s.RedirectURI = w.account.redirect.Text
	s.Scopes = w.scopes.selected()
	ok := w.options.apply(&s)
	return s, ok && local.ValidateClientID(s.ClientID) == nil && validRedirect(s.RedirectURI)
}

func validRedirect(raw string) bool {
	_, fe := local.ParseRedirectURI(raw)
	return fe == nil
}

// saveForm saves the Account, Scopes and Options tabs; false means the form shows why not.
func (w *Window) saveForm() bool {
	say(w.account.formMsg, "", widget.MediumImportance)
	say(w.scopes.msg, "", widget.MediumImportance)
	s, ok := w.collect()
	if !ok {
		say(w.account.formMsg, "Fix the fields marked in red first.", widget.DangerImportance)
		return false
	}
	secret, changed := w.account.secretInput()
	err := w.backend.SaveSettings(s, secret, changed)
	if fes, isField := fieldErrors(err); isField {
		for _, fe := range w.account.showErrors(fes) {
			target := w.account.formMsg
			switch {
			case fe.Field == local.FieldScopes:
				target = w.scopes.msg
			case optionFields[fe.Field]:
				target = w.options.msg
			}
			say(target, fieldMessage(fe), widget.DangerImportance)
		}
		if !w.account.formMsg.Visible() {
			say(w.account.formMsg, "Fix the problems shown on the tabs first.", widget.DangerImportance)
		}
		return false
	}
	if err != nil {
		say(w.account.formMsg, "Could not save the settings: "+err.Error(), widget.DangerImportance)
		return false
	}
	w.account.saved()
	return true
}

// login saves the form, then starts the browser login; bad input stops it at the field.
func (w *Window) login() {
	if w.st.Login.InProgress || !w.saveForm() {
		return
	}
	if err := w.backend.StartLogin(); err != nil {
		say(w.account.formMsg, "Could not start the login: "+err.Error(), widget.DangerImportance)
		return
	}
	say(w.account.formMsg, "", widget.MediumImportance)
}

package tray

import (
	"fmt"
	"time"

	"tokentray/assets"
	"tokentray/internal/session"
	"tokentray/internal/untrusted"
)

// Item is one line of the tray menu: a separator, or a label with the action a click runs. An
// item without an action is shown disabled.
type Item struct {
	Label     string
	Separator bool
	Action    func()
}

// Enabled reports whether clicking the item does anything.
func (it Item) Enabled() bool { return it.Action != nil }

func separator() Item { return Item{Separator: true} }

func disabled(label string) Item { return Item{Label: label} }

// FlashFor is how long a copy item says "copied ✓" after it was used.
const FlashFor = 2 * time.Second

// State is what the menu shows: the session plus the tray's own memory of recent copies.
type State struct {
	session.State
	Copied map[session.Copyable]time.Time // when each copy last succeeded
	// CopyFailed is why the last copy failed, until the next one works or it is old.
	CopyFailed string
}

// Actions are what the menu items do. Menu attaches an action only to an enabled item: systray
// delivers clicks on disabled items too, and an item without an action ignores them.
type Actions struct {
	OpenNowPlaying func()
	CopyUserToken  func()
	CopyAppToken   func()
	CopyEnv        func()
	Login          func()
	Settings       func()
	Quit           func()
	// The local player's controls (MPRIS); they cost no Web API call.
	PlayPause, Next, Previous func()
}

// Labels of the fixed items; tests and the D-Bus end-to-end harness find items by label because
// systray renumbers them on every refresh.
const (
	LabelLoggedOut  = "Log in to see what's playing"
	LabelCopyApp    = "Copy app token"
	LabelCopyEnv    = "Copy .env for other tools"
	LabelLogin      = "Log in…"
	LabelLoginNeed  = "Log in… (needed)"
	LabelLoginWait  = "Log in… (waiting for the browser)"
	LabelPlay       = "Play"
	LabelPause      = "Pause"
	LabelNext       = "Next track"
	LabelPrevious   = "Previous track"
	LabelSettings   = "Settings…"
	LabelQuit       = "Quit"
	LabelDemoHeader = "Demo mode: fake Spotify, nothing is saved"
)

// Menu builds the tray menu for st at time now.
func Menu(st State, now time.Time, a Actions) []Item {
	var items []Item
	if st.Demo {
		items = append(items, disabled(LabelDemoHeader))
	}
	items = append(items, nowPlayingItems(st.State, a)...)
	items = append(items,
		separator(),
		copyItem(st, now, session.CopyUserToken, userTokenLabel(st.State, now), a.CopyUserToken),
		copyItem(st, now, session.CopyAppToken, appTokenLabel(st.State), a.CopyAppToken),
		copyItem(st, now, session.CopyEnv, envLabel(st.State), a.CopyEnv),
	)
	if st.CopyFailed != "" {
		items = append(items, disabled("⚠ "+untrusted.Cut(st.CopyFailed, maxLabel)))
	}
	return append(items,
		separator(),
		loginItem(st.State, a.Login),
		Item{Label: LabelSettings, Action: a.Settings},
		Item{Label: LabelQuit, Action: a.Quit},
	)
}

func nowPlayingItems(st session.State, a Actions) []Item {
	if st.Authorization != session.LoggedIn {
		return []Item{{Label: LabelLoggedOut, Action: a.Login}}
	}
	line := disabled(untrusted.Cut(st.NowPlaying.Label, maxLabel))
	if st.NowPlayingURL() != "" {
		line.Action = a.OpenNowPlaying
	}
	items := []Item{line}
	if problem := problemText(st); problem != "" {
		items = append(items, disabled("⚠ "+untrusted.Cut(problem, maxLabel)))
	}
	return append(items, playerItems(st, a)...)
}

// playerItems control the Spotify player on this desktop, when one runs.
func playerItems(st session.State, a Actions) []Item {
	if st.LocalPlayer.Name == "" {
		return nil
	}
	playPause := Item{Label: LabelPlay, Action: a.PlayPause}
	if p := st.NowPlaying.Playing; st.LocalPlayer.Active && p != nil && p.IsPlaying {
		playPause.Label = LabelPause
	}
	return []Item{playPause, {Label: LabelNext, Action: a.Next}, {Label: LabelPrevious, Action: a.Previous}}
}

// problemText is the error worth showing: damaged settings, the session's own, else the last
// poll's.
func problemText(st session.State) string {
	if st.SettingsErr != "" {
		return st.SettingsErr
	}
	if st.LastError != "" {
		return st.LastError
	}
	return st.NowPlaying.ErrText
}

// maxLabel keeps long titles and errors from stretching the menu across the screen.
const maxLabel = 60

// Copy labels when the item cannot work say why, so a disabled item is never a mystery.
// setupProblem is what stops every copy; loginProblem what stops those that need a login.
func setupProblem(st session.State) string {
	switch {
	case st.SettingsErr != "":
		return " — repair the settings (Settings…)"
	case st.StorageErr != "":
		return " — no keyring"
	case st.Settings.ClientID == "":
		return " — set up the app first"
	}
	return ""
}

func loginProblem(st session.State) string {
	switch st.Authorization {
	case session.NeedsLogin:
		return " — log in again"
	case session.LoggedOut:
		return " — log in first"
	}
	return ""
}

func userTokenLabel(st session.State, now time.Time) string {
	const base = "Copy access token"
	if why := firstProblem(setupProblem(st), loginProblem(st)); why != "" {
		return base + why
	}
	left := st.AccessExpiry.Sub(now)
	switch {
	case left <= 0:
		return base + " — expired, refreshing…"
	case left < time.Minute:
		return base + " (valid <1 min)"
	}
	return fmt.Sprintf("%s (valid %d min)", base, int(left/time.Minute))
}

// firstProblem names the most basic problem only: the others follow from it.
func firstProblem(setup, login string) string {
	if setup != "" {
		return setup
	}
	return login
}

func userTokenUsable(st session.State, now time.Time) bool {
	return setupProblem(st) == "" && loginProblem(st) == "" && st.AccessExpiry.After(now)
}

func appTokenLabel(st session.State) string {
	if why := setupProblem(st); why != "" {
		return LabelCopyApp + why
	}
	if !st.HasSecret {
		return LabelCopyApp + " — needs a client secret"
	}
	return LabelCopyApp
}

func envLabel(st session.State) string {
	return LabelCopyEnv + firstProblem(setupProblem(st), loginProblem(st))
}

func copyItem(st State, now time.Time, which session.Copyable, label string, action func()) Item {
	var usable bool
	switch which {
	case session.CopyUserToken:
		usable = userTokenUsable(st.State, now)
	case session.CopyAppToken:
		usable = appTokenLabel(st.State) == LabelCopyApp
	case session.CopyEnv:
		usable = envLabel(st.State) == LabelCopyEnv
	}
	if !usable {
		return disabled(label)
	}
	if at, ok := st.Copied[which]; ok && now.Sub(at) < FlashFor && !now.Before(at) {
		label = copiedLabels[which]
	}
	return Item{Label: label, Action: action}
}

var copiedLabels = map[session.Copyable]string{
	session.CopyUserToken: "Access token copied ✓",
	session.CopyAppToken:  "App token copied ✓",
	session.CopyEnv:       ".env copied ✓",
}

func loginItem(st session.State, login func()) Item {
	switch {
	case st.Login.InProgress:
		// Settings… shows the authorize URL and Cancel; a second login would only race the first.
		return disabled(LabelLoginWait)
	case st.Authorization != session.LoggedIn:
		return Item{Label: LabelLoginNeed, Action: login}
	}
	return Item{Label: LabelLogin, Action: login}
}

// IconState picks the tray icon: red when something is broken, amber when only a login helps.
func IconState(st session.State) assets.TrayState {
	switch {
	case st.StorageErr != "" || st.SettingsErr != "":
		return assets.Offline
	case st.Authorization != session.LoggedIn:
		return assets.NeedsLogin
	case problemText(st) != "":
		return assets.Offline
	}
	return assets.OK
}

// Title is the text some platforms (macOS, some Linux panels) show beside the icon: what plays
// now, short, or the app's name when nothing does.
func Title(st session.State) string {
	if st.Authorization == session.LoggedIn && st.NowPlaying.Playing != nil && st.NowPlaying.Playing.IsPlaying {
		return untrusted.Cut(st.NowPlaying.Label, maxTitle)
	}
	return st.AppName()
}

// maxTitle keeps the title from crowding a menu bar.
const maxTitle = 40

// Tooltip is the one-line summary shown when hovering the icon.
func Tooltip(st session.State) string {
	name := st.AppName()
	switch {
	case st.SettingsErr != "":
		return name + ": " + st.SettingsErr
	case st.StorageErr != "":
		return name + ": " + st.StorageErr
	case st.Authorization == session.NeedsLogin && st.NeedsLoginReason != "":
		return name + ": log in needed — " + st.NeedsLoginReason
	case st.Authorization != session.LoggedIn:
		return name + ": log in needed"
	case problemText(st) != "":
		return name + ": " + problemText(st)
	}
	return name + ": " + st.Account.ShortName() + " · " + st.NowPlaying.Label
}

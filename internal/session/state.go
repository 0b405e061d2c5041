// Package session is the desktop app's state and actions, in plain Go: it owns the token manager,
// the background keeper and the now-playing poller, and publishes a State that the window and
// the tray render. Nothing here knows Fyne, so tests drive it without a display.
package session

import (
	"fmt"
	"time"

	"tokentray/auth"
	"tokentray/internal/local"
	"tokentray/internal/nowplaying"
)

// State is everything the window and the tray show. It is a value: subscribers get copies.
type State struct {
	Demo     bool
	Settings local.Settings
	// HasSettings is false on a first start: the window opens by itself then.
	HasSettings bool
	// HasSecret: a client secret is stored, so the login uses the confidential flow, else PKCE.
	HasSecret bool

	Storage         string // where secrets live, e.g. "system keyring (service "tokentray")"
	InsecureStorage bool
	StorageErr      string // no keyring: what to do about it
	// SettingsErr says what is wrong with settings.json and how to fix it; the window offers
	// ResetSettings. Nothing that needs the client ID works until then.
	SettingsErr string

	Authorization Authorization
	// NeedsLoginReason says why Spotify wants a new login, when Authorization is NeedsLogin.
	NeedsLoginReason string
	Account          auth.Account
	GrantedScopes    []string
	MissingScopes    []string // asked for in the settings but not granted
	AccessExpiry     time.Time
	AuthorizedAt     time.Time
	RefreshExpires   time.Time // six months after AuthorizedAt

	Login      LoginState
	NowPlaying nowplaying.State
	// LocalPlayer is the Spotify player on this desktop (MPRIS), if any.
	LocalPlayer LocalPlayer
	// APICalls counts the Web API calls of the last 24 hours, as a sentence.
	APICalls string
	// LastError is the latest background failure (refresh, network), cleared by the next success.
	LastError string
}

// Authorization is whether the stored login gives user tokens. The zero value is LoggedOut, as
// a session is before it read the store.
type Authorization int

const (
	// LoggedOut: no login is stored (never logged in, or logged out), or none was read yet.
	LoggedOut Authorization = iota
	// LoggedIn: a login is stored and tokens are refreshed from it.
	LoggedIn
	// NeedsLogin: a login is stored but gives no more tokens until the user logs in again:
	// Spotify refused its refresh token (revoked, six months old) or it belongs to another client
	// ID than the settings name. The record is kept for its account and NeedsLoginReason.
	NeedsLogin
)

// String names a for people: logs and test failures.
func (a Authorization) String() string {
	switch a {
	case LoggedOut:
		return "logged out"
	case LoggedIn:
		return "logged in"
	case NeedsLogin:
		return "needs login"
	}
	return fmt.Sprintf("Authorization(%d)", int(a))
}

// LocalPlayer is a Spotify player on this desktop, followed over MPRIS.
type LocalPlayer struct {
	Name   string // its D-Bus name; "" when none runs
	Active bool   // playing or paused with something loaded: it tells what plays
}

// LoginState follows an interactive login.
type LoginState struct {
	InProgress   bool
	AuthorizeURL string // for when no browser opens
	Err          string // why the last login failed
}

// AppName is how the app names itself in titles and tooltips: a demo says so everywhere.
func (st State) AppName() string {
	if st.Demo {
		return "tokentray (demo)"
	}
	return "tokentray"
}

// NowPlayingURL is the open.spotify.com link of what is playing, or "".
func (st State) NowPlayingURL() string {
	if st.NowPlaying.Playing == nil {
		return ""
	}
	return st.NowPlaying.Playing.URL
}

package trayapi

import (
	"fmt"
	"time"

	"tokentray/auth"
	"tokentray/internal/local"
	"tokentray/internal/nowplaying"
	"tokentray/internal/session"
	"tokentray/internal/webapi"
)

// The tray's state as it crosses the socket. These types are the protocol's contract, apart from
// session.State so that renaming a Go field cannot change what a tray and a command of another
// build say to each other (wire_test.go holds the exact JSON). Adding a field keeps the version:
// readers skip names they do not know. Renaming or removing one, or changing what it means,
// takes a new protocolVersion.
//
// It carries what the window, `tokentray now` and `tokentray status` show. Only the tray itself
// uses HasSettings, LastError, a now-playing state's LoggedOut and QuotaUntil (the authorization
// and the error text say as much) and a Playing's ID and Timestamp, so they stay home.
type wireState struct {
	Demo bool `json:"demo,omitempty"`
	// Settings are in settings.json's own format, which save-settings sends too.
	Settings        local.Settings `json:"settings"`
	HasSecret       bool           `json:"has_secret,omitempty"`
	Storage         string         `json:"storage,omitempty"`
	InsecureStorage bool           `json:"insecure_storage,omitempty"`
	StorageErr      string         `json:"storage_error,omitempty"`
	SettingsErr     string         `json:"settings_error,omitempty"`

	Authorization    wireAuthorization `json:"authorization"`
	NeedsLoginReason string            `json:"needs_login_reason,omitempty"`
	Account          wireAccount       `json:"account,omitzero"`
	GrantedScopes    []string          `json:"granted_scopes,omitempty"`
	MissingScopes    []string          `json:"missing_scopes,omitempty"`
	AccessExpiry     time.Time         `json:"access_expiry,omitzero"`
	AuthorizedAt     time.Time         `json:"authorized_at,omitzero"`
	RefreshExpires   time.Time         `json:"refresh_expires,omitzero"`

	Login       wireLoginProgress `json:"login,omitzero"`
	NowPlaying  wireNowPlaying    `json:"now_playing"`
	LocalPlayer wireLocalPlayer   `json:"local_player,omitzero"`
	APICalls    string            `json:"api_calls,omitempty"`
}

type wireAccount struct {
	ID          string `json:"id"`
	DisplayName string `json:"display_name,omitempty"`
}

// wireLoginProgress follows an interactive login (session.LoginState).
type wireLoginProgress struct {
	InProgress   bool   `json:"in_progress,omitempty"`
	AuthorizeURL string `json:"authorize_url,omitempty"`
	Err          string `json:"error,omitempty"`
}

type wireNowPlaying struct {
	Playing *wirePlaying `json:"playing,omitempty"`
	Label   string       `json:"label"`
	ErrText string       `json:"error,omitempty"`
	// Measured is when playing.progress_ms was true.
	Measured time.Time `json:"measured,omitzero"`
}

type wirePlaying struct {
	Kind       wireKind `json:"kind"`
	IsPlaying  bool     `json:"is_playing"`
	Title      string   `json:"title,omitempty"`
	Artists    []string `json:"artists,omitempty"`
	Album      string   `json:"album,omitempty"`
	Show       string   `json:"show,omitempty"`
	URL        string   `json:"url,omitempty"`
	ArtURL     string   `json:"art_url,omitempty"`
	DurationMS int64    `json:"duration_ms"`
	ProgressMS int64    `json:"progress_ms"`
}

type wireLocalPlayer struct {
	Name   string `json:"name,omitempty"`
	Active bool   `json:"active,omitempty"`
}

// wireAuthorization is a session.Authorization, named on the wire by authorizationNames.
type wireAuthorization session.Authorization

var authorizationNames = map[session.Authorization]string{
	session.LoggedOut:  "logged_out",
	session.LoggedIn:   "logged_in",
	session.NeedsLogin: "needs_login",
}

func (a wireAuthorization) MarshalText() ([]byte, error) {
	return nameOf(authorizationNames, session.Authorization(a), "login state")
}

func (a *wireAuthorization) UnmarshalText(name []byte) error {
	v, err := valueOf(authorizationNames, name, "login state")
	*a = wireAuthorization(v)
	return err
}

// wireKind is a webapi.Kind, named on the wire by kindNames.
type wireKind webapi.Kind

var kindNames = map[webapi.Kind]string{
	webapi.Nothing: "nothing",
	webapi.Track:   "track",
	webapi.Episode: "episode",
	webapi.Ad:      "ad",
	webapi.Unknown: "unknown",
}

func (k wireKind) MarshalText() ([]byte, error) {
	return nameOf(kindNames, webapi.Kind(k), "kind of item")
}

func (k *wireKind) UnmarshalText(name []byte) error {
	v, err := valueOf(kindNames, name, "kind of item")
	*k = wireKind(v)
	return err
}

func nameOf[T comparable](names map[T]string, v T, what string) ([]byte, error) {
	name, ok := names[v]
	if !ok {
		return nil, fmt.Errorf("the %s %v has no name on the wire", what, v)
	}
	return []byte(name), nil
}

// valueOf parses strictly: a name this build does not know is an error, not a zero value that
// would show something other than what the tray meant.
func valueOf[T comparable](names map[T]string, name []byte, what string) (T, error) {
	for v, n := range names {
		if n == string(name) {
			return v, nil
		}
	}
	var zero T
	return zero, fmt.Errorf("the running tokentray sent the %s %q, which this command does not know: quit the tray and start it again with the same tokentray as this command", what, name)
}

// wireStateOf is what the tray sends of st. Times go in UTC so that the wire never depends on
// the tray's time zone.
func wireStateOf(st session.State) *wireState {
	return &wireState{
		Demo:             st.Demo,
		Settings:         st.Settings,
		HasSecret:        st.HasSecret,
		Storage:          st.Storage,
		InsecureStorage:  st.InsecureStorage,
		StorageErr:       st.StorageErr,
		SettingsErr:      st.SettingsErr,
		Authorization:    wireAuthorization(st.Authorization),
		NeedsLoginReason: st.NeedsLoginReason,
		Account:          wireAccount{ID: st.Account.ID, DisplayName: st.Account.DisplayName},
		GrantedScopes:    st.GrantedScopes,
		MissingScopes:    st.MissingScopes,
		AccessExpiry:     st.AccessExpiry.UTC(),
		AuthorizedAt:     st.AuthorizedAt.UTC(),
		RefreshExpires:   st.RefreshExpires.UTC(),
		Login:            wireLoginProgress{InProgress: st.Login.InProgress, AuthorizeURL: st.Login.AuthorizeURL, Err: st.Login.Err},
		NowPlaying: wireNowPlaying{Playing: wirePlayingOf(st.NowPlaying.Playing), Label: st.NowPlaying.Label,
			ErrText: st.NowPlaying.ErrText, Measured: st.NowPlaying.Measured.UTC()},
		LocalPlayer: wireLocalPlayer{Name: st.LocalPlayer.Name, Active: st.LocalPlayer.Active},
		APICalls:    st.APICalls,
	}
}

func wirePlayingOf(p *webapi.Playing) *wirePlaying {
	if p == nil {
		return nil
	}
	return &wirePlaying{Kind: wireKind(p.Kind), IsPlaying: p.IsPlaying, Title: p.Title, Artists: p.Artists,
		Album: p.Album, Show: p.Show, URL: p.URL, ArtURL: p.ArtURL,
		DurationMS: p.Duration.Milliseconds(), ProgressMS: p.Progress.Milliseconds()}
}

// sessionState is the state the window and the commands render, as the tray sent it.
func (w *wireState) sessionState() session.State {
	return session.State{
		Demo:             w.Demo,
		Settings:         w.Settings,
		HasSecret:        w.HasSecret,
		Storage:          w.Storage,
		InsecureStorage:  w.InsecureStorage,
		StorageErr:       w.StorageErr,
		SettingsErr:      w.SettingsErr,
		Authorization:    session.Authorization(w.Authorization),
		NeedsLoginReason: w.NeedsLoginReason,
		Account:          auth.Account{ID: w.Account.ID, DisplayName: w.Account.DisplayName},
		GrantedScopes:    w.GrantedScopes,
		MissingScopes:    w.MissingScopes,
		AccessExpiry:     w.AccessExpiry,
		AuthorizedAt:     w.AuthorizedAt,
		RefreshExpires:   w.RefreshExpires,
		Login:            session.LoginState{InProgress: w.Login.InProgress, AuthorizeURL: w.Login.AuthorizeURL, Err: w.Login.Err},
		NowPlaying: nowplaying.State{Playing: w.NowPlaying.Playing.playing(), Label: w.NowPlaying.Label,
			ErrText: w.NowPlaying.ErrText, Measured: w.NowPlaying.Measured},
		LocalPlayer: session.LocalPlayer{Name: w.LocalPlayer.Name, Active: w.LocalPlayer.Active},
		APICalls:    w.APICalls,
	}
}

func (p *wirePlaying) playing() *webapi.Playing {
	if p == nil {
		return nil
	}
	return &webapi.Playing{Kind: webapi.Kind(p.Kind), IsPlaying: p.IsPlaying, Title: p.Title, Artists: p.Artists,
		Album: p.Album, Show: p.Show, URL: p.URL, ArtURL: p.ArtURL,
		Duration: time.Duration(p.DurationMS) * time.Millisecond, Progress: time.Duration(p.ProgressMS) * time.Millisecond}
}

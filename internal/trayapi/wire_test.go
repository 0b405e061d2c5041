package trayapi

import (
	"bufio"
	"net"
	"reflect"
	"strings"
	"testing"
	"time"

	"tokentray/auth"
	"tokentray/internal/local"
	"tokentray/internal/nowplaying"
	"tokentray/internal/session"
	"tokentray/internal/webapi"
)

// everyField is a state with every field the wire carries set, so that a field the conversion
// forgets shows, plus those it leaves home.
func everyField() session.State {
	return session.State{
		Demo: true,
		Settings: local.Settings{ClientID: "0123456789abcdef0123456789abcdef", Scopes: []string{"user-read-currently-playing", "user-read-email"},
			RedirectURI: "http://127.0.0.1:8888/callback", MinValidSeconds: 600, ClipboardClearSeconds: 60, Notifications: true,
			NowPlayingBudget: 500, TrackNotifications: true, Players: []string{"spotify"}},
		HasSettings:      true, // left home
		HasSecret:        true,
		Storage:          "plain file",
		InsecureStorage:  true,
		StorageErr:       "no keyring",
		SettingsErr:      "settings file: bad",
		Authorization:    session.NeedsLogin,
		NeedsLoginReason: "The client ID changed since the last login.",
		Account:          auth.Account{ID: "alice", DisplayName: "Alice"},
		GrantedScopes:    []string{"user-read-currently-playing"},
		MissingScopes:    []string{"user-read-email"},
		AccessExpiry:     time.Date(2026, 3, 1, 12, 52, 30, 0, time.UTC),
		AuthorizedAt:     time.Date(2026, 2, 1, 9, 0, 0, 0, time.UTC),
		RefreshExpires:   time.Date(2026, 8, 1, 9, 0, 0, 0, time.UTC),
		Login:            session.LoginState{InProgress: true, AuthorizeURL: "http://127.0.0.1:8888/authorize?client_id=x&state=y", Err: "the browser did not come back"},
		NowPlaying: nowplaying.State{
			Playing: &webapi.Playing{Kind: webapi.Track, IsPlaying: true, Title: "Song", Artists: []string{"A", "B"}, Album: "Album",
				Show: "Show", URL: "https://open.spotify.com/track/x", ArtURL: "https://i.scdn.co/image/x",
				Duration: 215 * time.Second, Progress: 61500 * time.Millisecond,
				ID: "x", Timestamp: time.Date(2026, 3, 1, 11, 59, 0, 0, time.UTC)}, // ID and Timestamp left home
			Label:      "A, B — Song",
			ErrText:    "Spotify answered 429",
			LoggedOut:  true,                                        // left home
			QuotaUntil: time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC), // left home
			Measured:   time.Date(2026, 3, 1, 12, 0, 1, 500_000_000, time.UTC),
		},
		LocalPlayer: session.LocalPlayer{Name: "org.mpris.MediaPlayer2.spotify", Active: true},
		APICalls:    "12 calls in the last 24 hours",
		LastError:   "refresh failed", // left home
	}
}

// everyFieldLine is everyField's response line, exactly: renaming a field breaks it.
const everyFieldLine = `{"v":1,"state":{"demo":true,` +
	`"settings":{"client_id":"0123456789abcdef0123456789abcdef","scopes":["user-read-currently-playing","user-read-email"],` +
	`"redirect_uri":"http://127.0.0.1:8888/callback","min_valid_seconds":600,"clipboard_clear_seconds":60,"notifications":true,` +
	`"now_playing_budget":500,"track_notifications":true,"players":["spotify"]},` +
	`"has_secret":true,"storage":"plain file","insecure_storage":true,"storage_error":"no keyring","settings_error":"settings file: bad",` +
	`"authorization":"needs_login","needs_login_reason":"The client ID changed since the last login.",` +
	`"account":{"id":"alice","display_name":"Alice"},` +
	`"granted_scopes":["user-read-currently-playing"],"missing_scopes":["user-read-email"],` +
	`"access_expiry":"2026-03-01T12:52:30Z","authorized_at":"2026-02-01T09:00:00Z","refresh_expires":"2026-08-01T09:00:00Z",` +
	`"login":{"in_progress":true,"authorize_url":"http://127.0.0.1:8888/authorize?client_id=x\u0026state=y","error":"the browser did not come back"},` +
	`"now_playing":{"playing":{"kind":"track","is_playing":true,"title":"Song","artists":["A","B"],"album":"Album","show":"Show",` +
	`"url":"https://open.spotify.com/track/x","art_url":"https://i.scdn.co/image/x","duration_ms":215000,"progress_ms":61500},` +
	`"label":"A, B — Song","error":"Spotify answered 429","measured":"2026-03-01T12:00:01.5Z"},` +
	`"local_player":{"name":"org.mpris.MediaPlayer2.spotify","active":true},` +
	`"api_calls":"12 calls in the last 24 hours"}}`

// loggedOutLine is a fresh tray's state: the empty parts stay off the line.
const loggedOutLine = `{"v":1,"state":{` +
	`"settings":{"client_id":"","scopes":null,"redirect_uri":"","min_valid_seconds":0,"clipboard_clear_seconds":0,"notifications":false,` +
	`"now_playing_budget":0,"track_notifications":false},` +
	`"authorization":"logged_out","now_playing":{"label":""}}}`

// sendState writes st as the tray does and returns the line a client reads.
func sendState(t *testing.T, st session.State) string {
	t.Helper()
	tray, client := net.Pipe()
	defer client.Close()
	go func() {
		defer tray.Close()
		writeLine(tray, response{State: wireStateOf(st)})
	}()
	line, err := bufio.NewReader(client).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSuffix(line, "\n")
}

func receiveState(t *testing.T, line string) session.State {
	t.Helper()
	var resp response
	if err := readResponse(bufio.NewReader(strings.NewReader(line+"\n")), &resp); err != nil {
		t.Fatal(err)
	}
	if resp.State == nil {
		t.Fatalf("no state in %s", line)
	}
	return resp.State.sessionState()
}

func TestTheStateCrossesTheWireAsWritten(t *testing.T) {
	if got := sendState(t, everyField()); got != everyFieldLine {
		t.Fatalf("the tray sends\n%s\nwant\n%s", got, everyFieldLine)
	}
	if got := sendState(t, session.State{}); got != loggedOutLine {
		t.Fatalf("the tray sends\n%s\nwant\n%s", got, loggedOutLine)
	}
}

func TestTheStateComesBackAsTheTrayHadIt(t *testing.T) {
	want := everyField()
	want.HasSettings, want.LastError = false, ""
	want.NowPlaying.LoggedOut, want.NowPlaying.QuotaUntil = false, time.Time{}
	want.NowPlaying.Playing.ID, want.NowPlaying.Playing.Timestamp = "", time.Time{}
	if got := receiveState(t, everyFieldLine); !reflect.DeepEqual(got, want) {
		t.Fatalf("received\n%+v\nwant\n%+v", got, want)
	}
	if got := receiveState(t, loggedOutLine); !reflect.DeepEqual(got, session.State{}) {
		t.Fatalf("received %+v, want the zero state", got)
	}
}

func TestTimesGoInUTC(t *testing.T) {
	st := session.State{AccessExpiry: time.Date(2026, 3, 1, 13, 52, 30, 0, time.FixedZone("CET", 3600))}
	if got := sendState(t, st); !strings.Contains(got, `"access_expiry":"2026-03-01T12:52:30Z"`) {
		t.Fatalf("the tray sends %s", got)
	}
}

func TestEveryLoginStateAndKindHasItsName(t *testing.T) {
	for a, name := range map[session.Authorization]string{session.LoggedOut: "logged_out", session.LoggedIn: "logged_in", session.NeedsLogin: "needs_login"} {
		got := sendState(t, session.State{Authorization: a})
		if !strings.Contains(got, `"authorization":"`+name+`"`) {
			t.Errorf("%v goes as %s, want %q", a, got, name)
		}
		if back := receiveState(t, got); back.Authorization != a {
			t.Errorf("%q comes back as %v, want %v", name, back.Authorization, a)
		}
	}
	kinds := map[webapi.Kind]string{webapi.Nothing: "nothing", webapi.Track: "track", webapi.Episode: "episode", webapi.Ad: "ad", webapi.Unknown: "unknown"}
	for k, name := range kinds {
		got := sendState(t, session.State{NowPlaying: nowplaying.State{Playing: &webapi.Playing{Kind: k}}})
		if !strings.Contains(got, `"kind":"`+name+`"`) {
			t.Errorf("%v goes as %s, want %q", k, got, name)
		}
		if back := receiveState(t, got); back.NowPlaying.Playing.Kind != k {
			t.Errorf("%q comes back as %v, want %v", name, back.NowPlaying.Playing.Kind, k)
		}
	}
}

func TestNamesThisBuildDoesNotKnowAreRefused(t *testing.T) {
	for _, tc := range []struct{ line, want string }{
		{`{"v":1,"state":{"authorization":"half_logged_in","now_playing":{"label":""}}}`,
			`the running tokentray sent the login state "half_logged_in", which this command does not know`},
		{`{"v":1,"state":{"authorization":"logged_in","now_playing":{"label":"x","playing":{"kind":"audiobook"}}}}`,
			`the running tokentray sent the kind of item "audiobook", which this command does not know`},
	} {
		var resp response
		err := readResponse(bufio.NewReader(strings.NewReader(tc.line+"\n")), &resp)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("reading %s: %v, want %q", tc.line, err, tc.want)
		}
	}
	tray, client := net.Pipe()
	defer client.Close()
	if err := writeLine(tray, response{State: wireStateOf(session.State{Authorization: 7})}); err == nil ||
		!strings.Contains(err.Error(), "the login state Authorization(7) has no name on the wire") {
		t.Fatalf("sending an unnamed login state: %v", err)
	}
}

package local

import (
	"errors"
	"strings"
	"testing"
	"time"
)

const validClientIDForTest = "0123456789abcdef0123456789abcdef"

func TestValidateClientID(t *testing.T) {
	const dashboard = "developer.spotify.com/dashboard → your app → Settings"
	tests := []struct {
		name, id, problem string // problem "" = valid
	}{
		{"valid", validClientIDForTest, ""},
		{"empty", "", "is empty"},
		{"too short", validClientIDForTest[:31], "is 31 characters long; a Spotify client ID has 32"},
		{"too long", validClientIDForTest + "0", "is 33 characters long"},
		{"trailing newline", validClientIDForTest + "\n", "has spaces or line breaks around it"},
		{"leading space", " " + validClientIDForTest, "has spaces or line breaks around it"},
		{"not hex", "0123456789abcdeg0123456789abcdef", `contains 'g' at position 16`},
		{"upper case", "0123456789ABCDEF0123456789abcdef", `contains 'A' at position 11`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fe := ValidateClientID(tt.id)
			if tt.problem == "" {
				if fe != nil {
					t.Fatalf("ValidateClientID(%q) = %v, want nil", tt.id, fe)
				}
				return
			}
			assertFieldError(t, fe, "client_id", tt.problem, dashboard)
		})
	}
}

func TestValidateScopes(t *testing.T) {
	const fix = "developer.spotify.com/documentation/web-api/concepts/scopes"
	tests := []struct {
		name     string
		scopes   []string
		problems []string // nil = valid
	}{
		{"tray scopes", TrayScopes(), nil},
		{"every scope", allScopeNamesForTest(), nil},
		{"none", nil, nil},
		{"typo suggests closest", []string{"user-read-playbak-state"},
			[]string{`"user-read-playbak-state" is not a Spotify scope (did you mean "user-read-playback-state"?)`}},
		{"wrong case suggests exact", []string{"User-Read-Email"},
			[]string{`"User-Read-Email" is not a Spotify scope (did you mean "user-read-email"?)`}},
		{"surrounding space suggests trimmed", []string{" streaming"},
			[]string{`" streaming" is not a Spotify scope (did you mean "streaming"?)`}},
		{"nonsense gets no suggestion", []string{"admin"}, []string{`"admin" is not a Spotify scope`}},
		{"empty name", []string{"user-top-read", ""}, []string{"contains an empty scope name"}},
		{"duplicate", []string{"user-top-read", "user-top-read"}, []string{`lists "user-top-read" twice`}},
		{"all problems reported", []string{"user-libary-read", "playlist-modify"},
			[]string{`"user-libary-read" is not a Spotify scope (did you mean "user-library-read"?)`,
				`"playlist-modify" is not a Spotify scope (did you mean "playlist-modify-public"?)`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fe := ValidateScopes(tt.scopes)
			if tt.problems == nil {
				if fe != nil {
					t.Fatalf("ValidateScopes(%q) = %v, want nil", tt.scopes, fe)
				}
				return
			}
			for _, p := range tt.problems {
				assertFieldError(t, fe, "scopes", p, fix)
			}
			if strings.Contains(tt.name, "no suggestion") && strings.Contains(fe.Problem, "did you mean") {
				t.Fatalf("Problem %q suggests a scope for nonsense", fe.Problem)
			}
		})
	}
}

func TestParseRedirectURIAccepts(t *testing.T) {
	tests := []struct {
		raw        string
		want       RedirectURI
		registered string // String()
		on4242     string // WithPort(4242)
	}{
		{DefaultRedirectURI, RedirectURI{"127.0.0.1", 8888, "/callback"}, DefaultRedirectURI, "http://127.0.0.1:4242/callback"},
		{"http://127.0.0.1/callback", RedirectURI{"127.0.0.1", 0, "/callback"}, "http://127.0.0.1/callback", "http://127.0.0.1:4242/callback"},
		{"http://[::1]:9000/cb", RedirectURI{"::1", 9000, "/cb"}, "http://[::1]:9000/cb", "http://[::1]:4242/cb"},
		{"http://[::1]/cb", RedirectURI{"::1", 0, "/cb"}, "http://[::1]/cb", "http://[::1]:4242/cb"},
		{"http://127.0.0.1:1/", RedirectURI{"127.0.0.1", 1, "/"}, "http://127.0.0.1:1/", "http://127.0.0.1:4242/"},
		{"http://127.0.0.1:65535/a/b", RedirectURI{"127.0.0.1", 65535, "/a/b"}, "http://127.0.0.1:65535/a/b", "http://127.0.0.1:4242/a/b"},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			got, fe := ParseRedirectURI(tt.raw)
			if fe != nil {
				t.Fatalf("ParseRedirectURI: %v", fe)
			}
			if got != tt.want {
				t.Fatalf("ParseRedirectURI = %+v, want %+v", got, tt.want)
			}
			if s := got.String(); s != tt.registered {
				t.Errorf("String() = %q, want %q", s, tt.registered)
			}
			if s := got.WithPort(4242); s != tt.on4242 {
				t.Errorf("WithPort(4242) = %q, want %q", s, tt.on4242)
			}
		})
	}
}

func TestParseRedirectURIRefuses(t *testing.T) {
	tests := []struct {
		raw, problem, fix string
	}{
		{"", "is empty", "Use " + DefaultRedirectURI + " and register exactly that URI"},
		{"http://localhost:8888/callback", "Spotify no longer accepts in redirect URIs (since November 2025)",
			"Use http://127.0.0.1:8888/callback and register exactly that URI"},
		{"http://LOCALHOST/cb", "uses localhost", "Use http://127.0.0.1/cb and register"},
		{"https://127.0.0.1:8888/callback", "speaks plain http", "Use http://127.0.0.1:8888/callback"},
		{"https://[::1]:8888/callback", "speaks plain http", "Use http://[::1]:8888/callback"},
		{"https://example.com/callback", "is not an http:// URL", "Use http://127.0.0.1/callback"},
		{"http://example.com/callback", `has host "example.com"`, "Use http://127.0.0.1/callback"},
		{"ftp://127.0.0.1/callback", `"ftp://127.0.0.1/callback" is not an http:// URL`, "Use http://127.0.0.1/callback"},
		{"127.0.0.1:8888/callback", "is not", "Use http://127.0.0.1"},
		{"http://0.0.0.0:8888/callback", `has host "0.0.0.0"`, "Use http://127.0.0.1:8888/callback"},
		{"http://127.0.0.1:0/callback", "has port 0; a port is a number from 1 to 65535", "leave the port out"},
		{"http://127.0.0.1:70000/callback", "has port 70000", "Use a free port such as 8888"},
		{"http://127.0.0.1:port/callback", "is not a valid URL", "Use " + DefaultRedirectURI},
		{"http://127.0.0.1:8888", "has no path", "Use http://127.0.0.1:8888/callback"},
		{"http://[::1]:8888", "has no path", "Use http://[::1]:8888/callback"},
		{"http://127.0.0.1:8888/callback?x=1", "has a query", "Use http://127.0.0.1:8888/callback and"},
		{"http://127.0.0.1:8888/callback?", "has a query", "Use http://127.0.0.1:8888/callback and"},
		{"http://127.0.0.1:8888/callback#top", "has a fragment", "Use http://127.0.0.1:8888/callback and"},
		{"http://me@127.0.0.1:8888/callback", "contains a user name", "Use http://127.0.0.1:8888/callback"},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			got, fe := ParseRedirectURI(tt.raw)
			if fe == nil {
				t.Fatalf("ParseRedirectURI(%q) = %+v, want an error", tt.raw, got)
			}
			assertFieldError(t, fe, "redirect_uri", tt.problem, tt.fix)
		})
	}
}

func TestSettingsValidate(t *testing.T) {
	valid := DefaultSettings()
	valid.ClientID = validClientIDForTest
	if err := valid.Validate(); err != nil {
		t.Fatalf("defaults with a client ID: %v", err)
	}
	for _, edge := range []func(*Settings){
		func(s *Settings) { s.MinValidSeconds = 60 },
		func(s *Settings) { s.MinValidSeconds = 3000 },
		func(s *Settings) { s.ClipboardClearSeconds = 0 },
		func(s *Settings) { s.Scopes = nil },
	} {
		s := valid
		edge(&s)
		if err := s.Validate(); err != nil {
			t.Errorf("%+v: %v", s, err)
		}
	}

	tests := []struct {
		name           string
		change         func(*Settings)
		field, problem string
		fix            string
	}{
		{"missing client ID", func(s *Settings) { s.ClientID = "" }, "client_id", "is empty", "developer.spotify.com/dashboard"},
		{"unknown scope", func(s *Settings) { s.Scopes = []string{"user-read-curently-playing"} }, "scopes",
			`did you mean "user-read-currently-playing"?`, "scopes"},
		{"localhost", func(s *Settings) { s.RedirectURI = "http://localhost:8888/callback" }, "redirect_uri", "localhost", "127.0.0.1"},
		{"min valid too low", func(s *Settings) { s.MinValidSeconds = 59 }, "min_valid_seconds", "is 59, outside 60..3000",
			"a number from 60 to 3000 (default 600)"},
		{"min valid too high", func(s *Settings) { s.MinValidSeconds = 3001 }, "min_valid_seconds", "is 3001", "from 60 to 3000"},
		{"negative clipboard", func(s *Settings) { s.ClipboardClearSeconds = -1 }, "clipboard_clear_seconds", "is -1",
			"Use 0 to never clear the clipboard"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := valid
			tt.change(&s)
			err := s.Validate()
			var fes FieldErrors
			if !errors.As(err, &fes) || len(fes) != 1 {
				t.Fatalf("Validate() = %v, want exactly one FieldError", err)
			}
			assertFieldError(t, fes[0], tt.field, tt.problem, tt.fix)
		})
	}

	t.Run("all problems at once", func(t *testing.T) {
		s := Settings{ClipboardClearSeconds: -5}
		var fes FieldErrors
		if err := s.Validate(); !errors.As(err, &fes) {
			t.Fatalf("Validate() = %v, want FieldErrors", err)
		}
		var fields []string
		for _, fe := range fes {
			fields = append(fields, fe.Field)
		}
		want := "client_id redirect_uri min_valid_seconds clipboard_clear_seconds"
		if got := strings.Join(fields, " "); got != want {
			t.Fatalf("fields = %q, want %q", got, want)
		}
		if lines := strings.Split(fes.Error(), "\n"); len(lines) != 4 || !strings.HasPrefix(lines[1], "redirect_uri: is empty. Use ") {
			t.Fatalf("Error() = %q, want one line per field", fes.Error())
		}
	})
}

func TestFieldErrorFormat(t *testing.T) {
	fe := &FieldError{Field: "client_id", Problem: "is empty", Fix: "Copy it."}
	if got, want := fe.Error(), "client_id: is empty. Copy it."; got != want {
		t.Fatalf("Error() = %q, want %q", got, want)
	}
}

// assertFieldError checks the field and that the problem and the fix each contain a fragment.
func assertFieldError(t *testing.T, fe *FieldError, field, problem, fix string) {
	t.Helper()
	if fe == nil {
		t.Fatalf("got no error, want %s: %s", field, problem)
	}
	if fe.Field != field {
		t.Errorf("Field = %q, want %q (%v)", fe.Field, field, fe)
	}
	if !strings.Contains(fe.Problem, problem) {
		t.Errorf("Problem = %q, want it to contain %q", fe.Problem, problem)
	}
	if !strings.Contains(fe.Fix, fix) {
		t.Errorf("Fix = %q, want it to contain %q", fe.Fix, fix)
	}
}

func allScopeNamesForTest() []string {
	var names []string
	for _, s := range AllScopes {
		names = append(names, s.Name)
	}
	return names
}

func TestPlayersAreBusNameParts(t *testing.T) {
	s := DefaultSettings()
	s.ClientID = "0123456789abcdef0123456789abcdef"
	s.Players = []string{"spotify", "ncspot", "spotify_player"}
	if err := s.Validate(); err != nil {
		t.Fatalf("valid players refused: %v", err)
	}
	s.Players = []string{"spotify", "org/mpris evil"}
	var fes FieldErrors
	if err := s.Validate(); !errors.As(err, &fes) || len(fes) != 1 || fes[0].Field != "players" ||
		fes[0].Problem != `has "org/mpris evil", which is no D-Bus name part` {
		t.Fatalf("Validate = %v, want one players error", err)
	}
}

func TestCheckMinValidTakesOneToFiftyMinutes(t *testing.T) {
	for _, tc := range []struct {
		d  time.Duration
		ok bool
	}{{time.Minute, true}, {50 * time.Minute, true}, {time.Minute - time.Second, false}, {50*time.Minute + time.Second, false}, {2 * time.Hour, false}, {-time.Minute, false}} {
		err := CheckMinValid(tc.d)
		if (err == nil) != tc.ok {
			t.Errorf("CheckMinValid(%s) = %v, want ok %v", tc.d, err, tc.ok)
		}
		if err != nil && err.Error() != "choose a duration from 1m to 50m (access tokens live 60 minutes)" {
			t.Errorf("CheckMinValid(%s) says %q", tc.d, err)
		}
	}
}

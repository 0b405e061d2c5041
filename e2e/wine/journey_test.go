//go:build wine

package wine

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tokentray/internal/fakespotify"
)

const (
	runKey       = `HKCU\Software\Microsoft\Windows\CurrentVersion\Run`
	demoClientID = "0f7c3a9e5b2d4c6e8a1b3d5f7e9c2a4b"
	demoSecret   = "5e8d1c3b7a9f2e4d6c8b0a1f3e5d7c9b"
)

// TestWindowsUserJourney is what a Windows user does from the command line, in order: each step
// needs the ones before it, so the first failure ends the journey.
func TestWindowsUserJourney(t *testing.T) {
	fake := startFake(t)
	u := newUser(t, fake)
	step := func(name string, f func(t *testing.T)) {
		if !t.Run(name, f) {
			t.FailNow()
		}
	}

	step("help", func(t *testing.T) {
		r := u.run("--help")
		if r.Code != 0 || !strings.HasPrefix(r.Stdout, "tokentray keeps Spotify Web API tokens fresh: a tray app, and commands for scripts.\n") ||
			!strings.Contains(r.Stdout, "\n  login         log in to Spotify") ||
			!strings.Contains(r.Stdout, "Exit codes: 0 ok, 1 error, 2 bad usage or input, 3 login needed, 4 Spotify unreachable.") {
			t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", r.Code, r.Stdout, r.Stderr)
		}
	})

	step("login with PKCE, the redirected address pasted", func(t *testing.T) {
		r := loginByPaste(t, u)
		if r.Code != 0 || !strings.Contains(r.Stderr, "paste that page's address here") {
			t.Fatalf("exit %d\nstderr:\n%s", r.Code, r.Stderr)
		}
		if !hasCredential(t, "user-token") || hasCredential(t, "client-secret") {
			t.Fatalf("Credential Manager after a PKCE login, want tokentray:user-token and no secret:\n%s",
				regQuery(t, `HKCU\Software\Wine\Credential Manager`))
		}
	})

	step("status after a wineserver restart", func(t *testing.T) {
		// Everything in the prefix stops: the login must come back from Credential Manager as
		// Wine saved it in the registry files.
		wine("wineserver", "-k") // fails when the server has already gone idle and quit
		if out, err := wine("wineserver", "-w"); err != nil {
			t.Fatalf("wineserver -w: %v\n%s", err, out)
		}
		r := u.run("status")
		for _, want := range []string{
			"Config:         " + windowsPath(u.dir) + "\n",
			"Storage:        system keyring (service \"tokentray\")\n",
			"Client ID:      " + demoClientID + "\n",
			"Flow:           Authorization Code with PKCE (no client secret)\n",
			"Redirect URI:   http://127.0.0.1/callback\n",
			"Access token:   expires in ", // the minutes left depend on how long the steps took
		} {
			if !strings.Contains(r.Stdout, want) {
				t.Errorf("status lacks %q", want)
			}
		}
		if r.Code != 0 || t.Failed() {
			t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", r.Code, r.Stdout, r.Stderr)
		}
	})

	step("token", func(t *testing.T) {
		r := u.run("token")
		if kind, _, ok := fake.AccessTokenValid(strings.TrimSuffix(r.Stdout, "\n")); r.Code != 0 || !ok || kind != fakespotify.KindUser {
			t.Fatalf("exit %d, a user token the fake knows: %v (%q)\nstdout: %q\nstderr:\n%s", r.Code, ok, kind, r.Stdout, r.Stderr)
		}
	})

	step("login with the client secret on stdin", func(t *testing.T) {
		r := loginWithSecret(t, u)
		if r.Code != 0 {
			t.Fatalf("exit %d\nstderr:\n%s", r.Code, r.Stderr)
		}
		if !hasCredential(t, "user-token") || !hasCredential(t, "client-secret") {
			t.Fatalf("Credential Manager after a login with a secret, want tokentray:user-token and tokentray:client-secret:\n%s",
				regQuery(t, `HKCU\Software\Wine\Credential Manager`))
		}
	})

	step("token --app", func(t *testing.T) {
		r := u.run("token", "--app")
		if kind, _, ok := fake.AccessTokenValid(strings.TrimSuffix(r.Stdout, "\n")); r.Code != 0 || !ok || kind != fakespotify.KindApp {
			t.Fatalf("exit %d, an app token the fake knows: %v (%q)\nstdout: %q\nstderr:\n%s", r.Code, ok, kind, r.Stdout, r.Stderr)
		}
	})

	step("env", func(t *testing.T) {
		r := u.run("env")
		lines := strings.Split(strings.TrimSuffix(r.Stdout, "\n"), "\n")
		if r.Code != 0 || len(lines) != 3 || lines[0] != "SPOTIFY_CLIENT_ID="+demoClientID || lines[1] != "SPOTIFY_CLIENT_SECRET="+demoSecret ||
			!strings.HasPrefix(lines[2], "SPOTIFY_REFRESH_TOKEN=") || !fake.RefreshTokenValid(strings.Trim(strings.TrimPrefix(lines[2], "SPOTIFY_REFRESH_TOKEN="), "'")) {
			t.Fatalf("exit %d, want the demo app's ID and secret and a refresh token the fake knows\nstdout:\n%s\nstderr:\n%s", r.Code, r.Stdout, r.Stderr)
		}
	})

	step("now", func(t *testing.T) {
		r := u.run("now")
		if want := "Marrow & Finch — Paper Lanterns Over Tide\nhttps://open.spotify.com/track/4kQm2Tn8XvLpR7cJw1ZbYd\n"; r.Code != 0 || r.Stdout != want {
			t.Fatalf("exit %d, stdout %q, want %q\nstderr:\n%s", r.Code, r.Stdout, want, r.Stderr)
		}
	})

	step("autostart on, status, off", func(t *testing.T) {
		const where = runKey + ` value "tokentray"`
		const on = `on: ` + where + ` starts "` + installedExe + `" at login` + "\n"
		for _, c := range []struct{ arg, want string }{{"on", on}, {"status", on}} {
			if r := u.run("autostart", c.arg); r.Code != 0 || r.Stdout != c.want {
				t.Fatalf("autostart %s: exit %d, stdout %q, want %q\nstderr:\n%s", c.arg, r.Code, r.Stdout, c.want, r.Stderr)
			}
		}
		if out := regQuery(t, runKey, "/v", "tokentray"); !strings.Contains(out, `tokentray    REG_SZ    "`+installedExe+`"`) {
			t.Fatalf("reg query %s after autostart on:\n%s", runKey, out)
		}
		off := "off: no " + where + "\n"
		for _, arg := range []string{"off", "status"} {
			if r := u.run("autostart", arg); r.Code != 0 || r.Stdout != off {
				t.Fatalf("autostart %s: exit %d, stdout %q, want %q\nstderr:\n%s", arg, r.Code, r.Stdout, off, r.Stderr)
			}
		}
		if out := regQuery(t, runKey, "/v", "tokentray"); strings.Contains(out, "tokentray") {
			t.Fatalf("reg query %s after autostart off still finds the value:\n%s", runKey, out)
		}
	})

	step("logout --all", func(t *testing.T) {
		if r := u.run("logout", "--all"); r.Code != 0 {
			t.Fatalf("exit %d\nstderr:\n%s", r.Code, r.Stderr)
		}
		if out := regQuery(t, `HKCU\Software\Wine\Credential Manager`); strings.Contains(out, "Generic: tokentray:") {
			t.Fatalf("Credential Manager still holds tokentray's entries after logout --all:\n%s", out)
		}
		if _, err := os.Stat(filepath.Join(u.dir, "settings.json")); !os.IsNotExist(err) {
			t.Fatalf("settings.json after logout --all: %v, want it gone", err)
		}
		if r := u.run("status"); r.Code != 3 {
			t.Fatalf("status after logout --all: exit %d, want 3 (login needed)\nstdout:\n%s", r.Code, r.Stdout)
		}
	})
}

// TestTrayAnswersTheCommandLine starts tokentray.exe as the tray and asks it for a token from a
// command whose own Spotify address is dead: only the tray can answer.
func TestTrayAnswersTheCommandLine(t *testing.T) {
	fake := startFake(t)
	u := newUser(t, fake)
	if r := loginByPaste(t, u); r.Code != 0 {
		t.Fatalf("login: exit %d\n%s", r.Code, r.Stderr)
	}
	defer u.run("logout", "--all")
	before := len(fake.Requests())
	tray := u.start(nil)
	// The tray is up once it talks to Spotify (its first now-playing poll); the command then has
	// a dead Spotify address, so a token it prints came from the tray.
	for deadline := time.Now().Add(time.Minute); len(fake.Requests()) == before; time.Sleep(100 * time.Millisecond) {
		select {
		case r := <-tray.Done:
			t.Fatalf("the tray exited %d before it talked to Spotify; its stderr:\n%s", r.Code, r.Stderr)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("the tray made no request to the fake in a minute; its stderr:\n%s", tray.Stderr())
		}
	}
	cli := &user{t: t, dir: u.dir, env: append(u.env[:len(u.env):len(u.env)], "TOKENTRAY_ACCOUNTS_URL=http://127.0.0.1:9", "TOKENTRAY_API_URL=http://127.0.0.1:9")}
	r := cli.run("token")
	if kind, _, ok := fake.AccessTokenValid(strings.TrimSuffix(r.Stdout, "\n")); r.Code != 0 || !ok || kind != fakespotify.KindUser {
		t.Fatalf("token beside the tray: exit %d, a user token the fake knows: %v\nstdout: %q\nstderr:\n%s\ntray stderr:\n%s",
			r.Code, ok, r.Stdout, r.Stderr, tray.Stderr())
	}
}

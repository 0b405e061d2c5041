//go:build faults

package faults

import (
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"tokentray/internal/fakespotify"
)

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestAnAbortedLoginKeepsTheWorkingSetup(t *testing.T) {
	t.Parallel()
	fake := startFake(t)
	p := newProfile(t, fake.URL(), false)
	p.login(fakespotify.DemoApp.ClientSecret)
	settings, secrets := readFile(t, filepath.Join(p.dir, "settings.json")), readFile(t, filepath.Join(p.dir, "secrets.json"))

	var changed []string
	for _, extra := range [][]string{
		{"--client-id", "fedcba9876543210fedcba9876543210"},
		{"--redirect-uri", "http://127.0.0.1:9/elsewhere"},
		{"--scopes", "user-read-email"},
	} {
		r := p.run(append([]string{"login", "--no-browser", "--timeout", "1s"}, extra...)...)
		if r.Code != 1 || !strings.Contains(r.Stderr, "login timed out") {
			t.Errorf("%v: exit %d, want the timeout: %s", extra, r.Code, r.Stderr)
		}
		if readFile(t, filepath.Join(p.dir, "settings.json")) != settings || readFile(t, filepath.Join(p.dir, "secrets.json")) != secrets {
			changed = append(changed, strings.Join(extra, " "))
		}
	}
	if len(changed) > 0 {
		t.Fatalf("aborted logins changed what is stored: %v", changed)
	}
	if r := p.run("token", "--app"); r.Code != 0 {
		t.Fatalf("the working setup broke: token --app exit %d: %s", r.Code, r.Stderr)
	}
	report(t, row{id: "2.1", fault: "`login` with another client ID, redirect URI or scopes that times out",
		done:     "the login runs with the new settings in memory; settings, secret and tokens are saved together only after Spotify accepted the code, and put back if the tokens cannot be stored",
		promise:  "nothing stored changes unless the login succeeded",
		measured: "3 aborted logins: settings.json and the stored secret and tokens byte-identical; `token --app` still works"})
}

func TestASlowTokenEndpointIsUnreachable(t *testing.T) {
	t.Parallel()
	fake, p := loggedIn(t, false)
	before := fake.Count("POST", "/api/token")
	fake.SetDelay("/api/token", 2*time.Minute)
	r := p.run("token")
	tries := fake.Count("POST", "/api/token") - before
	if r.Code != 4 || !strings.Contains(r.Stderr, "Spotify did not answer in time") || tries < 2 {
		t.Fatalf("exit %d after %s, %d tries; stderr:\n%s", r.Code, r.Took, tries, r.Stderr)
	}
	report(t, row{id: "3.1", fault: "the token endpoint answers after 2 minutes",
		done:     "a client timeout (30 s a try) counts as Spotify unreachable: retried within the command's minute, then exit 4 with a plain sentence",
		promise:  "exit 4, no raw Go error",
		measured: fmt.Sprintf("exit %d after %s, %d tries: %q", r.Code, r.Took.Round(time.Second), tries, lastLine(r.Stderr))})
}

func TestSettingsFileIsNotTrusted(t *testing.T) {
	t.Parallel()
	fake := startFake(t)
	for _, tc := range []struct {
		name, problem string
		make          func(path string) error
	}{
		{"a symlink to /dev/zero", "is a symbolic link", func(path string) error { return os.Symlink("/dev/zero", path) }},
		{"a FIFO", "is not a regular file", func(path string) error { return syscall.Mkfifo(path, 0o600) }},
		{"`null`", "does not hold a JSON object", func(path string) error { return os.WriteFile(path, []byte("null"), 0o600) }},
		{"a 50 MB client_id", "bytes; a settings file is a few hundred", func(path string) error {
			return os.WriteFile(path, []byte(`{"client_id":"`+strings.Repeat("a", 50<<20)+`"}`), 0o600)
		}},
		{"min_valid_seconds 99999", "min_valid_seconds: is 99999, outside 60..3000", func(path string) error {
			return os.WriteFile(path, []byte(`{"client_id":"`+fakespotify.DemoApp.ClientID+`","min_valid_seconds":99999}`), 0o600)
		}},
		{"a directory", "is a directory", func(path string) error { return os.Mkdir(path, 0o700) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := newProfile(t, fake.URL(), false)
			p.login("")
			path := filepath.Join(p.dir, "settings.json")
			if err := os.RemoveAll(path); err != nil {
				t.Fatal(err)
			}
			if err := tc.make(path); err != nil {
				t.Fatal(err)
			}
			r := p.start(nil, "token").Wait(t, 10*time.Second)
			if r.Code != 2 || !strings.Contains(r.Stderr, path) || !strings.Contains(r.Stderr, tc.problem) || !strings.Contains(r.Stderr, "tokentray reset-settings") {
				t.Fatalf("exit %d after %s; stderr:\n%.600s", r.Code, r.Took, r.Stderr)
			}
			reset := p.run("reset-settings")
			after := p.run("token")
			if reset.Code != 0 || after.Code != 0 || !p.loginKept(fake) {
				t.Fatalf("reset-settings: exit %d %s; token after it: exit %d %s", reset.Code, reset.Stderr, after.Code, after.Stderr)
			}
			report(t, row{id: "4.1 " + tc.name, fault: "settings.json is " + tc.name,
				done:     "Lstat, a regular file of at most 1 MiB, validated on load; the error (local.SettingsError) names the file, the field and the fix; `tokentray reset-settings` (auth.ResetSettings) restores the defaults and keeps the login and secret",
				promise:  "exit 2 at once with the fix; the login survives the reset",
				measured: fmt.Sprintf("exit %d after %s; after reset-settings `token` exits %d", r.Code, r.Took.Round(time.Millisecond), after.Code)})
		})
	}
}

func TestLogoutWorksWhateverTheSettingsSay(t *testing.T) {
	t.Parallel()
	_, p := loggedIn(t, false)
	if err := os.WriteFile(filepath.Join(p.dir, "settings.json"), []byte("{damaged"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := p.run("logout")
	if _, err := p.stored(); r.Code != 0 || err == nil {
		t.Fatalf("logout: exit %d, tokens still stored: %v; %s", r.Code, err == nil, r.Stderr)
	}
	report(t, row{id: "6.4", fault: "`logout` with a damaged settings file", done: "logout opens only the secret store",
		promise: "logout always works", measured: fmt.Sprintf("exit %d, tokens removed", r.Code)})
}

func TestWorldReadableSettingsAreWarnedAbout(t *testing.T) {
	t.Parallel()
	_, p := loggedIn(t, false)
	if err := os.Chmod(filepath.Join(p.dir, "settings.json"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := p.run("token")
	if r.Code != 0 || !strings.Contains(r.Stderr, "other users can read the settings") {
		t.Fatalf("exit %d; stderr %s", r.Code, r.Stderr)
	}
	report(t, row{id: "6.5", fault: "settings.json at 0644", done: "every command warns, with the chmod to run",
		promise: "a warning, the command still works", measured: fmt.Sprintf("exit %d, warned", r.Code)})
}

func TestBadCommandLineInputChangesNothing(t *testing.T) {
	t.Parallel()
	_, p := loggedIn(t, false)
	settings, secrets := readFile(t, filepath.Join(p.dir, "settings.json")), readFile(t, filepath.Join(p.dir, "secrets.json"))
	bad := [][]string{
		{"token", "--min-valid", "1s"},
		{"login", "--timeout", "0"},
		{"login", "--client-id", "abc"},
		{"login", "--scopes", "user-read-everything"},
		{"login", "--redirect-uri", "http://localhost:8888/callback"},
		{"token", "--min-valid", "2h"},
		{"frobnicate"},
	}
	for _, args := range bad {
		if r := p.run(args...); r.Code != 2 {
			t.Errorf("%v: exit %d, want 2: %s", args, r.Code, r.Stderr)
		}
	}
	if readFile(t, filepath.Join(p.dir, "settings.json")) != settings || readFile(t, filepath.Join(p.dir, "secrets.json")) != secrets {
		t.Fatal("bad input changed what is stored")
	}
	report(t, row{id: "6.3", fault: "`--min-valid 1s`, `--timeout 0` and other bad input",
		done: "flags are checked against the ranges their messages give", promise: "exit 2, nothing stored changes",
		measured: fmt.Sprintf("%d bad command lines: exit 2 each, settings and secrets byte-identical", len(bad))})
}

// pendingLogin starts `login --no-browser` and returns it with its authorize URL and the
// loopback callback address it waits on.
func pendingLogin(t *testing.T, p *profile, stdin *os.File) (*proc, string, string) {
	t.Helper()
	pr := p.start(stdin, "login", "--no-browser", "--client-id", fakespotify.DemoApp.ClientID, "--redirect-uri", "http://127.0.0.1/callback")
	authURL := pr.FirstLine(t)
	u, err := url.Parse(authURL)
	if err != nil {
		t.Fatal(err)
	}
	return pr, authURL, u.Query().Get("redirect_uri")
}

func TestLoopbackServerHardening(t *testing.T) {
	t.Parallel()
	fake := startFake(t)
	p := newProfile(t, fake.URL(), false)
	pr, authURL, callback := pendingLogin(t, p, nil)
	status := func(target, host string) int {
		req, _ := http.NewRequest(http.MethodGet, target, nil)
		if host != "" {
			req.Host = host
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	cb, _ := url.Parse(callback)
	resp, err := http.Post(callback, "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	got := map[string]int{
		"DNS-rebound Host": status(callback+"?code=x&state=y", "attacker.example:"+cb.Port()),
		"wrong state":      status(callback+"?code=x&state=forged", ""),
		"other path":       status("http://"+cb.Host+"/favicon.ico", ""),
		"POST to callback": resp.StatusCode,
	}
	want := map[string]int{"DNS-rebound Host": 421, "wrong state": 400, "other path": 404, "POST to callback": 405}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: HTTP %d, want %d", k, got[k], v)
		}
	}
	if page, err := fakespotify.Approve(authURL); err != nil {
		t.Fatalf("the real answer after the stray ones: %v\n%s", err, page)
	}
	if r := pr.Wait(t, 30*time.Second); r.Code != 0 || !p.loginKept(fake) {
		t.Fatalf("login: exit %d\n%s", r.Code, r.Stderr)
	}
	report(t, row{id: "6.1", fault: "stray requests to the loopback server: a DNS-rebound Host, a forged state, other paths and methods",
		done:    "the Host header must name the loopback address (new); wrong state, paths and methods are refused and the login keeps waiting",
		promise: "none of them ends or hijacks the login", measured: fmt.Sprintf("answers %v; the real redirect then logs in", got)})
}

func TestCtrlCDuringLoginSaysSoAndChangesNothing(t *testing.T) {
	t.Parallel()
	fake := startFake(t)
	p := newProfile(t, fake.URL(), false)
	pr, _, _ := pendingLogin(t, p, nil)
	pr.Cmd.Process.Signal(os.Interrupt)
	r := pr.Wait(t, 10*time.Second)
	if r.Code != 1 || !strings.Contains(r.Stderr, "login interrupted; nothing stored was changed") || strings.Contains(r.Stderr, "context canceled") {
		t.Fatalf("exit %d; stderr:\n%s", r.Code, r.Stderr)
	}
	if _, err := os.Stat(filepath.Join(p.dir, "settings.json")); err == nil {
		t.Fatal("an interrupted first login saved settings")
	}
	report(t, row{id: "6.2", fault: "Ctrl-C during `login`", done: "a sentence instead of `context canceled`; nothing was saved",
		promise: "exit 1, nothing stored", measured: fmt.Sprintf("exit %d: %q", r.Code, strings.TrimSpace(lastLine(r.Stderr)))})
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

func TestHeadlessLoginByPaste(t *testing.T) {
	t.Parallel()
	fake := startFake(t)
	p := newProfile(t, fake.URL(), false)
	stdinR, stdinW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer stdinW.Close()
	pr, authURL, _ := pendingLogin(t, p, stdinR)
	stdinR.Close()
	u, _ := url.Parse(authURL)
	q := u.Query()
	q.Set("fake_auto_approve", "1")
	u.RawQuery = q.Encode()
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get(u.String())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	redirect := resp.Header.Get("Location")

	fmt.Fprintln(stdinW, "https://open.spotify.com/")
	pr.WaitStderr(t, "That is not a redirect address")
	fmt.Fprintln(stdinW, redirect)
	r := pr.Wait(t, 30*time.Second)
	if r.Code != 0 || !p.loginKept(fake) || !strings.Contains(r.Stderr, "paste that page's address here") {
		t.Fatalf("exit %d\n%s", r.Code, r.Stderr)
	}
	report(t, row{id: "H.1", fault: "headless login: the browser runs on another machine, so the redirect to 127.0.0.1 reaches nothing",
		done:    "`login --no-browser` also reads stdin: a pasted redirected address completes the login, checked by the same parseCallback as the loopback path",
		promise: "a wrong paste gets a clear line on stderr and the wait goes on; a right one logs in", measured: fmt.Sprintf("exit %d; the wrong paste was refused, the right one logged in", r.Code)})
}

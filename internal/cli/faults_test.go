package cli

import (
	"bufio"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	gokeyring "github.com/zalando/go-keyring"

	"tokentray/internal/fakespotify"
	"tokentray/internal/local"
)

// syncBuffer is stderr for a command that runs on another goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// redirectOf plays the browser up to Spotify's redirect and returns the address it points at,
// without following it: on a headless machine nothing answers there.
func redirectOf(t *testing.T, authURL string) string {
	t.Helper()
	u, err := url.Parse(authURL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("fake_auto_approve", "1")
	u.RawQuery = q.Encode()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(u.String())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound && resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("authorize answered %s, want a redirect", resp.Status)
	}
	return resp.Header.Get("Location")
}

// waitFor polls stderr for want, which a command on another goroutine writes.
func waitFor(t *testing.T, stderr *syncBuffer, want string) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if strings.Contains(stderr.String(), want) {
			return
		}
	}
	t.Fatalf("stderr never said %q:\n%s", want, stderr.String())
}

func TestHeadlessLoginTakesThePastedRedirect(t *testing.T) {
	fake := setup(t)
	stdinR, stdinW := io.Pipe()
	stdoutR, stdoutW := io.Pipe()
	stderr := &syncBuffer{}
	done := make(chan int, 1)
	go func() {
		done <- Main([]string{"login", "--no-browser", "--client-id", fakespotify.DemoApp.ClientID, "--redirect-uri", "http://127.0.0.1/callback"},
			Env{Stdin: stdinR, Stdout: stdoutW, Stderr: stderr})
		stdoutW.Close()
	}()
	lines := bufio.NewScanner(stdoutR)
	if !lines.Scan() {
		t.Fatalf("login printed nothing; stderr: %s", stderr)
	}
	waitFor(t, stderr, "paste that page's address here and press Enter")
	redirect := redirectOf(t, lines.Text())
	wrongState := strings.Replace(redirect, "state=", "state=x", 1)

	io.WriteString(stdinW, "hello\n")
	waitFor(t, stderr, "tokentray: That is not a redirect address: paste the whole address")
	io.WriteString(stdinW, wrongState+"\n")
	waitFor(t, stderr, "tokentray: This answer does not belong to the login tokentray started (missing or wrong state).")
	if fake.Count("POST", "/api/token") != 0 {
		t.Fatal("a rejected paste reached the token endpoint")
	}
	io.WriteString(stdinW, "  "+redirect+"  \n")

	rest := ""
	for lines.Scan() {
		rest += lines.Text() + "\n"
	}
	if code := <-done; code != ExitOK || rest != "Logged in as Demo Listener (tokentraydemo).\n" {
		t.Fatalf("exit %d, stdout %q, stderr:\n%s", code, rest, stderr)
	}
	if code, out, _ := run(t, "", "token"); code != ExitOK || out == "" {
		t.Fatalf("token after the pasted login: exit %d", code)
	}
}

func TestAnAbortedLoginLeavesTheWorkingSetupAlone(t *testing.T) {
	setup(t)
	t.Setenv("SPOTIFY_CLIENT_ID", fakespotify.DemoApp.ClientID)
	login(t, fakespotify.DemoApp.ClientSecret+"\n", "--client-secret-stdin")
	dir := os.Getenv("TOKENTRAY_CONFIG_DIR")
	before, err := os.ReadFile(filepath.Join(dir, "settings.json"))
	if err != nil {
		t.Fatal(err)
	}
	stored, _ := gokeyring.Get("tokentray", local.KeyUserToken)

	code, _, stderr := run(t, "", "login", "--no-browser", "--client-id", "fedcba9876543210fedcba9876543210",
		"--redirect-uri", "http://127.0.0.1/other", "--scopes", "user-read-email", "--timeout", "300ms")
	if code != ExitFailure || !strings.Contains(stderr, "login timed out") {
		t.Fatalf("exit %d, %q; want the timeout", code, stderr)
	}
	after, _ := os.ReadFile(filepath.Join(dir, "settings.json"))
	if string(after) != string(before) {
		t.Fatalf("settings changed by an aborted login:\n%s\nwas\n%s", after, before)
	}
	if secret, _ := gokeyring.Get("tokentray", local.KeyClientSecret); secret != fakespotify.DemoApp.ClientSecret {
		t.Fatal("the aborted login removed the client secret")
	}
	if now, _ := gokeyring.Get("tokentray", local.KeyUserToken); now != stored {
		t.Fatal("the aborted login changed the stored tokens")
	}
	if code, out, _ := run(t, "", "token", "--app"); code != ExitOK || out == "" {
		t.Fatalf("the working setup broke: token --app exit %d", code)
	}
}

func TestLogoutAndResetWorkWhateverTheSettingsHold(t *testing.T) {
	setup(t)
	login(t, "", "--client-id", fakespotify.DemoApp.ClientID)
	dir := os.Getenv("TOKENTRAY_CONFIG_DIR")
	settings := filepath.Join(dir, "settings.json")
	if err := os.WriteFile(settings, []byte(`{"min_valid_seconds": 99999`), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := run(t, "", "token")
	if code != ExitUsage || !strings.Contains(stderr, settings) || !strings.Contains(stderr, "tokentray reset-settings") {
		t.Fatalf("token on a damaged file: exit %d, %q", code, stderr)
	}
	if code, _, stderr = run(t, "", "reset-settings"); code != ExitOK || !strings.Contains(stderr, fakespotify.DemoApp.ClientID) {
		t.Fatalf("reset-settings: exit %d, %q", code, stderr)
	}
	if code, out, _ := run(t, "", "token"); code != ExitOK || out == "" {
		t.Fatalf("after the reset the login should work: exit %d", code)
	}

	if err := os.WriteFile(settings, []byte("null"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr = run(t, "", "logout"); code != ExitOK || !strings.Contains(stderr, "Logged out") {
		t.Fatalf("logout on a damaged file: exit %d, %q", code, stderr)
	}
	if _, err := gokeyring.Get("tokentray", local.KeyUserToken); err == nil {
		t.Fatal("logout left the tokens")
	}
}

func TestWorldReadableSettingsAreWarnedAbout(t *testing.T) {
	setup(t)
	login(t, "", "--client-id", fakespotify.DemoApp.ClientID)
	if err := os.Chmod(filepath.Join(os.Getenv("TOKENTRAY_CONFIG_DIR"), "settings.json"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, stderr := run(t, "", "token")
	if code != ExitOK || out == "" || !strings.Contains(stderr, "other users can read the settings") || !strings.Contains(stderr, "chmod 600") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
}

func TestDurationFlagsOutsideTheirRangeAreRefused(t *testing.T) {
	setup(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"token", "--min-valid", "1s"}, "from 1m to 50m"},
		{[]string{"login", "--client-id", fakespotify.DemoApp.ClientID, "--timeout", "0"}, "--timeout 0s: give how long"},
	} {
		if code, _, stderr := run(t, "", tc.args...); code != ExitUsage || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, %q; want exit 2 saying %q", tc.args, code, stderr, tc.want)
		}
	}
}

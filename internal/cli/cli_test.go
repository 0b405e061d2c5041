package cli

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	gokeyring "github.com/zalando/go-keyring"

	"tokentray/internal/fakespotify"
)

// setup points tokentray at a fresh fake, a temporary config dir and go-keyring's in-memory mock.
func setup(t *testing.T) *fakespotify.Server {
	t.Helper()
	gokeyring.MockInit()
	fake, err := fakespotify.StartDemo("127.0.0.1:0", fakespotify.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fake.Close() })
	t.Setenv("TOKENTRAY_CONFIG_DIR", t.TempDir())
	t.Setenv("TOKENTRAY_ACCOUNTS_URL", fake.URL())
	t.Setenv("TOKENTRAY_API_URL", fake.URL())
	t.Setenv("SPOTIFY_CLIENT_ID", "")
	t.Setenv("SPOTIFY_CLIENT_SECRET", "")
	t.Setenv("TOKENTRAY_INSECURE_STORAGE", "")
	return fake
}

// run runs tokentray in-process and returns its exit code, stdout and stderr.
func run(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := Main(args, Env{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errOut})
	return code, out.String(), errOut.String()
}

// login runs `tokentray login --no-browser` and plays the browser on the URL it prints.
func login(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	pr, pw := io.Pipe()
	var errOut bytes.Buffer
	done := make(chan int, 1)
	go func() {
		done <- Main(append([]string{"login", "--no-browser", "--redirect-uri", "http://127.0.0.1/callback"}, args...),
			Env{Stdin: strings.NewReader(stdin), Stdout: pw, Stderr: &errOut})
		pw.Close()
	}()
	lines := bufio.NewScanner(pr)
	if !lines.Scan() {
		t.Fatalf("login printed nothing; stderr: %s", errOut.String())
	}
	if u, err := url.Parse(lines.Text()); err != nil || u.Path != "/authorize" {
		t.Fatalf("first line %q is not the authorize URL", lines.Text())
	}
	if page, err := fakespotify.Approve(lines.Text()); err != nil {
		t.Fatalf("the browser step failed: %v\n%s", err, page)
	}
	var rest strings.Builder
	for lines.Scan() {
		rest.WriteString(lines.Text() + "\n")
	}
	if code := <-done; code != ExitOK {
		t.Fatalf("login exited %d; stderr: %s", code, errOut.String())
	}
	return rest.String()
}

func TestLoginThenTheScriptCommands(t *testing.T) {
	fake := setup(t)
	out := login(t, "", "--client-id", fakespotify.DemoApp.ClientID)
	if out != "Logged in as Demo Listener (tokentraydemo).\n" {
		t.Fatalf("login said %q", out)
	}

	code, out, stderr := run(t, "", "token")
	tok := strings.TrimSpace(out)
	if code != ExitOK || strings.Count(out, "\n") != 1 || stderr != "" {
		t.Fatalf("token: exit %d, stdout %q, stderr %q; want only the token", code, out, stderr)
	}
	if kind, left, ok := fake.AccessTokenValid(tok); !ok || kind != "user" || left < 10*time.Minute {
		t.Fatalf("printed token: kind %q, %s left, valid %v", kind, left, ok)
	}

	code, out, _ = run(t, "", "token", "--json")
	var js struct {
		AccessToken string    `json:"access_token"`
		TokenType   string    `json:"token_type"`
		ExpiresAt   time.Time `json:"expires_at"`
		Scope       string    `json:"scope"`
	}
	if code != ExitOK || json.Unmarshal([]byte(out), &js) != nil || js.AccessToken != tok || js.TokenType != "Bearer" ||
		time.Until(js.ExpiresAt) < 50*time.Minute || !strings.Contains(js.Scope, "user-read-currently-playing") {
		t.Fatalf("token --json: exit %d, %s", code, out)
	}

	code, out, stderr = run(t, "", "env")
	if code != ExitOK || !strings.Contains(stderr, "PKCE") || strings.Contains(out, "SECRET") {
		t.Fatalf("env after a PKCE login: exit %d\n%s\n%s", code, out, stderr)
	}
	rt := envValue(out, "SPOTIFY_REFRESH_TOKEN")
	if envValue(out, "SPOTIFY_CLIENT_ID") != fakespotify.DemoApp.ClientID || !fake.RefreshTokenValid(rt) {
		t.Fatalf("env printed %q", out)
	}

	code, out, _ = run(t, "", "status")
	for _, want := range []string{"Demo Listener (tokentraydemo)", "PKCE", "user-read-playback-state", "expires in", "system keyring"} {
		if code != ExitOK || !strings.Contains(out, want) {
			t.Fatalf("status (exit %d) lacks %q:\n%s", code, want, out)
		}
	}

	code, out, _ = run(t, "", "now")
	item, _, _, _ := fake.Player().Current()
	if code != ExitOK || !strings.Contains(out, item.Name) || !strings.Contains(out, "https://open.spotify.com/") {
		t.Fatalf("now: exit %d, %q; the fake plays %q", code, out, item.Name)
	}

	if code, _, stderr = run(t, "", "token", "--app"); code != ExitFailure || !strings.Contains(stderr, "client secret") {
		t.Fatalf("token --app without a secret: exit %d, %q", code, stderr)
	}

	if code, _, _ = run(t, "", "logout"); code != ExitOK {
		t.Fatalf("logout: exit %d", code)
	}
	if code, out, stderr = run(t, "", "token"); code != ExitNeedsLogin || out != "" || !strings.Contains(stderr, "tokentray login") {
		t.Fatalf("token after logout: exit %d, %q, %q", code, out, stderr)
	}
}

func envValue(dotenv, name string) string {
	for _, line := range strings.Split(dotenv, "\n") {
		if v, ok := strings.CutPrefix(line, name+"="); ok {
			return v
		}
	}
	return ""
}

func TestSecretFromStdinGivesTheConfidentialFlowAndAppTokens(t *testing.T) {
	fake := setup(t)
	t.Setenv("SPOTIFY_CLIENT_ID", fakespotify.DemoApp.ClientID)
	login(t, fakespotify.DemoApp.ClientSecret+"\n", "--client-secret-stdin")

	code, out, stderr := run(t, "", "env", "--format", "json")
	var vars map[string]string
	const quotaNote = "tokentray: note: Spotify counts Web API calls per developer account: a tool using these credentials" +
		" shares one daily quota (about 1,100–1,400 calls for a Development-Mode app) with tokentray, whose now playing spends at most 500 calls a day.\n"
	if code != ExitOK || json.Unmarshal([]byte(out), &vars) != nil || stderr != quotaNote {
		t.Fatalf("env --format json: exit %d, %q, %q", code, out, stderr)
	}
	if vars["SPOTIFY_CLIENT_SECRET"] != fakespotify.DemoApp.ClientSecret || !fake.RefreshTokenValid(vars["SPOTIFY_REFRESH_TOKEN"]) {
		t.Fatalf("env json: %v", vars)
	}
	code, out, _ = run(t, "", "token", "--app")
	if kind, _, ok := fake.AccessTokenValid(strings.TrimSpace(out)); code != ExitOK || !ok || kind != "app" {
		t.Fatalf("token --app: exit %d, kind %q", code, kind)
	}
	// The secret went to the keyring, never to a file.
	settings, err := os.ReadFile(filepath.Join(os.Getenv("TOKENTRAY_CONFIG_DIR"), "settings.json"))
	if err != nil || strings.Contains(string(settings), fakespotify.DemoApp.ClientSecret) {
		t.Fatalf("settings.json: %v, holds the secret: %v", err, strings.Contains(string(settings), fakespotify.DemoApp.ClientSecret))
	}
}

func TestBadInputIsRefusedAndNothingIsStored(t *testing.T) {
	setup(t)
	dir := os.Getenv("TOKENTRAY_CONFIG_DIR")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"login", "--client-id", "abc"}, "client_id: is 3 characters long"},
		{[]string{"login", "--client-id", fakespotify.DemoApp.ClientID, "--scopes", "user-read-currently-playin"}, `did you mean "user-read-currently-playing"`},
		{[]string{"login", "--client-id", fakespotify.DemoApp.ClientID, "--redirect-uri", "http://localhost:8888/callback"}, "127.0.0.1"},
		{[]string{"login", "--client-secret", "x"}, "flag provided but not defined"},
		{[]string{"token", "--min-valid", "2h"}, "from 1m to 50m"},
		{[]string{"env", "--format", "yaml"}, "dotenv, shell, json"},
		{[]string{"token", "extra"}, `unexpected argument "extra"`},
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
	} {
		code, _, stderr := run(t, "", tc.args...)
		if code != ExitUsage || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 mentioning %q", tc.args, code, stderr, tc.want)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("bad input left files in the config dir: %v", entries)
	}
	if _, err := gokeyring.Get("tokentray", "client-secret"); err == nil {
		t.Fatal("bad input stored a secret")
	}
}

func TestEmptySecretOnStdinIsRefused(t *testing.T) {
	setup(t)
	code, _, stderr := run(t, "\n", "login", "--client-id", fakespotify.DemoApp.ClientID, "--client-secret-stdin")
	if code != ExitUsage || !strings.Contains(stderr, "empty") {
		t.Fatalf("exit %d, %q", code, stderr)
	}
}

func TestUnreachableSpotifyExitsFour(t *testing.T) {
	fake := setup(t)
	fake.SetTokenLifetime(5 * time.Minute) // so the next `token` must refresh
	login(t, "", "--client-id", fakespotify.DemoApp.ClientID)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + ln.Addr().String()
	ln.Close()
	t.Setenv("TOKENTRAY_ACCOUNTS_URL", dead)

	code, out, stderr := run(t, "", "token")
	if code != ExitOffline || out != "" || !strings.Contains(stderr, "could not reach Spotify") {
		t.Fatalf("exit %d, %q, %q; want exit 4", code, out, stderr)
	}
}

func TestNoKeyringExplainsTheWayOut(t *testing.T) {
	setup(t)
	gokeyring.MockInitWithError(&os.PathError{Op: "dial", Path: "org.freedesktop.secrets", Err: os.ErrNotExist})
	code, _, stderr := run(t, "", "status")
	if code != ExitFailure || !strings.Contains(stderr, "--insecure-storage") {
		t.Fatalf("exit %d, %q", code, stderr)
	}
	code, out, stderr := run(t, "", "status", "--insecure-storage")
	if code != ExitNeedsLogin || !strings.Contains(out, "insecure file") || !strings.Contains(stderr, "unencrypted") {
		t.Fatalf("with --insecure-storage: exit %d\n%s\n%s", code, out, stderr)
	}
}

func TestHelp(t *testing.T) {
	code, out, _ := run(t, "", "--help")
	if code != ExitOK || !strings.Contains(out, "Exit codes: 0 ok") {
		t.Fatalf("--help: exit %d, %q", code, out)
	}
	code, _, stderr := run(t, "", "token", "--help")
	if code != ExitOK || !strings.Contains(stderr, "-min-valid") {
		t.Fatalf("token --help: exit %d, %q", code, stderr)
	}
	code, _, stderr = run(t, "", "help", "env")
	if code != ExitOK || !strings.Contains(stderr, "-format") {
		t.Fatalf("help env: exit %d, %q", code, stderr)
	}
}

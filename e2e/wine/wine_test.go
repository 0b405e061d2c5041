//go:build wine

// Package wine runs the real tokentray.exe under Wine against the fake Spotify: the commands a
// Windows user runs, the HKCU Run value and Credential Manager. `make wine` builds the .exe and
// the bcryptprimitives.dll that Wine 8.0 lacks and passes their paths in WINE_TOKENTRAY_EXE and
// WINE_BCRYPTPRIMITIVES_DLL. It has a build tag and a directory of its own because it needs
// neither Xvfb nor D-Bus (e2e/ starts both) and a Windows build (e2e/ builds for Linux).
package wine

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tokentray/internal/cmdtest"
	"tokentray/internal/fakespotify"
)

// installedExe is where TestMain puts tokentray.exe inside the prefix, as an installer would.
const installedExe = `C:\Program Files\tokentray\tokentray.exe`

// wineEnv is the environment of every Wine process: a private prefix and HOME, no debug
// output, no desktop integration (winemenubuilder writes .desktop files and icons into HOME),
// and no Mono or Gecko (Wine would try to download and install them on the first start).
var wineEnv []string

// prefix is the WINEPREFIX's Unix path.
var prefix string

func TestMain(m *testing.M) { os.Exit(run(m)) }

func run(m *testing.M) int {
	exe, dll := os.Getenv("WINE_TOKENTRAY_EXE"), os.Getenv("WINE_BCRYPTPRIMITIVES_DLL")
	if exe == "" || dll == "" {
		fmt.Fprintln(os.Stderr, "WINE_TOKENTRAY_EXE and WINE_BCRYPTPRIMITIVES_DLL are not set: run `make wine`, which builds both")
		return 1
	}
	root, err := os.MkdirTemp("", "tokentray-wine-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(root)
	prefix = filepath.Join(root, "prefix")
	wineEnv = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + filepath.Join(root, "home"), "LANG=C.UTF-8",
		"WINEPREFIX=" + prefix, "WINEDEBUG=-all", "WINEDLLOVERRIDES=winemenubuilder.exe=d;mscoree=;mshtml="}
	if err := os.Mkdir(filepath.Join(root, "home"), 0o700); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	started := time.Now()
	if out, err := wine("wineboot", "-i"); err != nil {
		fmt.Fprintf(os.Stderr, "wineboot -i: %v\n%s", err, out)
		return 1
	}
	fmt.Fprintf(os.Stderr, "wine: the prefix took %s (wineboot -i)\n", time.Since(started).Round(100*time.Millisecond))
	defer wine("wineserver", "-k")
	for src, dst := range map[string]string{
		dll: filepath.Join(prefix, "drive_c", "windows", "system32", "bcryptprimitives.dll"),
		exe: filepath.Join(prefix, "drive_c", "Program Files", "tokentray", "tokentray.exe"),
	} {
		if err := copyFile(src, dst); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}
	return m.Run()
}

// wine runs a Wine tool (wineboot, wineserver, or `wine reg …`) in the prefix.
func wine(name string, args ...string) (string, error) {
	cmd := exec.Command(name, args...)
	cmd.Env = wineEnv
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func copyFile(src, dst string) error {
	data, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	return os.WriteFile(dst, data, 0o755)
}

// windowsPath is dir as Wine's Z: drive shows it to tokentray.exe.
func windowsPath(dir string) string { return `Z:` + strings.ReplaceAll(dir, "/", `\`) }

// user is one Windows user's tokentray: a config dir pointed at the fake.
type user struct {
	t   *testing.T
	dir string // Unix path of TOKENTRAY_CONFIG_DIR
	env []string
}

func newUser(t *testing.T, fake *fakespotify.Server) *user {
	dir := t.TempDir()
	return &user{t: t, dir: dir, env: append(wineEnv[:len(wineEnv):len(wineEnv)], "TOKENTRAY_CONFIG_DIR="+windowsPath(dir),
		"TOKENTRAY_ACCOUNTS_URL="+fake.URL(), "TOKENTRAY_API_URL="+fake.URL())}
}

// proc is a running tokentray.exe, result how one ended.
type (
	proc   = cmdtest.Proc
	result = cmdtest.Result
)

// start runs tokentray.exe under Wine with args; stdin may be nil.
func (u *user) start(stdin io.Reader, args ...string) *proc {
	u.t.Helper()
	cmd := exec.Command("wine", append([]string{installedExe}, args...)...)
	cmd.Env, cmd.Stdin = u.env, stdin
	return cmdtest.Start(u.t, cmd)
}

// run runs tokentray.exe to its end and checks what every command must keep: no warning about
// Unix file modes, which mean nothing on Windows.
func (u *user) run(args ...string) result {
	u.t.Helper()
	r := u.start(nil, args...).Wait(u.t, time.Minute)
	noModeWarning(u.t, args, r)
	return r
}

func noModeWarning(t *testing.T, args []string, r result) {
	t.Helper()
	if strings.Contains(r.Stderr, "other users can read") || strings.Contains(r.Stderr, "chmod") {
		t.Errorf("%v warned about Unix file modes on Windows:\n%s", args, r.Stderr)
	}
}

// startFake starts the fake Spotify with the demo app and one long track playing, so that `now`
// has one answer for the whole test.
func startFake(t *testing.T) *fakespotify.Server {
	t.Helper()
	fake := fakespotify.New(fakespotify.Options{})
	if err := fake.RegisterApp(fakespotify.DemoApp); err != nil {
		t.Fatal(err)
	}
	fake.Player().SetQueue(fakespotify.Item{Kind: "track", ID: "4kQm2Tn8XvLpR7cJw1ZbYd", Name: "Paper Lanterns Over Tide",
		Artists: []string{"Marrow & Finch"}, Album: "Harbour Lights Hum", Duration: 2 * time.Hour})
	fake.Player().Play()
	if _, err := fake.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fake.Close() })
	return fake
}

// regQuery runs `wine reg query key` and returns its output; a missing key is not an error.
func regQuery(t *testing.T, key string, args ...string) string {
	t.Helper()
	out, _ := wine("wine", append([]string{"reg", "query", key}, args...)...)
	return out
}

// hasCredential reports whether Credential Manager holds tokentray's secret name. Wine's
// advapi32 keeps each generic credential (encrypted) under one registry key named "Generic: "
// and the target; go-keyring's target is "service:user".
func hasCredential(t *testing.T, name string) bool {
	t.Helper()
	return strings.Contains(regQuery(t, `HKCU\Software\Wine\Credential Manager`), `Generic: tokentray:`+name)
}

// loginByPaste logs in with PKCE the headless way: the browser runs elsewhere, so the user
// pastes the address Spotify redirected to on stdin.
func loginByPaste(t *testing.T, u *user) result {
	stdinR, stdinW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer stdinW.Close()
	p := u.start(stdinR, "login", "--no-browser", "--client-id", fakespotify.DemoApp.ClientID, "--redirect-uri", "http://127.0.0.1/callback")
	stdinR.Close()
	authURL, err := url.Parse(p.FirstLine(t))
	if err != nil {
		t.Fatal(err)
	}
	q := authURL.Query()
	q.Set("fake_auto_approve", "1")
	authURL.RawQuery = q.Encode()
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get(authURL.String())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	fmt.Fprintln(stdinW, resp.Header.Get("Location"))
	r := p.Wait(t, time.Minute)
	noModeWarning(t, []string{"login"}, r)
	return r
}

// loginWithSecret logs in with the client secret on stdin, the browser step played against the
// loopback callback that tokentray.exe serves inside Wine.
func loginWithSecret(t *testing.T, u *user) result {
	p := u.start(strings.NewReader(fakespotify.DemoApp.ClientSecret+"\n"), "login", "--no-browser", "--client-secret-stdin",
		"--client-id", fakespotify.DemoApp.ClientID, "--redirect-uri", "http://127.0.0.1/callback")
	if page, err := fakespotify.Approve(p.FirstLine(t)); err != nil {
		t.Fatalf("browser step: %v\n%s", err, page)
	}
	r := p.Wait(t, time.Minute)
	noModeWarning(t, []string{"login"}, r)
	return r
}

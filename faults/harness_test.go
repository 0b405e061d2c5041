//go:build faults

package faults

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
	"time"

	"tokentray/auth"
	"tokentray/internal/cmdtest"
	"tokentray/internal/fakespotify"
	"tokentray/internal/keyring/keyringtest"
	"tokentray/internal/local"
)

// binary is the tokentray executable under test, built once by TestMain.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "tokentray-faults-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "tokentray")
	// FAULTS_BINARY measures another build (an older commit, a release) with the same suite.
	if other := os.Getenv("FAULTS_BINARY"); other != "" {
		binary = other
	} else {
		build := exec.Command("go", "build", "-o", binary, ".")
		build.Dir = ".."
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			fmt.Fprintln(os.Stderr, "building tokentray:", err)
			os.Exit(1)
		}
	}
	code := m.Run()
	// Only a full run rewrites the document: a filtered one would drop rows.
	if f := flag.Lookup("test.run"); f != nil && f.Value.String() != "" {
		os.RemoveAll(dir)
		os.Exit(code)
	}
	if err := writeReport(filepath.Join("..", "docs", "RELIABILITY.md")); err != nil {
		fmt.Fprintln(os.Stderr, "writing docs/RELIABILITY.md:", err)
		code = 1
	}
	os.RemoveAll(dir)
	os.Exit(code)
}

// profile is one user's tokentray: a config dir, and either the insecure file store or a
// gnome-keyring of its own.
type profile struct {
	t       *testing.T
	dir     string
	env     []string
	keyring *keyringDaemon // nil: secrets.json
}

// newProfile points tokentray at accountsURL with a fresh config dir.
func newProfile(t *testing.T, accountsURL string, withKeyring bool) *profile {
	t.Helper()
	p := &profile{t: t, dir: t.TempDir()}
	base := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "LANG=C.UTF-8",
		"TOKENTRAY_CONFIG_DIR=" + p.dir, "TOKENTRAY_ACCOUNTS_URL=" + accountsURL, "TOKENTRAY_API_URL=" + accountsURL}
	if withKeyring {
		p.keyring = startKeyring(t)
		p.env = append(slices.Clone(p.keyring.env), base...) // later entries win
	} else {
		p.env = append(base, "TOKENTRAY_INSECURE_STORAGE=1")
	}
	return p
}

// proc is a running tokentray, result how one ended.
type (
	proc   = cmdtest.Proc
	result = cmdtest.Result
)

// start runs tokentray with args; stdin may be nil.
func (p *profile) start(stdin *os.File, args ...string) *proc {
	p.t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = p.env
	if stdin != nil {
		cmd.Stdin = stdin
	}
	return cmdtest.Start(p.t, cmd)
}

// run runs tokentray to its end.
func (p *profile) run(args ...string) result {
	p.t.Helper()
	return p.start(nil, args...).Wait(p.t, 3*time.Minute)
}

// login logs in with PKCE (or with the secret on stdin when secret != ""), playing the browser.
func (p *profile) login(secret string, extra ...string) {
	p.t.Helper()
	args := append([]string{"login", "--no-browser", "--client-id", fakespotify.DemoApp.ClientID, "--redirect-uri", "http://127.0.0.1/callback"}, extra...)
	var stdin *os.File
	if secret != "" {
		args = append(args, "--client-secret-stdin")
		stdin = fileWith(p.t, secret+"\n")
	}
	pr := p.start(stdin, args...)
	authURL := pr.FirstLine(p.t)
	if page, err := fakespotify.Approve(authURL); err != nil {
		p.t.Fatalf("browser step: %v\n%s", err, page)
	}
	if r := pr.Wait(p.t, 30*time.Second); r.Code != 0 {
		p.t.Fatalf("login: exit %d\n%s", r.Code, r.Stderr)
	}
}

func fileWith(t *testing.T, content string) *os.File {
	t.Helper()
	path := filepath.Join(t.TempDir(), "stdin")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// stored reads the user token tokentray stored, straight from the store (not through tokentray).
func (p *profile) stored() (*auth.UserToken, error) {
	var raw string
	if p.keyring != nil {
		out, err := p.keyring.secretTool("lookup", "service", local.KeyringService, "username", local.KeyUserToken)
		if err != nil {
			return nil, err
		}
		raw = out
	} else {
		data, err := os.ReadFile(filepath.Join(p.dir, "secrets.json"))
		if err != nil {
			return nil, err
		}
		var secrets map[string]string
		if err := json.Unmarshal(data, &secrets); err != nil {
			return nil, err
		}
		raw = secrets[local.KeyUserToken]
	}
	var ut auth.UserToken
	if err := json.Unmarshal([]byte(raw), &ut); err != nil {
		return nil, fmt.Errorf("stored user token: %w", err)
	}
	return &ut, nil
}

// loginKept reports whether the stored refresh token still works at the fake.
func (p *profile) loginKept(fake *fakespotify.Server) bool {
	ut, err := p.stored()
	return err == nil && !ut.NeedsLogin && fake.RefreshTokenValid(ut.RefreshToken)
}

// keyringDaemon is a gnome-keyring on a private D-Bus session bus.
type keyringDaemon struct {
	env    []string
	daemon *os.Process
}

func startKeyring(t *testing.T) *keyringDaemon {
	t.Helper()
	bus := keyringtest.StartSessionBus(t)
	env := keyringtest.PrivateEnv(t, bus)
	return &keyringDaemon{env: env, daemon: keyringtest.StartGnomeKeyring(t, bus, env)}
}

// secretTool runs secret-tool against this keyring.
func (k *keyringDaemon) secretTool(args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "secret-tool", args...)
	cmd.Env = k.env
	out, err := cmd.Output()
	return string(out), err
}

// stall stops the keyring daemon for d, as a keyring waiting on an unlock prompt does.
func (k *keyringDaemon) stall(t *testing.T, d time.Duration) {
	k.daemon.Signal(syscall.SIGSTOP)
	resume := func() { k.daemon.Signal(syscall.SIGCONT) }
	time.AfterFunc(d, resume)
	t.Cleanup(resume) // a stopped daemon would not die of the SIGKILL that ends it
}

// startFake starts the fake Spotify with access tokens that live 5 minutes: shorter than the
// 10 minutes `tokentray token` wants left, so every call refreshes (and a PKCE login rotates).
func startFake(t *testing.T) *fakespotify.Server {
	t.Helper()
	fake, err := fakespotify.StartDemo("127.0.0.1:0", fakespotify.Options{TokenLifetime: 5 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fake.Close() })
	return fake
}

// loggedIn starts a fake and a profile logged in to it with PKCE.
func loggedIn(t *testing.T, withKeyring bool) (*fakespotify.Server, *profile) {
	t.Helper()
	fake := startFake(t)
	p := newProfile(t, fake.URL(), withKeyring)
	p.login("")
	return fake, p
}

// freezeDir makes dir refuse new files, even for root (chattr +i), or, where chattr is not
// allowed, by its mode (which binds everyone but root). It returns the undo.
func freezeDir(t *testing.T, dir string) (thaw func()) {
	t.Helper()
	if exec.Command("chattr", "+i", dir).Run() == nil {
		thaw = func() { exec.Command("chattr", "-i", dir).Run() }
		t.Cleanup(thaw) // else the test's temporary directory cannot be removed
		return thaw
	}
	if os.Geteuid() == 0 {
		t.Skip("cannot make a directory unwritable for root here (chattr +i refused)")
	}
	if err := os.Chmod(dir, 0o500); err != nil {
		t.Fatal(err)
	}
	return func() { os.Chmod(dir, 0o700) }
}

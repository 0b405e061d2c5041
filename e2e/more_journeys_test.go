//go:build e2e

package e2e

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"tokentray/auth"
	"tokentray/e2e/harness"
	"tokentray/internal/fakespotify"
	"tokentray/internal/local"
	"tokentray/tray"
)

// Journey 7: without a keyring the app says so in the window and the tray and changes nothing;
// with TOKENTRAY_INSECURE_STORAGE=1 it works, keeping the secrets in a 0600 secrets.json.
func TestNoKeyring(t *testing.T) {
	j := newJourney(t, harness.NewSession(t, display, harness.SessionOptions{}), false)
	j.saveSettings(nil)
	settingsPath := filepath.Join(j.dir, "settings.json")
	before, err := os.ReadFile(settingsPath)
	j.must("read settings.json", err)

	j.start()
	accountTab := j.screenshot("no-keyring")
	// The Account tab says it where the user would log in; the Tokens tab's Storage row too.
	j.clickWindow("the Tokens tab", tokensTab)
	j.screenshotChanged("no-keyring-tokens-tab", accountTab)
	ctx := within(t, 20*time.Second)
	_, err = j.item.WaitForTooltip(ctx, func(s string) bool {
		return strings.HasPrefix(s, "tokentray: ") && strings.Contains(s, "no keyring") && strings.Contains(s, "--insecure-storage")
	})
	j.must("read the no-keyring tooltip", err)
	for _, label := range []string{"Copy access token — no keyring", tray.LabelCopyApp + " — no keyring", tray.LabelCopyEnv + " — no keyring"} {
		item, err := j.item.WaitForLabel(ctx, harness.Label(label))
		j.must("find "+label, err)
		if item.Enabled {
			j.fail("check "+label, errors.New("the item is enabled although nothing can be copied without a keyring"))
		}
	}
	j.stop()
	after, err := os.ReadFile(settingsPath)
	j.must("read settings.json after the run", err)
	if string(after) != string(before) {
		j.fail("check settings.json is untouched", fmt.Errorf("before:\n%s\nafter:\n%s", before, after))
	}

	// The window's Save writes the secret to the store the session opened: the file store.
	secrets := filepath.Join(j.dir, "secrets.json")
	j.must("store the client secret in the file store", local.NewFileStore(secrets).Set(local.KeyClientSecret, clientSecret))
	j.start("TOKENTRAY_INSECURE_STORAGE=1")
	_, err = j.item.WaitForTooltip(within(t, 20*time.Second), func(s string) bool { return s == "tokentray: log in needed" })
	j.must("read the tooltip with insecure storage", err)
	j.login(nil)
	// The login is over for the window once the session announced it.
	j.waitForNotification(within(t, 20*time.Second), "tokentray: logged in")
	j.screenshot("insecure-storage-logged-in")
	info, err := os.Stat(secrets)
	j.must("stat secrets.json", err)
	if info.Mode().Perm() != 0o600 {
		j.fail("check secrets.json's mode", fmt.Errorf("mode %v, want 0600", info.Mode().Perm()))
	}
	raw, err := local.NewFileStore(secrets).Get(local.KeyUserToken)
	j.must("read the login from secrets.json", err)
	if rt := refreshTokenOf(raw); !j.fake.RefreshTokenValid(rt) {
		j.fail("check the refresh token in secrets.json", fmt.Errorf("the fake does not know %s", auth.Redact(rt)))
	}
	if hits := filesContaining(t, j.dir, clientSecret); len(hits) != 1 || !strings.HasPrefix(hits[0], secrets) {
		j.fail("check where the secret went", fmt.Errorf("want only secrets.json to hold it: %q", hits))
	}
}

// refreshTokenOf reads refresh_token from a stored user-token record.
func refreshTokenOf(record string) string {
	_, after, _ := strings.Cut(record, `"refresh_token":"`)
	rt, _, _ := strings.Cut(after, `"`)
	return rt
}

// Journey 8: `tokentray token` run many times at once while the tray refreshes the same PKCE
// login never loses the rotating refresh token.
func TestCLIAndTrayShareRotatingToken(t *testing.T) {
	j := parallelJourney(t)
	j.saveSettings(shortLived)
	j.start()
	j.fake.SetTokenLifetime(shortLifetime)
	j.login(nil)

	// Every call asks for more validity than a token has, so every call refreshes (and rotates),
	// while the tray's keeper does the same in the background.
	const calls = 20
	ctx := within(t, 2*time.Minute)
	var wg sync.WaitGroup
	failures := make(chan string, calls)
	for i := range calls {
		wg.Go(func() {
			out, errOut, err := j.cli(ctx, "token", "--min-valid", "2m")
			tok := strings.TrimSpace(out)
			if kind, _, ok := j.fake.AccessTokenValid(tok); err != nil || !ok || kind != fakespotify.KindUser {
				failures <- fmt.Sprintf("call %d: %v, token valid %v (%q), stderr: %s", i, err, ok, kind, strings.TrimSpace(errOut))
			}
		})
	}
	wg.Wait()
	close(failures)
	var failed []string
	for f := range failures {
		failed = append(failed, f)
	}
	if len(failed) > 0 {
		j.fail("run tokentray token concurrently", errors.New(strings.Join(failed, "\n")))
	}
	t.Logf("%d token requests at the fake so far", j.fake.Count("POST", "/api/token"))

	// The tray keeps refreshing with whatever the CLI left in the keyring.
	j.waitForRotation("a tray refresh after the CLI calls", j.storedRefreshToken())
	if _, err := j.item.Find(harness.Label(tray.LabelLoginNeed)); err == nil {
		j.fail("check the tray is still logged in", errors.New("the tray asks for a login"))
	}
	for _, n := range j.notifications() {
		if n.Summary == "tokentray: log in again" {
			j.fail("check the notifications", fmt.Errorf("the tray asked for a login: %q", n.Body))
		}
	}
	out, errOut, err := j.cli(within(t, 30*time.Second), "token")
	if kind, _, ok := j.fake.AccessTokenValid(strings.TrimSpace(out)); err != nil || !ok || kind != fakespotify.KindUser {
		j.fail("run tokentray token afterwards", fmt.Errorf("%v, token valid %v; stderr: %s", err, ok, errOut))
	}
	j.stop()
	if rt := j.storedRefreshToken(); !j.fake.RefreshTokenValid(rt) {
		j.fail("check the stored refresh token", errors.New("the fake does not accept the refresh token left in the keyring: the login is lost"))
	}
}

// TestScreenshots saves the window in its main states (make screenshots): first start, logged
// in (brought up by a second start, as a user would), and needs login.
func TestScreenshots(t *testing.T) {
	j := sharedJourney(t)
	j.start()
	j.screenshot("first-start")
	j.stop()

	j.saveSettings(nil)
	j.storeSecret()
	j.start()
	j.login(nil)
	j.stop()

	// Logged in, the app starts in the tray only; a second start brings the window up.
	j.start()
	_, err := j.item.WaitForLabel(within(t, 20*time.Second), nowPlaying(warmup.Name))
	j.must("see the restarted app logged in", err)
	if j.windowVisible() {
		j.fail("check the window stays hidden", errors.New("a logged-in start showed the window"))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, errOut, err := j.cli(ctx)
	if err != nil || !strings.Contains(errOut, "already running") {
		j.fail("start a second instance", fmt.Errorf("%v; stderr: %s", err, errOut))
	}
	j.screenshot("logged-in")

	// A start asks Spotify what plays; that meets the revoked token, the stored login is
	// flagged, and the next start shows the window on it. (Opening the window no longer asks
	// while the last answer is fresher than the poller's own schedule: issue 13.)
	j.fake.RevokeAll()
	j.stop()
	j.start()
	_, err = j.item.WaitForLabel(within(t, 20*time.Second), harness.Where("a logged-out line", func(m harness.MenuItem) bool {
		return m.Label == "Not logged in" || m.Label == tray.LabelLoggedOut
	}))
	j.must("wait for the app to meet the revoked login", err)
	j.stop()
	j.start()
	j.screenshot("needs-login")
}

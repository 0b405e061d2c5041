//go:build e2e

package e2e

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tokentray/auth"
	"tokentray/e2e/harness"
	"tokentray/internal/fakespotify"
	"tokentray/internal/local"
	"tokentray/internal/nowplaying"
	"tokentray/tray"
)

// Journey 1: a first start with no settings opens the window and puts tokentray in the tray,
// where everything that needs a login says so.
func TestFirstStart(t *testing.T) {
	j := sharedJourney(t)
	j.start()
	j.screenshot("window")
	ctx := within(t, 20*time.Second)
	for _, want := range []string{"Copy access token — set up the app first", tray.LabelCopyApp + " — set up the app first",
		tray.LabelCopyEnv + " — set up the app first"} {
		item, err := j.item.WaitForLabel(ctx, harness.Label(want))
		j.must("find "+want, err)
		if item.Enabled {
			j.fail("check "+want, errors.New("the item is enabled although it cannot work"))
		}
	}
	_, err := j.item.WaitForLabel(ctx, harness.Label(tray.LabelLoginNeed))
	j.must("find the login item", err)
	_, err = j.item.WaitForTooltip(ctx, func(s string) bool { return s == "tokentray: log in needed" })
	j.must("read the tooltip", err)
	if _, err := os.Stat(filepath.Join(j.dir, "settings.json")); !errors.Is(err, os.ErrNotExist) {
		j.fail("check that a first start writes no settings", fmt.Errorf("settings.json: %v", err))
	}
}

// Journey 2: with the settings and the client secret saved as the window saves them, Log in…
// in the tray runs the browser login; afterwards the tray shows what plays, a notification says
// so, and the secrets live in the keyring only.
func TestLoginFromTray(t *testing.T) {
	j := sharedJourney(t)
	j.saveSettings(nil)
	j.storeSecret()
	j.start()
	j.login(nil)
	_, err := j.item.WaitForLabel(within(t, 5*time.Second), harness.Label("Test Choir — Warmup Hum"))
	j.must("read the now-playing line", err)
	n := j.waitForNotification(within(t, 10*time.Second), "tokentray: logged in")
	if !strings.Contains(n.Body, listener) {
		j.fail("read the login notification", fmt.Errorf("body %q does not name %s", n.Body, listener))
	}

	secret, err := j.lookup(local.KeyClientSecret)
	j.must("look up the client secret with secret-tool", err)
	if secret != clientSecret {
		j.fail("check the client secret in the keyring", fmt.Errorf("keyring holds %s", auth.Redact(secret)))
	}
	login, err := j.storedLogin()
	j.must("look up the login with secret-tool", err)
	if !j.fake.RefreshTokenValid(login.RefreshToken) {
		j.fail("check the stored refresh token", errors.New("the fake does not know the refresh token in the keyring"))
	}
	if login.Account.DisplayName != listener {
		j.fail("check the stored account", fmt.Errorf("account %+v", login.Account))
	}
	// gnome-keyring's own files under HOME are encrypted, so any hit is a leak.
	for _, root := range []string{j.dir, j.sess.Home} {
		if hits := filesContaining(t, root, clientSecret, login.RefreshToken, login.AccessToken); len(hits) > 0 {
			j.fail("look for secrets in files", fmt.Errorf("secrets in plain files:\n%s", strings.Join(hits, "\n")))
		}
	}
}

// Journey 3: the tray's copy items put working tokens and a .env on the X clipboard, and the
// clipboard is cleared after the configured delay.
func TestCopyFromTray(t *testing.T) {
	j := sharedJourney(t)
	const clearAfter = 3 * time.Second
	j.saveSettings(func(s *local.Settings) { s.ClipboardClearSeconds = int(clearAfter / time.Second) })
	j.storeSecret()
	j.start()
	j.login(nil)

	user := j.copyItem(harness.LabelPrefix("Copy access token ("))
	copied := time.Now()
	if kind, left, ok := j.fake.AccessTokenValid(user); !ok || kind != fakespotify.KindUser || left < 10*time.Minute {
		j.fail("check the copied access token", fmt.Errorf("fake says kind %q, %v left, valid %v; want a user token with at least 10 min", kind, left, ok))
	}
	_, err := j.item.WaitForLabel(within(t, 5*time.Second), harness.Label("Access token copied ✓"))
	j.must("see the copy confirmed in the menu", err)
	_, err = j.sess.Display.WaitForClipboard(within(t, clearAfter+5*time.Second), func(s string) bool { return s == "" })
	j.must("wait for the clipboard to be cleared", err)
	if held := time.Since(copied); held < clearAfter-500*time.Millisecond {
		j.fail("check the clear delay", fmt.Errorf("the clipboard was cleared after %v, before the %v setting", held, clearAfter))
	}

	app := j.copyItem(harness.Label(tray.LabelCopyApp))
	if kind, _, ok := j.fake.AccessTokenValid(app); !ok || kind != fakespotify.KindApp {
		j.fail("check the copied app token", fmt.Errorf("fake says kind %q, valid %v; want an app token", kind, ok))
	}

	env := j.copyItem(harness.Label(tray.LabelCopyEnv))
	vars := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(env), "\n") {
		if name, value, ok := strings.Cut(line, "="); ok && strings.HasPrefix(name, "SPOTIFY_") {
			vars[name] = value
		}
	}
	if len(vars) != 3 || vars["SPOTIFY_CLIENT_ID"] != clientID || vars["SPOTIFY_CLIENT_SECRET"] != clientSecret ||
		!j.fake.RefreshTokenValid(vars["SPOTIFY_REFRESH_TOKEN"]) {
		j.fail("check the copied .env", fmt.Errorf("want three SPOTIFY_* lines with the app's ID and secret and a refresh token the fake knows; got %d: %q",
			len(vars), auth.Redact(env)))
	}
	_, err = j.sess.Display.WaitForClipboard(within(t, clearAfter+5*time.Second), func(s string) bool { return s == "" })
	j.must("wait for the .env to be cleared from the clipboard", err)
}

// Journey 4: the now-playing line and the tooltip follow the player: items ending, an ad, an
// episode, a skip, a pause, a resume and a stop, each within the budgeted poller's promised
// bound (1 s after an item with a known end; between ends a check every 90 s; when paused, a
// first check after 1 min) plus a margin for a loaded 2-core machine.
func TestNowPlayingFollowsPlayer(t *testing.T) {
	j := parallelJourney(t)
	j.saveSettings(nil)
	j.storeSecret()
	j.start()
	const margin = 4 * time.Second
	const playingBound, pausedBound, afterEnd = nowplaying.DefaultCheckInterval, nowplaying.DefaultIdleBackoff, time.Second
	// An ad has no known end: the poller looks again when a 15 s ad would have ended.
	const adCheck = 15 * time.Second
	queue := []fakespotify.Item{
		track("Alpha Tide", "Ana Sol", 8*time.Second),
		track("Beta Ridge", "Bo Lund", 5*time.Second),
		{Kind: "ad", Name: "Advertisement", Duration: 5 * time.Second},
		// The poller cannot see when an ad ends (Spotify sends no item), so the episode must
		// outlast the ad's check to be seen at all.
		{Kind: "episode", ID: "ep1", Name: "Ep 1: Queues", Show: "Loop Talk", Artists: []string{"Pod Co"}, Duration: 25 * time.Second},
		track("Gamma Drift", "Cy Moor", time.Hour),
		track("Delta Shore", "Di Vale", time.Hour),
	}
	began := time.Now()
	// The queue starts with the click on #agree, so its timing is known from the login on.
	j.login(func() { j.fake.Player().SetQueue(queue...) })
	started := time.Now()

	follow := func(step, label string, bound time.Duration) {
		t.Helper()
		ctx := within(t, bound)
		_, err := j.item.WaitForLabel(ctx, harness.Label(label))
		j.must(step+": wait for the menu line "+label, err)
		_, err = j.item.WaitForTooltip(ctx, func(s string) bool { return s == "tokentray: "+listener+" · "+label })
		j.must(step+": wait for the tooltip", err)
		t.Logf("%s: %q shown %v after the login", step, label, time.Since(started).Round(100*time.Millisecond))
	}
	follow("first track", "Ana Sol — Alpha Tide", 8*time.Second)
	follow("next track", "Bo Lund — Beta Ridge", time.Until(started.Add(8*time.Second+afterEnd+margin)))
	follow("ad", "Advertisement", time.Until(started.Add(13*time.Second+afterEnd+margin)))
	follow("episode", "Podcast: Loop Talk — Ep 1: Queues", time.Until(started.Add(13*time.Second+adCheck+afterEnd+margin)))
	follow("track after the episode", "Cy Moor — Gamma Drift", time.Until(started.Add(43*time.Second+afterEnd+margin)))

	j.fake.Player().Next()
	follow("skip", "Di Vale — Delta Shore", playingBound+margin)
	j.fake.Player().Pause()
	follow("pause", "Paused: Di Vale — Delta Shore", playingBound+margin)
	j.fake.Player().Play()
	follow("resume", "Di Vale — Delta Shore", pausedBound+margin)
	j.fake.Player().Stop()
	follow("stop", "Nothing playing", playingBound+margin)
	t.Logf("journey took %v", time.Since(began).Round(time.Second))
}

// shortLived sets up a login whose access tokens live lifetime: min_valid_seconds at its lowest
// (60), so that tokens of a little more than a minute can still be handed out.
const shortLifetime = 75 * time.Second

func shortLived(s *local.Settings) { s.MinValidSeconds = 60 }

// Journey 5: with short-lived tokens the app refreshes in the background, so a copy right after
// the login's token expired still gets a valid token at once.
func TestBackgroundRefresh(t *testing.T) {
	j := parallelJourney(t)
	j.saveSettings(shortLived)
	j.storeSecret()
	j.start()
	j.fake.SetTokenLifetime(shortLifetime)
	j.login(nil)
	first, err := j.storedLogin()
	j.must("read the login", err)
	refreshesBefore := j.fake.Count("POST", "/api/token")

	// Wait (bounded) until the login's own access token is dead at the fake.
	deadline := time.Now().Add(shortLifetime + 10*time.Second)
	for _, _, ok := j.fake.AccessTokenValid(first.AccessToken); ok; _, _, ok = j.fake.AccessTokenValid(first.AccessToken) {
		if time.Now().After(deadline) {
			j.fail("wait for the first access token to expire", errors.New("still valid"))
		}
		time.Sleep(200 * time.Millisecond)
	}
	clicked := time.Now()
	tok := j.copyItem(harness.LabelPrefix("Copy access token ("))
	if kind, left, ok := j.fake.AccessTokenValid(tok); !ok || kind != fakespotify.KindUser || left < time.Minute {
		j.fail("check the token copied after expiry", fmt.Errorf("fake says kind %q, %v left, valid %v", kind, left, ok))
	}
	refreshes := j.fake.Count("POST", "/api/token") - refreshesBefore
	t.Logf("copied %v after the click; %d token requests in the %v after the login", time.Since(clicked).Round(10*time.Millisecond),
		refreshes, time.Since(clicked.Add(-shortLifetime)).Round(time.Second))
	if refreshes == 0 {
		j.fail("check the background refreshes", errors.New("no token request reached the fake after the login"))
	}
}

// Journey 5, PKCE: without a client secret every refresh rotates the refresh token; the rotated
// one survives a restart of the app.
func TestPKCERotationAcrossRestart(t *testing.T) {
	j := parallelJourney(t)
	j.saveSettings(shortLived)
	j.start()
	j.fake.SetTokenLifetime(shortLifetime)
	j.login(nil)
	first, err := j.storedLogin()
	j.must("read the login", err)
	rotated := j.waitForRotation("the first background refresh", first.RefreshToken)

	j.stop()
	stored, err := j.storedLogin()
	j.must("read the login after the app stopped", err)
	if !j.fake.RefreshTokenValid(stored.RefreshToken) {
		j.fail("check the stored refresh token after the stop", errors.New("the fake no longer accepts it: a rotation was lost"))
	}
	if stored.RefreshToken == first.RefreshToken || j.fake.RefreshTokenValid(first.RefreshToken) {
		j.fail("check the rotation", fmt.Errorf("rotated %v, first still valid %v", rotated != first.RefreshToken, j.fake.RefreshTokenValid(first.RefreshToken)))
	}

	j.start()
	_, err = j.item.WaitForLabel(within(t, 20*time.Second), nowPlaying(warmup.Name))
	j.must("see the restarted app logged in", err)
	tok := j.copyItem(harness.LabelPrefix("Copy access token ("))
	if kind, _, ok := j.fake.AccessTokenValid(tok); !ok || kind != fakespotify.KindUser {
		j.fail("check the token copied after the restart", fmt.Errorf("fake says kind %q, valid %v", kind, ok))
	}
	j.waitForRotation("a refresh after the restart", stored.RefreshToken)
	if _, err := j.item.Find(harness.Label(tray.LabelLoginNeed)); err == nil {
		j.fail("check the app is still logged in", errors.New("the tray asks for a login"))
	}
}

// waitForRotation waits until the keyring holds a refresh token other than old, and returns it
// after checking the fake accepts it.
func (j *journey) waitForRotation(step, old string) string {
	j.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		ut, err := j.storedLogin()
		j.must(step+": read the login", err)
		if ut.RefreshToken != old {
			// The app may have rotated again since the read: then the newer one must be valid.
			if !j.fake.RefreshTokenValid(ut.RefreshToken) && !j.fake.RefreshTokenValid(j.storedRefreshToken()) {
				j.fail(step, errors.New("the keyring holds a refresh token the fake does not know"))
			}
			return ut.RefreshToken
		}
		if time.Now().After(deadline) {
			j.fail(step, errors.New("the refresh token in the keyring never changed"))
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func (j *journey) storedRefreshToken() string {
	ut, err := j.storedLogin()
	j.must("reread the login", err)
	return ut.RefreshToken
}

// Journey 6: when Spotify revokes the login, the tray says a login is needed (menu, tooltip,
// icon, notification), Copy access token says why it cannot copy, and a new login heals it.
func TestRevokedLoginNeedsLogin(t *testing.T) {
	j := parallelJourney(t)
	j.saveSettings(nil)
	j.storeSecret()
	j.start()
	loggedOutIcon := j.iconPixmap()
	j.login(nil)
	// The icon follows the menu within a render: wait for the logged-in one.
	okIcon := j.waitForIcon("the logged-in icon", func(icon []byte) bool { return !bytes.Equal(icon, loggedOutIcon) })

	revoked := time.Now()
	j.fake.RevokeAll()
	// The poller meets the revoked token at its next check (at most 90 s); the forced refresh is
	// refused and the keeper hears of it at once.
	ctx := within(t, nowplaying.DefaultCheckInterval+10*time.Second)
	_, err := j.item.WaitForLabel(ctx, harness.Label(tray.LabelLoggedOut))
	j.must("wait for the needs-login menu", err)
	t.Logf("needs-login menu shown %v after the revocation", time.Since(revoked).Round(100*time.Millisecond))
	// Wait rather than read once: the menu is rebuilt as the state settles.
	copyUser, err := j.item.WaitForLabel(ctx, harness.Label("Copy access token — log in again"))
	j.must("find Copy access token saying why it cannot copy", err)
	if copyUser.Enabled {
		j.fail("check Copy access token", errors.New("the item is enabled although no token can be had"))
	}
	_, err = j.item.WaitForLabel(ctx, harness.Label(tray.LabelLoginNeed))
	j.must("find the login item", err)
	_, err = j.item.WaitForTooltip(ctx, func(s string) bool { return strings.HasPrefix(s, "tokentray: log in needed") })
	j.must("read the needs-login tooltip", err)
	j.waitForIcon("the needs-login icon", func(icon []byte) bool { return !bytes.Equal(icon, okIcon) })
	j.waitForNotification(ctx, "tokentray: log in again")

	j.login(nil)
	copyUser, err = j.item.WaitForLabel(within(t, 10*time.Second), harness.LabelPrefix("Copy access token ("))
	j.must("see Copy access token usable again", err)
	tok := j.copyItem(harness.LabelPrefix("Copy access token ("))
	if kind, _, ok := j.fake.AccessTokenValid(tok); !ok || kind != fakespotify.KindUser {
		j.fail("check the token copied after the new login", fmt.Errorf("fake says kind %q, valid %v", kind, ok))
	}
	j.waitForIcon("the logged-in icon after the new login", func(icon []byte) bool { return bytes.Equal(icon, okIcon) })
}

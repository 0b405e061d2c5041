package fakespotify_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"tokentray/internal/fakespotify"
)

// post calls the control API and returns the status and body.
func (e *env) post(path string) (int, string) {
	e.t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.base+path, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	resp, body := e.do(req)
	return resp.StatusCode, string(body)
}

func TestDevModeRefusals(t *testing.T) {
	e := newEnv(t, fakespotify.Options{})
	user := bearer(e.userToken("user-read-currently-playing").AccessToken)
	_, body := e.postForm("/api/token", appTokenForm, testApp.ClientID, testApp.ClientSecret)
	app := bearer(decode[tokenJSON](t, body).AccessToken)
	e.s.Player().SetQueue(item("a", time.Minute))

	expect := func(path string, header http.Header, wantStatus int, wantMessage string) {
		t.Helper()
		resp, body := e.get(path, header)
		if resp.StatusCode != wantStatus {
			t.Fatalf("GET %s: %d %s, want %d", path, resp.StatusCode, body, wantStatus)
		}
		if wantMessage != "" {
			if got := decode[apiErrorJSON](t, body).Error; got.Status != wantStatus || got.Message != wantMessage {
				t.Fatalf("GET %s: %s, want %q", path, body, wantMessage)
			}
		}
	}
	const unregistered = "Check settings on developer.spotify.com/dashboard, the user may not be registered."
	e.s.SetDevModeRefusal(fakespotify.DevModeUnregisteredUser)
	expect("/v1/me", user, 403, unregistered)
	expect("/v1/me/player/currently-playing", user, 403, unregistered)
	expect("/v1/tracks/a", app, 200, "") // an app token has no user to refuse

	if status, body := e.post("/_fake/dev-mode?refuse=owner-not-premium"); status != 200 {
		t.Fatalf("dev-mode=owner-not-premium: %d %s", status, body)
	}
	expect("/v1/me", user, 403, "Active premium subscription required for the owner of the app.")

	if status, body := e.post("/_fake/dev-mode?refuse=sometimes"); status != 400 || !strings.Contains(body, "unregistered, owner-not-premium or off") {
		t.Fatalf("dev-mode=sometimes: %d %s, want 400 listing the choices", status, body)
	}
	if status, body := e.post("/_fake/dev-mode?refuse=off"); status != 200 {
		t.Fatalf("dev-mode=off: %d %s", status, body)
	}
	expect("/v1/me", user, 200, "")
	expect("/v1/me/player/currently-playing", user, 200, "")
}

// start is newEnv's clock reading.
var start = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

type quotaErrorJSON struct {
	Error struct {
		Status  int    `json:"status"`
		Message string `json:"message"`
		Reason  string `json:"reason"`
	} `json:"error"`
}

func TestQuotaIsSharedAndRolling(t *testing.T) {
	e := newEnv(t, fakespotify.Options{})
	first := bearer(e.userToken("user-read-currently-playing").AccessToken)
	second := bearer(e.userToken("").AccessToken) // another token: the quota is the account's
	e.s.SetQuota(fakespotify.Quota{Calls: 3, Window: time.Hour, Block: 2 * time.Hour})

	expectOK := func(path string, h http.Header) {
		t.Helper()
		if resp, body := e.get(path, h); resp.StatusCode == http.StatusTooManyRequests {
			t.Fatalf("GET %s at +%v: refused by the quota: %s", path, e.clock.Now().Sub(start), body)
		}
	}
	expectRefused := func(wantRetryAfter string) {
		t.Helper()
		resp, body := e.get("/v1/me", second)
		got := decode[quotaErrorJSON](t, body).Error
		if resp.StatusCode != 429 || got.Status != 429 || got.Reason != "QUOTA_EXCEEDED" || resp.Header.Get("Retry-After") != wantRetryAfter {
			t.Fatalf("at +%v: %d Retry-After %q %s, want 429 QUOTA_EXCEEDED with Retry-After %s",
				e.clock.Now().Sub(start), resp.StatusCode, resp.Header.Get("Retry-After"), body, wantRetryAfter)
		}
	}

	expectOK("/v1/me", first) // +0
	e.clock.Advance(30 * time.Minute)
	expectOK("/v1/me/player/currently-playing", first) // +30m
	e.clock.Advance(20 * time.Minute)
	expectOK("/v1/me", second) // +50m: three calls within the hour, from two tokens
	e.clock.Advance(11 * time.Minute)
	expectOK("/v1/me", second) // +61m: the call at +0 has left the window
	e.clock.Advance(time.Minute)
	expectRefused("7200") // +62m: calls at +30m, +50m, +61m fill the hour
	e.clock.Advance(time.Hour + 59*time.Minute + 59*time.Second)
	expectRefused("1") // refusals do not count and do not extend the block
	e.clock.Advance(time.Second)
	expectOK("/v1/me", first) // the block is over and the count started again
	if n := e.s.QuotaRefused(); n != 2 {
		t.Errorf("QuotaRefused = %d, want 2", n)
	}
}

func TestQuotaControlAPI(t *testing.T) {
	e := newEnv(t, fakespotify.Options{})
	user := bearer(e.userToken("").AccessToken)
	for _, bad := range []string{"/_fake/quota?calls=many", "/_fake/quota?calls=5&window=0", "/_fake/quota?calls=5&block=-1"} {
		if status, body := e.post(bad); status != 400 {
			t.Errorf("POST %s: %d %s, want 400", bad, status, body)
		}
	}
	if status, body := e.post("/_fake/quota?calls=1&block=90"); status != 200 {
		t.Fatalf("quota: %d %s", status, body)
	}
	if resp, _ := e.get("/v1/me", user); resp.StatusCode != 200 {
		t.Fatalf("first call: %d", resp.StatusCode)
	}
	if resp, _ := e.get("/v1/me", user); resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "90" {
		t.Fatalf("second call: %d Retry-After %q, want 429 and 90", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	if status, body := e.post("/_fake/quota?calls=0"); status != 200 {
		t.Fatalf("quota off: %d %s", status, body)
	}
	if resp, _ := e.get("/v1/me", user); resp.StatusCode != 200 {
		t.Fatalf("after calls=0: %d, want no quota", resp.StatusCode)
	}
}

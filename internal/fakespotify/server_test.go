package fakespotify_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"tokentray/internal/fakespotify"
)

func TestStartAndClose(t *testing.T) {
	s := fakespotify.New(fakespotify.Options{})
	base, err := s.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if s.URL() != base || !strings.HasPrefix(base, "http://127.0.0.1:") {
		t.Fatalf("URL %q, Start returned %q", s.URL(), base)
	}
	if _, err := s.Start("127.0.0.1:0"); err == nil {
		t.Fatal("second Start must fail while serving")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if s.URL() != "" {
		t.Fatal("URL must be empty after Close")
	}
	if _, err := http.Get(base + "/v1/me"); err == nil {
		t.Fatal("still serving after Close")
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := s.Start("256.0.0.1:0"); err == nil {
		t.Fatal("Start on an impossible address must fail")
	}
}

func TestHandlerWithoutStart(t *testing.T) {
	s := fakespotify.New(fakespotify.Options{})
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()
	resp, err := http.Get(ts.URL + "/v1/me")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized || s.Count("GET", "/v1/me") != 1 {
		t.Fatalf("%d, count %d", resp.StatusCode, s.Count("GET", "/v1/me"))
	}
}

func TestDemoData(t *testing.T) {
	q := fakespotify.DemoQueue()
	kinds := map[string]int{}
	ids := map[string]bool{}
	for _, it := range q {
		kinds[it.Kind]++
		if it.Duration < 30*time.Second || it.Duration > 90*time.Second {
			t.Errorf("%q lasts %v, want 30–90 s so the demo visibly advances", it.Name, it.Duration)
		}
		if it.Kind != "ad" && (it.ID == "" || ids[it.ID] || it.Name == "" || len(it.Artists) == 0) {
			t.Errorf("item %+v needs a unique ID, a name and an artist/publisher", it)
		}
		ids[it.ID] = true
	}
	if kinds["track"] != 8 || kinds["episode"] != 1 || kinds["ad"] != 1 {
		t.Fatalf("demo queue kinds %v, want 8 tracks, 1 episode, 1 ad", kinds)
	}
	q[0].Artists[0] = "changed"
	if fakespotify.DemoQueue()[0].Artists[0] == "changed" {
		t.Fatal("DemoQueue must return a fresh copy")
	}
	if strings.ToLower(fakespotify.DemoApp.ClientID) != fakespotify.DemoApp.ClientID {
		t.Fatal("DemoApp.ClientID must be lowercase hex like Spotify's")
	}

	// The demo app works end to end: any loopback port, PKCE, the queue plays.
	s := fakespotify.New(fakespotify.Options{AutoApprove: true, Loop: true})
	if err := s.RegisterApp(fakespotify.DemoApp); err != nil {
		t.Fatal(err)
	}
	s.Player().SetQueue(fakespotify.DemoQueue()...)
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()
	resp, err := noRedirect.Get(ts.URL + "/authorize?" + url.Values{
		"client_id": {fakespotify.DemoApp.ClientID}, "response_type": {"code"}, "redirect_uri": {"http://127.0.0.1:8888/callback"},
	}.Encode())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); !strings.HasPrefix(loc, "http://127.0.0.1:8888/callback?code=") {
		t.Fatalf("demo authorize redirected to %q", loc)
	}
	if it, _, playing, ok := s.Player().Current(); !ok || !playing || it.ID != fakespotify.DemoQueue()[0].ID {
		t.Fatal("the demo queue must start playing")
	}
}

// TestConcurrentUse is for -race: logins, token requests, API calls, player
// changes and the log, all at once.
func TestConcurrentUse(t *testing.T) {
	e := newEnv(t, fakespotify.Options{Loop: true, AutoApprove: true})
	e.s.Player().SetQueue(fakespotify.DemoQueue()...)
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for i := range 8 {
		wg.Go(func() {
			req, _ := http.NewRequest(http.MethodPost, e.base+"/api/token", strings.NewReader(appTokenForm.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.SetBasicAuth(testApp.ClientID, testApp.ClientSecret)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				errs <- err.Error()
				return
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				errs <- resp.Status
			}
		})
		wg.Go(func() {
			resp, err := noRedirect.Get(e.base + "/authorize?" + url.Values{
				"client_id": {testApp.ClientID}, "response_type": {"code"}, "redirect_uri": {anyPortRedirect},
			}.Encode())
			if err != nil {
				errs <- err.Error()
				return
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusFound {
				errs <- resp.Status
			}
		})
		wg.Go(func() {
			switch i % 4 {
			case 0:
				e.s.Player().Next()
			case 1:
				e.s.Player().Pause()
			case 2:
				e.s.Player().Play()
			case 3:
				e.s.FailNext("/nowhere", 500, 1)
			}
			e.clock.Advance(time.Second)
			e.s.Player().Current()
			e.s.Requests()
			e.s.SetTokenLifetime(time.Duration(i+1) * time.Minute)
		})
	}
	wg.Wait()
	close(errs)
	var failures []string
	for f := range errs {
		failures = append(failures, f)
	}
	if len(failures) > 0 {
		t.Fatalf("concurrent requests failed: %v", failures)
	}
	if n := e.s.Count("POST", "/api/token") + e.s.Count("GET", "/authorize"); n != 16 {
		t.Fatalf("logged %d requests, want 16", n)
	}
}

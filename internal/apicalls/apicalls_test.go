package apicalls

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"tokentray/internal/webapi"
)

var t0 = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

// clock is a settable time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.t = t }

const playing = webapi.CurrentlyPlayingPath

func TestCountsOverARollingDayAcrossRestarts(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	c := &clock{t: t0}
	var warnings []error
	l := Open(Options{Path: path, Now: c.Now, Warn: func(err error) { warnings = append(warnings, err) }})
	l.Record(playing)
	c.Set(t0.Add(time.Hour))
	l.Record(webapi.MePath)
	l.Record(playing)
	if got, want := l.Summary(), "Web API calls in the last 24 h: 3 (now playing 2)"; got != want {
		t.Fatalf("Summary = %q, want %q", got, want)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// Paths and Unix milliseconds only: nothing secret, nothing that grows beyond the day.
	want := `{"version":1,"calls":{"/v1/me":[1795870800000],"/v1/me/player/currently-playing":[1795867200000,1795870800000]}}`
	if string(data) != want {
		t.Fatalf("file\n%s\nwant\n%s", data, want)
	}

	// A restart keeps the count; a day after the first call it has left the window.
	c.Set(t0.Add(24 * time.Hour))
	again := Open(Options{Path: path, Now: c.Now})
	recent := again.Recent(playing)
	if len(recent) != 1 || !recent[0].Equal(t0.Add(time.Hour)) {
		t.Fatalf("after the restart, now-playing calls %v, want only the one at t0+1h", recent)
	}
	if got, want := again.Summary(), "Web API calls in the last 24 h: 2 (now playing 1)"; got != want {
		t.Fatalf("Summary = %q, want %q", got, want)
	}
	if len(warnings) != 0 {
		t.Fatalf("warnings %v", warnings)
	}
}

func TestDamagedFileIsMovedAsideWithAWarning(t *testing.T) {
	for name, content := range map[string]string{
		"not JSON":      `{"version":1,"calls":{"/v1/me":[17`,
		"wrong version": `{"version":7,"calls":{}}`,
		"wrong types":   `{"version":1,"calls":{"/v1/me":["yesterday"]}}`,
		"too large":     strings.Repeat(" ", maxFileBytes+1),
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), FileName)
			if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			c := &clock{t: t0}
			var warnings []error
			l := Open(Options{Path: path, Now: c.Now, Warn: func(err error) { warnings = append(warnings, err) }})
			if len(warnings) != 1 || !strings.Contains(warnings[0].Error(), path) ||
				!strings.Contains(warnings[0].Error(), "it was moved to "+path+".damaged and today's count starts again from zero") {
				t.Fatalf("warnings %v, want one naming the file, where it went and the reset", warnings)
			}
			if kept, _ := os.ReadFile(path + ".damaged"); string(kept) != content {
				t.Fatalf("the file moved aside holds %d bytes, want the %d of the damaged one", len(kept), len(content))
			}
			if l.Err() != nil {
				t.Fatalf("Err = %v, want nil: the count restarted", l.Err())
			}
			if n := len(l.Recent("")); n != 0 {
				t.Fatalf("%d calls from a damaged file, want 0", n)
			}
			l.Record(playing)
			if data, _ := os.ReadFile(path); string(data) != `{"version":1,"calls":{"/v1/me/player/currently-playing":[1795867200000]}}` {
				t.Fatalf("file after a call: %s", data)
			}
		})
	}
}

func TestIgnoresCallsFromTheFuture(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	// Written while the clock was an hour ahead; one call is a day old.
	content := `{"version":1,"calls":{"/v1/me":[1795867200000,1795870800000,1795780800000]}}`
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	l := Open(Options{Path: path, Now: func() time.Time { return t0 }})
	if got := l.Recent(webapi.MePath); len(got) != 1 || !got[0].Equal(t0) {
		t.Fatalf("Recent = %v, want only the call at t0", got)
	}
}

func TestBoundedInMemory(t *testing.T) {
	c := &clock{t: t0}
	l := Open(Options{Now: c.Now})
	for i := range MaxCalls + 5 {
		c.Set(t0.Add(time.Duration(i) * time.Millisecond))
		l.Record(playing)
	}
	got := l.Recent(playing)
	if len(got) != MaxCalls || !got[0].Equal(t0.Add(5*time.Millisecond)) {
		t.Fatalf("%d calls from %v, want %d from t0+5ms (the oldest dropped)", len(got), got[0], MaxCalls)
	}
}

func TestWriteFailureWarnsOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing", FileName)
	var warnings []error
	l := Open(Options{Path: path, Now: func() time.Time { return t0 }, Warn: func(err error) { warnings = append(warnings, err) }})
	l.Record(playing)
	l.Record(playing)
	if len(warnings) != 1 || !errors.Is(warnings[0], os.ErrNotExist) {
		t.Fatalf("warnings %v, want one not-exist error", warnings)
	}
	if n := len(l.Recent(playing)); n != 2 {
		t.Fatalf("counted %d, want 2 even though saving failed", n)
	}
}

func TestAQuotaBlockOutlivesARestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	c := &clock{t: t0}
	l := Open(Options{Path: path, Now: c.Now})
	l.Block(t0.Add(50000*time.Second), "QUOTA_EXCEEDED")
	data, err := os.ReadFile(path)
	if want := `{"version":1,"calls":{},"blocked_until":1795917200000,"blocked_reason":"QUOTA_EXCEEDED"}`; err != nil || string(data) != want {
		t.Fatalf("file %s (%v), want %s", data, err, want)
	}
	c.Set(t0.Add(time.Hour))
	again := Open(Options{Path: path, Now: c.Now})
	if until, reason := again.Blocked(); !until.Equal(t0.Add(50000*time.Second)) || reason != "QUOTA_EXCEEDED" {
		t.Fatalf("after a restart Blocked = %v, %q; want t0+50000s, QUOTA_EXCEEDED", until, reason)
	}
	again.Record(playing) // a call saved meanwhile keeps the block
	c.Set(t0.Add(50000 * time.Second))
	if until, _ := Open(Options{Path: path, Now: c.Now}).Blocked(); !until.IsZero() {
		t.Fatalf("a block that has ended still holds until %v", until)
	}
}

func TestABlockBeyondADayIsIgnored(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	// Ends 25 h after t0: written by a clock a day ahead.
	if err := os.WriteFile(path, []byte(`{"version":1,"calls":{},"blocked_until":1795957200000,"blocked_reason":"QUOTA_EXCEEDED"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if until, _ := Open(Options{Path: path, Now: func() time.Time { return t0 }}).Blocked(); !until.IsZero() {
		t.Fatalf("Blocked = %v, want none", until)
	}
}

//go:build e2e || faults

package harness

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// ChromiumPath is Debian's Chromium.
const ChromiumPath = "/usr/bin/chromium"

// Browser is a headless Chromium with a fresh profile, driven over the DevTools protocol.
// It plays the user's browser in an OAuth journey.
type Browser struct {
	ctx     context.Context // a chromedp context that has run once
	logPath string
}

// NewBrowser starts Chromium and closes it when the test ends.
func NewBrowser(t testing.TB) *Browser {
	t.Helper()
	dir := t.TempDir()
	logPath := filepath.Join(dir, "chromium.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(ChromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		// Loopback only: no proxy from the developer's environment.
		chromedp.Flag("no-proxy-server", true),
		chromedp.UserDataDir(filepath.Join(dir, "profile")),
		chromedp.CombinedOutput(logFile),
	)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	b := &Browser{ctx: ctx, logPath: logPath}
	t.Cleanup(func() {
		cancelCtx()
		cancelAlloc() // waits for Chromium to exit
		logFile.Close()
		if t.Failed() {
			t.Logf("chromium log: %s", logPath)
		}
	})
	// The first Run starts Chromium and must not carry a timeout (it would end the
	// browser with it), so the startup bound is a timer instead.
	started := make(chan error, 1)
	go func() { started <- chromedp.Do(ctx) }()
	select {
	case err = <-started:
	case <-time.After(startupTimeout):
		err = fmt.Errorf("chromium did not start within %v", startupTimeout)
	}
	if err != nil {
		t.Fatalf("start %s: %v (log %s)", ChromiumPath, err, logPath)
	}
	return b
}

// scoped derives from the browser's context a context that also ends with ctx (or after
// DefaultWait when ctx has no deadline).
func (b *Browser) scoped(ctx context.Context) (context.Context, context.CancelFunc) {
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(DefaultWait)
	}
	scoped, cancel := context.WithDeadline(b.ctx, deadline)
	stop := context.AfterFunc(ctx, cancel)
	return scoped, func() { stop(); cancel() }
}

// ClickThrough opens url, waits until the CSS selector is visible (CSS, not chromedp's default
// search, which also matches text such as a "#agree{…}" rule in a <style>), clicks it and waits until the
// page's URL starts with urlPrefix, which it returns: the user consenting on an
// authorization page (selector "#agree") and landing on the app's redirect URI.
func (b *Browser) ClickThrough(ctx context.Context, url, selector, urlPrefix string) (string, error) {
	ctx, cancel := b.scoped(ctx)
	defer cancel()
	if err := chromedp.Do(ctx,
		chromedp.Navigate(url),
		chromedp.WaitVisible(chromedp.CSS(selector)),
		chromedp.Click(chromedp.CSS(selector)),
	); err != nil {
		return "", fmt.Errorf("open %s and click %s: %v", url, selector, err)
	}
	last := "(not read yet)"
	return poll(ctx, fmt.Sprintf("the browser to reach a URL starting with %q", urlPrefix), func(ctx context.Context) (string, bool, error) {
		loc, err := chromedp.Run(ctx, chromedp.Location())
		if err != nil { // mid-navigation: try again
			last = err.Error()
			return "", false, nil
		}
		last = loc
		return loc, strings.HasPrefix(loc, urlPrefix), nil
	}, func() string { return "browser at " + last })
}

// Text waits until the CSS selector is visible on the current page and returns its text.
func (b *Browser) Text(ctx context.Context, selector string) (string, error) {
	ctx, cancel := b.scoped(ctx)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(selector))); err != nil {
		return "", fmt.Errorf("wait for %s: %v", selector, err)
	}
	text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(selector)))
	if err != nil {
		return "", fmt.Errorf("read text of %s: %v", selector, err)
	}
	return text, nil
}

// BrowserEnvVar names the program the app under test runs to open a URL.
const BrowserEnvVar = "TOKENTRAY_BROWSER"

// Opener is a stand-in browser for the app under test: a script that records each URL it
// is asked to open, so the test can hand the URL to a real Browser.
type Opener struct {
	// Command is the script; pass Env() to the app.
	Command string
	file    string

	mu       sync.Mutex
	consumed int
}

// NewOpener writes the script into the test's temp dir.
func NewOpener(t testing.TB) *Opener {
	t.Helper()
	dir := t.TempDir()
	o := &Opener{Command: filepath.Join(dir, "open-url"), file: filepath.Join(dir, "opened-urls")}
	script := fmt.Sprintf("#!/bin/sh\nprintf '%%s\\n' \"$1\" >> %s\n", shellQuote(o.file))
	if err := os.WriteFile(o.Command, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return o
}

// Env is the variable that makes the app open URLs with this opener.
func (o *Opener) Env() string { return BrowserEnvVar + "=" + o.Command }

// WaitForOpenedURL returns the next URL the app opened that no earlier call returned.
func (o *Opener) WaitForOpenedURL(ctx context.Context) (string, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	var urls []string
	return poll(ctx, "the app to open a URL with "+BrowserEnvVar, func(context.Context) (string, bool, error) {
		data, err := os.ReadFile(o.file)
		if err != nil && !os.IsNotExist(err) {
			return "", false, err
		}
		// Only complete lines: the script may be writing right now.
		urls = strings.Fields(string(data[:strings.LastIndexByte(string(data), '\n')+1]))
		if len(urls) <= o.consumed {
			return "", false, nil
		}
		o.consumed++
		return urls[o.consumed-1], true, nil
	}, func() string {
		return fmt.Sprintf("%d URL(s) opened, %d already returned: %q", len(urls), o.consumed, urls)
	})
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

package tray

import (
	"context"
	"slices"
	"sync"
	"time"

	"tokentray/assets"
	"tokentray/internal/session"
)

// Platform is the system tray as Tray drives it. The systray binding implements it; tests record
// what it is told.
type Platform interface {
	SetMenu(items []Item)
	SetIcon(png []byte)
	SetTooltip(text string)
	SetTitle(text string)
}

// Source is the session the tray shows and copies from.
type Source interface {
	State() session.State
	Subscribe(func(session.State)) (unsubscribe func())
	Copy(what session.Copyable) (string, error)
}

// copyFailedFor is how long the menu shows why a copy failed.
const copyFailedFor = time.Minute

// Tray keeps a Platform in step with the session: it renders on every state change, after a
// copy and once a minute (the token's minutes left are part of a label).
type Tray struct {
	platform Platform
	src      Source
	acts     Actions
	// notify tells the user why a copy failed, when notifications are on.
	notify func(title, body string)
	now    func() time.Time

	mu           sync.Mutex // guards the fields below
	st           session.State
	copied       map[session.Copyable]time.Time
	copyFailed   string
	copyFailedAt time.Time
	stopped      bool

	// renderMu serialises render, which runs from session callbacks, copies and the ticker.
	renderMu sync.Mutex
	// What the platform shows now, so that only changes are sent: every change is announced
	// over D-Bus, and tray hosts read it again.
	shownMenu    []Item
	shownIcon    []byte
	shownTooltip string
	shownTitle   string
}

// New returns a Tray for src on p. acts supplies the actions other than copies, which the Tray
// runs itself so that the menu can confirm them.
func New(p Platform, src Source, acts Actions, notify func(title, body string)) *Tray {
	t := &Tray{platform: p, src: src, acts: acts, notify: notify, now: time.Now, copied: map[session.Copyable]time.Time{}}
	t.acts.CopyUserToken = t.copyAction(session.CopyUserToken)
	t.acts.CopyAppToken = t.copyAction(session.CopyAppToken)
	t.acts.CopyEnv = t.copyAction(session.CopyEnv)
	return t
}

// Run shows the tray and follows the session until ctx ends or Stop is called.
func (t *Tray) Run(ctx context.Context) {
	t.mu.Lock()
	t.st = t.src.State()
	t.mu.Unlock()
	unsubscribe := t.src.Subscribe(func(st session.State) {
		t.mu.Lock()
		t.st = st
		t.mu.Unlock()
		t.render()
	})
	defer unsubscribe()
	t.render()
	minute := time.NewTicker(time.Minute)
	defer minute.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-minute.C:
			t.render()
		}
	}
}

// Stop makes later renders do nothing: the platform is going away (quit).
func (t *Tray) Stop() {
	t.renderMu.Lock()
	defer t.renderMu.Unlock()
	t.mu.Lock()
	t.stopped = true
	t.mu.Unlock()
}

func (t *Tray) copyAction(what session.Copyable) func() {
	return func() {
		// Clicks arrive on the platform's goroutine; the copy must not hold it.
		go func() {
			_, err := t.src.Copy(what)
			now := t.now()
			t.mu.Lock()
			if err != nil {
				t.copyFailed, t.copyFailedAt = "Copy failed: "+err.Error(), now
			} else {
				t.copied[what], t.copyFailed = now, ""
			}
			notificationsOn := t.st.Settings.Notifications
			t.mu.Unlock()
			t.render()
			if err != nil {
				if notificationsOn && t.notify != nil {
					t.notify("tokentray: copy failed", err.Error())
				}
				time.AfterFunc(copyFailedFor, t.render)
				return
			}
			time.AfterFunc(FlashFor, t.render)
		}()
	}
}

func (t *Tray) state(now time.Time) (State, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	st := State{State: t.st, Copied: make(map[session.Copyable]time.Time, len(t.copied))}
	for k, v := range t.copied {
		st.Copied[k] = v
	}
	if t.copyFailed != "" && now.Sub(t.copyFailedAt) < copyFailedFor {
		st.CopyFailed = t.copyFailed
	}
	return st, t.stopped
}

func (t *Tray) render() {
	t.renderMu.Lock()
	defer t.renderMu.Unlock()
	now := t.now()
	st, stopped := t.state(now)
	if stopped {
		return
	}
	if menu := Menu(st, now, t.acts); !sameMenu(menu, t.shownMenu) {
		t.platform.SetMenu(menu)
		t.shownMenu = menu
	}
	if icon := assets.TrayIcon(IconState(st.State), st.Demo); !slices.Equal(icon, t.shownIcon) {
		t.platform.SetIcon(icon)
		t.shownIcon = icon
	}
	if tip := Tooltip(st.State); tip != t.shownTooltip {
		t.platform.SetTooltip(tip)
		t.shownTooltip = tip
	}
	if title := Title(st.State); title != t.shownTitle {
		t.platform.SetTitle(title)
		t.shownTitle = title
	}
}

// sameMenu compares what a user sees: labels and which items are enabled. The actions of two
// menus with the same items are the same functions.
func sameMenu(a, b []Item) bool {
	return slices.EqualFunc(a, b, func(x, y Item) bool {
		return x.Label == y.Label && x.Separator == y.Separator && x.Enabled() == y.Enabled()
	})
}

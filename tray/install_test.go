package tray

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"github.com/godbus/dbus/v5"

	"tokentray/internal/session"
)

// panickyDesk is a desktop driver whose tray calls panic like systray's do once its D-Bus
// connection is closed.
type panickyDesk struct {
	desktop.App
	with  error
	calls int
}

func (d *panickyDesk) SetSystemTrayMenu(*fyne.Menu) {
	d.calls++
	panic(d.with)
}

func TestRenderStopsQuietlyWhenTheBusIsClosed(t *testing.T) {
	desk := &panickyDesk{with: fmt.Errorf("emitting: %w", dbus.ErrClosed)}
	tr := &Tray{desk: desk, st: session.State{}, copied: map[CopyItem]time.Time{}}
	tr.render() // must not panic
	tr.render() // and, once stopped, must not touch the platform again
	if desk.calls != 1 {
		t.Fatalf("%d calls to the tray after its bus closed, want 1", desk.calls)
	}
}

func TestRenderDoesNotHideOtherPanics(t *testing.T) {
	desk := &panickyDesk{with: errors.New("a bug")}
	tr := &Tray{desk: desk, st: session.State{}, copied: map[CopyItem]time.Time{}}
	defer func() {
		if r := recover(); r == nil {
			t.Fatal("a panic that is not a closed bus was swallowed")
		}
	}()
	tr.render()
}

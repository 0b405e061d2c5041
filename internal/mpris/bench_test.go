package mpris

import (
	"fmt"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"tokentray/internal/mpris/mpristest"
)

// BenchmarkSignalToCallback measures how long a track change takes from the player's
// PropertiesChanged signal to the Watcher's callback, over a real dbus-daemon. Issue 8 asks for
// at most 100 ms. Changes come Coalesce apart, as tracks do: closer ones wait for it on purpose.
func BenchmarkSignalToCallback(b *testing.B) {
	addr := mpristest.PrivateBus(b)
	p := mpristest.StartPlayer(b, addr, spotify, "Playing", map[string]dbus.Variant{"mpris:trackid": v("spotify:track:start"), "xesam:title": v("start")})
	_, snaps := watch(b, addr, nil)
	<-snaps
	var worst time.Duration
	i := 0
	for b.Loop() {
		i++
		sent := time.Now()
		p.Set("", map[string]dbus.Variant{"mpris:trackid": v(fmt.Sprintf("spotify:track:t%d", i)), "xesam:title": v("t")})
		select {
		case <-snaps:
		case <-time.After(guard):
			b.Fatal("no callback")
		}
		worst = max(worst, time.Since(sent))
		time.Sleep(Coalesce)
	}
	b.ReportMetric(float64(worst.Microseconds())/1000, "worst-ms")
}

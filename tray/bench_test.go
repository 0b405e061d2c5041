package tray

import (
	"testing"
	"time"

	"tokentray/internal/nowplaying"
	"tokentray/internal/session"
	"tokentray/internal/webapi"
)

// BenchmarkMenu builds the whole menu, as happens on every state change and every copy flash.
func BenchmarkMenu(b *testing.B) {
	now := time.Now()
	playing := &webapi.Playing{Kind: webapi.Track, IsPlaying: true, Title: "Paper Lanterns Over Tide",
		Artists: []string{"Marrow & Finch"}, URL: "https://open.spotify.com/track/x"}
	st := State{State: session.State{Authorization: session.LoggedIn, HasSecret: true, AccessExpiry: now.Add(50 * time.Minute),
		NowPlaying: nowplaying.State{Playing: playing, Label: nowplaying.Label(playing)}}}
	b.ReportAllocs()
	for b.Loop() {
		Menu(st, now, Actions{})
	}
}

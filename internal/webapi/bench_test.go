package webapi

import "testing"

// BenchmarkParseCurrentlyPlaying parses a full track answer, which the poller does every few
// seconds while music plays.
func BenchmarkParseCurrentlyPlaying(b *testing.B) {
	body := []byte(`{"timestamp":1764070000000,"progress_ms":42000,"is_playing":true,"currently_playing_type":"track",
"item":{"id":"4kQm2Tn8XvLpR7cJw1ZbYd","name":"Paper Lanterns Over Tide","duration_ms":215000,
"artists":[{"name":"Marrow & Finch"},{"name":"Guest"}],"album":{"name":"Low Tide","images":[]},
"external_urls":{"spotify":"https://open.spotify.com/track/4kQm2Tn8XvLpR7cJw1ZbYd"}}}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := parseCurrentlyPlaying(body); err != nil {
			b.Fatal(err)
		}
	}
}

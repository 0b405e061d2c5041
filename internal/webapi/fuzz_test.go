package webapi

import "testing"

func FuzzParseCurrentlyPlaying(f *testing.F) {
	for _, seed := range []string{
		trackBody, episodeBody, "", "null", "{}", "[]",
		`{"currently_playing_type":"ad","item":null}`,
		`{"currently_playing_type":"episode","item":null}`,
		`{"currently_playing_type":"track","item":null}`,
		`{"progress_ms":-5,"timestamp":-1,"item":{"duration_ms":9223372036854775807}}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := parseCurrentlyPlaying(body)
		if err != nil {
			return
		}
		if p == nil {
			t.Fatal("nil Playing without an error")
		}
		if p.Kind < Nothing || p.Kind > Unknown {
			t.Errorf("Kind %d out of range", p.Kind)
		}
		if p.Duration < 0 || p.Progress < 0 {
			t.Errorf("negative duration %v or progress %v", p.Duration, p.Progress)
		}
		if p.Kind == Episode && p.Title == "" {
			t.Errorf("episode without a title: %+v", p)
		}
	})
}

package retryafter

import (
	"net/http"
	"testing"
	"time"
)

var now = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

func TestParse(t *testing.T) {
	tests := []struct {
		value string
		want  time.Duration
	}{
		{"120", 2 * time.Minute},
		{" 7 ", 7 * time.Second},
		{"0", 0},
		{"52531", 52531 * time.Second}, // a quota answer: 14 h 35 min 31 s
		{"86400", 24 * time.Hour},
		{"86401", 24 * time.Hour},                   // clamped to Max
		{"99999999999999999999999", 24 * time.Hour}, // overflows int64: clamped, not Default
		{"", time.Second},
		{"soon", time.Second},
		{"-5", time.Second},
		{"1.5", time.Second},
		{"Sat, 28 Nov 2026 12:02:00 GMT", 2 * time.Minute},     // IMF-fixdate
		{"Saturday, 28-Nov-26 12:00:30 GMT", 30 * time.Second}, // RFC 850
		{"Sat Nov 28 12:00:45 2026", 45 * time.Second},         // ANSI C asctime
		{"Sat, 28 Nov 2026 11:00:00 GMT", 0},                   // already passed
		{"Tue, 01 Dec 2026 12:00:00 GMT", 24 * time.Hour},      // three days: clamped
		{"Sat, 28 Nov 2026 12:02:00 CET", time.Second},         // not an HTTP-date zone
	}
	for _, tc := range tests {
		if got := Parse(tc.value, now); got != tc.want {
			t.Errorf("Parse(%q) = %v, want %v", tc.value, got, tc.want)
		}
	}
}

func TestFromHeaderMeasuresDatesFromTheResponseDate(t *testing.T) {
	h := http.Header{}
	h.Set("Date", "Sat, 28 Nov 2026 09:00:00 GMT") // the server's clock is 3 h behind ours
	h.Set("Retry-After", "Sat, 28 Nov 2026 09:01:30 GMT")
	if got := FromHeader(h, now); got != 90*time.Second {
		t.Errorf("FromHeader = %v, want 1m30s measured from the Date header", got)
	}
	h.Del("Date")
	if got := FromHeader(h, now); got != 0 {
		t.Errorf("without Date: FromHeader = %v, want 0 (the date passed on our clock)", got)
	}
	h.Set("Retry-After", "30")
	h.Set("Date", "garbage")
	if got := FromHeader(h, now); got != 30*time.Second {
		t.Errorf("seconds with a bad Date: FromHeader = %v, want 30s", got)
	}
	if got := FromHeader(http.Header{}, now); got != Default {
		t.Errorf("no header: FromHeader = %v, want Default", got)
	}
}

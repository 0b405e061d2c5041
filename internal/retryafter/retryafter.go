// Package retryafter reads the Retry-After header of a 429 or 503 answer. It is the one place
// tokentray interprets that header, for the accounts service and the Web API alike.
package retryafter

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

const (
	// Default is the wait assumed when an answer that should say how long to wait does not, or
	// says it in a form this package cannot read: long enough not to hammer a server that is
	// shedding load, short enough that an interactive retry still fits in a few seconds.
	Default = time.Second
	// Max bounds the wait. Spotify's daily quota answers about 14 h; a larger value is a broken
	// header, and a client that believed it would look dead for days.
	Max = 24 * time.Hour
)

// Parse reads a Retry-After value in either form RFC 9110 allows: delay-seconds ("120") or an
// HTTP-date ("Wed, 21 Oct 2026 07:28:00 GMT"), which is measured from now. An empty or
// unreadable value gives Default; "0" or a date that has passed gives 0 (retry at once); the
// result is never more than Max.
func Parse(value string, now time.Time) time.Duration {
	value = strings.TrimSpace(value)
	if value == "" {
		return Default
	}
	if isDigits(value) {
		seconds, err := strconv.ParseInt(value, 10, 64)
		if err != nil || seconds > int64(Max/time.Second) { // only overflow fails here
			return Max
		}
		return time.Duration(seconds) * time.Second
	}
	at, err := http.ParseTime(value)
	if err != nil {
		return Default
	}
	return min(max(at.Sub(now), 0), Max)
}

// FromHeader is Parse for a response's headers. An HTTP-date is measured from the response's
// own Date header when it has one, so that a wrong local clock does not stretch or cut the wait;
// otherwise from now.
func FromHeader(h http.Header, now time.Time) time.Duration {
	if date, err := http.ParseTime(h.Get("Date")); err == nil {
		now = date
	}
	return Parse(h.Get("Retry-After"), now)
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

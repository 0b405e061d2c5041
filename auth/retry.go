package auth

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"time"

	"golang.org/x/oauth2"

	"tokentray/internal/backoff"
	"tokentray/internal/retryafter"
	"tokentray/internal/untrusted"
)

// ErrUnreachable marks failures to reach Spotify at all (network down, timeouts, 5xx, 429):
// worth retrying later, and exit code 4 in the CLI.
var ErrUnreachable = errors.New("could not reach Spotify")

// RetryPolicy bounds the retries of one token request. Waits grow exponentially from Base to
// Max with full jitter, so that many clients recovering together do not retry in lockstep.
type RetryPolicy struct {
	Attempts int
	Base     time.Duration
	Max      time.Duration
	// Sleep waits for d or until ctx ends; tests replace it to observe the waits.
	Sleep func(ctx context.Context, d time.Duration) error
}

// DefaultRetry suits an interactive call: a handful of tries within about half a minute.
var DefaultRetry = RetryPolicy{Attempts: 4, Base: 500 * time.Millisecond, Max: 10 * time.Second, Sleep: sleepCtx}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// backoff returns the wait before retry number n (1-based).
func (p RetryPolicy) backoff(n int) time.Duration {
	return backoff.Doubling{First: p.Base, Max: p.Max}.Jittered(n)
}

// do runs fetch until it succeeds, fails for good, or the attempts run out. A 429 waits for
// Retry-After; if that is longer than the context allows, it gives up at once and says so.
func (p RetryPolicy) do(ctx context.Context, fetch func() (*oauth2.Token, error)) (*oauth2.Token, error) {
	attempts := max(p.Attempts, 1)
	sleep := p.Sleep
	if sleep == nil {
		sleep = sleepCtx
	}
	var err error
	for n := 1; ; n++ {
		var tok *oauth2.Token
		tok, err = fetch()
		if err == nil {
			return tok, nil
		}
		wait, retryable := retryDelay(err)
		if !retryable || n >= attempts || ctx.Err() != nil {
			return nil, err
		}
		if wait == 0 {
			wait = p.backoff(n)
		}
		if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < wait {
			return nil, fmt.Errorf("%w (next try allowed in %s)", err, wait.Round(time.Second))
		}
		if serr := sleep(ctx, wait); serr != nil {
			return nil, err
		}
	}
}

// retryDelay classifies a token-request error: retryable or not, and the wait Spotify asked for.
// A timeout of the HTTP client is retryable like any network failure; whether the caller gave up
// is for do to check (ctx.Err), not for the error to say: a client timeout also matches
// context.DeadlineExceeded.
func retryDelay(err error) (time.Duration, bool) {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) && re.Response != nil {
		switch code := re.Response.StatusCode; {
		case code == http.StatusTooManyRequests:
			return retryafter.FromHeader(re.Response.Header, time.Now()), true
		case code >= 500:
			return 0, true
		default:
			return 0, false
		}
	}
	var netErr net.Error
	var urlErr *url.Error
	return 0, errors.As(err, &netErr) || errors.As(err, &urlErr)
}

// ErrBadAnswer marks a token answer tokentray cannot use (not JSON, no access token, a redirect).
// It also matches ErrUnreachable: for the user and for scripts (exit code 4) it means the same,
// Spotify did not give a usable answer, try later.
//
//lint:ignore ST1005 the message starts with a name, as the issue words it for the user
var ErrBadAnswer = errors.New("Spotify sent an answer tokentray cannot use")

// badAnswerError is an unusable token answer; it matches ErrBadAnswer and ErrUnreachable.
type badAnswerError struct{ op, detail string }

func (e *badAnswerError) Error() string {
	return fmt.Sprintf("%s while %s (%s); try again later, and if this persists check that TOKENTRAY_ACCOUNTS_URL "+
		"(if set) points at Spotify and that no proxy rewrites its answers", ErrBadAnswer, e.op, e.detail)
}

func (e *badAnswerError) Is(target error) bool {
	return target == ErrBadAnswer || target == ErrUnreachable
}

// describeTokenError turns an x/oauth2 error into one that says what happened and what to do.
// It never includes request bodies, which carry secrets, and strips control characters from
// whatever the server wrote. ctx is the caller's: a cancellation is the caller's doing, but a
// deadline (the HTTP client's timeout or the command's time budget) means Spotify was too slow,
// which is the same as unreachable.
func describeTokenError(ctx context.Context, op string, err error) error {
	if ctx.Err() != nil && errors.Is(err, context.Canceled) {
		return fmt.Errorf("%s: %w", op, context.Canceled)
	}
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		var netErr net.Error
		var urlErr *url.Error
		if errors.As(err, &netErr) && netErr.Timeout() || errors.Is(err, context.DeadlineExceeded) {
			return fmt.Errorf("%w while %s: Spotify did not answer in time (each try waits up to %s); check your network connection and try again", ErrUnreachable, op, tokenRequestTimeout)
		}
		if errors.As(err, &netErr) || errors.As(err, &urlErr) {
			return fmt.Errorf("%w while %s: %v; check your network connection and try again", ErrUnreachable, op, trimURLError(err))
		}
		// x/oauth2 parsed a 2xx answer and found no JSON or no access token in it.
		return &badAnswerError{op: op, detail: CleanServerText(err.Error())}
	}
	status := 0
	if re.Response != nil {
		status = re.Response.StatusCode
	}
	detail := CleanServerText(re.ErrorCode)
	if desc := CleanServerText(re.ErrorDescription); desc != "" {
		detail += ": " + desc
	}
	if detail == "" {
		detail = fmt.Sprintf("HTTP %d", status)
	}
	switch {
	case status >= 300 && status < 400:
		return &badAnswerError{op: op, detail: fmt.Sprintf("a redirect, HTTP %d, which tokentray does not follow with your credentials", status)}
	case status == http.StatusTooManyRequests:
		return fmt.Errorf("%w while %s: rate limited (HTTP 429); try again in %s", ErrUnreachable, op, retryafter.FromHeader(re.Response.Header, time.Now()))
	case status >= 500:
		return fmt.Errorf("%w while %s: Spotify answered HTTP %d; try again later", ErrUnreachable, op, status)
	case re.ErrorCode == "invalid_grant":
		return fmt.Errorf("%w (Spotify answered %s while %s)", ErrNeedsLogin, detail, op)
	case re.ErrorCode == "invalid_client":
		return fmt.Errorf("the app credentials were refused while %s (%s): check the client ID and secret at developer.spotify.com/dashboard → your app → Settings", op, detail)
	default:
		return fmt.Errorf("refused while %s (%s)", op, detail)
	}
}

// maxServerText bounds how much of a server's error text reaches a message.
const maxServerText = 300

// CleanServerText makes text from a server or a redirect safe to print (see untrusted.Line).
func CleanServerText(s string) string { return untrusted.Line(s, maxServerText) }

// trimURLError drops the URL from a transport error: it is noise for the user and, for a
// misconfigured host, can be long.
func trimURLError(err error) error {
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		return urlErr.Err
	}
	return err
}

// Package webapi is a small Spotify Web API client for the two calls tokentray makes: who is
// logged in (/v1/me) and what is playing (/v1/me/player/currently-playing).
//
// It is hand-written on net/http rather than built on github.com/zmb3/spotify/v2 because that
// library's CurrentlyPlaying has no currently_playing_type (an ad and "nothing playing" look the
// same), decodes every item as a track (an episode's show is lost), and its error type drops
// Retry-After; working around those would take more code than this file.
package webapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"tokentray/internal/retryafter"
)

// DefaultBaseURL is used when Client.BaseURL is empty. Paths below it start with /v1.
const DefaultBaseURL = "https://api.spotify.com"

// maxBodyBytes bounds how much of a response is read: the bodies we parse are a few kilobytes,
// and a misbehaving server must not make the tray allocate without limit.
const maxBodyBytes = 1 << 20

// defaultHTTP bounds each request so a stalled connection cannot freeze the now-playing poller,
// which waits for one answer before scheduling the next poll.
var defaultHTTP = &http.Client{Timeout: 30 * time.Second}

// TokenSource supplies user access tokens. auth.Manager implements it.
type TokenSource interface {
	Token(ctx context.Context) (*oauth2.Token, error) // a valid user access token
	// ForceRefresh returns a token other than rejected, which Spotify answered with 401.
	ForceRefresh(ctx context.Context, rejected string) (*oauth2.Token, error)
}

// Paths of the endpoints the Client calls, as a Recorder is told them.
const (
	MePath               = "/v1/me"
	CurrentlyPlayingPath = "/v1/me/player/currently-playing"
)

// Recorder is told of every request the Client sends, by path (MePath, CurrentlyPlayingPath),
// including the retry after a 401: each one counts against Spotify's quota. It is called before
// the request goes out, so a request that then fails still counts, as it may have reached Spotify.
type Recorder interface {
	Record(path string)
}

// Client calls the Spotify Web API with the user's access token. A nil HTTP uses a client with a
// 30 s timeout; an empty BaseURL uses DefaultBaseURL; a nil Calls records nothing.
type Client struct {
	BaseURL string
	HTTP    *http.Client
	Tokens  TokenSource
	Calls   Recorder
}

// ReasonQuotaExceeded is the Reason of a 429 that refuses calls until the app's daily quota
// frees up, hours later, rather than for a few seconds.
const ReasonQuotaExceeded = "QUOTA_EXCEEDED"

// Error is a non-2xx answer from the Web API.
type Error struct {
	Status  int
	Message string // from the {"error":{"status":..,"message":..}} body, else the HTTP status text
	Reason  string // the body's "reason", such as ReasonQuotaExceeded; often empty
	// RetryAfter is how long to wait before the next call, for 429 and 503 answers (see package
	// retryafter for the default when the header is missing); 0 for the others.
	RetryAfter time.Duration
}

func (e *Error) Error() string {
	msg := fmt.Sprintf("Spotify Web API: %s (HTTP %d)", e.Message, e.Status)
	if e.RetryAfter > 0 {
		msg += fmt.Sprintf("; try again in %s", e.RetryAfter)
	}
	return msg
}

// User is the account behind the access token.
type User struct {
	ID, DisplayName string
}

// Me returns the account the access token belongs to.
func (c *Client) Me(ctx context.Context) (*User, error) {
	_, body, err := c.get(ctx, MePath)
	if err != nil {
		return nil, err
	}
	var wire struct {
		ID          string `json:"id"`
		DisplayName string `json:"display_name"`
	}
	if err := json.Unmarshal(body, &wire); err != nil {
		return nil, fmt.Errorf("unreadable /v1/me response from the Spotify Web API: %w", err)
	}
	return &User{ID: wire.ID, DisplayName: wire.DisplayName}, nil
}

// CurrentlyPlaying reports what the user's Spotify is playing. Nothing playing is not an error:
// it returns a Playing of Kind Nothing.
func (c *Client) CurrentlyPlaying(ctx context.Context) (*Playing, error) {
	status, body, err := c.get(ctx, CurrentlyPlayingPath+"?additional_types=episode")
	if err != nil {
		// A Dev-Mode refusal is also a 403 but has its own explanation (see DevModeError).
		if apiErr, ok := err.(*Error); ok && apiErr.Status == http.StatusForbidden {
			apiErr.Message += ". The token lacks the user-read-currently-playing scope: " +
				"add it to the scopes in Settings and log in again"
		}
		return nil, err
	}
	if status == http.StatusNoContent {
		return &Playing{Kind: Nothing}, nil
	}
	p, err := parseCurrentlyPlaying(body)
	if err != nil {
		return nil, fmt.Errorf("unreadable currently-playing response from the Spotify Web API: %w", err)
	}
	return p, nil
}

// get performs an authorised GET and returns the status and body of a 2xx answer. A 401 means
// the access token was revoked or expired early, so the token is refreshed once and the request
// retried once; a second 401 is returned as an *Error.
func (c *Client) get(ctx context.Context, path string) (int, []byte, error) {
	tok, err := c.Tokens.Token(ctx)
	if err != nil {
		return 0, nil, fmt.Errorf("get an access token for the Spotify Web API: %w", err)
	}
	resp, body, err := c.send(ctx, path, tok.AccessToken)
	if err != nil {
		return 0, nil, err
	}
	if resp.StatusCode == http.StatusUnauthorized {
		tok, err = c.Tokens.ForceRefresh(ctx, tok.AccessToken)
		if err != nil {
			return 0, nil, fmt.Errorf("refresh the access token after the Spotify Web API refused it: %w", err)
		}
		resp, body, err = c.send(ctx, path, tok.AccessToken)
		if err != nil {
			return 0, nil, err
		}
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return 0, nil, responseError(resp, body)
	}
	return resp.StatusCode, body, nil
}

func (c *Client) send(ctx context.Context, path, accessToken string) (*http.Response, []byte, error) {
	base := c.BaseURL
	if base == "" {
		base = DefaultBaseURL
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(base, "/")+path, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("invalid Spotify Web API URL %q (check TOKENTRAY_API_URL): %w", base, err)
	}
	req.Header.Set("Authorization", "Bearer "+accessToken)
	req.Header.Set("Accept", "application/json")
	httpClient := c.HTTP
	if httpClient == nil {
		httpClient = defaultHTTP
	}
	if c.Calls != nil {
		c.Calls.Record(req.URL.Path)
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		return nil, nil, fmt.Errorf("reach the Spotify Web API: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBodyBytes))
	if err != nil {
		return nil, nil, fmt.Errorf("read the Spotify Web API response to %s: %w", req.URL.Path, err)
	}
	return resp, body, nil
}

// responseError describes a non-2xx answer: a *DevModeError when Spotify refused the account or
// app because of Development Mode's rules, else an *Error.
func responseError(resp *http.Response, body []byte) error {
	e := &Error{Status: resp.StatusCode, Message: http.StatusText(resp.StatusCode)}
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable {
		e.RetryAfter = retryafter.FromHeader(resp.Header, time.Now())
	}
	var wire struct {
		Error struct {
			Message string `json:"message"`
			Reason  string `json:"reason"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &wire) == nil {
		if wire.Error.Message != "" {
			e.Message = wire.Error.Message
		}
		e.Reason = wire.Error.Reason
	}
	if dm := devModeRefusal(e); dm != nil {
		return dm
	}
	return e
}

// FixedToken is a TokenSource for an access token that is used as it is and never refreshed,
// as tests and benchmarks against the fake Spotify hold.
type FixedToken string

func (f FixedToken) Token(context.Context) (*oauth2.Token, error) {
	return &oauth2.Token{AccessToken: string(f)}, nil
}

// ForceRefresh fails: a fixed token has no successor.
func (f FixedToken) ForceRefresh(context.Context, string) (*oauth2.Token, error) {
	return nil, errors.New("the access token was refused and cannot be refreshed")
}

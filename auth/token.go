package auth

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"tokentray/internal/local"
)

// RefreshTokenLifetime is how long Spotify honours a user refresh token: since July 2026 it
// expires six months after the original authorization, however often it was used.
const RefreshTokenLifetime = 6 // months

// ErrNeedsLogin means no usable refresh token exists: never logged in, logged out, or Spotify
// answered invalid_grant (revoked, rotated away, or older than six months). Only a new login
// heals it, so callers stop retrying.
var ErrNeedsLogin = errors.New("login needed: run `tokentray login` or use Log in… in the tray")

// Account identifies the Spotify user a refresh token belongs to.
type Account struct {
	ID          string `json:"id"`
	DisplayName string `json:"display_name"`
}

// UserToken is the stored user authorization: the refresh token and its metadata plus the
// current access token, so that the tray and the CLI share one token instead of each refreshing.
// It lives in the secret store under KeyUserToken as JSON.
type UserToken struct {
	AccessToken  string    `json:"access_token"`
	TokenType    string    `json:"token_type"`
	RefreshToken string    `json:"refresh_token"`
	Expiry       time.Time `json:"expiry"`
	// Scope is the space-separated list Spotify granted, which can be less than was asked for.
	Scope        string    `json:"scope"`
	AuthorizedAt time.Time `json:"authorized_at"`
	ClientID     string    `json:"client_id"`
	Account      Account   `json:"account"`
	// NeedsLogin is set when Spotify refused the refresh token; the record is kept so that
	// `tokentray status` can still say whose token it was and why it stopped working.
	NeedsLogin       bool   `json:"needs_login,omitempty"`
	NeedsLoginReason string `json:"needs_login_reason,omitempty"`
}

// GrantedScopes returns the granted scopes as a list.
func (t *UserToken) GrantedScopes() []string { return strings.Fields(t.Scope) }

// RefreshExpires returns when Spotify stops accepting the refresh token.
func (t *UserToken) RefreshExpires() time.Time {
	return t.AuthorizedAt.AddDate(0, RefreshTokenLifetime, 0)
}

// Remaining returns how long the access token stays valid at now.
func (t *UserToken) Remaining(now time.Time) time.Duration {
	if t.AccessToken == "" {
		return 0
	}
	return t.Expiry.Sub(now)
}

// AppToken is a cached Client Credentials token (no refresh token: a new one is requested when due).
type AppToken struct {
	AccessToken string    `json:"access_token"`
	TokenType   string    `json:"token_type"`
	Expiry      time.Time `json:"expiry"`
	ClientID    string    `json:"client_id"`
}

// Redact shows at most the first four characters of a secret, for messages that must identify
// one without revealing it.
func Redact(secret string) string {
	if len(secret) <= 4 {
		return "****"
	}
	return secret[:4] + "…"
}

func loadJSON[T any](store local.SecretStore, key string) (*T, error) {
	raw, err := store.Get(key)
	if err != nil {
		return nil, err
	}
	var v T
	if err := json.Unmarshal([]byte(raw), &v); err != nil {
		// The value is a secret: name the key, never echo the content.
		return nil, fmt.Errorf("stored %s is damaged (%v): log in again to replace it", key, local.DescribeJSONError(err))
	}
	return &v, nil
}

func saveJSON(store local.SecretStore, key string, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return store.Set(key, string(raw))
}

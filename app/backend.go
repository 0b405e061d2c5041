// Package app is tokentray's window: the Spotify app settings, scopes, login, status and token
// buttons. It renders session state and calls the session back through Backend; Start also
// installs the tray so the window can stay hidden.
package app

import (
	"context"
	"time"

	"tokentray/auth"
	"tokentray/internal/session"
)

// Backend is what the window and the tray need from the session; internal/session implements it.
// Subscribe callbacks may arrive on any goroutine.
type Backend interface {
	State() session.State
	Subscribe(func(session.State)) (unsubscribe func())
	// SaveSettings validates and stores s. secretChanged false keeps the stored client secret;
	// true replaces it with secret, where "" removes it (PKCE from then on). A validation failure
	// is an error that errors.As to auth.FieldErrors.
	SaveSettings(s auth.Settings, secret string, secretChanged bool) error
	StartLogin() error // opens the browser and returns; progress arrives as State.Login
	CancelLogin()
	UserToken() (token string, validFor time.Duration, err error) // never waits on the network
	AppToken() (token string, validFor time.Duration, err error)
	EnvText() (string, error)
	TestToken(ctx context.Context) (string, error)
	Logout(all bool) error // all: the client secret too
}

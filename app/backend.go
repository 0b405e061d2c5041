// Package app is tokentray's window: the Spotify app settings, scopes, login, status and token
// buttons. It runs in a process of its own, started by the tray on demand; it renders the
// tray's state and sends the user's actions back through Backend (trayapi.Remote in the window
// process, a session.Session in tests). It knows nothing of the tray itself.
package app

import (
	"context"

	"tokentray/internal/local"
	"tokentray/internal/session"
)

// Backend is what the window needs from the tray's session. Subscribe callbacks may arrive on
// any goroutine.
type Backend interface {
	State() session.State
	Subscribe(func(session.State)) (unsubscribe func())
	// SaveSettings validates and stores s. secretChanged false keeps the stored client secret;
	// true replaces it with secret, where "" removes it (PKCE from then on). A validation failure
	// is an error that errors.As to local.FieldErrors.
	SaveSettings(s local.Settings, secret string, secretChanged bool) error
	// ResetSettings replaces a damaged settings file with the defaults, keeping the login and
	// the client secret.
	ResetSettings() error
	StartLogin() error // opens the browser and returns; progress arrives as State.Login
	CancelLogin()
	// Copy puts a token or the .env text on the tray's clipboard and returns a sentence that
	// says so; it never waits on the network.
	Copy(what session.Copyable) (string, error)
	TestToken(ctx context.Context) (string, error)
	Logout(all bool) error // all: the client secret too
}

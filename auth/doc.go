// Package auth is tokentray's OAuth with Spotify, on golang.org/x/oauth2: the app's Config
// (config.go); the browser login through a loopback server, with the client secret or PKCE
// (login.go); the Manager, which hands out access tokens, refreshes them once for all callers
// and processes, and saves a rotated refresh token before it is used (manager.go); the keeper
// that refreshes ahead of expiry (keeper.go); retries and Spotify's error answers (retry.go);
// the stored token records (token.go); the Profile that opens settings, secret and manager
// together (profile.go); and the credentials other tools get (toolenv.go).
//
// What is stored where, and the settings themselves, are package local's.
package auth

// Package local is tokentray's state on this machine, apart from OAuth: the settings file
// (settings.json, validated on load and on save), the secret stores (the OS keyring, or an
// unencrypted file on request), the lock file that serialises refreshes across processes, and
// the catalogue of Spotify scopes. Package auth builds on it; neither knows any UI.
package local

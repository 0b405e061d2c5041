// Package trayapi is the local protocol between the running tray and tokentray's other
// processes: the window, the command line and a second start. It is one JSON object a line over
// a Unix socket in the config directory.
//
// The tray holds instance.lock and listens on instance.sock (both in the 0700 config
// directory); on Linux it also refuses peers of another user (SO_PEERCRED). Only the tray holds
// the login: the window is a view that sends its actions here, and `tokentray token` asks for a
// token here instead of refreshing (and, with PKCE, rotating) on its own.
//
// Every line carries the protocol's version (version.go); the state it sends is wire.go's, not
// session.State as Go names it, so that the JSON is a contract a rename cannot break unseen.
package trayapi

// Package trayapi is the local protocol between the running tray and tokentray's other
// processes: the window, the command line and a second start. It is one JSON object a line over
// a Unix socket in the config directory.
//
// The tray holds instance.lock and listens on instance.sock (both in the 0700 config
// directory; a socket path too long for sun_path moves to $XDG_RUNTIME_DIR). Both sides refuse a
// peer of another user (SO_PEERCRED on Linux, LOCAL_PEERCRED on macOS) and a socket directory
// others can write. Windows without AF_UNIX (Wine) gets a loopback TCP port whose clients first
// send a per-session secret kept in the config directory. A tray that does not answer within
// about 2 s counts as absent (Absent): the caller works on its own. Only the tray holds
// the login: the window is a view that sends its actions here, and `tokentray token` asks for a
// token here instead of refreshing (and, with PKCE, rotating) on its own.
//
// Every line carries the protocol's version (version.go); the state it sends is wire.go's, not
// session.State as Go names it, so that the JSON is a contract a rename cannot break unseen.
package trayapi

package trayapi

import (
	"errors"
	"time"

	"golang.org/x/oauth2"

	"tokentray/auth"
	"tokentray/internal/local"
	"tokentray/internal/session"
)

// The operations a request may name.
const (
	opShow         = "show"   // raise the window (start it if none is open)
	opReload       = "reload" // settings or login changed on disk: read them again
	opToken        = "token"  // a fresh access token
	opState        = "state"  // the current state, once
	opNow          = "now"    // the state once what plays is known; asks Spotify if nothing is
	opWatch        = "watch"  // the state now and on every change; the window's connection
	opSaveSettings = "save-settings"
	opReset        = "reset-settings"
	opLogin        = "login"
	opCancelLogin  = "cancel-login"
	opCopy         = "copy"
	opTestToken    = "test-token"
	opLogout       = "logout"
)

// request is one line from a client.
type request struct {
	V  int    `json:"v"` // protocolVersion
	Op string `json:"op"`

	App             bool `json:"app,omitempty"`               // token: the app token
	MinValidSeconds int  `json:"min_valid_seconds,omitempty"` // token: 0 = the settings'

	Settings      *local.Settings `json:"settings,omitempty"` // save-settings
	Secret        string          `json:"secret,omitempty"`
	SecretChanged bool            `json:"secret_changed,omitempty"`

	Copy session.Copyable `json:"copy,omitempty"` // copy
	All  bool             `json:"all,omitempty"`  // logout: the client secret too
	// Window marks a watch from the window process: the tray raises it on show, and a second
	// window is told to leave.
	Window bool `json:"window,omitempty"`
}

// response is one line from the tray. A watch gets a stream of them.
type response struct {
	V       int        `json:"v"` // protocolVersion
	Error   *wireError `json:"error,omitempty"`
	Token   *Token     `json:"token,omitempty"`
	State   *wireState `json:"state,omitempty"`
	Message string     `json:"message,omitempty"`
	// Raise tells a watching window to come to the front.
	Raise bool `json:"raise,omitempty"`
	// AlreadyOpen tells a second window that the first was raised instead.
	AlreadyOpen bool `json:"already_open,omitempty"`
}

// Token is an access token as the tray hands it out, and as `tokentray token --json` prints it.
type Token struct {
	AccessToken string    `json:"access_token"`
	TokenType   string    `json:"token_type"`
	ExpiresAt   time.Time `json:"expires_at"`
	Scope       string    `json:"scope"`
}

// TokenFrom describes tok.
func TokenFrom(tok *oauth2.Token) Token {
	scope, _ := tok.Extra("scope").(string)
	return Token{AccessToken: tok.AccessToken, TokenType: tok.TokenType, ExpiresAt: tok.Expiry.UTC(), Scope: scope}
}

// wireError carries an error's message and the class the caller acts on (exit codes, fields).
type wireError struct {
	Message string            `json:"message"`
	Kind    string            `json:"kind,omitempty"`
	Fields  local.FieldErrors `json:"fields,omitempty"`
}

// The error classes that cross the socket, each with the sentinel it stands for.
var errorKinds = map[string]error{
	"needs-login": auth.ErrNeedsLogin,
	"unreachable": auth.ErrUnreachable,
	"no-secret":   auth.ErrNoSecret,
	"busy":        ErrBusy,
}

func toWire(err error) *wireError {
	if err == nil {
		return nil
	}
	w := &wireError{Message: err.Error()}
	var fields local.FieldErrors
	if errors.As(err, &fields) {
		w.Kind, w.Fields = "fields", fields
		return w
	}
	for kind, sentinel := range errorKinds {
		if errors.Is(err, sentinel) {
			w.Kind = kind
		}
	}
	return w
}

// RemoteError is an error the tray answered with; errors.Is and errors.As see the same classes
// (auth.ErrNeedsLogin, local.FieldErrors, …) as in the tray.
type RemoteError struct {
	msg   string
	cause error
}

func (e *RemoteError) Error() string { return e.msg }
func (e *RemoteError) Unwrap() error { return e.cause }

func (w *wireError) err() error {
	if w == nil {
		return nil
	}
	if w.Kind == "fields" {
		return &RemoteError{msg: w.Message, cause: w.Fields}
	}
	return &RemoteError{msg: w.Message, cause: errorKinds[w.Kind]}
}

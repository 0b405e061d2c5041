package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"tokentray/auth"
)

func runToken(env *Env, args []string) error {
	fs := newFlagSet(env, "token", "print only a valid access token, refreshing it if needed")
	app := fs.Bool("app", false, "print an app-only Client Credentials token instead of the user token")
	asJSON := fs.Bool("json", false, `print {"access_token","token_type","expires_at","scope"} instead`)
	minValid := fs.Duration("min-valid", 0, "the token must stay valid at least this long (default: the setting, 10m)")
	insecure := insecureFlag(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if *minValid != 0 && (*minValid < time.Minute || *minValid > 50*time.Minute) {
		return usagef("--min-valid %s: choose a duration from 1m to 50m (access tokens live 60 minutes)", *minValid)
	}
	_, m, err := openManager(env, *insecure, func(s *auth.Settings) {
		if *minValid > 0 {
			s.MinValidSeconds = int(minValid.Seconds())
		}
	})
	if err != nil {
		return err
	}
	ctx, cancel := commandContext(time.Minute)
	defer cancel()
	var tok *oauth2.Token
	if *app {
		tok, err = m.AppToken(ctx)
	} else {
		tok, err = m.Token(ctx)
	}
	if err != nil {
		return err
	}
	if !*asJSON {
		_, err = fmt.Fprintln(env.Stdout, tok.AccessToken)
		return err
	}
	scope, _ := tok.Extra("scope").(string)
	return writeJSON(env.Stdout, struct {
		AccessToken string    `json:"access_token"`
		TokenType   string    `json:"token_type"`
		ExpiresAt   time.Time `json:"expires_at"`
		Scope       string    `json:"scope"`
	}{tok.AccessToken, tok.TokenType, tok.Expiry.UTC(), scope})
}

func runEnv(env *Env, args []string) error {
	fs := newFlagSet(env, "env", "print the credentials a \"now playing\" site or script needs")
	format := fs.String("format", "dotenv", "dotenv, shell (export lines) or json")
	insecure := insecureFlag(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if !slices.Contains(auth.EnvFormats, *format) {
		return usagef("--format %q: choose one of %s", *format, strings.Join(auth.EnvFormats, ", "))
	}
	_, m, err := openManager(env, *insecure, nil)
	if err != nil {
		return err
	}
	creds, err := m.ToolCredentials()
	if err != nil {
		return err
	}
	if creds.PKCE() {
		fmt.Fprintln(env.Stderr, "tokentray: warning: this login used PKCE, whose refresh tokens rotate: the first refresh by"+
			" either tokentray or the other tool revokes the copy the other holds. For a tool, log in with the client secret.")
	}
	text, err := creds.Format(*format)
	if err != nil {
		return err
	}
	_, err = fmt.Fprint(env.Stdout, text)
	return err
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

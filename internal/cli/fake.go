package cli

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"tokentray/internal/fakespotify"
)

func runFakeSpotify(env *Env, args []string) error {
	fs := newFlagSet(env, "fake-spotify", "serve a fake Spotify (accounts + Web API) with a demo app, account and player")
	addr := fs.String("addr", "127.0.0.1:0", "address to listen on (loopback only; port 0 picks a free one)")
	autoApprove := fs.Bool("auto-approve", false, "skip the consent page: /authorize redirects with a code at once")
	if err := parse(fs, args); err != nil {
		return err
	}
	srv, err := fakespotify.StartDemo(*addr, fakespotify.Options{AutoApprove: *autoApprove})
	if err != nil {
		return err
	}
	defer srv.Close()
	app := fakespotify.DemoApp
	fmt.Fprintf(env.Stdout, `Fake Spotify on %[1]s (Ctrl+C stops it)

  export TOKENTRAY_ACCOUNTS_URL=%[1]s TOKENTRAY_API_URL=%[1]s
  export SPOTIFY_CLIENT_ID=%[2]s SPOTIFY_CLIENT_SECRET=%[3]s
  tokentray login --redirect-uri http://127.0.0.1:8888/callback

Registered redirect URIs: %[4]v. Control: POST %[1]s/_fake/player/next (pause, play, stop), /_fake/revoke-all.
`, srv.URL(), app.ClientID, app.ClientSecret, app.RedirectURIs)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	<-ctx.Done()
	return nil
}

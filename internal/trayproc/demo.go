package trayproc

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"tokentray/internal/fakespotify"
	"tokentray/internal/local"
	"tokentray/internal/session"
)

// demoService and the tokentray-demo config directory keep demo mode away from the real login.
const demoService = "tokentray-demo"

// startDemo starts the built-in fake Spotify and turns o into options for a session against it:
// the demo app registered and configured, its own config directory and keyring service (or
// memory, when there is no keyring), so that nothing real is touched. stop shuts the fake down.
func startDemo(o session.Options) (_ session.Options, stop func(), err error) {
	fake, err := fakespotify.StartDemo("127.0.0.1:0", fakespotify.Options{})
	if err != nil {
		return session.Options{}, nil, err
	}
	stop = func() { fake.Close() }
	o.Demo = true
	o.Service = demoService
	o.AccountsURL, o.APIURL = fake.URL(), fake.URL()
	// Never the configured directory: the demo writes its own settings.
	base, err := os.UserConfigDir()
	if err != nil {
		base = os.TempDir()
	}
	o.ConfigDir = filepath.Join(base, "tokentray-demo")
	if o.Store == nil {
		if _, err := local.OpenStore(local.StoreOptions{Service: demoService, ConfigDir: o.ConfigDir}); errors.Is(err, local.ErrNoKeyring) {
			o.Store = local.NewMemoryStore() // a demo must run anywhere; it has nothing worth keeping
		}
	}
	if err := seedDemo(o); err != nil {
		stop()
		return session.Options{}, nil, err
	}
	return o, stop, nil
}

// seedDemo fills in the demo app's settings and secret, keeping the user's other demo choices.
func seedDemo(o session.Options) error {
	settings, _, err := local.LoadSettings(o.ConfigDir)
	if err != nil {
		return err
	}
	settings.ClientID = fakespotify.DemoApp.ClientID
	settings.RedirectURI = fakespotify.DemoApp.RedirectURIs[0]
	if err := local.SaveSettings(o.ConfigDir, settings); err != nil {
		return fmt.Errorf("saving the demo settings: %w", err)
	}
	store := o.Store
	if store == nil {
		if store, err = local.OpenStore(local.StoreOptions{Service: o.Service, ConfigDir: o.ConfigDir, Insecure: o.Insecure}); err != nil {
			return err
		}
	}
	// Each demo starts a fresh fake, which knows none of the tokens an earlier demo stored.
	for _, key := range []string{local.KeyUserToken, local.KeyAppToken} {
		if err := store.Delete(key); err != nil {
			return err
		}
	}
	return store.Set(local.KeyClientSecret, fakespotify.DemoApp.ClientSecret)
}

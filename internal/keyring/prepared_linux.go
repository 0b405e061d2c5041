package keyring

import (
	"errors"
	"fmt"

	"github.com/godbus/dbus/v5"
	ss "github.com/zalando/go-keyring/secret_service"
)

// Writer writes one key of the Secret Service over a session opened, and a collection unlocked,
// ahead of time: Set is then a single D-Bus call (CreateItem) instead of three (OpenSession,
// Unlock, CreateItem). It exists for the write that saves a rotated refresh token, where every
// millisecond between Spotify's answer and the stored copy is a window for losing the login.
type Writer struct {
	svc        *ss.SecretService
	session    dbus.BusObject
	collection dbus.BusObject
	service    string
	key        string
}

// errNotSecretService means the backend in use is not the Secret Service this package would
// write to directly (a test's mock keyring): Prepare refuses rather than write elsewhere.
var errNotSecretService = errors.New("the keyring in use is not the session's Secret Service")

// Prepare opens a Writer for service and key. The key must be stored already: Prepare reads it
// both through the Secret Service session and through the normal path (Get), and refuses unless
// they agree, so that a Writer never writes to a keyring other than the one Get reads.
func Prepare(service, key string) (*Writer, error) {
	get := backendGet
	return withTimeout("prepare", func() (*Writer, error) {
		svc, err := ss.NewSecretService()
		if err != nil {
			return nil, err
		}
		session, err := svc.OpenSession()
		if err != nil {
			return nil, err
		}
		w := &Writer{svc: svc, session: session, collection: svc.GetLoginCollection(), service: service, key: key}
		if err := w.check(get); err != nil {
			w.Close()
			return nil, err
		}
		return w, nil
	})
}

// check unlocks the collection and compares the stored value with what get returns.
func (w *Writer) check(get func(service, key string) (string, error)) error {
	if err := w.svc.Unlock(w.collection.Path()); err != nil {
		return err
	}
	items, err := w.svc.SearchItems(w.collection, w.attributes())
	if err != nil {
		return err
	}
	if len(items) == 0 {
		return errNotSecretService
	}
	secret, err := w.svc.GetSecret(items[0], w.session.Path())
	if err != nil {
		return err
	}
	want, err := get(w.service, w.key)
	if err != nil || want != string(secret.Value) {
		return errNotSecretService
	}
	return nil
}

// attributes are go-keyring's, so that Get and Delete find what Set wrote.
func (w *Writer) attributes() map[string]string {
	return map[string]string{"username": w.key, "service": w.service}
}

// Set replaces the value of the Writer's key.
func (w *Writer) Set(secret string) error {
	_, err := withTimeout("set", func() (struct{}, error) {
		label := fmt.Sprintf("Password for '%s' on '%s'", w.key, w.service) // go-keyring's label
		return struct{}{}, w.svc.CreateItem(w.collection, label, w.attributes(), ss.NewSecret(w.session.Path(), secret))
	})
	return err
}

// Close ends the session; the bus connection is shared and stays open.
func (w *Writer) Close() {
	_ = w.svc.Close(w.session) // the daemon drops the session with the connection anyway
}

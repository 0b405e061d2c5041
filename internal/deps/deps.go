// Package deps pins the modules the packages under construction import, so that go.mod stays
// tidy while they are written in parallel. Deleted once every import has a real user.
package deps

import (
	_ "fyne.io/fyne/v2/app"
	_ "fyne.io/fyne/v2/test"
	_ "fyne.io/systray"
	_ "github.com/chromedp/chromedp"
	_ "github.com/godbus/dbus/v5"
	_ "github.com/gofrs/flock"
	_ "github.com/zalando/go-keyring"
	_ "golang.org/x/oauth2"
	_ "golang.org/x/oauth2/clientcredentials"
)

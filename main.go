// Command tokentray keeps Spotify Web API tokens fresh: a tray app, and commands for scripts.
package main

import (
	"os"

	"tokentray/app"
	"tokentray/internal/browser"
	"tokentray/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], cli.Env{
		Stdin:       os.Stdin,
		Stdout:      os.Stdout,
		Stderr:      os.Stderr,
		OpenBrowser: browser.Open,
		RunDesktop: func(o cli.DesktopOptions) error {
			return app.Run(app.RunOptions{Demo: o.Demo, InsecureStorage: o.InsecureStorage})
		},
	}))
}

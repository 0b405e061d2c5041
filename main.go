// Command tokentray keeps Spotify Web API tokens fresh: a tray process (no arguments), its
// window (`tokentray window`, started by the tray) and commands for scripts.
package main

import (
	"os"

	"tokentray/internal/browser"
	"tokentray/internal/cli"
	"tokentray/internal/trayproc"
	"tokentray/internal/windowproc"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], cli.Env{
		Stdin:       os.Stdin,
		Stdout:      os.Stdout,
		Stderr:      os.Stderr,
		OpenBrowser: browser.Open,
		RunTray: func(o cli.DesktopOptions) error {
			return trayproc.Run(trayproc.Options{Demo: o.Demo, InsecureStorage: o.InsecureStorage})
		},
		RunWindow: windowproc.Run,
	}))
}

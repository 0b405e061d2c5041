// Command tokentray keeps Spotify Web API tokens fresh: a tray process (no arguments), its
// window (`tokentray window`, started by the tray) and commands for scripts.
package main

import (
	"os"

	"tokentray/internal/browser"
	"tokentray/internal/cli"
	"tokentray/internal/console"
	"tokentray/internal/trayproc"
	"tokentray/internal/windowproc"
)

func main() {
	if len(os.Args) > 1 {
		console.AttachParent() // Windows: a command typed in cmd or PowerShell prints there
	}
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

package cli

import (
	"errors"
	"flag"
	"fmt"

	"tokentray/internal/autostart"
)

const autostartSummary = "start tokentray when you log in: on, off, or status (read from the system)"

func runAutostart(env *Env, args []string) error {
	fs := newFlagSet(env, "autostart", autostartSummary)
	fs.Usage = func() {
		fmt.Fprintf(env.Stderr, "tokentray autostart: %s\n\nUsage: tokentray autostart on|off|status\n", autostartSummary)
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return &usageError{err.Error()}
	}
	if fs.NArg() != 1 {
		return usagef("autostart needs one word: on, off or status (see tokentray autostart --help)")
	}
	var st autostart.State
	var err error
	switch fs.Arg(0) {
	case "on":
		st, err = autostart.Enable()
	case "off":
		st, err = autostart.Disable()
	case "status":
		st, err = autostart.Status()
	default:
		return usagef("autostart: unexpected argument %q: use on, off or status", fs.Arg(0))
	}
	if err != nil {
		return err
	}
	fmt.Fprintln(env.Stdout, st)
	return nil
}

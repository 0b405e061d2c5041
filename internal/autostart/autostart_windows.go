package autostart

import (
	"errors"
	"fmt"

	"golang.org/x/sys/windows/registry"
)

const (
	runKey = `Software\Microsoft\Windows\CurrentVersion\Run`
	// approvedKey is where Task Manager's Startup tab and Settings > Apps > Startup record a
	// user's switch: a binary value whose first byte is odd when the entry is switched off.
	approvedKey = `Software\Microsoft\Windows\CurrentVersion\Explorer\StartupApproved\Run`
	valueName   = "tokentray"
	where       = `HKCU\` + runKey + ` value "` + valueName + `"`
)

func enable(program string) error {
	k, _, err := registry.CreateKey(registry.CURRENT_USER, runKey, registry.SET_VALUE)
	if err != nil {
		return fmt.Errorf("opening HKCU\\%s: %w", runKey, err)
	}
	defer k.Close()
	if err := k.SetStringValue(valueName, `"`+program+`"`); err != nil {
		return fmt.Errorf("writing %s: %w", where, err)
	}
	// Turning it on here overrides an earlier "off" in Task Manager.
	return deleteValue(approvedKey)
}

func disable() error {
	return errors.Join(deleteValue(runKey), deleteValue(approvedKey))
}

// deleteValue removes tokentray's value under HKCU\key; a missing key or value is not an error.
func deleteValue(key string) error {
	k, err := registry.OpenKey(registry.CURRENT_USER, key, registry.SET_VALUE)
	if errors.Is(err, registry.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("opening HKCU\\%s: %w", key, err)
	}
	defer k.Close()
	if err := k.DeleteValue(valueName); err != nil && !errors.Is(err, registry.ErrNotExist) {
		return fmt.Errorf("removing %q from HKCU\\%s: %w", valueName, key, err)
	}
	return nil
}

func status() (State, error) {
	st := State{Where: where}
	k, err := registry.OpenKey(registry.CURRENT_USER, runKey, registry.QUERY_VALUE)
	if errors.Is(err, registry.ErrNotExist) {
		return st, nil
	}
	if err != nil {
		return State{}, fmt.Errorf("opening HKCU\\%s: %w", runKey, err)
	}
	defer k.Close()
	command, _, err := k.GetStringValue(valueName)
	if errors.Is(err, registry.ErrNotExist) {
		return st, nil
	}
	if err != nil {
		return State{}, fmt.Errorf("reading %s: %w", where, err)
	}
	st.Command = command
	if switchedOff() {
		st.Note = "it is switched off in Task Manager's Startup tab"
	}
	st.Enabled = st.Note == ""
	return st, nil
}

// switchedOff reads Task Manager's switch for the entry; no record means on.
func switchedOff() bool {
	k, err := registry.OpenKey(registry.CURRENT_USER, approvedKey, registry.QUERY_VALUE)
	if err != nil {
		return false
	}
	defer k.Close()
	data, _, err := k.GetBinaryValue(valueName)
	return err == nil && len(data) > 0 && data[0]&1 == 1
}

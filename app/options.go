package app

import (
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"tokentray/internal/autostart"
	"tokentray/internal/session"
)

// optionsSection holds the settings that apply at once, without a login.
type optionsSection struct {
	w             *Window
	clearAfter    *widget.Entry
	notifications *widget.Check
	autostart     *widget.Check
	msg           *widget.Label
}

func newOptionsSection(w *Window, st session.State) *optionsSection {
	s := &optionsSection{w: w, msg: messageLabel()}
	s.clearAfter = widget.NewEntry()
	s.clearAfter.SetText(strconv.Itoa(st.Settings.ClipboardClearSeconds))
	s.clearAfter.OnSubmitted = func(string) { s.save() }
	s.notifications = widget.NewCheck("Notify me of logins, logins about to expire and failing refreshes",
		func(bool) { s.save() })
	s.notifications.Checked = st.Settings.Notifications
	s.autostart = widget.NewCheck("Start tokentray when I log in", s.setAutostart)
	s.showAutostart()
	return s
}

func (s *optionsSection) content() fyne.CanvasObject {
	apply := widget.NewButton("Apply", s.save)
	// A number needs no full-width field.
	field := container.NewGridWrap(fyne.NewSize(100, s.clearAfter.MinSize().Height), s.clearAfter)
	seconds := container.NewHBox(field, widget.NewLabel("seconds (0 = never)"), apply)
	note := widget.NewLabel("Only what tokentray copied is cleared: if you copy something else meanwhile, it stays.")
	note.Wrapping = fyne.TextWrapWord
	form := widget.NewForm(
		widget.NewFormItem("Clear clipboard after", container.NewVBox(seconds, note)),
		widget.NewFormItem("Notifications", s.notifications),
		widget.NewFormItem("Startup", s.autostart),
	)
	return container.NewVScroll(container.NewVBox(widget.NewCard("Options", "", container.NewVBox(form, s.msg))))
}

// clearSeconds parses the delay field; ok false means it already said what is wrong.
func (s *optionsSection) clearSeconds() (int, bool) {
	n, err := strconv.Atoi(strings.TrimSpace(s.clearAfter.Text))
	if err != nil || n < 0 {
		say(s.msg, "Clear clipboard after: enter a whole number of seconds such as 60, or 0 to never clear.", widget.DangerImportance)
		return 0, false
	}
	return n, true
}

// save stores the options on top of the saved settings, not the Account tab's unsaved edits:
// ticking a box must not save a half-typed client ID.
func (s *optionsSection) save() {
	n, ok := s.clearSeconds()
	if !ok {
		return
	}
	settings := s.w.backend.State().Settings
	settings.ClipboardClearSeconds = n
	settings.Notifications = s.notifications.Checked
	err := s.w.backend.SaveSettings(settings, "", false)
	if fes, isField := fieldErrors(err); isField {
		for _, fe := range fes {
			if fe.Field == "clipboard_clear_seconds" {
				say(s.msg, fieldMessage(fe), widget.DangerImportance)
				return
			}
		}
		// The stored settings are incomplete (first run): the options go in with the next
		// Save or Log in on the Account tab, which collects them from here.
		say(s.msg, "Saved together with the Spotify app settings when you press Save or Log in on the Account tab.", widget.WarningImportance)
		return
	}
	if err != nil {
		say(s.msg, err.Error(), widget.DangerImportance)
		return
	}
	say(s.msg, "Saved.", widget.SuccessImportance)
}

// showAutostart ticks the box from the system's own entry, not from a remembered flag, so an
// entry removed elsewhere shows as off. Setting Checked directly does not call setAutostart.
func (s *optionsSection) showAutostart() {
	st, err := autostart.Status()
	s.autostart.Checked = err == nil && st.Enabled
	s.autostart.Refresh()
	if err != nil {
		say(s.msg, "Cannot tell whether tokentray starts when you log in: "+err.Error(), widget.DangerImportance)
	}
}

// setAutostart writes or removes the entry at once; it is no setting of tokentray's own, so it
// needs no Apply and no saved Spotify settings.
func (s *optionsSection) setAutostart(on bool) {
	change := autostart.Disable
	if on {
		change = autostart.Enable
	}
	st, err := change()
	s.showAutostart()
	if err != nil {
		say(s.msg, err.Error(), widget.DangerImportance)
		return
	}
	say(s.msg, "Start at login is "+st.String()+".", widget.SuccessImportance)
}

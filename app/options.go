package app

import (
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"tokentray/internal/autostart"
	"tokentray/internal/local"
	"tokentray/internal/session"
)

// optionsSection holds the settings that apply at once, without a login.
type optionsSection struct {
	w             *Window
	clearAfter    *widget.Entry
	notifications *widget.Check
	budget        *widget.Entry
	trackNotes    *widget.Check
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
	s.budget = widget.NewEntry()
	s.budget.SetText(strconv.Itoa(st.Settings.NowPlayingBudget))
	s.budget.OnSubmitted = func(string) { s.save() }
	s.trackNotes = widget.NewCheck("Notify me when the track changes, with its cover", func(bool) { s.save() })
	s.trackNotes.Checked = st.Settings.TrackNotifications
	s.autostart = widget.NewCheck("Start tokentray when I log in", s.setAutostart)
	s.showAutostart()
	return s
}

func (s *optionsSection) content() fyne.CanvasObject {
	// A number needs no full-width field.
	narrow := func(e *widget.Entry) fyne.CanvasObject {
		return container.NewGridWrap(fyne.NewSize(100, e.MinSize().Height), e)
	}
	seconds := container.NewHBox(narrow(s.clearAfter), widget.NewLabel("seconds (0 = never)"), widget.NewButton("Apply", s.save))
	note := widget.NewLabel("Only what tokentray copied is cleared: if you copy something else meanwhile, it stays.")
	note.Wrapping = fyne.TextWrapWord
	calls := container.NewHBox(narrow(s.budget), widget.NewLabel("Web API calls a day (0 = never)"), widget.NewButton("Apply", s.save))
	budgetNote := widget.NewLabel("Spotify cuts a Development-Mode app off for the day after about 1,100–1,400 calls, shared with " +
		"every tool that uses its credentials. The Spotify app on this computer is read without any call.")
	budgetNote.Wrapping = fyne.TextWrapWord
	form := widget.NewForm(
		widget.NewFormItem("Clear clipboard after", container.NewVBox(seconds, note)),
		widget.NewFormItem("Notifications", container.NewVBox(s.notifications, s.trackNotes)),
		widget.NewFormItem("Now playing budget", container.NewVBox(calls, budgetNote)),
		widget.NewFormItem("Startup", s.autostart),
	)
	return container.NewVScroll(container.NewVBox(widget.NewCard("Options", "", container.NewVBox(form, s.msg))))
}

// apply copies the tab's fields into settings; false means it already said what is wrong. The
// ranges are checked where the settings are validated.
func (s *optionsSection) apply(settings *local.Settings) bool {
	clear, err := strconv.Atoi(strings.TrimSpace(s.clearAfter.Text))
	if err != nil {
		say(s.msg, "Clear clipboard after: enter a whole number of seconds such as 60, or 0 to never clear.", widget.DangerImportance)
		return false
	}
	budget, err := strconv.Atoi(strings.TrimSpace(s.budget.Text))
	if err != nil {
		say(s.msg, "Now playing budget: enter a whole number of calls a day such as 500, or 0 to never ask the Web API.", widget.DangerImportance)
		return false
	}
	settings.ClipboardClearSeconds, settings.NowPlayingBudget = clear, budget
	settings.Notifications, settings.TrackNotifications = s.notifications.Checked, s.trackNotes.Checked
	return true
}

// save stores the options on top of the saved settings, not the Account tab's unsaved edits:
// ticking a box must not save a half-typed client ID.
func (s *optionsSection) save() {
	settings := s.w.backend.State().Settings
	if !s.apply(&settings) {
		return
	}
	err := s.w.backend.SaveSettings(settings, "", false)
	if fes, isField := fieldErrors(err); isField {
		for _, fe := range fes {
			if optionFields[fe.Field] {
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

// optionFields are the settings on this tab.
var optionFields = map[string]bool{local.FieldClipboardClear: true, local.FieldNowPlayingBudget: true}

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

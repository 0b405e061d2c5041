package app

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"tokentray/internal/local"
)

// fieldNouns turns settings keys into the words the window uses for them.
var fieldNouns = map[string]string{
	local.FieldClientID:         "The client ID",
	local.FieldRedirectURI:      "The redirect URI",
	local.FieldScopes:           "The scope list",
	local.FieldMinValidSeconds:  "The minimum token validity",
	local.FieldClipboardClear:   "The clipboard delay",
	local.FieldNowPlayingBudget: "The now-playing budget",
}

// fieldMessage is a FieldError as a sentence for the label next to its field.
func fieldMessage(fe *local.FieldError) string {
	noun, ok := fieldNouns[fe.Field]
	if !ok {
		noun = fe.Field
	}
	return noun + " " + fe.Problem + ". " + fe.Fix
}

// fieldErrors unpacks a SaveSettings error into its per-field problems, if it has any.
func fieldErrors(err error) (local.FieldErrors, bool) {
	var fes local.FieldErrors
	if errors.As(err, &fes) {
		return fes, true
	}
	var fe *local.FieldError
	if errors.As(err, &fe) {
		return local.FieldErrors{fe}, true
	}
	return nil, false
}

// breadcrumbArrow works around Fyne 2.8.1's bundled font: "→ " draws a replacement box after
// the arrow. The backend's messages use "→" in "dashboard → your app → Settings"; "›" reads the same.
var breadcrumbArrow = strings.NewReplacer("→", "›")

// say sets a message label; an empty text hides it so it takes no room.
func say(l *widget.Label, text string, importance widget.Importance) {
	l.Importance = importance
	l.SetText(breadcrumbArrow.Replace(text))
	if text == "" {
		l.Hide()
	} else {
		l.Show()
	}
}

// setStatus sets a status value; unlike say it keeps the label in place when empty.
func setStatus(l *widget.Label, text string, importance widget.Importance) {
	l.Importance = importance
	l.SetText(breadcrumbArrow.Replace(text))
}

func messageLabel() *widget.Label {
	l := widget.NewLabel("")
	l.Wrapping = fyne.TextWrapWord
	l.Hide()
	return l
}

// countdown formats a remaining duration as "52:07" or "1:02:07".
func countdown(d time.Duration) string {
	d = d.Truncate(time.Second)
	h, m, s := int(d/time.Hour), int(d%time.Hour/time.Minute), int(d%time.Minute/time.Second)
	if h > 0 {
		return fmt.Sprintf("%d:%02d:%02d", h, m, s)
	}
	return fmt.Sprintf("%d:%02d", m, s)
}

func day(t time.Time) string { return t.Local().Format("2 Jan 2006") }

func commaList(names []string) string { return strings.Join(names, ", ") }

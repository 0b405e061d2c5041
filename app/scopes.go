package app

import (
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"tokentray/internal/local"
)

const trayMark = " (tray)"

// scopesSection is one checkbox per scope, grouped, with presets.
type scopesSection struct {
	checks map[string]*widget.Check
	msg    *widget.Label // a scope problem reported by SaveSettings
}

// scopePresets in button order; each returns the scopes to check.
var scopePresets = []struct {
	name   string
	scopes func() []string
}{
	{"Now playing", local.TrayScopes},
	{"Playlists", func() []string { return append(local.TrayScopes(), scopesInGroup("Playlists")...) }},
	{"Everything", func() []string { return scopesInGroup("") }},
	{"None", func() []string { return nil }},
}

// scopesInGroup lists the scopes of group, or all scopes for "".
func scopesInGroup(group string) []string {
	var names []string
	for _, s := range local.AllScopes {
		if group == "" || s.Group == group {
			names = append(names, s.Name)
		}
	}
	return names
}

func newScopesSection(selected []string) *scopesSection {
	s := &scopesSection{checks: map[string]*widget.Check{}, msg: messageLabel()}
	for _, sc := range local.AllScopes {
		label := sc.Name
		if sc.Tray {
			label += trayMark
		}
		s.checks[sc.Name] = widget.NewCheck(label, nil)
	}
	s.set(selected)
	return s
}

func (s *scopesSection) content() fyne.CanvasObject {
	presets := container.NewHBox(widget.NewLabel("Presets:"))
	for _, p := range scopePresets {
		presets.Add(widget.NewButton(p.name, func() { s.set(p.scopes()) }))
	}
	intro := widget.NewLabel("Spotify asks you to approve these at the next login. " +
		"Scopes marked" + trayMark + " are what the tray needs to show what is playing.")
	intro.Wrapping = fyne.TextWrapWord

	// One grid for all groups, so the descriptions line up in a single column.
	list := container.New(layout.NewFormLayout())
	for _, group := range local.ScopeGroups() {
		list.Add(widget.NewLabelWithStyle(group, fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
		list.Add(layout.NewSpacer())
		for _, sc := range local.AllScopes {
			if sc.Group != group {
				continue
			}
			desc := widget.NewLabel(sc.Description)
			desc.Wrapping = fyne.TextWrapWord
			list.Add(s.checks[sc.Name])
			list.Add(desc)
		}
	}
	return container.NewBorder(container.NewVBox(intro, presets, s.msg), nil, nil, nil,
		container.NewVScroll(list))
}

func (s *scopesSection) set(names []string) {
	for name, c := range s.checks {
		c.SetChecked(slices.Contains(names, name))
	}
}

// selected lists the checked scopes in the order of local.AllScopes, so saves are stable.
func (s *scopesSection) selected() []string {
	names := []string{}
	for _, sc := range local.AllScopes {
		if s.checks[sc.Name].Checked {
			names = append(names, sc.Name)
		}
	}
	return names
}

//go:build !windows && !darwin

package tray

import (
	"strings"
	"testing"
)

func TestDbusmenuLabelsDoubleTheUnderscore(t *testing.T) {
	if got, want := menuLabel("Simon & Garfunkel_x"), "Simon & Garfunkel__x"; got != want {
		t.Fatalf("menuLabel = %q, want %q", got, want)
	}
}

func TestTooltipOfAMegabyteTitleIs127Runes(t *testing.T) {
	got := tooltipText("tokentray: Demo Listener · " + strings.Repeat("x", 1<<20))
	if want := "tokentray: Demo Listener · " + strings.Repeat("x", 99) + "…"; got != want {
		t.Fatalf("tooltip of %d runes ending %q, want 127 runes ending in …", len([]rune(got)), got[len(got)-10:])
	}
}

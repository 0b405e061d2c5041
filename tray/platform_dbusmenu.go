//go:build !windows && !darwin

package tray

// On Linux and the BSDs systray shows the menu over com.canonical.dbusmenu, whose hosts read
// "_" as the mnemonic marker and "__" as an underscore; tray hosts show tooltips of about a
// line.
const (
	mnemonicMarker = "_"
	maxTooltip     = 127
)

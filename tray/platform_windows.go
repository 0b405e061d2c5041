package tray

// On Windows systray builds the menu with InsertMenuItem, which reads "&" as the mnemonic
// marker and "&&" as an ampersand ("Marrow & Finch" would show as "Marrow _Finch"), and the
// shell cuts a tooltip at about 63 characters: cut it first, with a visible ellipsis.
const (
	mnemonicMarker = "&"
	maxTooltip     = 63
)

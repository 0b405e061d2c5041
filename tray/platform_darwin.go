package tray

// On macOS menu titles have no mnemonics.
const (
	mnemonicMarker = ""
	maxTooltip     = 127
)

package tray

import (
	"bytes"
	"encoding/binary"
)

// platformIcon wraps a PNG in an ICO container, which is what the Windows tray takes; Windows
// Vista and later read PNG entries inside ICO files.
func platformIcon(png []byte) []byte {
	var b bytes.Buffer
	le := binary.LittleEndian
	binary.Write(&b, le, [3]uint16{0, 1, 1}) // reserved, type 1 = icon, one image
	// 0 width and height mean 256; the tray icons are 64×64.
	b.Write([]byte{64, 64, 0, 0})
	binary.Write(&b, le, [2]uint16{1, 32})                    // colour planes, bits per pixel
	binary.Write(&b, le, [2]uint32{uint32(len(png)), 6 + 16}) // image size, offset after the header
	b.Write(png)
	return b.Bytes()
}

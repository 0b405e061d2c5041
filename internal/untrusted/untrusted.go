// Package untrusted makes text that tokentray did not write safe to show: a server's error
// description, a redirect's path, a track title another program put on the session bus. It is
// the one home of these rules, so a terminal, a menu and a notification get the same text.
package untrusted

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// zeroWidthJoiner is the one format character kept: it joins emoji sequences (👩‍💻) and
// changes neither direction nor layout.
const zeroWidthJoiner = '\u200d'

// Line returns s as one printable line of at most max runes. Invalid UTF-8 becomes U+FFFD;
// control characters (C0, DEL, C1: terminal escapes, line breaks) and the line and paragraph
// separators become spaces, so words stay apart; format characters (bidi marks, embeddings,
// overrides and isolates, zero-width spaces, BOM, tags) are removed, since they reorder or hide
// the text around them. Longer text is cut as Cut does.
func Line(s string, max int) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case unicode.IsControl(r) || r == '\u2028' || r == '\u2029':
			return ' '
		case unicode.Is(unicode.Cf, r) && r != zeroWidthJoiner:
			return -1
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
	return Cut(strings.TrimSpace(s), max)
}

// Cut returns s if it has at most max runes, else its first max-1 runes (without trailing
// space) and "…": at most max runes either way, and a cut the reader can see.
func Cut(s string, max int) string {
	if max <= 0 {
		return ""
	}
	n := 0
	for i, r := range s {
		n++
		if n == max {
			if i+utf8.RuneLen(r) == len(s) {
				return s // exactly max runes
			}
			return strings.TrimRightFunc(s[:i], unicode.IsSpace) + "…"
		}
	}
	return s
}

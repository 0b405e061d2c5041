package untrusted

import (
	"strings"
	"testing"
)

func TestLine(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain text is kept", "Simon & Garfunkel_x <b>", "Simon & Garfunkel_x <b>"},
		{"terminal escapes and bell become spaces", "\x1b[31mred\x1b[0m\a!", "[31mred [0m !"},
		{"line breaks and separators become spaces", "one\r\ntwo\u2028three\u2029four\u0085five", "one  two three four five"},
		{"a bidi override is removed", "\u202eevil\u202c.mp3", "evil.mp3"},
		{"bidi marks and isolates are removed", "a\u200eb\u200fc\u2066d\u2069e\u061cf", "abcdef"},
		{"zero-width space and BOM are removed", "\ufeffzero\u200bwidth", "zerowidth"},
		{"the zero width joiner of an emoji is kept", "👩\u200d💻", "👩\u200d💻"},
		{"invalid UTF-8 is replaced", "bad\xffbyte", "bad\ufffdbyte"},
		{"surrounding space is trimmed", "  \t padded \n", "padded"},
	}
	for _, tc := range tests {
		if got := Line(tc.in, 100); got != tc.want {
			t.Errorf("%s: Line(%q) = %q, want %q", tc.name, tc.in, got, tc.want)
		}
	}
}

func TestLineCutsAMegabyteTitle(t *testing.T) {
	got := Line(strings.Repeat("é", 1<<20), 512)
	if want := strings.Repeat("é", 511) + "…"; got != want {
		t.Fatalf("Line of 1 MiB: %d runes ending %q, want 511 × é and …", len([]rune(got)), got[len(got)-8:])
	}
}

func TestCut(t *testing.T) {
	tests := []struct {
		in   string
		max  int
		want string
	}{
		{"abc", 3, "abc"},
		{"abcd", 3, "ab…"},
		{"ab cd", 4, "ab…"}, // no space before the ellipsis
		{"ääää", 3, "ää…"},  // runes, not bytes
		{"", 3, ""},
		{"abc", 1, "…"},
		{"abc", 0, ""},
	}
	for _, tc := range tests {
		if got := Cut(tc.in, tc.max); got != tc.want {
			t.Errorf("Cut(%q, %d) = %q, want %q", tc.in, tc.max, got, tc.want)
		}
	}
}

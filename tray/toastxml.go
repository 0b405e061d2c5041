package tray

import "strings"

// toastXML is the Windows toast for a notification. It is written here rather than by
// go-toast's template because that template puts the text in CDATA (a "]]>" in a track title
// ends it) and its PowerShell path pastes the XML into a double-quoted here-string, where "$(…)"
// would run: titles come from Spotify's catalogue, which anyone can publish to. Every character
// PowerShell or XML would read as syntax is therefore a character reference, which only the XML
// parser decodes.
func toastXML(title, body, imagePath string) string {
	var b strings.Builder
	b.WriteString(`<toast activationType="foreground" duration="short"><visual><binding template="ToastGeneric">`)
	if imagePath != "" {
		b.WriteString(`<image placement="appLogoOverride" src="` + toastEscape(imagePath) + `"/>`)
	}
	for _, text := range []string{title, body} {
		if text != "" {
			b.WriteString("<text>" + toastEscape(text) + "</text>")
		}
	}
	b.WriteString(`</binding></visual><audio silent="true"/></toast>`)
	return b.String()
}

// toastEscaper escapes XML's markup and PowerShell's expansion characters ($, `) and quotes.
var toastEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;",
	"$", "&#36;", "`", "&#96;", "“", "&#8220;", "”", "&#8221;", "„", "&#8222;")

func toastEscape(s string) string { return toastEscaper.Replace(s) }

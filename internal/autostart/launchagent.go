package autostart

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// This file holds the macOS LaunchAgent's content without a build tag, so that its test runs on
// the Linux CI, which cannot build tokentray for macOS; only autostart_darwin.go uses it.

// launchAgent is the plist that has launchd start program at login (RunAtLoad).
func launchAgent(program string) string {
	var path strings.Builder
	xml.EscapeText(&path, []byte(program)) //nolint:errcheck // a strings.Builder does not fail.
	return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
	<key>Label</key>
	<string>` + id + `</string>
	<key>ProgramArguments</key>
	<array>
		<string>` + path.String() + `</string>
	</array>
	<key>RunAtLoad</key>
	<true/>
</dict>
</plist>
`
}

// parseLaunchAgent reads what a LaunchAgent runs and whether its Disabled key switches it off.
// It reads the top-level dict's keys only, which is all a LaunchAgent needs.
func parseLaunchAgent(plist []byte) (program string, disabled bool, err error) {
	invalid := func(err error) error {
		return fmt.Errorf("the LaunchAgent is not a valid plist (%v): turn autostart off and on again to rewrite it", err)
	}
	dec := xml.NewDecoder(bytes.NewReader(plist))
	depth, key, inArgs := 0, "", false
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return program, disabled, nil
		}
		if err != nil {
			return "", false, invalid(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			switch {
			case t.Name.Local == "key" && depth == 3: // plist > dict > key
				var k string
				if err := dec.DecodeElement(&k, &t); err != nil {
					return "", false, invalid(err)
				}
				key = k
				depth--
			case key == "Disabled" && depth == 3:
				disabled = t.Name.Local == "true"
			case key == "ProgramArguments" && depth == 3:
				inArgs = t.Name.Local == "array"
			case inArgs && depth == 4 && t.Name.Local == "string" && program == "":
				if err := dec.DecodeElement(&program, &t); err != nil {
					return "", false, invalid(err)
				}
				depth--
			}
		case xml.EndElement: // keys and program strings were consumed whole above
			depth--
			if depth == 2 {
				// A value of the top-level dict ended: the next key starts afresh.
				key, inArgs = "", false
			}
		}
	}
}

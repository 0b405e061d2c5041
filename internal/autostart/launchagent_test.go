package autostart

import (
	"strings"
	"testing"
)

func TestLaunchAgent(t *testing.T) {
	got := launchAgent("/Applications/Tok & Tray.app/Contents/MacOS/tokentray")
	want := `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
	<key>Label</key>
	<string>io.github.tokentray</string>
	<key>ProgramArguments</key>
	<array>
		<string>/Applications/Tok &amp; Tray.app/Contents/MacOS/tokentray</string>
	</array>
	<key>RunAtLoad</key>
	<true/>
</dict>
</plist>
`
	if got != want {
		t.Fatalf("plist:\n%s\nwant:\n%s", got, want)
	}
	program, disabled, err := parseLaunchAgent([]byte(got))
	if err != nil || program != "/Applications/Tok & Tray.app/Contents/MacOS/tokentray" || disabled {
		t.Errorf("parseLaunchAgent = %q, %v, %v; want the program, enabled", program, disabled, err)
	}
}

func TestParseLaunchAgentDisabled(t *testing.T) {
	plist := `<?xml version="1.0" encoding="UTF-8"?>
<plist version="1.0"><dict>
	<key>Label</key><string>io.github.tokentray</string>
	<key>EnvironmentVariables</key><dict><key>Disabled</key><false/></dict>
	<key>ProgramArguments</key><array><string>/usr/local/bin/tokentray</string><string>--demo</string></array>
	<key>Disabled</key><true/>
</dict></plist>`
	program, disabled, err := parseLaunchAgent([]byte(plist))
	if err != nil || program != "/usr/local/bin/tokentray" || !disabled {
		t.Errorf("parseLaunchAgent = %q, %v, %v; want /usr/local/bin/tokentray, disabled", program, disabled, err)
	}
}

func TestParseLaunchAgentDamaged(t *testing.T) {
	_, _, err := parseLaunchAgent([]byte(`<plist><dict><key>Label</key><string>x</dict></plist>`))
	if err == nil || !strings.Contains(err.Error(), "not a valid plist") {
		t.Errorf("err = %v, want the invalid-plist message", err)
	}
}

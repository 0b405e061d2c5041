package tray

import "testing"

func TestToastXMLLeavesNothingForPowerShellOrXMLToRead(t *testing.T) {
	got := toastXML(`Now playing`, "$(Start-Process calc) `n \"@ ]]> <b>Tom & Jerry's</b> “q”", `C:\Users\a$b\cover.jpg`)
	want := `<toast activationType="foreground" duration="short"><visual><binding template="ToastGeneric">` +
		`<image placement="appLogoOverride" src="C:\Users\a&#36;b\cover.jpg"/>` +
		`<text>Now playing</text>` +
		`<text>&#36;(Start-Process calc) &#96;n &#34;@ ]]&gt; &lt;b&gt;Tom &amp; Jerry&#39;s&lt;/b&gt; &#8220;q&#8221;</text>` +
		`</binding></visual><audio silent="true"/></toast>`
	if got != want {
		t.Fatalf("toastXML:\n got %s\nwant %s", got, want)
	}
	if got := toastXML("Title only", "", ""); got != `<toast activationType="foreground" duration="short"><visual><binding template="ToastGeneric">`+
		`<text>Title only</text></binding></visual><audio silent="true"/></toast>` {
		t.Fatalf("toastXML without body or image: %s", got)
	}
}

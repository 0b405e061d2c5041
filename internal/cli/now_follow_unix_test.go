//go:build unix

package cli

import (
	"bufio"
	"io"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestNowFollowWaitsForTheTray(t *testing.T) {
	setup(t)
	// Without a tray, a status bar gets a line saying so (and the command keeps trying) until
	// SIGTERM ends it.
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	go func() {
		done <- Main([]string{"now", "--follow", "--format", "waybar"}, Env{Stdin: strings.NewReader(""), Stdout: pw, Stderr: io.Discard})
		pw.Close()
	}()
	lines := bufio.NewScanner(pr)
	if !lines.Scan() {
		t.Fatal("now --follow without a tray printed nothing")
	}
	want := `{"text":"tokentray is not running","tooltip":"tokentray is not running\n⚠ start it with ` + "`tokentray`" +
		`; this line follows it once it runs","class":"stopped","alt":"stopped"}`
	if lines.Text() != want {
		t.Fatalf("now --follow without a tray\n got %s\nwant %s", lines.Text(), want)
	}
	go io.Copy(io.Discard, pr)
	syscall.Kill(os.Getpid(), syscall.SIGTERM) // caught by the command, which is running
	select {
	case code := <-done:
		if code != ExitOK {
			t.Fatalf("now --follow ended on SIGTERM with exit %d", code)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("now --follow did not end on SIGTERM")
	}
}

package browser

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestOpenRunsTokentrayBrowser(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "opened")
	script := filepath.Join(dir, "fake-browser")
	if err := os.WriteFile(script, []byte("#!/bin/sh\nprintf '%s' \"$1\" > "+out+"\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	t.Setenv("TOKENTRAY_BROWSER", script)
	const url = "http://127.0.0.1:1/authorize?a=1&b=2"
	if err := Open(url); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		got, err := os.ReadFile(out)
		if err == nil && len(got) > 0 {
			if string(got) != url {
				t.Fatalf("browser got %q, want %q", got, url)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the browser program never ran")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestOpenReportsMissingProgram(t *testing.T) {
	t.Setenv("TOKENTRAY_BROWSER", filepath.Join(t.TempDir(), "no-such-browser"))
	err := Open("http://127.0.0.1:1/")
	if err == nil || !strings.Contains(err.Error(), "no-such-browser") {
		t.Fatalf("want an error naming the program, got %v", err)
	}
}

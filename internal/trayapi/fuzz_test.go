package trayapi

import (
	"bufio"
	"bytes"
	"strings"
	"testing"
)

// FuzzDecodeRequest feeds arbitrary bytes through the tray's reading of a request: the line
// reader, then the decoder. Neither may panic; a request that passes names an operation the
// tray serves and, if it asks for a minimum validity, one in 60..3000 seconds.
//
//	go test -run '^$' -fuzz FuzzDecodeRequest -fuzztime 60s ./internal/trayapi
func FuzzDecodeRequest(f *testing.F) {
	for _, seed := range []string{
		`{"v":1,"op":"token","min_valid_seconds":600}` + "\n",
		`{"v":1,"op":"token","app":true,"min_valid_seconds":7200}` + "\n",
		`{"v":1,"op":"watch","window":true}` + "\n",
		`{"v":1,"op":"save-settings","settings":{"client_id":"x","scopes":["a"]},"secret":"s","secret_changed":true}` + "\n",
		`{"v":1,"op":"copy","copy":"user-token"}` + "\n",
		`{"v":1,"op":"token","min_valid_seconds":-9223372036854775808}` + "\n",
		"{not json\n",
		"\x00\xff\n",
		`{"op":"state"` + strings.Repeat(" ", 100),
	} {
		f.Add([]byte(seed))
	}
	served := map[string]bool{"show": true, "reload": true, "token": true, "state": true, "now": true, "watch": true,
		"save-settings": true, "reset-settings": true, "login": true, "cancel-login": true, "copy": true, "test-token": true, "logout": true}
	f.Fuzz(func(t *testing.T, data []byte) {
		line, err := readLine(bufio.NewReaderSize(bytes.NewReader(data), 16), 256)
		if err != nil {
			return
		}
		if len(line) > 256 || bytes.IndexByte(line, '\n') >= 0 {
			t.Fatalf("readLine returned %d bytes %q", len(line), line)
		}
		req, err := decodeRequest(line)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("an error without a message")
			}
			return
		}
		if !served[req.Op] {
			t.Fatalf("decoded op %q, which the tray does not serve", req.Op)
		}
		if s := req.MinValidSeconds; s != 0 && (s < 60 || s > 3000) {
			t.Fatalf("decoded min_valid_seconds %d", s)
		}
	})
}

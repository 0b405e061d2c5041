package trayapi

import (
	"bufio"
	"net"
	"path/filepath"
	"testing"
)

// ask sends line to the tray of dir and returns its answer as sent.
func ask(t *testing.T, dir, line string) string {
	t.Helper()
	conn, err := net.Dial("unix", filepath.Join(dir, socketName))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.Write([]byte(line + "\n")); err != nil {
		t.Fatal(err)
	}
	answer, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	return answer
}

func TestTheTrayRefusesRequestsOfAnotherVersion(t *testing.T) {
	f := start(t, false)
	for _, tc := range []struct{ request, answer string }{
		{`{"v":2,"op":"state"}`, `{"v":1,"error":{"message":"this command speaks protocol v2, the running tokentray only v1: ` +
			`it is older than the command; quit the tray and start it again"}}` + "\n"},
		{`{"op":"state"}`, `{"v":1,"error":{"message":"this command is older than the running tokentray (protocol v0, the tray speaks v1): ` +
			`run the tokentray the tray runs from, or quit the tray and start it from this one"}}` + "\n"},
	} {
		if got := ask(t, f.dir, tc.request); got != tc.answer {
			t.Errorf("%s got\n%swant\n%s", tc.request, got, tc.answer)
		}
	}
	// A request of this version gets its answer, stamped with it.
	if got := ask(t, f.dir, `{"v":1,"op":"show"}`); got != `{"v":1}`+"\n" {
		t.Errorf("show got %s", got)
	}
}

// fakeTray answers every request on dir's socket with answer, and hands over the requests.
func fakeTray(t *testing.T, dir, answer string) <-chan string {
	t.Helper()
	ln, err := net.Listen("unix", filepath.Join(dir, socketName))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	requests := make(chan string, 4)
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			if line, err := bufio.NewReader(conn).ReadString('\n'); err == nil {
				requests <- line
				conn.Write([]byte(answer + "\n"))
			}
			conn.Close()
		}
	}()
	return requests
}

func TestACommandRefusesAnswersOfAnotherVersion(t *testing.T) {
	for _, tc := range []struct{ answer, err string }{
		{`{"v":2,"state":{"login_state":"whatever v2 sends"}}`, "the running tokentray speaks protocol v2, " +
			"this command v1: run the tokentray the tray runs from, or quit the tray and start it from this one"},
		// A tray from before versions existed, sending session.State as Go named it.
		{`{"State":{"LoggedIn":true,"NeedsLogin":false}}`, "the running tokentray is older than this " +
			"command (protocol v0, this command speaks v1): quit the tray and start it again"},
	} {
		dir := shortDir(t)
		requests := fakeTray(t, dir, tc.answer)
		_, err := NewClient(dir).State()
		if err == nil || err.Error() != tc.err {
			t.Errorf("answer %s: got %v, want %q", tc.answer, err, tc.err)
		}
		if got := <-requests; got != `{"v":1,"op":"state"}`+"\n" {
			t.Errorf("the command asked %s", got)
		}
	}
}

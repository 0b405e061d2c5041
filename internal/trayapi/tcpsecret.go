package trayapi

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"time"

	"tokentray/internal/atomicfile"
)

// The TCP fallback is for Windows without AF_UNIX (Wine, Windows before 10 1803): the tray
// listens on a loopback port, which any local user can reach, so every connection first sends
// a per-session random secret that only the user can read from the config directory.

// endpointName is the file in the config directory naming the port and the secret.
const endpointName = "instance.tcp"

// secretLen is the length of the hex secret a TCP client sends (with a newline) before its
// request.
const secretLen = 64

// endpoint is the content of endpointName.
type endpoint struct {
	Addr   string `json:"addr"`
	Secret string `json:"secret"`
}

// tcpListener removes the endpoint file when the tray stops listening.
type tcpListener struct {
	net.Listener
	file string
}

func (l *tcpListener) Close() error {
	os.Remove(l.file)
	return l.Listener.Close()
}

// listenTCP listens on a loopback port and writes its address and a fresh secret to dir's
// endpoint file (0600). The caller holds the instance lock.
func listenTCP(dir string) (*listener, error) {
	raw := make([]byte, secretLen/2)
	if _, err := rand.Read(raw); err != nil {
		return nil, err
	}
	secret := hex.EncodeToString(raw)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listening on a loopback port: %w", err)
	}
	file := filepath.Join(dir, endpointName)
	data, err := json.Marshal(endpoint{Addr: ln.Addr().String(), Secret: secret})
	if err == nil {
		err = atomicfile.WriteFile(file, data)
	}
	if err != nil {
		ln.Close()
		return nil, err
	}
	want := []byte(secret + "\n")
	return &listener{Listener: &tcpListener{Listener: ln, file: file}, admit: func(conn net.Conn) bool {
		// A wrong secret gets no answer: whoever sent it learns nothing.
		got := make([]byte, len(want))
		conn.SetReadDeadline(time.Now().Add(requestTimeout))
		_, err := io.ReadFull(conn, got)
		return err == nil && subtle.ConstantTimeCompare(got, want) == 1
	}}, nil
}

// dialTCP connects to the loopback port named in dir's endpoint file and sends the secret.
func dialTCP(dir string, deadline time.Time) (net.Conn, error) {
	file := filepath.Join(dir, endpointName)
	data, err := os.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNoTray
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", file, err)
	}
	var ep endpoint
	if err := json.Unmarshal(data, &ep); err != nil || len(ep.Secret) != secretLen {
		return nil, fmt.Errorf("%s is damaged (%v): quit tokentray, delete the file and start tokentray again", file, err)
	}
	// The file is the user's, but a loopback address is all the tray ever writes there: the
	// secret goes nowhere else.
	if host, _, err := net.SplitHostPort(ep.Addr); err != nil || host != "127.0.0.1" {
		return nil, fmt.Errorf("%s names %q, not a loopback port: quit tokentray, delete the file and start tokentray again", file, ep.Addr)
	}
	conn, err := (&net.Dialer{Deadline: deadline}).Dial("tcp", ep.Addr)
	if err != nil {
		return nil, classifyDialError(ep.Addr, err)
	}
	conn.SetWriteDeadline(deadline)
	if _, err := conn.Write([]byte(ep.Secret + "\n")); err != nil {
		conn.Close()
		return nil, fmt.Errorf("%w (sending to %s: %v)", ErrNotAnswering, ep.Addr, err)
	}
	return conn, nil
}

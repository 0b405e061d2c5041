package trayapi

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"syscall"
	"time"

	"tokentray/internal/local"
	"tokentray/internal/session"
)

// ErrNoTray means no tray runs for the config directory: the caller works on its own.
var ErrNoTray = errors.New("tokentray is not running")

// dialTimeout bounds connecting; a tray that holds the socket answers at once.
const dialTimeout = 2 * time.Second

// Client asks the tray of one config directory. Each call is one connection.
type Client struct{ sock string }

// NewClient returns a client for the tray of dir; it does not connect yet.
func NewClient(dir string) *Client { return &Client{sock: filepath.Join(dir, socketName)} }

func (c *Client) dial() (net.Conn, error) {
	conn, err := net.DialTimeout("unix", c.sock, dialTimeout)
	if err == nil {
		return conn, nil
	}
	if errors.Is(err, syscall.ENOENT) || errors.Is(err, syscall.ECONNREFUSED) {
		return nil, ErrNoTray
	}
	return nil, fmt.Errorf("tokentray is running but its socket %s did not answer (%v): quit it from its tray menu and start it again", c.sock, err)
}

// call sends req and reads one answer within timeout.
func (c *Client) call(req request, timeout time.Duration) (response, error) {
	conn, err := c.dial()
	if err != nil {
		return response{}, err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(timeout))
	if err := sendLine(conn, req); err != nil {
		return response{}, fmt.Errorf("asking the running tokentray: %w", err)
	}
	var resp response
	if err := readLine(bufio.NewReader(conn), &resp); err != nil {
		return response{}, fmt.Errorf("waiting for the running tokentray: %w", err)
	}
	return resp, resp.Error.err()
}

func sendLine(conn net.Conn, req request) error {
	req.V = protocolVersion
	data, err := json.Marshal(req)
	if err != nil {
		return err
	}
	_, err = conn.Write(append(data, '\n'))
	return err
}

func readLine(r *bufio.Reader, resp *response) error {
	line, err := r.ReadBytes('\n')
	if err != nil {
		return err
	}
	return decodeResponse(line, resp)
}

// quick is for requests the tray answers without the network.
const quick = 10 * time.Second

// Show asks the tray to raise its window, starting it if needed.
func (c *Client) Show() error { _, err := c.call(request{Op: opShow}, quick); return err }

// Reload tells the tray that the settings or the login changed on disk.
func (c *Client) Reload() error { _, err := c.call(request{Op: opReload}, quick); return err }

// Token asks the tray for an access token valid at least minValid (0: the settings' minimum).
// The tray refreshes if needed, so the caller never refreshes (or rotates) on its own.
func (c *Client) Token(app bool, minValid time.Duration) (*Token, error) {
	resp, err := c.call(request{Op: opToken, App: app, MinValidSeconds: int(minValid / time.Second)}, tokenTimeout+5*time.Second)
	if err != nil {
		return nil, err
	}
	if resp.Token == nil {
		return nil, errors.New("the running tokentray answered without a token")
	}
	return resp.Token, nil
}

// State returns the tray's current state.
func (c *Client) State() (session.State, error) {
	resp, err := c.call(request{Op: opState}, quick)
	if err != nil {
		return session.State{}, err
	}
	if resp.State == nil {
		return session.State{}, errors.New("the running tokentray answered without its state")
	}
	return resp.State.sessionState(), nil
}

// NowPlaying returns the tray's state once it knows what plays: at once when it does, else after
// asking Spotify (within the tray's budget) for up to a few seconds.
func (c *Client) NowPlaying() (session.State, error) {
	resp, err := c.call(request{Op: opNow}, quick)
	if err != nil {
		return session.State{}, err
	}
	if resp.State == nil {
		return session.State{}, errors.New("the running tokentray answered without its state")
	}
	return resp.State.sessionState(), nil
}

// SaveSettings asks the tray to validate and store settings (see session.Session.SaveSettings).
func (c *Client) SaveSettings(s local.Settings, secret string, secretChanged bool) error {
	_, err := c.call(request{Op: opSaveSettings, Settings: &s, Secret: secret, SecretChanged: secretChanged}, quick)
	return err
}

// ResetSettings asks the tray to replace a damaged settings file (see auth.ResetSettings).
func (c *Client) ResetSettings() error { _, err := c.call(request{Op: opReset}, quick); return err }

// StartLogin asks the tray to start a browser login; progress arrives in the state.
func (c *Client) StartLogin() error { _, err := c.call(request{Op: opLogin}, quick); return err }

// CancelLogin stops a login that waits for the browser.
func (c *Client) CancelLogin() { c.call(request{Op: opCancelLogin}, quick) } //nolint:errcheck // nothing to do if the tray is gone

// Copy asks the tray to copy what to its clipboard, which it clears later.
func (c *Client) Copy(what session.Copyable) (string, error) {
	resp, err := c.call(request{Op: opCopy, Copy: what}, quick)
	return resp.Message, err
}

// TestToken asks Spotify, through the tray, whom the access token belongs to.
func (c *Client) TestToken(ctx context.Context) (string, error) {
	timeout := tokenTimeout + 5*time.Second
	if deadline, ok := ctx.Deadline(); ok {
		timeout = time.Until(deadline)
	}
	resp, err := c.call(request{Op: opTestToken}, timeout)
	return resp.Message, err
}

// Logout asks the tray to forget the tokens; with all, the client secret too.
func (c *Client) Logout(all bool) error {
	_, err := c.call(request{Op: opLogout, All: all}, quick)
	return err
}

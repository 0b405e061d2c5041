package trayapi

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"time"

	"tokentray/internal/local"
	"tokentray/internal/session"
)

// ErrNoTray means no tray runs for the config directory: the caller works on its own.
var ErrNoTray = errors.New("tokentray is not running")

// answerTimeout bounds connecting, asking and reading the answer of a request the tray answers
// from memory: a tray that takes longer is stopped or hung, and counts as absent.
const answerTimeout = 2 * time.Second

// storeTimeout bounds the window's actions that write settings or the login: a keyring may
// take seconds to answer (an unlock prompt), and the window shows the error.
const storeTimeout = 10 * time.Second

// Client asks the tray of one config directory. Each call is one connection.
type Client struct {
	dir  string
	dial dialFunc
	uid  int // the user whose tray this is: a socket served by another is refused
}

// NewClient returns a client for the tray of dir; it does not connect yet.
func NewClient(dir string) *Client { return &Client{dir: dir, dial: platformDial, uid: os.Getuid()} }

// connect connects by deadline to a tray of this user.
func (c *Client) connect(deadline time.Time) (net.Conn, error) {
	conn, err := c.dial(c.dir, deadline)
	if err != nil {
		return nil, err
	}
	if err := checkServer(conn, conn.RemoteAddr().String(), c.uid); err != nil {
		conn.Close()
		return nil, err
	}
	conn.SetDeadline(deadline)
	return conn, nil
}

// call sends req and reads one answer, all within timeout.
func (c *Client) call(req request, timeout time.Duration) (response, error) {
	conn, err := c.connect(time.Now().Add(timeout))
	if err != nil {
		return response{}, err
	}
	defer conn.Close()
	resp, err := exchange(conn, bufio.NewReader(conn), req)
	if err != nil {
		return response{}, err
	}
	return resp, resp.Error.err()
}

// exchange sends req and reads the first answer. A tray that refuses a connection (busy,
// another user) answers before reading and closes: its answer still counts when the sending
// failed for that.
func exchange(conn net.Conn, r *bufio.Reader, req request) (response, error) {
	sendErr := sendLine(conn, req)
	var resp response
	if err := readResponse(r, &resp); err != nil {
		if sendErr != nil {
			return response{}, fmt.Errorf("%w (asking: %v)", ErrNotAnswering, sendErr)
		}
		return response{}, err
	}
	return resp, nil
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

// readResponse reads one answer. A tray that ends the connection or passes the deadline
// without answering did not answer; an answer that cannot be read is named as such.
func readResponse(r *bufio.Reader, resp *response) error {
	line, err := readLine(r, maxResponseLine)
	if errors.Is(err, errLineTooLong) {
		return fmt.Errorf("the running tokentray answered with more than %d KiB", maxResponseLine>>10)
	}
	if err != nil {
		return fmt.Errorf("%w (waiting for the answer: %v)", ErrNotAnswering, err)
	}
	return decodeResponse(line, resp)
}

// Show asks the tray to raise its window, starting it if needed.
func (c *Client) Show() error { _, err := c.call(request{Op: opShow}, answerTimeout); return err }

// Reload tells the tray that the settings or the login changed on disk.
func (c *Client) Reload() error { _, err := c.call(request{Op: opReload}, storeTimeout); return err }

// Token asks the tray for an access token valid at least minValid (0: the settings' minimum).
// The tray refreshes if needed, so that a PKCE refresh token rotates in one place. It answers a
// cached token at once; a tray still refreshing after answerTimeout counts as absent, and the
// caller that then refreshes on its own first waits for the refresh lock the tray holds, and
// finds the token the tray stored: no rotation is lost.
func (c *Client) Token(app bool, minValid time.Duration) (*Token, error) {
	resp, err := c.call(request{Op: opToken, App: app, MinValidSeconds: int(minValid / time.Second)}, answerTimeout)
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
	resp, err := c.call(request{Op: opState}, answerTimeout)
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
	resp, err := c.call(request{Op: opNow}, nowWait+answerTimeout)
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
	_, err := c.call(request{Op: opSaveSettings, Settings: &s, Secret: secret, SecretChanged: secretChanged}, storeTimeout)
	return err
}

// ResetSettings asks the tray to replace a damaged settings file (see auth.ResetSettings).
func (c *Client) ResetSettings() error {
	_, err := c.call(request{Op: opReset}, storeTimeout)
	return err
}

// StartLogin asks the tray to start a browser login; progress arrives in the state.
func (c *Client) StartLogin() error { _, err := c.call(request{Op: opLogin}, storeTimeout); return err }

// CancelLogin stops a login that waits for the browser.
func (c *Client) CancelLogin() { c.call(request{Op: opCancelLogin}, answerTimeout) } //nolint:errcheck // nothing to do if the tray is gone

// Copy asks the tray to copy what to its clipboard, which it clears later.
func (c *Client) Copy(what session.Copyable) (string, error) {
	resp, err := c.call(request{Op: opCopy, Copy: what}, answerTimeout)
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
	_, err := c.call(request{Op: opLogout, All: all}, storeTimeout)
	return err
}

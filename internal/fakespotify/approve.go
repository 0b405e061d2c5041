package fakespotify

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
)

// Approve plays the user's browser for tests: it loads authURL (an /authorize URL of this fake)
// with the auto-approve switch, follows the redirect to the client's callback and returns the
// page the callback served.
func Approve(authURL string) (string, error) {
	u, err := url.Parse(authURL)
	if err != nil {
		return "", err
	}
	q := u.Query()
	q.Set("fake_auto_approve", "1")
	u.RawQuery = q.Encode()
	resp, err := http.Get(u.String())
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	page, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return string(page), fmt.Errorf("callback answered %s", resp.Status)
	}
	return string(page), nil
}

// ApproveInBackground is Approve as a browser opener: it returns at once, like a real browser.
func ApproveInBackground(authURL string) error {
	go Approve(authURL) //nolint:errcheck // the login under test reports what went wrong.
	return nil
}

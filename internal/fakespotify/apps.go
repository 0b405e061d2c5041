package fakespotify

import (
	"fmt"
	"net"
	"net/url"
	"slices"
)

// App is an app as registered on Spotify's developer dashboard.
type App struct {
	ClientID, ClientSecret, Name string
	// RedirectURIs are matched exactly, except that a loopback IP literal
	// registered without a port (http://127.0.0.1/callback) accepts any port,
	// as RFC 8252 asks and Spotify does.
	RedirectURIs []string
}

// RegisterApp adds (or replaces) an app. It refuses what Spotify's dashboard
// refuses: IDs that are not 32 hex characters, and redirect URIs on
// "localhost" (refused since November 2025), with schemes other than http(s),
// or using plain http on anything but a loopback IP literal.
func (s *Server) RegisterApp(a App) error {
	if !isHex32(a.ClientID) {
		return fmt.Errorf("fakespotify: ClientID %q must be 32 hexadecimal characters, like the dashboard's", a.ClientID)
	}
	if a.ClientSecret == "" {
		return fmt.Errorf("fakespotify: app %s has no ClientSecret; every Spotify app has one (PKCE clients just do not send it)", a.ClientID)
	}
	if a.Name == "" {
		return fmt.Errorf("fakespotify: app %s has no Name; the consent page shows it", a.ClientID)
	}
	if len(a.RedirectURIs) == 0 {
		return fmt.Errorf("fakespotify: app %s has no RedirectURIs; register one such as http://127.0.0.1/callback", a.ClientID)
	}
	for _, raw := range a.RedirectURIs {
		if err := checkRedirectURI(raw); err != nil {
			return fmt.Errorf("fakespotify: app %s: redirect URI %q %w", a.ClientID, raw, err)
		}
	}
	a.RedirectURIs = slices.Clone(a.RedirectURIs)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.apps[a.ClientID] = a
	return nil
}

func (s *Server) app(clientID string) (App, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.apps[clientID]
	return a, ok
}

func isHex32(id string) bool {
	if len(id) != 32 {
		return false
	}
	for _, c := range id {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// checkRedirectURI returns an error completing the sentence
// "redirect URI X ...".
func checkRedirectURI(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("does not parse: %w", err)
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return fmt.Errorf("has scheme %q; use http://127.0.0.1/callback or an https URL", u.Scheme)
	case u.Hostname() == "localhost":
		return fmt.Errorf("uses localhost, which Spotify refuses since November 2025; use http://127.0.0.1:PORT/callback")
	case u.Hostname() == "":
		return fmt.Errorf("has no host")
	case u.Scheme == "http" && !isLoopbackLiteral(u.Hostname()):
		return fmt.Errorf("uses plain http on a non-loopback host; use https, or http with 127.0.0.1 or [::1]")
	case u.User != nil || u.Fragment != "":
		return fmt.Errorf("must not contain user info or a fragment")
	}
	return nil
}

func isLoopbackLiteral(host string) bool {
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// allowsRedirect reports whether the redirect_uri sent to /authorize matches
// one of the app's registered URIs.
func (a App) allowsRedirect(given string) bool {
	if slices.Contains(a.RedirectURIs, given) {
		return true
	}
	g, err := url.Parse(given)
	if err != nil || g.Port() == "" {
		return false
	}
	for _, raw := range a.RedirectURIs {
		r, err := url.Parse(raw)
		if err != nil || r.Port() != "" || !isLoopbackLiteral(r.Hostname()) {
			continue
		}
		if r.Scheme == g.Scheme && r.Hostname() == g.Hostname() && r.EscapedPath() == g.EscapedPath() &&
			r.RawQuery == g.RawQuery && g.User == nil && g.Fragment == "" {
			return true
		}
	}
	return false
}

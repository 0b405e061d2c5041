package auth

import (
	"context"
	"net/http"
	"os"
	"strings"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"tokentray/internal/local"
)

// Default hosts; TOKENTRAY_ACCOUNTS_URL and TOKENTRAY_API_URL point them elsewhere (the fake
// Spotify in tests and demo mode).
const (
	DefaultAccountsURL = "https://accounts.spotify.com"
	DefaultAPIURL      = "https://api.spotify.com"
)

// AccountsURL returns the accounts host from the environment or the default.
func AccountsURL() string { return envURL("TOKENTRAY_ACCOUNTS_URL", DefaultAccountsURL) }

// APIURL returns the Web API host from the environment or the default.
func APIURL() string { return envURL("TOKENTRAY_API_URL", DefaultAPIURL) }

func envURL(name, def string) string {
	if v := strings.TrimRight(os.Getenv(name), "/"); v != "" {
		return v
	}
	return def
}

// Config is what the flows need to talk to Spotify for one registered app.
type Config struct {
	ClientID string
	// ClientSecret selects the flow: set, the confidential Authorization Code flow (secret in a
	// Basic auth header); empty, PKCE as a public client.
	ClientSecret string
	Scopes       []string
	RedirectURI  string
	AccountsURL  string // without trailing slash; "" means AccountsURL()
	// MinValid is how long every handed-out access token must stay valid; 0 means local.DefaultMinValid.
	MinValid   time.Duration
	HTTPClient *http.Client // nil means a client with a 30 s timeout
}

// ConfigFromSettings combines the settings file, the stored secret and the environment.
func ConfigFromSettings(s local.Settings, clientSecret string) Config {
	return Config{
		ClientID:     s.ClientID,
		ClientSecret: clientSecret,
		Scopes:       s.Scopes,
		RedirectURI:  s.RedirectURI,
		AccountsURL:  AccountsURL(),
		MinValid:     time.Duration(s.MinValidSeconds) * time.Second,
	}
}

// UsesPKCE reports whether the login runs as a public client with PKCE.
func (c Config) UsesPKCE() bool { return c.ClientSecret == "" }

func (c Config) accountsURL() string {
	if c.AccountsURL != "" {
		return strings.TrimRight(c.AccountsURL, "/")
	}
	return AccountsURL()
}

// MinValidity is how long every handed-out access token must stay valid: MinValid, or
// local.DefaultMinValid when that is 0.
func (c Config) MinValidity() time.Duration {
	if c.MinValid > 0 {
		return c.MinValid
	}
	return local.DefaultMinValid
}

func (c Config) oauth2(redirectURL string) *oauth2.Config {
	style := oauth2.AuthStyleInHeader
	if c.UsesPKCE() {
		// A public client sends client_id in the body and no secret at all.
		style = oauth2.AuthStyleInParams
	}
	return &oauth2.Config{
		ClientID:     c.ClientID,
		ClientSecret: c.ClientSecret,
		RedirectURL:  redirectURL,
		Scopes:       c.Scopes,
		Endpoint: oauth2.Endpoint{
			AuthURL:   c.accountsURL() + "/authorize",
			TokenURL:  c.accountsURL() + "/api/token",
			AuthStyle: style,
		},
	}
}

func (c Config) clientCredentials() *clientcredentials.Config {
	return &clientcredentials.Config{
		ClientID:     c.ClientID,
		ClientSecret: c.ClientSecret,
		TokenURL:     c.accountsURL() + "/api/token",
		AuthStyle:    oauth2.AuthStyleInHeader,
	}
}

// tokenRequestTimeout bounds one token request; a slower answer counts as Spotify unreachable.
const tokenRequestTimeout = 30 * time.Second

// withHTTPClient makes x/oauth2 use our client (timeouts, test transports). Redirects are never
// followed: a token request carries the refresh token or code and often the client secret, and
// Spotify's token endpoint does not redirect, so a redirect is an answer tokentray cannot use.
func (c Config) withHTTPClient(ctx context.Context) context.Context {
	client := &http.Client{Timeout: tokenRequestTimeout}
	if c.HTTPClient != nil {
		copied := *c.HTTPClient
		client = &copied
	}
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return context.WithValue(ctx, oauth2.HTTPClient, client)
}

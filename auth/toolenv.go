package auth

import (
	"encoding/json"
	"fmt"
	"strings"
)

// ToolCredentials are what another tool (a "now playing" site, a script) needs to mint its own
// access tokens: the one-time refresh-token setup.
type ToolCredentials struct {
	ClientID     string
	ClientSecret string // empty after a PKCE login
	RefreshToken string
}

// PKCE reports whether the refresh token came from a PKCE login. Such tokens rotate on every
// refresh, so tokentray and the other tool cannot both keep using one.
func (c ToolCredentials) PKCE() bool { return c.ClientSecret == "" }

// ToolCredentials returns the stored credentials for other tools.
func (m *Manager) ToolCredentials() (ToolCredentials, error) {
	ut, err := m.Stored()
	if err != nil {
		return ToolCredentials{}, err
	}
	if err := m.usable(ut); err != nil {
		return ToolCredentials{}, err
	}
	return ToolCredentials{ClientID: ut.ClientID, ClientSecret: m.cfg.ClientSecret, RefreshToken: ut.RefreshToken}, nil
}

// EnvFormats are the formats Format accepts.
var EnvFormats = []string{"dotenv", "shell", "json"}

// Format renders the SPOTIFY_* variables as a .env file, shell export lines or a JSON object.
func (c ToolCredentials) Format(format string) (string, error) {
	vars := [][2]string{{"SPOTIFY_CLIENT_ID", c.ClientID}}
	if c.ClientSecret != "" {
		vars = append(vars, [2]string{"SPOTIFY_CLIENT_SECRET", c.ClientSecret})
	}
	vars = append(vars, [2]string{"SPOTIFY_REFRESH_TOKEN", c.RefreshToken})

	var b strings.Builder
	switch format {
	case "json":
		obj := make(map[string]string, len(vars))
		for _, v := range vars {
			obj[v[0]] = v[1]
		}
		raw, err := json.MarshalIndent(obj, "", "  ")
		if err != nil {
			return "", err
		}
		b.Write(raw)
		b.WriteByte('\n')
	case "dotenv", "shell":
		prefix := ""
		if format == "shell" {
			prefix = "export "
		}
		for _, v := range vars {
			fmt.Fprintf(&b, "%s%s=%s\n", prefix, v[0], shellQuote(v[1]))
		}
	default:
		return "", fmt.Errorf("unknown format %q: choose one of %s", format, strings.Join(EnvFormats, ", "))
	}
	return b.String(), nil
}

// shellQuote leaves Spotify's usual values (base64url, hex) bare and single-quotes anything
// else, so that neither a shell nor a dotenv parser splits or expands them.
func shellQuote(s string) string {
	plain := s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_.~", r))
	}) < 0
	if plain {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

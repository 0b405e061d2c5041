package local

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// FieldError says what is wrong with one setting and how to fix it. Field is the setting's key in
// settings.json (client_id, scopes, redirect_uri, min_valid_seconds, clipboard_clear_seconds).
type FieldError struct {
	Field   string
	Problem string // without final period
	Fix     string // a full sentence
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Problem + ". " + e.Fix }

// FieldErrors is every problem found in a Settings value, one per field.
type FieldErrors []*FieldError

func (e FieldErrors) Error() string {
	lines := make([]string, len(e))
	for i, fe := range e {
		lines[i] = fe.Error()
	}
	return strings.Join(lines, "\n")
}

// Limits of a token's requested remaining validity (Settings.MinValidSeconds, `token
// --min-valid`, the socket's token request). Spotify access tokens live 3600 s; asking for more
// than 3000 s would refresh (and, with PKCE, rotate) on almost every request, less than 60 s
// hands out tokens that expire before a script can use them.
const (
	MinValidLow  = time.Minute
	MinValidHigh = 50 * time.Minute

	minValidSecondsLow  = int(MinValidLow / time.Second)
	minValidSecondsHigh = int(MinValidHigh / time.Second)
)

// CheckMinValid checks a requested remaining validity against MinValidLow..MinValidHigh; the
// error says the range, for the caller to name where the value came from.
func CheckMinValid(d time.Duration) error {
	if d < MinValidLow || d > MinValidHigh {
		return errors.New("choose a duration from 1m to 50m (access tokens live 60 minutes)")
	}
	return nil
}

// Validate checks every field and returns nil or FieldErrors listing all problems at once, so
// the user can fix them in one go.
func (s Settings) Validate() error {
	var errs FieldErrors
	if fe := ValidateClientID(s.ClientID); fe != nil {
		errs = append(errs, fe)
	}
	if fe := ValidateScopes(s.Scopes); fe != nil {
		errs = append(errs, fe)
	}
	if _, fe := ParseRedirectURI(s.RedirectURI); fe != nil {
		errs = append(errs, fe)
	}
	if s.MinValidSeconds < minValidSecondsLow || s.MinValidSeconds > minValidSecondsHigh {
		errs = append(errs, &FieldError{
			Field:   FieldMinValidSeconds,
			Problem: fmt.Sprintf("is %d, outside %d..%d", s.MinValidSeconds, minValidSecondsLow, minValidSecondsHigh),
			Fix: fmt.Sprintf("Set how many seconds a handed-out token must stay valid to a number from %d to %d (default %d); access tokens live 3600 seconds.",
				minValidSecondsLow, minValidSecondsHigh, DefaultSettings().MinValidSeconds),
		})
	}
	if s.ClipboardClearSeconds < 0 {
		errs = append(errs, &FieldError{
			Field:   FieldClipboardClear,
			Problem: fmt.Sprintf("is %d, a negative number of seconds", s.ClipboardClearSeconds),
			Fix:     fmt.Sprintf("Use 0 to never clear the clipboard, or a number of seconds such as %d.", DefaultSettings().ClipboardClearSeconds),
		})
	}
	if s.NowPlayingBudget < 0 || s.NowPlayingBudget > maxNowPlayingBudget {
		errs = append(errs, &FieldError{
			Field:   FieldNowPlayingBudget,
			Problem: fmt.Sprintf("is %d, outside 0..%d", s.NowPlayingBudget, maxNowPlayingBudget),
			Fix: fmt.Sprintf("Set how many Web API calls now playing may spend a day to a number from 0 (never) to %d (default %d); "+
				"Spotify cuts a Development-Mode app off after about 1,100–1,400 calls a day.", maxNowPlayingBudget, DefaultSettings().NowPlayingBudget),
		})
	}
	for _, p := range s.Players {
		if !validPlayerSuffix(p) {
			errs = append(errs, &FieldError{
				Field:   FieldPlayers,
				Problem: fmt.Sprintf("has %q, which is no D-Bus name part", p),
				Fix:     "List players by what follows org.mpris.MediaPlayer2. in their bus name, such as spotify or ncspot (letters, digits, _ and -).",
			})
			break
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

// validPlayerSuffix reports whether p can end an MPRIS bus name: D-Bus name elements are
// letters, digits, _ and -, and not empty.
func validPlayerSuffix(p string) bool {
	if p == "" || len(p) > 64 {
		return false
	}
	for _, c := range p {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// maxNowPlayingBudget is above Spotify's daily quota for a Development-Mode app, which an
// app with an extended quota may still want.
const maxNowPlayingBudget = 5000

const clientIDLength = 32

// ValidateClientID checks that id looks like a Spotify client ID: 32 lowercase hex digits.
func ValidateClientID(id string) *FieldError {
	const fix = "Copy the Client ID from developer.spotify.com/dashboard → your app → Settings."
	problem := ""
	switch {
	case id == "":
		problem = "is empty"
	case strings.TrimSpace(id) != id:
		problem = "has spaces or line breaks around it"
	case len(id) != clientIDLength:
		problem = fmt.Sprintf("is %d characters long; a Spotify client ID has %d", len(id), clientIDLength)
	default:
		for i, c := range id {
			if !isLowerHexDigit(c) {
				problem = fmt.Sprintf("contains %q at position %d; a Spotify client ID has only the characters 0-9 and a-f", c, i+1)
				break
			}
		}
	}
	if problem == "" {
		return nil
	}
	return &FieldError{Field: FieldClientID, Problem: problem, Fix: fix}
}

func isLowerHexDigit(c rune) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' }

// ValidateScopes checks that every name is a known Spotify scope, listed once. An empty list is
// valid: such a token can read public catalogue data only.
func ValidateScopes(scopes []string) *FieldError {
	var problems []string
	seen := make(map[string]bool)
	for _, name := range scopes {
		switch {
		case name == "":
			problems = append(problems, "contains an empty scope name")
		case seen[name]:
			problems = append(problems, fmt.Sprintf("lists %q twice", name))
		default:
			if _, ok := LookupScope(name); !ok {
				problems = append(problems, unknownScopeProblem(name))
			}
		}
		seen[name] = true
	}
	if len(problems) == 0 {
		return nil
	}
	return &FieldError{
		Field:   FieldScopes,
		Problem: strings.Join(problems, "; "),
		Fix:     "Use scope names as listed at developer.spotify.com/documentation/web-api/concepts/scopes (`tokentray scopes` prints them).",
	}
}

func unknownScopeProblem(name string) string {
	problem := fmt.Sprintf("%q is not a Spotify scope", name)
	if closest, ok := closestScopeName(name); ok {
		problem += fmt.Sprintf(" (did you mean %q?)", closest)
	}
	return problem
}

// closestScopeName suggests the known scope a typo most likely meant, if any is close enough
// that suggesting it is helpful rather than confusing.
func closestScopeName(name string) (string, bool) {
	typed := strings.ToLower(strings.TrimSpace(name))
	best, bestDistance := "", -1
	for _, s := range AllScopes {
		d := scopeEditDistance(typed, s.Name)
		if bestDistance < 0 || d < bestDistance {
			best, bestDistance = s.Name, d
		}
	}
	return best, bestDistance <= max(2, len(best)/3)
}

// scopeEditDistance is the Levenshtein distance between a and b (scope names are ASCII).
func scopeEditDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			substitution := prev[j-1]
			if a[i-1] != b[j-1] {
				substitution++
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, substitution)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// RedirectURI is a parsed, valid redirect URI: http on a loopback address.
type RedirectURI struct {
	Host string // "127.0.0.1" or "::1" (without brackets)
	Port int    // 0 = any: the login server picks a free port
	Path string // starts with "/"
}

// WithPort returns the URI sent to Spotify when the login server listens on port.
func (r RedirectURI) WithPort(port int) string { return loopbackURL(r.Host, port, r.Path) }

// String returns the URI as the user registers it in the Spotify dashboard (no port when any
// port will do).
func (r RedirectURI) String() string { return loopbackURL(r.Host, r.Port, r.Path) }

// loopbackURL formats an http URL on host (IPv6 without brackets); port 0 is left out.
func loopbackURL(host string, port int, path string) string {
	if port != 0 {
		host = net.JoinHostPort(host, strconv.Itoa(port))
	} else if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	u := url.URL{Scheme: "http", Host: host, Path: path}
	return u.String()
}

// ParseRedirectURI checks raw against what both Spotify and the embedded login server accept:
// http (not https: the server speaks plain http), host 127.0.0.1 or [::1] (Spotify refuses
// localhost since November 2025), an optional port, a path, and no query or fragment.
func ParseRedirectURI(raw string) (RedirectURI, *FieldError) {
	fail := func(problem, fix string) (RedirectURI, *FieldError) {
		return RedirectURI{}, &FieldError{Field: FieldRedirectURI, Problem: problem, Fix: fix}
	}
	if raw == "" {
		return fail("is empty", fmt.Sprintf("Use %s and register exactly that URI in developer.spotify.com/dashboard → your app → Settings → Redirect URIs.", DefaultRedirectURI))
	}
	u, err := url.Parse(raw)
	if err != nil {
		return fail(fmt.Sprintf("%q is not a valid URL (%v)", raw, errorWithoutURL(err)),
			fmt.Sprintf("Use %s and register exactly that URI in your Spotify app's settings.", DefaultRedirectURI))
	}
	host := u.Hostname()
	port := 0
	if p := u.Port(); p != "" {
		port, err = strconv.Atoi(p) // url.Parse allows digits only
		if err != nil || port < 1 || port > 65535 {
			return fail(fmt.Sprintf("has port %s; a port is a number from 1 to 65535", p),
				"Use a free port such as 8888, or leave the port out to let tokentray pick one.")
		}
	}
	// Suggestions keep whatever the user got right, so copying one loses nothing.
	suggest := func(host string) string {
		path := u.Path
		if path == "" {
			path = "/callback"
		}
		return fmt.Sprintf("Use %s and register exactly that URI in your Spotify app's settings.", loopbackURL(host, port, path))
	}
	loopback := host == "127.0.0.1" || host == "::1"
	switch {
	case strings.EqualFold(host, "localhost"):
		return fail("uses localhost, which Spotify no longer accepts in redirect URIs (since November 2025)", suggest("127.0.0.1"))
	case u.Scheme == "https" && loopback:
		return fail("uses https, but tokentray's login server on this computer speaks plain http", suggest(host))
	case u.Scheme != "http" || u.Opaque != "":
		return fail(fmt.Sprintf("%q is not an http:// URL", raw), suggest("127.0.0.1"))
	case !loopback:
		return fail(fmt.Sprintf("has host %q; the login callback must reach this computer at 127.0.0.1 (or [::1])", host), suggest("127.0.0.1"))
	case u.User != nil:
		return fail("contains a user name", suggest(host))
	case u.Path == "":
		return fail("has no path", suggest(host))
	case u.RawQuery != "" || u.ForceQuery:
		return fail("has a query (the part from ?), to which Spotify would add its own parameters", suggest(host))
	case u.Fragment != "" || strings.Contains(raw, "#"):
		return fail("has a fragment (the part from #), which never reaches the login server", suggest(host))
	}
	return RedirectURI{Host: host, Port: port, Path: u.Path}, nil
}

// errorWithoutURL drops the URL that url.Parse repeats in its errors: the message already quotes it.
func errorWithoutURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

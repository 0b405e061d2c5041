// Package covers keeps album covers in the user's cache directory, so that the window and the
// track-change notification show a cover without fetching it twice. Covers come from Spotify's
// image hosts, not the Web API: they cost no quota.
//
// A cover's address comes from the Web API or from whatever local player is on the bus, so it is
// not trusted: only https from Spotify's image hosts (and the origins a Cache names, such as the
// fake Spotify's) is fetched, a redirect elsewhere is refused, and only a JPEG or PNG of at most
// 2 MiB, checked by its first bytes, is cached.
package covers

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"tokentray/internal/atomicfile"
)

const (
	// maxBytes bounds one cover: Spotify's are JPEGs of about 30–150 KB.
	maxBytes = 2 << 20
	// DefaultKeep is how many covers stay cached; the oldest go first.
	DefaultKeep  = 200
	fetchTimeout = 15 * time.Second
	maxRedirects = 3
)

// spotifyImageDomains are the domains whose subdomains serve Spotify's images over https:
// i.scdn.co (covers), mosaic.scdn.co (playlist mosaics), image-cdn-ak.spotifycdn.com and
// image-cdn-fa.spotifycdn.com (artists, profiles) and the like; web clients of the Web API
// allow the same two (e.g. the Next.js image settings of Spotify clients on GitHub).
var spotifyImageDomains = []string{"scdn.co", "spotifycdn.com"}

// imageSignatures are the first bytes of the formats cached: what Spotify serves (JPEG), what the
// fake serves (PNG), and both what the window and the notifications can show.
var imageSignatures = [][]byte{[]byte("\xff\xd8\xff"), []byte("\x89PNG\r\n\x1a\n")}

// Cache is a directory of covers, named by the hash of their URL.
type Cache struct {
	Dir  string
	Keep int          // 0 means DefaultKeep
	HTTP *http.Client // nil means a client with a 15 s timeout; its redirects are checked all the same
	// Origins are further origins ("http://127.0.0.1:8901") covers may come from, as they are:
	// the fake Spotify's, which serves the covers of demo mode and of tests.
	Origins []string
}

// Open returns the cache in the user's cache directory (~/.cache/tokentray/covers on Linux),
// taking covers from Spotify's image hosts and from apiURL's origin: the Web API in use, which
// is Spotify's or, in demo mode and tests, the fake's.
func Open(apiURL string) (*Cache, error) {
	base, err := os.UserCacheDir()
	if err != nil {
		return nil, fmt.Errorf("no cache directory for covers: %w", err)
	}
	c := &Cache{Dir: filepath.Join(base, "tokentray", "covers")}
	if u, err := url.Parse(apiURL); err == nil && u.Host != "" {
		c.Origins = []string{u.Scheme + "://" + u.Host}
	}
	return c, nil
}

// allowed reports whether a cover may be fetched from u.
func (c *Cache) allowed(u *url.URL) bool {
	if u.User != nil {
		return false
	}
	for _, origin := range c.Origins {
		if strings.EqualFold(u.Scheme+"://"+u.Host, origin) {
			return true
		}
	}
	if u.Scheme != "https" || (u.Port() != "" && u.Port() != "443") {
		return false
	}
	host := strings.ToLower(u.Hostname())
	for _, domain := range spotifyImageDomains {
		if strings.HasSuffix(host, "."+domain) {
			return true
		}
	}
	return false
}

// Get returns the file holding the cover at rawURL, fetching it on first use.
func (c *Cache) Get(ctx context.Context, rawURL string) (string, error) {
	u, err := url.Parse(rawURL)
	if err != nil || !c.allowed(u) {
		return "", fmt.Errorf("cover %q: not an https address on Spotify's image hosts (*.scdn.co, *.spotifycdn.com)", rawURL)
	}
	sum := sha256.Sum256([]byte(rawURL))
	path := filepath.Join(c.Dir, hex.EncodeToString(sum[:16]))
	if _, err := os.Stat(path); err == nil {
		now := time.Now()
		os.Chtimes(path, now, now) //nolint:errcheck // only the pruning order suffers
		return path, nil
	}
	data, err := c.fetch(ctx, rawURL)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(c.Dir, 0o700); err != nil {
		return "", err
	}
	if err := atomicfile.WriteFile(path, data); err != nil {
		return "", err
	}
	c.prune()
	return path, nil
}

func (c *Cache) fetch(ctx context.Context, rawURL string) ([]byte, error) {
	client := http.Client{Timeout: fetchTimeout}
	if c.HTTP != nil {
		client = *c.HTTP
	}
	client.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) >= maxRedirects {
			return fmt.Errorf("more than %d redirects", maxRedirects)
		}
		if !c.allowed(req.URL) {
			return fmt.Errorf("redirected to %s, not one of Spotify's image hosts", req.URL.Redacted())
		}
		return nil
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetching the cover: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetching the cover: %s answered %s", req.URL.Host, resp.Status)
	}
	tooLarge := fmt.Errorf("fetching the cover: %s sent more than 2 MiB", req.URL.Host)
	if resp.ContentLength > maxBytes {
		return nil, tooLarge
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("fetching the cover: %w", err)
	}
	if len(data) > maxBytes {
		return nil, tooLarge
	}
	if !slices.ContainsFunc(imageSignatures, func(sig []byte) bool { return bytes.HasPrefix(data, sig) }) {
		return nil, fmt.Errorf("fetching the cover: %s sent no JPEG or PNG image (%s)", req.URL.Host, http.DetectContentType(data))
	}
	return data, nil
}

// prune removes the least recently used covers beyond Keep.
func (c *Cache) prune() {
	keep := c.Keep
	if keep == 0 {
		keep = DefaultKeep
	}
	entries, err := os.ReadDir(c.Dir)
	if err != nil || len(entries) <= keep {
		return
	}
	type file struct {
		name string
		used time.Time
	}
	var files []file
	for _, e := range entries {
		if info, err := e.Info(); err == nil && info.Mode().IsRegular() {
			files = append(files, file{e.Name(), info.ModTime()})
		}
	}
	slices.SortFunc(files, func(a, b file) int { return a.used.Compare(b.used) })
	for _, f := range files[:max(len(files)-keep, 0)] {
		os.Remove(filepath.Join(c.Dir, f.name))
	}
}

// Package covers keeps album covers in the user's cache directory, so that the window and the
// track-change notification show a cover without fetching it twice. Covers come from Spotify's
// image host, not the Web API: they cost no quota.
package covers

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
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
)

// Cache is a directory of covers, named by the hash of their URL.
type Cache struct {
	Dir  string
	Keep int          // 0 means DefaultKeep
	HTTP *http.Client // nil means a client with a 15 s timeout
}

// Open returns the cache in the user's cache directory (~/.cache/tokentray/covers on Linux).
func Open() (*Cache, error) {
	base, err := os.UserCacheDir()
	if err != nil {
		return nil, fmt.Errorf("no cache directory for covers: %w", err)
	}
	return &Cache{Dir: filepath.Join(base, "tokentray", "covers")}, nil
}

// Get returns the file holding the cover at url, fetching it on first use.
func (c *Cache) Get(ctx context.Context, url string) (string, error) {
	if !strings.HasPrefix(url, "https://") && !strings.HasPrefix(url, "http://") {
		return "", fmt.Errorf("cover %q: not a web address", url)
	}
	sum := sha256.Sum256([]byte(url))
	path := filepath.Join(c.Dir, hex.EncodeToString(sum[:16]))
	if _, err := os.Stat(path); err == nil {
		now := time.Now()
		os.Chtimes(path, now, now) //nolint:errcheck // only the pruning order suffers
		return path, nil
	}
	data, err := c.fetch(ctx, url)
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

func (c *Cache) fetch(ctx context.Context, url string) ([]byte, error) {
	client := c.HTTP
	if client == nil {
		client = &http.Client{Timeout: fetchTimeout}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
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
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "image/") {
		return nil, fmt.Errorf("fetching the cover: %s sent %q, not an image", req.URL.Host, ct)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("fetching the cover: %w", err)
	}
	if len(data) > maxBytes {
		return nil, errors.New("fetching the cover: larger than 2 MiB")
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

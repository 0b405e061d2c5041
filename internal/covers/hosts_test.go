package covers

import (
	"bytes"
	"context"
	"crypto/tls"
	"image"
	"image/png"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// imageHosts is one TLS server that answers for every host name: its client dials it whatever
// the address, so that https://i.scdn.co/… reaches it. It records the hosts asked.
type imageHosts struct {
	srv    *httptest.Server
	client *http.Client
	mu     sync.Mutex
	asked  []string
}

func startImageHosts(t *testing.T, handler http.HandlerFunc) *imageHosts {
	t.Helper()
	h := &imageHosts{}
	h.srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.mu.Lock()
		h.asked = append(h.asked, r.Host+r.URL.Path)
		h.mu.Unlock()
		handler(w, r)
	}))
	t.Cleanup(h.srv.Close)
	addr := h.srv.Listener.Addr().String()
	h.client = &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, addr)
		},
		// The test certificate names no Spotify host; what is checked here is which hosts are asked.
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, //nolint:gosec // a loopback test server
	}}
	return h
}

func (h *imageHosts) requests() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.asked...)
}

func pngBytes(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewRGBA(image.Rect(0, 0, 64, 64))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestOnlySpotifysImageHostsOverHTTPS(t *testing.T) {
	img := pngBytes(t)
	hosts := startImageHosts(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/jpeg")
		w.Write(img)
	})
	for _, tc := range []struct {
		url   string
		taken bool
	}{
		{"https://i.scdn.co/image/ab67616d0000b273", true},
		{"https://mosaic.scdn.co/640/ab67616d", true},
		{"https://image-cdn-ak.spotifycdn.com/image/ab6761610000e5eb", true},
		{"https://I.SCDN.CO:443/image/upper", true},
		{"http://i.scdn.co/image/plain-http", false},
		{"https://i.scdn.co.example.com/image/x", false},
		{"https://evilscdn.co/image/x", false},
		{"https://scdn.co/image/x", false},
		{"https://i.scdn.co:8443/image/x", false},
		{"https://user@i.scdn.co/image/x", false},
		{"https://example.com/cover.jpg", false},
		{"file:///etc/passwd", false},
	} {
		t.Run(tc.url, func(t *testing.T) {
			before := len(hosts.requests())
			c := &Cache{Dir: t.TempDir(), HTTP: hosts.client}
			path, err := c.Get(context.Background(), tc.url)
			asked := len(hosts.requests()) - before
			if tc.taken {
				if err != nil || asked != 1 {
					t.Fatalf("Get = %q, %v after %d requests; want the cover after one", path, err, asked)
				}
				if data, _ := os.ReadFile(path); !bytes.Equal(data, img) {
					t.Fatal("the cached file is not the image sent")
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), "not an https address on Spotify's image hosts") || asked != 0 {
				t.Fatalf("Get = %q, %v after %d requests; want a refusal before any", path, err, asked)
			}
		})
	}
}

func TestARedirectLeavesNoImageHost(t *testing.T) {
	img := pngBytes(t)
	hosts := startImageHosts(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/away":
			http.Redirect(w, r, "https://tracker.example.com/pixel.png", http.StatusFound)
		case "/moved":
			http.Redirect(w, r, "https://mosaic.scdn.co/img", http.StatusMovedPermanently)
		default:
			w.Write(img)
		}
	})
	dir := t.TempDir()
	c := &Cache{Dir: dir, HTTP: hosts.client}
	_, err := c.Get(context.Background(), "https://i.scdn.co/away")
	if err == nil || !strings.Contains(err.Error(), "redirected to https://tracker.example.com/pixel.png, not one of Spotify's image hosts") {
		t.Fatalf("Get = %v, want the redirect refused", err)
	}
	if got := hosts.requests(); len(got) != 1 || got[0] != "i.scdn.co/away" {
		t.Fatalf("requests %v, want only i.scdn.co/away", got)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("cached %d files after a refusal", len(entries))
	}
	if _, err := c.Get(context.Background(), "https://i.scdn.co/moved"); err != nil {
		t.Fatalf("a redirect within Spotify's hosts: %v", err)
	}
}

func TestOnlyAnImageIsCached(t *testing.T) {
	bodies := map[string][]byte{
		"/html":  []byte("<html><script>alert(1)</script></html>"),
		"/empty": nil,
		"/large": append([]byte("\xff\xd8\xff\xe0"), make([]byte, 2<<20)...),
		"/jpeg":  append([]byte("\xff\xd8\xff\xe0"), make([]byte, 100)...),
	}
	hosts := startImageHosts(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/jpeg") // whatever the body
		if r.URL.Query().Has("sized") {
			w.Header().Set("Content-Length", strconv.Itoa(len(bodies[r.URL.Path])))
		}
		w.Write(bodies[r.URL.Path])
	})
	dir := t.TempDir()
	c := &Cache{Dir: dir, HTTP: hosts.client}
	for path, want := range map[string]string{
		"/html":        "i.scdn.co sent no JPEG or PNG image (text/html; charset=utf-8)",
		"/empty":       "i.scdn.co sent no JPEG or PNG image (text/plain; charset=utf-8)",
		"/large":       "i.scdn.co sent more than 2 MiB", // chunked: found by reading
		"/large?sized": "i.scdn.co sent more than 2 MiB", // refused by its Content-Length
	} {
		if _, err := c.Get(context.Background(), "https://i.scdn.co"+path); err == nil || !strings.HasSuffix(err.Error(), want) {
			t.Errorf("%s: Get = %v, want %q", path, err, want)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("cached %d files, want none", len(entries))
	}
	if _, err := c.Get(context.Background(), "https://i.scdn.co/jpeg"); err != nil {
		t.Fatalf("a JPEG: %v", err)
	}
}

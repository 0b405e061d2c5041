package covers

import (
	"bytes"
	"context"
	"image/png"
	"net/http"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"tokentray/internal/fakespotify"
)

func TestACoverIsFetchedOnceAndKeptOnDisk(t *testing.T) {
	fake, err := fakespotify.StartDemo("127.0.0.1:0", fakespotify.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer fake.Close()
	fetches := &countingTransport{}
	c := &Cache{Dir: t.TempDir(), HTTP: &http.Client{Transport: fetches}, Origins: []string{fake.URL()}}
	url := fake.URL() + "/_fake/cover/4kQm2Tn8XvLpR7cJw1ZbYd?size=300"
	first, err := c.Get(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	second, err := c.Get(context.Background(), url)
	if err != nil || second != first {
		t.Fatalf("second Get: %q, %v; want %q", second, err, first)
	}
	if n := fetches.n.Load(); n != 1 {
		t.Fatalf("%d fetches for two Gets, want 1", n)
	}
	data, err := os.ReadFile(first)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil || img.Bounds().Dx() != 300 {
		t.Fatalf("cached cover: %v, %v", img.Bounds(), err)
	}
	if _, err := c.Get(context.Background(), fake.URL()+"/_fake/cover/x?size=9"); err == nil {
		t.Fatal("a 400 answer was cached as a cover")
	}
	if _, err := c.Get(context.Background(), "file:///etc/passwd"); err == nil {
		t.Fatal("a file URL was accepted")
	}
}

// countingTransport counts the requests that reach the network.
type countingTransport struct{ n atomic.Int32 }

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return http.DefaultTransport.RoundTrip(r)
}

func TestTheOldestCoversGo(t *testing.T) {
	fake, err := fakespotify.StartDemo("127.0.0.1:0", fakespotify.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer fake.Close()
	c := &Cache{Dir: t.TempDir(), Keep: 2, Origins: []string{fake.URL()}}
	var paths []string
	for _, id := range []string{"a", "b", "c"} {
		p, err := c.Get(context.Background(), fake.URL()+"/_fake/cover/"+id+"?size=64")
		if err != nil {
			t.Fatal(err)
		}
		old := time.Now().Add(-time.Duration(10-len(paths)) * time.Minute)
		os.Chtimes(p, old, old)
		paths = append(paths, p)
	}
	if _, err := os.Stat(paths[0]); !os.IsNotExist(err) {
		t.Fatalf("the oldest cover is still there (%v)", err)
	}
	for _, p := range paths[1:] {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("a recent cover went: %v", err)
		}
	}
}

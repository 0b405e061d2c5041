package auth

import (
	"context"
	"testing"

	"tokentray/internal/fakespotify"
	"tokentray/internal/local"
)

// BenchmarkTokenCached is the path every copy and every script call takes while the token is
// fresh: no store, no network, a few hundred nanoseconds even with every core calling.
func BenchmarkTokenCached(b *testing.B) {
	fake := fakespotify.New(fakespotify.Options{AutoApprove: true})
	if err := fake.RegisterApp(testApp); err != nil {
		b.Fatal(err)
	}
	if _, err := fake.Start("127.0.0.1:0"); err != nil {
		b.Fatal(err)
	}
	defer fake.Close()
	m := NewManager(testConfig(fake, true), local.NewMemoryStore(), b.TempDir()+"/lock")
	open, page := browserFor(b)
	if _, err := m.Login(context.Background(), LoginOptions{OpenBrowser: open}); err != nil {
		b.Fatal(err)
	}
	<-page
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := m.Token(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
}

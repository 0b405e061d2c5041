package auth

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"tokentray/internal/fakespotify"
	"tokentray/internal/local"
)

// staleLogin logs in while the fake issues 5-minute tokens (less than MinValid, so the first
// Token call must refresh), then restores the normal lifetime.
func staleLogin(t *testing.T, fake *fakespotify.Server, m *Manager) *UserToken {
	t.Helper()
	fake.SetTokenLifetime(5 * time.Minute)
	ut := login(t, m)
	fake.SetTokenLifetime(time.Hour)
	return ut
}

func TestTokenRefreshKeepsAnOmittedRefreshToken(t *testing.T) {
	fake := startFake(t, fakespotify.Options{OmitRefreshTokenOnRefresh: true})
	m := newTestManager(t, testConfig(fake, true), local.NewMemoryStore())
	first := staleLogin(t, fake, m)

	tok, err := m.Token(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if tok.AccessToken == first.AccessToken {
		t.Fatal("Token returned the stale access token")
	}
	if left := time.Until(tok.Expiry); left < local.DefaultMinValid {
		t.Fatalf("token has %s left, want at least %s", left, local.DefaultMinValid)
	}
	stored, _ := m.Stored()
	if stored.RefreshToken != first.RefreshToken || !fake.RefreshTokenValid(stored.RefreshToken) {
		t.Fatal("the refresh token Spotify did not replace was not kept")
	}
	if n := len(tokenRequests(fake, "refresh_token")); n != 1 {
		t.Fatalf("%d refreshes, want 1", n)
	}
	// A second call is served from memory.
	if again, _ := m.Token(context.Background()); again.AccessToken != tok.AccessToken || len(tokenRequests(fake, "refresh_token")) != 1 {
		t.Fatal("a still-valid token was refreshed again")
	}
}

// failingSetStore refuses writes of the user token after the login, to prove a rotated refresh
// token is persisted before its access token is handed out.
type failingSetStore struct {
	local.SecretStore
	fail bool
}

func (s *failingSetStore) Set(key, value string) error {
	if s.fail && key == local.KeyUserToken {
		return errors.New("keyring is locked")
	}
	return s.SecretStore.Set(key, value)
}

func TestRotatedRefreshTokenIsPersistedBeforeUse(t *testing.T) {
	fake := startFake(t, fakespotify.Options{})
	store := &failingSetStore{SecretStore: local.NewMemoryStore()}
	var warnings []string
	m := newTestManager(t, testConfig(fake, false), store, WithSaveRetry(time.Second),
		WithWarnings(func(w string) { warnings = append(warnings, w) }))
	first := staleLogin(t, fake, m)

	store.fail = true
	if tok, err := m.Token(context.Background()); err == nil || tok != nil || !strings.Contains(err.Error(), "keyring is locked") {
		t.Fatalf("got %v, %v: a token whose rotation could not be saved must not be handed out", tok, err)
	}

	// Spotify did rotate (the old token is revoked), yet nobody got the unsaved token's access
	// token: whatever happens next starts from what the store holds.
	if fake.RefreshTokenValid(first.RefreshToken) {
		t.Fatal("the refresh did not happen; the test proves nothing")
	}
	if cached := m.Cached(); cached == nil || cached.AccessToken != first.AccessToken {
		t.Fatal("the manager kept a token it could not persist")
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], "this copy is your login") || !strings.Contains(warnings[0], "do not stop tokentray") {
		t.Fatalf("warnings %q: want one that says the unsaved token is the login", warnings)
	}
}

// flakySetStore refuses the first writes of the user token, as a keyring that stalls or a
// directory that is briefly read-only does.
type flakySetStore struct {
	local.SecretStore
	failures int
}

func (s *flakySetStore) Set(key, value string) error {
	if key == local.KeyUserToken && s.failures > 0 {
		s.failures--
		return errors.New("keyring set did not answer")
	}
	return s.SecretStore.Set(key, value)
}

func TestRotatedRefreshTokenIsSavedOnceTheStoreRecovers(t *testing.T) {
	fake := startFake(t, fakespotify.Options{})
	store := &flakySetStore{SecretStore: local.NewMemoryStore()}
	var warnings []string
	m := newTestManager(t, testConfig(fake, false), store, WithWarnings(func(w string) { warnings = append(warnings, w) }))
	first := staleLogin(t, fake, m)

	store.failures = 3
	tok, err := m.Token(context.Background())
	if err != nil {
		t.Fatalf("the store recovered within the retries, yet: %v", err)
	}
	stored, err := m.Stored()
	if err != nil {
		t.Fatal(err)
	}
	if stored.RefreshToken == first.RefreshToken || !fake.RefreshTokenValid(stored.RefreshToken) || stored.AccessToken != tok.AccessToken {
		t.Fatal("want the rotated refresh token and the handed-out access token stored")
	}
	if len(warnings) != 2 || !strings.Contains(warnings[1], "after 4 tries") {
		t.Fatalf("warnings %q: want the stake, then the recovery after 4 tries", warnings)
	}
}

func TestPKCERotationPersistsTheNewRefreshToken(t *testing.T) {
	fake := startFake(t, fakespotify.Options{})
	m := newTestManager(t, testConfig(fake, false), local.NewMemoryStore())
	first := staleLogin(t, fake, m)

	if _, err := m.Token(context.Background()); err != nil {
		t.Fatal(err)
	}
	stored, _ := m.Stored()
	if stored.RefreshToken == first.RefreshToken {
		t.Fatal("PKCE refresh did not store the rotated refresh token")
	}
	if fake.RefreshTokenValid(first.RefreshToken) || !fake.RefreshTokenValid(stored.RefreshToken) {
		t.Fatal("want the old refresh token revoked and the stored one valid")
	}
	if !stored.AuthorizedAt.Equal(first.AuthorizedAt) {
		t.Fatal("a refresh must not move the original authorization date (the six months count from it)")
	}
}

func TestConcurrentCallersShareOneRefresh(t *testing.T) {
	fake := startFake(t, fakespotify.Options{})
	m := newTestManager(t, testConfig(fake, false), local.NewMemoryStore())
	staleLogin(t, fake, m)

	var wg sync.WaitGroup
	tokens := make([]string, 100)
	errs := make([]error, 100)
	for i := range tokens {
		wg.Go(func() {
			tok, err := m.Token(context.Background())
			errs[i] = err
			if err == nil {
				tokens[i] = tok.AccessToken
			}
		})
	}
	wg.Wait()
	for i := range tokens {
		if errs[i] != nil || tokens[i] != tokens[0] {
			t.Fatalf("caller %d: %q, %v; want the one shared token", i, tokens[i], errs[i])
		}
	}
	if n := len(tokenRequests(fake, "refresh_token")); n != 1 {
		t.Fatalf("%d refreshes for 100 concurrent callers, want 1", n)
	}
}

// TestHelperProcessToken is not a test: TestTwoProcessesShareOneRefresh runs it in child processes.
func TestHelperProcessToken(t *testing.T) {
	if os.Getenv("TOKENTRAY_HELPER_PROCESS") != "1" {
		t.Skip("runs only as a child of TestTwoProcessesShareOneRefresh")
	}
	cfg := Config{ClientID: testApp.ClientID, RedirectURI: "http://127.0.0.1/callback", AccountsURL: os.Getenv("HELPER_ACCOUNTS_URL")}
	m := NewManager(cfg, local.NewFileStore(os.Getenv("HELPER_STORE")), os.Getenv("HELPER_LOCK"))
	tok, err := m.Token(context.Background())
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	fmt.Println("token:", tok.AccessToken)
	os.Exit(0)
}

func TestTwoProcessesShareOneRefresh(t *testing.T) {
	fake := startFake(t, fakespotify.Options{})
	dir := t.TempDir()
	storePath, lockPath := filepath.Join(dir, "secrets.json"), filepath.Join(dir, "refresh.lock")
	m := NewManager(testConfig(fake, false), local.NewFileStore(storePath), lockPath)
	staleLogin(t, fake, m) // PKCE: a second refresh with the same token would be refused

	type result struct {
		out string
		err error
	}
	results := make(chan result, 2)
	for range 2 {
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcessToken$")
		cmd.Env = append(os.Environ(), "TOKENTRAY_HELPER_PROCESS=1", "HELPER_ACCOUNTS_URL="+fake.URL(),
			"HELPER_STORE="+storePath, "HELPER_LOCK="+lockPath)
		go func() {
			out, err := cmd.CombinedOutput()
			results <- result{string(out), err}
		}()
	}
	var tokens []string
	for range 2 {
		r := <-results
		if r.err != nil {
			t.Fatalf("child failed: %v\n%s", r.err, r.out)
		}
		_, tok, _ := strings.Cut(r.out, "token: ")
		tokens = append(tokens, strings.Fields(tok)[0])
	}
	if tokens[0] != tokens[1] {
		t.Fatalf("the processes got different tokens %s and %s: both refreshed", Redact(tokens[0]), Redact(tokens[1]))
	}
	if n := len(tokenRequests(fake, "refresh_token")); n != 1 {
		t.Fatalf("%d refreshes by two processes, want 1", n)
	}
	stored, err := m.Stored()
	if err != nil || !fake.RefreshTokenValid(stored.RefreshToken) {
		t.Fatalf("stored refresh token not valid at the fake afterwards (%v)", err)
	}
}

func TestInvalidGrantMeansNeedsLoginAndStopsRetrying(t *testing.T) {
	fake := startFake(t, fakespotify.Options{})
	m := newTestManager(t, testConfig(fake, true), local.NewMemoryStore())
	first := staleLogin(t, fake, m)
	fake.RevokeAll()

	_, err := m.Token(context.Background())
	if !errors.Is(err, ErrNeedsLogin) || !strings.Contains(err.Error(), "Refresh token revoked") {
		t.Fatalf("got %v, want ErrNeedsLogin with Spotify's reason", err)
	}
	stored, serr := m.Stored()
	if serr != nil || !stored.NeedsLogin || stored.RefreshToken != first.RefreshToken || !strings.Contains(stored.NeedsLoginReason, "six months") ||
		!strings.Contains(stored.NeedsLoginReason, "invalid_grant: Refresh token revoked") {
		t.Fatalf("stored %+v (%v): want the record kept and flagged", stored, serr)
	}
	if m.Cached() != nil {
		t.Fatal("the access token of a refused login is still handed out from memory")
	}
	before := len(fake.Requests())
	if _, err := m.Token(context.Background()); !errors.Is(err, ErrNeedsLogin) {
		t.Fatalf("second call: %v", err)
	}
	if len(fake.Requests()) != before {
		t.Fatal("a refresh token Spotify refused was tried again")
	}
	// Logging in again heals it.
	login(t, m)
	if _, err := m.Token(context.Background()); err != nil {
		t.Fatalf("after a new login: %v", err)
	}
}

func TestRefreshHonoursRetryAfterAndRetriesServerErrors(t *testing.T) {
	fake := startFake(t, fakespotify.Options{})
	var waits []time.Duration
	m := newTestManager(t, testConfig(fake, true), local.NewMemoryStore(), noWait(&waits))
	staleLogin(t, fake, m)

	fake.RateLimitNext("/api/token", 7*time.Second, 1)
	fake.FailNext("/api/token", 503, 1)
	if _, err := m.Token(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(waits) != 2 || waits[0] != 7*time.Second || waits[1] < time.Second || waits[1] > 2*time.Second {
		t.Fatalf("waits %v: want Retry-After's 7s, then the second backoff step, jittered within 1–2s", waits)
	}
	if n := len(tokenRequests(fake, "refresh_token")); n != 3 {
		t.Fatalf("%d refresh attempts, want 3", n)
	}
}

func TestRefreshGivesUpWhenRetryAfterExceedsTheDeadline(t *testing.T) {
	fake := startFake(t, fakespotify.Options{})
	m := newTestManager(t, testConfig(fake, true), local.NewMemoryStore())
	staleLogin(t, fake, m)
	fake.RateLimitNext("/api/token", time.Hour, 1)

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := m.Token(ctx)
	if !errors.Is(err, ErrUnreachable) || !strings.Contains(err.Error(), "1h0m0s") {
		t.Fatalf("got %v, want an unreachable error saying when to try again", err)
	}
}

func TestRefreshGivesUpAfterTheAttempts(t *testing.T) {
	fake := startFake(t, fakespotify.Options{})
	var waits []time.Duration
	m := newTestManager(t, testConfig(fake, true), local.NewMemoryStore(), noWait(&waits))
	staleLogin(t, fake, m)
	fake.FailNext("/api/token", 502, 10)

	_, err := m.Token(context.Background())
	if !errors.Is(err, ErrUnreachable) || errors.Is(err, ErrNeedsLogin) {
		t.Fatalf("got %v, want ErrUnreachable", err)
	}
	if len(waits) != 3 || waits[2] < 2*time.Second {
		t.Fatalf("waits %v: want 3 growing waits between 4 attempts", waits)
	}
	if stored, _ := m.Stored(); stored.NeedsLogin {
		t.Fatal("a server error must not mark the login as needed")
	}
}

func TestForceRefreshSharedByCallersOfTheSameStaleToken(t *testing.T) {
	fake := startFake(t, fakespotify.Options{})
	m := newTestManager(t, testConfig(fake, true), local.NewMemoryStore())
	rejected := login(t, m).AccessToken

	var wg sync.WaitGroup
	fresh := make(chan string, 10)
	for range 10 {
		wg.Go(func() {
			tok, err := m.ForceRefresh(context.Background(), rejected)
			if err != nil || tok.AccessToken == rejected {
				t.Errorf("ForceRefresh: %v, got the rejected token back: %v", err, err == nil && tok.AccessToken == rejected)
				return
			}
			fresh <- tok.AccessToken
		})
	}
	wg.Wait()
	close(fresh)
	first := <-fresh
	for tok := range fresh {
		if tok != first {
			t.Errorf("callers got different tokens %s… and %s…", tok[:8], first[:8])
		}
	}
	// A caller whose 401 arrives after the refresh gets the new token without another request.
	if tok, err := m.ForceRefresh(context.Background(), rejected); err != nil || tok.AccessToken != first {
		t.Errorf("late ForceRefresh: %v, same token %v", err, err == nil && tok.AccessToken == first)
	}
	if n := len(tokenRequests(fake, "refresh_token")); n != 1 {
		t.Fatalf("%d refreshes after one 401 seen by 11 callers, want 1", n)
	}
	// A 401 for the new token refreshes again.
	if tok, err := m.ForceRefresh(context.Background(), first); err != nil || tok.AccessToken == first {
		t.Errorf("ForceRefresh of the new token: %v", err)
	}
	if n := len(tokenRequests(fake, "refresh_token")); n != 2 {
		t.Fatalf("%d refreshes after a second 401, want 2", n)
	}
}

func TestAppTokenUsesClientCredentialsAndCachesIt(t *testing.T) {
	fake := startFake(t, fakespotify.Options{})
	store := local.NewMemoryStore()
	m := newTestManager(t, testConfig(fake, true), store)

	tok, err := m.AppToken(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if kind, _, ok := fake.AccessTokenValid(tok.AccessToken); !ok || kind != "app" {
		t.Fatalf("app token kind %q valid %v", kind, ok)
	}
	// Another manager on the same store (another process) reuses it.
	other := newTestManager(t, testConfig(fake, true), store)
	again, err := other.AppToken(context.Background())
	if err != nil || again.AccessToken != tok.AccessToken {
		t.Fatalf("second manager: %v, same token %v", err, again != nil && again.AccessToken == tok.AccessToken)
	}
	if n := len(tokenRequests(fake, "client_credentials")); n != 1 {
		t.Fatalf("%d client-credentials requests, want 1", n)
	}

	pkce := newTestManager(t, testConfig(fake, false), local.NewMemoryStore())
	if _, err := pkce.AppToken(context.Background()); !errors.Is(err, ErrNoSecret) {
		t.Fatalf("without a secret: %v, want ErrNoSecret", err)
	}
}

func TestTokenWithoutLoginNeedsLogin(t *testing.T) {
	m := newTestManager(t, Config{ClientID: testApp.ClientID, AccountsURL: "http://127.0.0.1:1"}, local.NewMemoryStore())
	if _, err := m.Token(context.Background()); !errors.Is(err, ErrNeedsLogin) {
		t.Fatalf("got %v, want ErrNeedsLogin", err)
	}
}

func TestStoredLoginOfAnotherClientIDNeedsLogin(t *testing.T) {
	fake := startFake(t, fakespotify.Options{})
	store := local.NewMemoryStore()
	login(t, newTestManager(t, testConfig(fake, true), store))
	cfg := testConfig(fake, true)
	cfg.ClientID = "ffffffffffffffffffffffffffffffff"
	_, err := newTestManager(t, cfg, store).Token(context.Background())
	if !errors.Is(err, ErrNeedsLogin) || !strings.Contains(err.Error(), "client ID") {
		t.Fatalf("got %v", err)
	}
}

func TestKeepAliveRefreshesAheadAndReportsNeedsLogin(t *testing.T) {
	fake := startFake(t, fakespotify.Options{})
	cfg := testConfig(fake, true)
	cfg.MinValid = time.Second
	m := newTestManager(t, cfg, local.NewMemoryStore())
	// Tokens that live KeepAhead + 2 s are due for a background refresh about a second after issue.
	fake.SetTokenLifetime(KeepAhead + 2*time.Second)
	login(t, m)

	events := make(chan Event, 16)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go m.KeepAlive(ctx, func(e Event) { events <- e })

	next := func() Event {
		select {
		case e := <-events:
			return e
		case <-time.After(10 * time.Second):
			t.Fatal("no event from the keeper")
		}
		return Event{}
	}
	first := next()
	second := next()
	if first.Kind != Refreshed || second.Kind != Refreshed || first.Token.AccessToken == second.Token.AccessToken {
		t.Fatalf("events %v, %v: want two refreshes with different tokens", first.Kind, second.Kind)
	}
	fake.RevokeAll()
	for e := next(); e.Kind != NeedsLogin; e = next() {
		if e.Kind != Refreshed {
			t.Fatalf("unexpected event %v (%v)", e.Kind, e.Err)
		}
	}
}

func TestNoSecretReachesTheConfigDir(t *testing.T) {
	fake := startFake(t, fakespotify.Options{})
	dir := t.TempDir()
	store := local.NewMemoryStore() // stands in for the keyring
	s := local.DefaultSettings()
	s.ClientID = testApp.ClientID
	s.RedirectURI = "http://127.0.0.1/callback"
	if err := local.SaveSettings(dir, s); err != nil {
		t.Fatal(err)
	}
	if err := store.Set(local.KeyClientSecret, testApp.ClientSecret); err != nil {
		t.Fatal(err)
	}
	cfg := testConfig(fake, true)
	m := NewManager(cfg, store, filepath.Join(dir, "refresh.lock"))
	ut := staleLogin(t, fake, m)
	tok, err := m.Token(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	app, err := m.AppToken(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	secrets := []string{testApp.ClientSecret, ut.RefreshToken, ut.AccessToken, tok.AccessToken, app.AccessToken}
	assertNoSecretsUnder(t, dir, secrets)
}

func assertNoSecretsUnder(t *testing.T, dir string, secrets []string) {
	t.Helper()
	files := 0
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		files++
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, s := range secrets {
			if s != "" && strings.Contains(string(data), s) {
				t.Errorf("%s contains a secret (%s)", path, Redact(s))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files == 0 {
		t.Fatal("no files in the config dir: the check proved nothing")
	}
}

func TestACancelledRefreshStillSavesTheRotatedToken(t *testing.T) {
	fake := startFake(t, fakespotify.Options{})
	m := newTestManager(t, testConfig(fake, false), local.NewMemoryStore())
	first := staleLogin(t, fake, m)

	// The caller gives up (Ctrl-C, a service stop) after Spotify rotated, before the answer arrived.
	ctx, cancel := context.WithCancel(context.Background())
	fake.OnTokensIssued(func(string) { cancel() })
	fake.HoldTokenAnswers(200 * time.Millisecond)
	if _, err := m.Token(ctx); err != nil {
		t.Fatalf("the refresh in flight was abandoned: %v", err)
	}
	stored, err := m.Stored()
	if err != nil || stored.RefreshToken == first.RefreshToken || !fake.RefreshTokenValid(stored.RefreshToken) {
		t.Fatalf("stored %+v, %v: want the rotated refresh token, valid at Spotify", stored, err)
	}
}

func TestAppTokenLastsWhatSpotifySays(t *testing.T) {
	fake := startFake(t, fakespotify.Options{})
	fake.SetTokenLifetime(20 * time.Minute)
	m := newTestManager(t, testConfig(fake, true), local.NewMemoryStore())
	before := time.Now()
	tok, err := m.AppTokenValidFor(context.Background(), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if tok.Expiry.Before(before.Add(20*time.Minute)) || tok.Expiry.After(time.Now().Add(20*time.Minute)) {
		t.Fatalf("app token expires at %s, want 20 min after the request (%s)", tok.Expiry, before)
	}
}

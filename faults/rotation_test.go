//go:build faults

package faults

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"syscall"
	"testing"
	"time"

	"tokentray/internal/fakespotify"
)

// refreshIssued returns a channel that receives once each time the fake rotated a refresh token.
func refreshIssued(fake *fakespotify.Server) <-chan struct{} {
	issued := make(chan struct{}, 16)
	fake.OnTokensIssued(func(grant string) {
		if grant == "refresh_token" {
			issued <- struct{}{}
		}
	})
	return issued
}

// signalAfterRotation runs `token`, and once the fake has rotated the refresh token, waits
// delay and sends sig. It reports whether the signal reached a running process.
func signalAfterRotation(t *testing.T, p *profile, issued <-chan struct{}, sig syscall.Signal, delay time.Duration) (result, bool) {
	t.Helper()
	pr := p.start(nil, "token")
	select {
	case <-issued:
	case r := <-pr.Done:
		t.Fatalf("token ended without a refresh: exit %d\n%s", r.Code, r.Stderr)
	}
	time.Sleep(delay)
	landed := pr.Cmd.Process.Signal(sig) == nil
	return pr.Wait(t, time.Minute), landed
}

func storeName(withKeyring bool) string {
	if withKeyring {
		return "keyring"
	}
	return "file store"
}

func TestStopSignalsDuringARefreshLoseNoLogin(t *testing.T) {
	t.Parallel()
	for _, withKeyring := range []bool{false, true} {
		t.Run(storeName(withKeyring), func(t *testing.T) {
			fake, p := loggedIn(t, withKeyring)
			issued := refreshIssued(fake)
			const rounds = 8
			sent, lost := 0, 0
			for i := range rounds {
				for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
					// Anywhere from "the answer is on its way" to "saved and exiting".
					delay := time.Duration(rand.N(12000)) * time.Microsecond
					if i == 0 {
						// Once with the answer held at the fake: certainly mid-request.
						fake.HoldTokenAnswers(300 * time.Millisecond)
						delay = 0
					}
					r, landed := signalAfterRotation(t, p, issued, sig, delay)
					fake.HoldTokenAnswers(0)
					if landed {
						sent++
					}
					// A signal may also land after the command returned, while the process exits
					// with the default handler back: what counts is the stored login.
					if !p.loginKept(fake) {
						lost++
						t.Errorf("%s %s after the rotation lost the login; stderr:\n%s", sig, delay, r.Stderr)
						p.login("")
					}
				}
			}
			report(t, row{id: "1.1 " + storeName(withKeyring), fault: "SIGINT or SIGTERM at any moment of a PKCE refresh (" + storeName(withKeyring) + ")",
				done:    "the signals are caught while a command runs; the token request is not cancelled once sent, and the save finishes before the process exits",
				promise: "zero logins lost",
				measured: fmt.Sprintf("%d signals sent 0–12 ms after the fake rotated the refresh token (and 2 with the answer held 300 ms): %d logins lost",
					sent, lost)})
		})
	}
}

// TestKillNineWindow is not parallel: it measures milliseconds, which the other tests' load
// would stretch.
func TestKillNineWindow(t *testing.T) {
	for _, withKeyring := range []bool{false, true} {
		t.Run(storeName(withKeyring), func(t *testing.T) {
			fake, p := loggedIn(t, withKeyring)
			issued := refreshIssued(fake)
			const kills = 50
			landed, lost := 0, 0
			for range kills {
				delay := time.Duration(rand.N(10000)) * time.Microsecond
				r, _ := signalAfterRotation(t, p, issued, syscall.SIGKILL, delay)
				if !r.Signaled {
					continue // finished before the kill
				}
				landed++
				if !p.loginKept(fake) {
					lost++
					p.login("")
				}
			}
			if landed == 0 {
				t.Log("no kill landed before the process finished; the measurement is empty")
			}
			report(t, row{id: "1.2 " + storeName(withKeyring), fault: "kill -9 during a PKCE refresh (" + storeName(withKeyring) + ")",
				done: "cannot be caught; the window is shrunk: the store is opened (keyring: session opened, collection unlocked, " +
					"item checked) before the request, and one write follows the answer",
				promise: "at most 1 in 5 kills that land after the request reached Spotify loses the login (measured, not asserted)",
				measured: fmt.Sprintf("%d kills 0–10 ms after the fake rotated: %d landed while tokentray ran, %d of those lost the login",
					kills, landed, lost)})
		})
	}
}

func TestAStalledKeyringLosesNothing(t *testing.T) {
	t.Parallel()
	fake, p := loggedIn(t, true)
	issued := refreshIssued(fake)
	fake.HoldTokenAnswers(300 * time.Millisecond) // the stall starts before the answer arrives
	pr := p.start(nil, "token")
	<-issued
	p.keyring.stall(t, 6*time.Second)
	r := pr.Wait(t, time.Minute)
	if r.Code != 0 || strings.Count(r.Stdout, "\n") != 1 || !p.loginKept(fake) {
		t.Fatalf("exit %d, login kept %v; stderr:\n%s", r.Code, p.loginKept(fake), r.Stderr)
	}
	if !strings.Contains(r.Stderr, "this copy is your login") || !strings.Contains(r.Stderr, "saved the new login") {
		t.Fatalf("stderr does not say what is at stake and that it was saved:\n%s", r.Stderr)
	}
	report(t, row{id: "1.3", fault: "the keyring stalls for 6 s right after the token answer",
		done:     "the new token is held in memory and the save retried for up to 2 minutes; stderr says the copy in memory is the login and not to stop tokentray",
		promise:  "0 lost; exit 0 once the keyring answers",
		measured: fmt.Sprintf("exit %d after %s, login kept", r.Code, r.Took.Round(100*time.Millisecond))})
}

func TestAnUnwritableConfigDirLosesNothing(t *testing.T) {
	t.Parallel()
	fake, p := loggedIn(t, false)
	issued := refreshIssued(fake)
	fake.HoldTokenAnswers(300 * time.Millisecond) // the directory is frozen before the answer arrives

	// The directory stays unwritable for 3 s, then someone fixes it.
	pr := p.start(nil, "token")
	<-issued
	thaw := freezeDir(t, p.dir)
	time.AfterFunc(3*time.Second, thaw)
	r := pr.Wait(t, time.Minute)
	if r.Code != 0 || !p.loginKept(fake) || !strings.Contains(r.Stderr, "this copy is your login") {
		t.Fatalf("exit %d, login kept %v; stderr:\n%s", r.Code, p.loginKept(fake), r.Stderr)
	}

	// Again, and SIGTERM arrives while the save is failing: the process keeps trying.
	pr = p.start(nil, "token")
	<-issued
	thaw = freezeDir(t, p.dir)
	pr.WaitStderr(t, "do not stop tokentray now")
	pr.Cmd.Process.Signal(syscall.SIGTERM)
	time.AfterFunc(2*time.Second, thaw)
	r2 := pr.Wait(t, time.Minute)
	if r2.Signaled || !p.loginKept(fake) {
		t.Fatalf("SIGTERM during a failing save: signaled %v, login kept %v; stderr:\n%s", r2.Signaled, p.loginKept(fake), r2.Stderr)
	}
	report(t, row{id: "1.4", fault: "the config dir cannot be written (--insecure-storage) when the refreshed token is saved; and SIGTERM meanwhile",
		done:    "as for the keyring: held in memory, retried for up to 2 minutes, the stake said on stderr; a stop signal waits for the save",
		promise: "0 lost once the directory is writable within the retry time",
		measured: fmt.Sprintf("unwritable 3 s: exit %d after %s, login kept; with SIGTERM during the failing save: exit %d, login kept",
			r.Code, r.Took.Round(100*time.Millisecond), r2.Code)})
}

func TestConcurrentTokenCallsLoseNothing(t *testing.T) {
	t.Parallel()
	fake, p := loggedIn(t, false)
	before := fake.Count("POST", "/api/token")
	procs := make([]*proc, 10)
	for i := range procs {
		procs[i] = p.start(nil, "token")
	}
	ok := 0
	for _, pr := range procs {
		if r := pr.Wait(t, time.Minute); r.Code == 0 {
			ok++
		} else {
			t.Errorf("exit %d: %s", r.Code, r.Stderr)
		}
	}
	if !p.loginKept(fake) {
		t.Fatal("10 concurrent token calls lost the login")
	}
	report(t, row{id: "R.1", fault: "10 concurrent `token` processes, each needing a PKCE refresh",
		done: "a lock file serialises refreshes; each process re-reads the store under it", promise: "all succeed, the login is kept",
		measured: fmt.Sprintf("%d of 10 exit 0; %d refreshes at the fake; login kept", ok, fake.Count("POST", "/api/token")-before)})
}

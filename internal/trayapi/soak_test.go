package trayapi

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// soakFor runs TestSoak for this long; 0 skips it. `make soak` runs it for 10 minutes.
var soakFor = flag.Duration("soak", 0, "run TestSoak for this long (e.g. 10m)")

// TestSoakServer is the tray side of TestSoak, in a process of its own so that its memory and
// descriptors are measured alone: a real session, logged in at a fake, served on a real socket
// until stdin closes.
func TestSoakServer(t *testing.T) {
	if os.Getenv("TOKENTRAY_SOAK_SERVER") == "" {
		t.Skip("started by TestSoak")
	}
	f := start(t, true)
	fmt.Println("ready", f.dir)
	io.Copy(io.Discard, os.Stdin)
}

// TestSoak has 10 clients hammer a tray with token, now, state and watch requests, cut
// requests and random disconnects, for -soak, sampling the tray's RSS and open descriptors.
// It fails if either grew after the warm-up (a tenth of the run): RSS by more than 8 MB, the
// descriptors by more than 4.
//
//	go test -run '^TestSoak$' -v ./internal/trayapi -args -soak=10m   (make soak)
func TestSoak(t *testing.T) {
	if *soakFor <= 0 {
		t.Skip("set -soak DURATION")
	}
	server := exec.Command(os.Args[0], "-test.run=^TestSoakServer$")
	server.Env = append(os.Environ(), "TOKENTRAY_SOAK_SERVER=1")
	stdin, _ := server.StdinPipe()
	stdout, _ := server.StdoutPipe()
	server.Stderr = os.Stderr
	if err := server.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { stdin.Close(); server.Wait() }()
	ready, err := bufio.NewReader(stdout).ReadString('\n')
	dir, ok := strings.CutPrefix(strings.TrimSpace(ready), "ready ")
	if err != nil || !ok {
		t.Fatalf("the soak server said %q (%v)", ready, err)
	}
	go io.Copy(io.Discard, stdout)
	pid := server.Process.Pid

	var requests, failures atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			client := NewClient(dir)
			for {
				select {
				case <-stop:
					return
				default:
				}
				if err := soakOnce(client, dir); err != nil {
					failures.Add(1)
					t.Log(err)
				}
				requests.Add(1)
			}
		})
	}
	type sample struct {
		at       time.Duration
		rssKB    int
		fds      int
		requests int64
	}
	var samples []sample
	began := time.Now()
	every := *soakFor / 20
	for time.Since(began) < *soakFor {
		time.Sleep(every)
		s := sample{at: time.Since(began).Round(time.Second), rssKB: statusKB(t, pid, "VmRSS"), fds: countFDs(t, pid), requests: requests.Load()}
		samples = append(samples, s)
		t.Logf("%8s  RSS %6d kB  fds %3d  requests %d", s.at, s.rssKB, s.fds, s.requests)
	}
	close(stop)
	wg.Wait()
	warm, last := samples[1], samples[len(samples)-1]
	maxRSS := 0
	for _, s := range samples[1:] {
		maxRSS = max(maxRSS, s.rssKB)
	}
	t.Logf("%d requests in %s (%d failed); after warm-up RSS %d → %d kB (max %d), fds %d → %d",
		requests.Load(), *soakFor, failures.Load(), warm.rssKB, last.rssKB, maxRSS, warm.fds, last.fds)
	if last.rssKB-warm.rssKB > 8<<10 || last.fds-warm.fds > 4 || failures.Load() > 0 {
		t.Fatal("the tray grew or failed under the soak")
	}
}

// soakOnce makes one random request, or one that the client abandons.
func soakOnce(client *Client, dir string) error {
	switch rand.N(6) {
	case 0:
		_, err := client.Token(false, 0)
		return err
	case 1:
		_, err := client.NowPlaying()
		return err
	case 2:
		_, err := client.State()
		return err
	case 3: // a watch left after a while
		rem, err := Follow(dir)
		if err != nil {
			return err
		}
		time.Sleep(time.Duration(rand.N(200)) * time.Millisecond)
		return rem.Close()
	case 4: // a request cut off halfway
		conn, err := net.Dial("unix", filepath.Join(dir, socketName))
		if err != nil {
			return err
		}
		conn.Write([]byte(`{"op":"tok`))
		return conn.Close()
	default: // a request whose answer nobody reads
		conn, err := net.Dial("unix", filepath.Join(dir, socketName))
		if err != nil {
			return err
		}
		conn.Write([]byte(`{"v":1,"op":"state"}` + "\n"))
		return conn.Close()
	}
}

func statusKB(t *testing.T, pid int, field string) int {
	t.Helper()
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.SplitSeq(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
			return kb
		}
	}
	t.Fatalf("no %s for pid %d", field, pid)
	return 0
}

func countFDs(t *testing.T, pid int) int {
	t.Helper()
	entries, err := os.ReadDir("/proc/" + strconv.Itoa(pid) + "/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(entries)
}

// Package apicalls counts the Spotify Web API calls tokentray makes over a rolling 24 hours and
// keeps the count across restarts, because Spotify's quota for Development-Mode apps is daily
// and a restart must not reset the now-playing budget.
//
// The file holds only API paths and times, no secrets. A damaged file is reported through
// Options.Warn and counting starts afresh: a lost count is not worth stopping the app for.
package apicalls

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"sync"
	"time"

	"tokentray/internal/atomicfile"
	"tokentray/internal/webapi"
)

const (
	// Window is how far back calls count.
	Window = 24 * time.Hour
	// MaxCalls bounds what is kept (and so the file, about 15 bytes a call): far more than a
	// day's quota, so only a runaway loop would reach it; the oldest calls go first.
	MaxCalls = 20000
	// FileName is the file's usual name in the configuration directory.
	FileName = "api-calls.json"

	fileVersion  = 1
	maxFileBytes = 4 << 20
)

// Options configure a Log.
type Options struct {
	// Path of the file; "" keeps the count in memory only.
	Path string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Warn receives problems that lose counts but must not stop the app: a damaged file that was
	// reset, or a failed write. Nil discards them.
	Warn func(error)
}

// Log is the record of Web API calls; it implements webapi.Recorder. Safe for concurrent use.
type Log struct {
	o Options

	mu       sync.Mutex
	calls    []call // within Window, oldest first
	writeErr bool   // the last write failed: warn again only after a success
}

type call struct {
	at   time.Time
	path string
}

// fileJSON is the file: per API path, the calls' Unix times in milliseconds, oldest first.
type fileJSON struct {
	Version int                `json:"version"`
	Calls   map[string][]int64 `json:"calls"`
}

var _ webapi.Recorder = (*Log)(nil)

// Open reads the log at o.Path, if any. It never fails: an unreadable or damaged file is
// reported to o.Warn and counting starts from zero.
func Open(o Options) *Log {
	if o.Now == nil {
		o.Now = time.Now
	}
	l := &Log{o: o}
	if o.Path == "" {
		return l
	}
	calls, err := read(o.Path, o.Now())
	if err != nil {
		l.warn(fmt.Errorf("the Web API call count in %s could not be read (%v); counting starts again from zero", o.Path, err))
	}
	l.calls = calls
	return l
}

func read(path string, now time.Time) ([]call, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFileBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxFileBytes {
		return nil, fmt.Errorf("larger than %d bytes", maxFileBytes)
	}
	var file fileJSON
	if err := json.Unmarshal(data, &file); err != nil {
		return nil, err
	}
	if file.Version != fileVersion {
		return nil, fmt.Errorf("version %d, want %d", file.Version, fileVersion)
	}
	var calls []call
	for path, times := range file.Calls {
		for _, ms := range times {
			calls = append(calls, call{at: time.UnixMilli(ms), path: path})
		}
	}
	slices.SortStableFunc(calls, func(a, b call) int { return a.at.Compare(b.at) })
	return prune(calls, now), nil
}

// prune drops, from calls sorted oldest first, the calls outside the window, calls from the
// future (the clock was set back), and the oldest beyond MaxCalls.
func prune(calls []call, now time.Time) []call {
	for len(calls) > 0 && calls[len(calls)-1].at.After(now) {
		calls = calls[:len(calls)-1]
	}
	start := now.Add(-Window)
	first, _ := slices.BinarySearchFunc(calls, start, func(c call, t time.Time) int {
		if c.at.After(t) {
			return 1
		}
		return -1
	})
	return calls[max(first, len(calls)-MaxCalls):]
}

// Record counts one call to path now and saves the log.
func (l *Log) Record(path string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.o.Now()
	l.calls = append(prune(l.calls, now), call{at: now, path: path})
	l.calls = prune(l.calls, now)
	if l.o.Path == "" {
		return
	}
	if err := l.saveLocked(); err != nil {
		if !l.writeErr {
			l.warn(fmt.Errorf("saving the Web API call count: %w", err))
		}
		l.writeErr = true
	} else {
		l.writeErr = false
	}
}

func (l *Log) saveLocked() error {
	file := fileJSON{Version: fileVersion, Calls: map[string][]int64{}}
	for _, c := range l.calls {
		file.Calls[c.path] = append(file.Calls[c.path], c.at.UnixMilli())
	}
	data, err := json.Marshal(file)
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(l.o.Path, data)
}

// Recent returns the times of the calls to path (all calls when path is "") within the last
// Window, oldest first.
func (l *Log) Recent(path string) []time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.calls = prune(l.calls, l.o.Now())
	var out []time.Time
	for _, c := range l.calls {
		if path == "" || c.path == path {
			out = append(out, c.at)
		}
	}
	return out
}

// Summary is the sentence to show, like "Web API calls in the last 24 h: 312 (now playing 290)".
func (l *Log) Summary() string {
	return fmt.Sprintf("Web API calls in the last 24 h: %d (now playing %d)",
		len(l.Recent("")), len(l.Recent(webapi.CurrentlyPlayingPath)))
}

func (l *Log) warn(err error) {
	if l.o.Warn != nil {
		l.o.Warn(err)
	}
}

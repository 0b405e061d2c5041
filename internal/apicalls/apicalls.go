// Package apicalls counts the Spotify Web API calls tokentray makes over a rolling 24 hours and
// keeps the count across restarts, because Spotify's quota for Development-Mode apps is daily
// and a restart must not reset the now-playing budget.
//
// It also keeps the end of a quota block (a 429 saying the day's quota is used up), so that a
// restart does not spend a call to learn it again.
//
// The file holds only API paths and times, no secrets. A damaged or odd file (a FIFO, a device,
// a directory) is moved aside, reported through Options.Warn, and counting starts afresh: a lost
// count is not worth stopping the app for. Only when it cannot even be moved aside is the count
// unknown (Log.Err): then no call may be made, since an unknown count must not mean unlimited
// calls on every restart.
package apicalls

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
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
	// AsideSuffix is added to the name of a file that could not be read, when it is moved aside.
	AsideSuffix = ".damaged"

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
	// moved aside, or a failed write. Nil discards them.
	Warn func(error)
	// ReadOnly reads the file and never writes or moves it (`tokentray status`); Record then
	// counts in memory only.
	ReadOnly bool
}

// Log is the record of Web API calls; it implements webapi.Recorder. Safe for concurrent use.
type Log struct {
	o Options

	mu       sync.Mutex
	calls    []call // within Window, oldest first
	block    quotaBlock
	unknown  error // the file could not be read, nor moved aside: see Err
	writeErr bool  // the last write failed: warn again only after a success
}

// quotaBlock is a refusal of Spotify's that lasts until a given time.
type quotaBlock struct {
	until  time.Time
	reason string
}

type call struct {
	at   time.Time
	path string
}

// fileJSON is the file: per API path, the calls' Unix times in milliseconds, oldest first, and
// the quota block's end (Unix milliseconds, 0 for none) and reason.
type fileJSON struct {
	Version       int                `json:"version"`
	Calls         map[string][]int64 `json:"calls"`
	BlockedUntil  int64              `json:"blocked_until,omitempty"`
	BlockedReason string             `json:"blocked_reason,omitempty"`
}

var _ webapi.Recorder = (*Log)(nil)

// Open reads the log at o.Path, if any. It never fails: a file that cannot be read is moved
// aside (to the name with AsideSuffix) and reported to o.Warn, and counting starts from zero;
// if it cannot be moved aside either (or with o.ReadOnly), Err says so.
func Open(o Options) *Log {
	if o.Now == nil {
		o.Now = time.Now
	}
	l := &Log{o: o}
	if o.Path == "" {
		return l
	}
	file, err := read(o.Path)
	if err == nil {
		l.calls, l.block = file.calls(o.Now()), file.quotaBlock(o.Now())
		return l
	}
	if o.ReadOnly {
		l.unknown = err
		return l
	}
	aside := o.Path + AsideSuffix
	if moveErr := os.Rename(o.Path, aside); moveErr != nil {
		l.unknown = fmt.Errorf("%w; moving it aside failed too (%v)", err, moveErr)
		l.warn(fmt.Errorf("the Web API call count cannot be read: %w: remove %s, then start tokentray again", l.unknown, o.Path))
		return l
	}
	l.warn(fmt.Errorf("the Web API call count could not be read (%w); it was moved to %s and today's count starts again from zero", err, aside))
	return l
}

// Err is why the count is unknown: the file could not be read and is still in the way. Nil
// when the count is known (perhaps restarted from zero).
func (l *Log) Err() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.unknown
}

func read(path string) (fileJSON, error) {
	var file fileJSON
	data, err := atomicfile.ReadFile(path, maxFileBytes)
	if errors.Is(err, fs.ErrNotExist) {
		return fileJSON{Version: fileVersion}, nil
	}
	if err != nil {
		return file, err
	}
	if err := json.Unmarshal(data, &file); err != nil {
		return file, fmt.Errorf("%s is damaged: %w", path, err)
	}
	if file.Version != fileVersion {
		return file, fmt.Errorf("%s has version %d, want %d", path, file.Version, fileVersion)
	}
	return file, nil
}

// calls are the file's calls within the window before now, oldest first.
func (f fileJSON) calls(now time.Time) []call {
	var calls []call
	for path, times := range f.Calls {
		for _, ms := range times {
			calls = append(calls, call{at: time.UnixMilli(ms), path: path})
		}
	}
	slices.SortStableFunc(calls, func(a, b call) int { return a.at.Compare(b.at) })
	return prune(calls, now)
}

// quotaBlock is the file's block, unless it ends more than a Window after now: Spotify's quota
// is daily, so such a block was written by a clock that was wrong, and one call tells the truth.
func (f fileJSON) quotaBlock(now time.Time) quotaBlock {
	until := time.UnixMilli(f.BlockedUntil)
	if f.BlockedUntil <= 0 || until.After(now.Add(Window)) {
		return quotaBlock{}
	}
	return quotaBlock{until: until, reason: f.BlockedReason}
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
	l.saveLocked()
}

// Block records that Spotify refuses calls until until, for reason (say "QUOTA_EXCEEDED"), and
// saves it at once.
func (l *Log) Block(until time.Time, reason string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.block = quotaBlock{until: until, reason: reason}
	l.saveLocked()
}

// Blocked returns the end and reason of the block that holds now; a zero time when none does.
func (l *Log) Blocked() (until time.Time, reason string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.block.until.After(l.o.Now()) {
		return time.Time{}, ""
	}
	return l.block.until, l.block.reason
}

// saveLocked writes the log to its file, if it has one, warning of the first failure in a row.
func (l *Log) saveLocked() {
	if l.o.Path == "" || l.o.ReadOnly {
		return
	}
	if err := l.writeLocked(); err != nil {
		if !l.writeErr {
			l.warn(fmt.Errorf("saving the Web API call count: %w", err))
		}
		l.writeErr = true
	} else {
		l.writeErr = false
	}
}

func (l *Log) writeLocked() error {
	file := fileJSON{Version: fileVersion, Calls: map[string][]int64{}}
	if l.block.until.After(l.o.Now()) {
		file.BlockedUntil, file.BlockedReason = l.block.until.UnixMilli(), l.block.reason
	}
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
	if err := l.Err(); err != nil {
		return fmt.Sprintf("Web API calls in the last 24 h: unknown (%v)", err)
	}
	return fmt.Sprintf("Web API calls in the last 24 h: %d (now playing %d)",
		len(l.Recent("")), len(l.Recent(webapi.CurrentlyPlayingPath)))
}

func (l *Log) warn(err error) {
	if l.o.Warn != nil {
		l.o.Warn(err)
	}
}

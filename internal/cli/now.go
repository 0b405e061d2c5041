package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"tokentray/auth"
	"tokentray/internal/atomicfile"
	"tokentray/internal/backoff"
	"tokentray/internal/local"
	"tokentray/internal/nowplaying"
	"tokentray/internal/session"
	"tokentray/internal/trayapi"
	"tokentray/internal/untrusted"
	"tokentray/internal/webapi"
)

// nowFormats are the output formats of `tokentray now`.
var nowFormats = []string{"text", "json", "waybar"}

// nowOptions are the flags of `tokentray now`.
type nowOptions struct {
	follow   bool
	format   string
	output   string
	insecure bool
}

func runNow(env *Env, args []string) error {
	fs := newFlagSet(env, "now", "show the track, episode or ad playing now")
	var o nowOptions
	fs.BoolVar(&o.follow, "follow", false, "print a line on every change, for status bars (follows the running tray, waiting while none runs)")
	fs.StringVar(&o.format, "format", "text", "text (the label and link), json, or waybar (a Waybar custom module's JSON)")
	fs.StringVar(&o.output, "output", "", "also rewrite `FILE` atomically on every change (e.g. an OBS text source)")
	insecure := insecureFlag(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	o.insecure = *insecure
	if !slices.Contains(nowFormats, o.format) {
		return usagef("--format %q: choose one of %s", o.format, strings.Join(nowFormats, ", "))
	}
	if o.output != "" {
		var err error
		if o.output, err = outputPath(o.output); err != nil {
			return err
		}
	}
	if o.follow {
		return followNow(env, o)
	}
	np, err := nowPlaying(env, o.insecure)
	if err != nil {
		return err
	}
	return show(env, o, np)
}

// nowPlaying asks the running tray, which knows at no Web API call; without a tray it makes
// one call of its own.
func nowPlaying(env *Env, insecure bool) (nowplaying.State, error) {
	tray, err := runningTray()
	if err != nil {
		return nowplaying.State{}, err
	}
	st, err := tray.NowPlaying()
	switch {
	case err == nil:
		return nowFromTray(st)
	case !trayapi.Absent(err):
		return nowplaying.State{}, err
	}
	noteAbsent(env, err)
	_, m, err := openManager(env, insecure, nil)
	if err != nil {
		return nowplaying.State{}, err
	}
	ctx, cancel := commandContext(time.Minute)
	defer cancel()
	playing, err := currentlyPlaying(ctx, apiClient(m))
	if err != nil {
		return nowplaying.State{}, err
	}
	return nowplaying.State{Playing: playing, Label: nowplaying.Label(playing)}, nil
}

func nowFromTray(st session.State) (nowplaying.State, error) {
	switch st.Authorization {
	case session.NeedsLogin:
		return nowplaying.State{}, fmt.Errorf("%w: %s", auth.ErrNeedsLogin, st.NeedsLoginReason)
	case session.LoggedOut:
		return nowplaying.State{}, fmt.Errorf("%w (not logged in yet)", auth.ErrNeedsLogin)
	}
	return st.NowPlaying, nil
}

// shortWait is the longest Retry-After that `now` waits out before answering: a script would
// rather wait a few seconds than fail.
const shortWait = 10 * time.Second

// currentlyPlaying asks once, and once more after a short rate limit.
func currentlyPlaying(ctx context.Context, api *webapi.Client) (*webapi.Playing, error) {
	playing, err := api.CurrentlyPlaying(ctx)
	apiErr, limited := errors.AsType[*webapi.Error](err)
	if !limited || apiErr.RetryAfter <= 0 {
		return playing, err
	}
	if apiErr.RetryAfter > shortWait {
		return nil, &waitError{until: time.Now().Add(apiErr.RetryAfter), cause: apiErr}
	}
	select {
	case <-time.After(apiErr.RetryAfter):
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return api.CurrentlyPlaying(ctx)
}

// waitError is a rate limit too long to wait out: exit 4, naming when it ends.
type waitError struct {
	until time.Time
	cause *webapi.Error
}

func (e *waitError) Error() string {
	return fmt.Sprintf("Spotify asks to wait until %s (%s): try again then", e.until.Local().Format("Mon 15:04"), e.cause.Message)
}

func (e *waitError) Unwrap() error { return auth.ErrUnreachable }

// followRetry spaces the attempts to reach a tray that is not running (or not answering), so
// that a status bar shows what plays again soon after the tray starts.
var followRetry = backoff.Doubling{First: 500 * time.Millisecond, Max: 5 * time.Second}

// followNow prints a line each time what plays changes, until a signal ends it. While no tray
// runs it prints that instead and tries again, so that a status bar outlives a tray restart.
func followNow(env *Env, o nowOptions) error {
	dir, err := local.ConfigDir()
	if err != nil {
		return err
	}
	stop, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer cancel()
	last := ""
	printNow := func(np nowplaying.State) error {
		line, err := formatNow(np, o.format)
		if err != nil || line == last {
			return err
		}
		last = line
		return emit(env, o, line)
	}
	for attempt := 1; ; attempt++ {
		remote, err := trayapi.Follow(dir)
		switch {
		case err == nil:
			err = followRemote(stop, remote, printNow)
			remote.Close()
			if err != nil || stop.Err() != nil {
				return err
			}
			attempt, err = 1, trayapi.ErrNoTray // the tray went away: try again soon
		case !trayapi.Absent(err):
			return err
		}
		if err := printNow(trayNotRunning(err)); err != nil {
			return err
		}
		select {
		case <-time.After(followRetry.Wait(attempt)):
		case <-stop.Done():
			return nil
		}
	}
}

// followRemote prints the states remote streams until the tray goes away or stop ends.
func followRemote(stop context.Context, remote *trayapi.Remote, print func(nowplaying.State) error) error {
	changes := make(chan session.State, 1)
	remote.Subscribe(func(st session.State) {
		select {
		case <-changes: // only the newest state matters
		default:
		}
		changes <- st
	})
	for st := remote.State(); ; {
		np, err := nowFromTray(st)
		if err != nil {
			np = nowplaying.State{Label: "Not logged in", ErrText: err.Error()}
		}
		if err := print(np); err != nil {
			return err
		}
		select {
		case st = <-changes:
		case <-remote.Done():
			return nil
		case <-stop.Done():
			return nil
		}
	}
}

// trayNotRunning is the line --follow prints while it cannot reach the tray (err says why).
func trayNotRunning(err error) nowplaying.State {
	why := "start it with `tokentray`; this line follows it once it runs"
	if !errors.Is(err, trayapi.ErrNoTray) {
		why = err.Error() + "; trying again"
	}
	return nowplaying.State{Label: "tokentray is not running", ErrText: why}
}

func show(env *Env, o nowOptions, np nowplaying.State) error {
	line, err := formatNow(np, o.format)
	if err != nil {
		return err
	}
	return emit(env, o, line)
}

// outputPath is the file --output replaces: path, or the file its symbolic link points to (the
// link stays). Only a regular file or a new path in an existing directory is taken, before
// anything is written: replacing a FIFO or a device would take it from whoever uses it.
func outputPath(path string) (string, error) {
	const fix = "--output replaces only a regular file: choose a regular file or a new path"
	target := path
	if info, err := os.Lstat(path); err == nil && info.Mode()&fs.ModeSymlink != 0 {
		if target, err = filepath.EvalSymlinks(path); err != nil {
			return "", usagef("--output %s is a symbolic link to nothing that can be used (%v); %s", path, err, fix)
		}
	}
	info, err := os.Lstat(target)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if dir, err := os.Stat(filepath.Dir(target)); err != nil || !dir.IsDir() {
			return "", usagef("--output %s: the directory %s does not exist: create it, or choose another path", path, filepath.Dir(target))
		}
		return target, nil
	case err != nil:
		return "", fmt.Errorf("--output %s: %w", path, err)
	case !info.Mode().IsRegular():
		what := &atomicfile.NotRegularError{Path: target, Mode: info.Mode()}
		if target != path {
			return "", usagef("--output %s links to %s, which %s; %s", path, target, what.Problem(), fix)
		}
		return "", usagef("--output %s; %s", what, fix)
	}
	return target, nil
}

// emit prints line and, with --output, replaces the file with it.
func emit(env *Env, o nowOptions, line string) error {
	if _, err := fmt.Fprintln(env.Stdout, line); err != nil {
		return err
	}
	if o.output != "" {
		return atomicfile.WriteFile(o.output, []byte(line+"\n"))
	}
	return nil
}

// formatNow renders np in one of nowFormats; text may span two lines (label and link).
func formatNow(np nowplaying.State, format string) (string, error) {
	switch format {
	case "json":
		return oneLineJSON(nowJSON(np))
	case "waybar":
		return oneLineJSON(waybar(np))
	}
	if url := urlOf(np); url != "" {
		return np.Label + "\n" + url, nil
	}
	return np.Label, nil
}

// oneLineJSON encodes v on one line, leaving <, > and & as they are: titles are no HTML.
func oneLineJSON(v any) (string, error) {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	err := enc.Encode(v)
	return strings.TrimSuffix(b.String(), "\n"), err
}

func urlOf(np nowplaying.State) string {
	if np.Playing == nil {
		return ""
	}
	return np.Playing.URL
}

// playbackClass is what plays, in a word: playing, paused, stopped or ad.
func playbackClass(np nowplaying.State) string {
	p := np.Playing
	switch {
	case p == nil || p.Kind == webapi.Nothing:
		return "stopped"
	case p.Kind == webapi.Ad:
		return "ad"
	case p.IsPlaying:
		return "playing"
	}
	return "paused"
}

type nowLine struct {
	Label      string   `json:"label"`
	State      string   `json:"state"` // playing, paused, stopped or ad
	Kind       string   `json:"kind"`
	Title      string   `json:"title,omitempty"`
	Artists    []string `json:"artists,omitempty"`
	Album      string   `json:"album,omitempty"`
	Show       string   `json:"show,omitempty"`
	URL        string   `json:"url,omitempty"`
	ArtURL     string   `json:"art_url,omitempty"`
	DurationMS int64    `json:"duration_ms,omitempty"`
	Error      string   `json:"error,omitempty"`
}

func nowJSON(np nowplaying.State) nowLine {
	line := nowLine{Label: np.Label, State: playbackClass(np), Kind: webapi.Nothing.String(), Error: np.ErrText}
	if p := np.Playing; p != nil {
		line.Kind, line.Title, line.Artists, line.Album, line.Show = p.Kind.String(), p.Title, p.Artists, p.Album, p.Show
		line.URL, line.ArtURL, line.DurationMS = p.URL, p.ArtURL, p.Duration.Milliseconds()
	}
	return line
}

// waybarLine is a Waybar custom module's JSON ("return-type": "json"). Waybar reads text and
// tooltip as Pango markup, so both are escaped, after they are cut to maxWaybarText and
// maxWaybarLine runes (a cut must not split an entity): the bar is a line, and a title can come
// from any program on the session bus.
type waybarLine struct {
	Text    string `json:"text"`
	Tooltip string `json:"tooltip"`
	Class   string `json:"class"`
	Alt     string `json:"alt"`
}

func waybar(np nowplaying.State) waybarLine {
	class := playbackClass(np)
	tooltip := []string{np.Label}
	if p := np.Playing; p != nil && (p.Kind == webapi.Track || p.Kind == webapi.Episode) {
		tooltip = []string{p.Title}
		for _, more := range []string{strings.Join(p.Artists, ", "), p.Album, p.Show} {
			if more != "" {
				tooltip = append(tooltip, more)
			}
		}
	}
	if np.ErrText != "" {
		tooltip = append(tooltip, "⚠ "+np.ErrText)
	}
	for i := range tooltip {
		tooltip[i] = untrusted.Cut(tooltip[i], maxWaybarLine)
	}
	return waybarLine{Text: html.EscapeString(untrusted.Cut(np.Label, maxWaybarText)),
		Tooltip: html.EscapeString(strings.Join(tooltip, "\n")), Class: class, Alt: class}
}

// maxWaybarText bounds the bar's text, maxWaybarLine each line of its tooltip.
const (
	maxWaybarText = 128
	maxWaybarLine = 256
)

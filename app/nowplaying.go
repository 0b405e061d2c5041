package app

import (
	"context"
	"net/url"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"tokentray/internal/session"
	"tokentray/internal/webapi"
)

// coverSource gives the file of a cover image; covers.Cache implements it.
type coverSource interface {
	Get(ctx context.Context, url string) (string, error)
}

// coverSize is how large the cover is drawn.
const coverSize = 160

// coverTimeout bounds fetching one cover.
const coverTimeout = 20 * time.Second

// Sentences the tests look for.
const (
	sourceLocal  = "From the Spotify app on this computer: no Web API call."
	sourceWebAPI = "From the Spotify Web API, within tokentray's daily budget."
)

// nowPlayingSection shows what plays: cover, title, artists, album, a progress bar advanced
// between polls, where the answer came from and how many Web API calls the day has cost.
type nowPlayingSection struct {
	w *Window

	cover                     *canvas.Image
	title, detail, source     *widget.Label
	progress                  *widget.ProgressBar
	open                      *widget.Button
	calls, problem            *widget.Label
	shownCover, fetchingCover string // URLs
	playing                   *webapi.Playing
	measured                  time.Time
}

func newNowPlayingSection(w *Window) *nowPlayingSection {
	s := &nowPlayingSection{w: w}
	s.cover = canvas.NewImageFromResource(theme.MediaMusicIcon())
	s.cover.FillMode = canvas.ImageFillContain
	s.cover.SetMinSize(fyne.NewSquareSize(coverSize))
	s.title = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	s.title.Wrapping = fyne.TextWrapWord
	s.detail = widget.NewLabel("")
	s.detail.Wrapping = fyne.TextWrapWord
	s.source = widget.NewLabel("")
	s.source.Wrapping = fyne.TextWrapWord
	s.progress = widget.NewProgressBar()
	s.open = widget.NewButtonWithIcon("Open in Spotify", theme.MediaPlayIcon(), s.openInSpotify)
	s.calls = widget.NewLabel("")
	s.problem = messageLabel()
	return s
}

func (s *nowPlayingSection) content() fyne.CanvasObject {
	text := container.NewVBox(s.title, s.detail, s.progress, container.NewHBox(s.open, layout.NewSpacer()))
	card := widget.NewCard("Now playing", "", container.NewBorder(nil, nil, s.cover, nil, text))
	usage := widget.NewCard("Web API", "", container.NewVBox(s.source, s.calls, s.problem))
	return container.NewVScroll(container.NewVBox(card, usage))
}

func (s *nowPlayingSection) apply(st session.State, now time.Time) {
	np := st.NowPlaying
	s.playing, s.measured = np.Playing, np.Measured
	p := np.Playing
	switch {
	case st.Authorization != session.LoggedIn:
		setStatus(s.title, "Log in to see what plays", widget.MediumImportance)
		setStatus(s.detail, "", widget.MediumImportance)
	case p == nil || p.Kind == webapi.Nothing:
		setStatus(s.title, orDash(np.Label), widget.MediumImportance)
		setStatus(s.detail, "", widget.MediumImportance)
	default:
		title := p.Title
		if p.Kind == webapi.Ad {
			title = np.Label
		}
		if !p.IsPlaying {
			title = "Paused: " + title
		}
		setStatus(s.title, title, widget.MediumImportance)
		setStatus(s.detail, strings.Join(nonEmpty(strings.Join(p.Artists, ", "), p.Album, p.Show), " · "), widget.MediumImportance)
	}
	enable(s.open, st.NowPlayingURL() != "")
	if st.LocalPlayer.Active {
		setStatus(s.source, sourceLocal, widget.MediumImportance)
	} else {
		setStatus(s.source, sourceWebAPI, widget.MediumImportance)
	}
	setStatus(s.calls, st.APICalls, widget.MediumImportance)
	if st.Authorization == session.LoggedIn {
		say(s.problem, np.ErrText, widget.WarningImportance)
	} else {
		say(s.problem, "", widget.MediumImportance) // the title says to log in
	}
	s.showCover(p)
	s.tick(now)
}

// tick advances the progress bar between polls; the window's clock calls it every second.
func (s *nowPlayingSection) tick(now time.Time) {
	p := s.playing
	if p == nil || p.Duration <= 0 || s.measured.IsZero() {
		s.progress.Hide()
		return
	}
	at := p.Progress
	if p.IsPlaying {
		at += now.Sub(s.measured)
	}
	at = min(max(at, 0), p.Duration)
	s.progress.Max = p.Duration.Seconds()
	s.progress.TextFormatter = func() string { return countdown(at) + " / " + countdown(p.Duration) }
	s.progress.SetValue(at.Seconds())
	s.progress.Show()
}

// showCover fetches the cover in the background, once per cover.
func (s *nowPlayingSection) showCover(p *webapi.Playing) {
	art := ""
	if p != nil {
		art = p.ArtURL
	}
	if art == s.shownCover || art == s.fetchingCover {
		return
	}
	if art == "" || s.w.covers == nil {
		s.shownCover, s.fetchingCover = "", ""
		s.cover.File, s.cover.Resource = "", theme.MediaMusicIcon()
		s.cover.Refresh()
		return
	}
	s.fetchingCover = art
	s.w.async(func() {
		ctx, cancel := context.WithTimeout(context.Background(), coverTimeout)
		defer cancel()
		path, err := s.w.covers.Get(ctx, art)
		s.w.ui(func() {
			if s.fetchingCover != art {
				return // another item plays by now
			}
			s.fetchingCover, s.shownCover = "", art
			if err != nil {
				return // the music icon stays: a missing cover is no error worth a word
			}
			s.cover.Resource, s.cover.File = nil, path
			s.cover.Refresh()
		})
	})
}

func (s *nowPlayingSection) openInSpotify() {
	link := s.w.st.NowPlayingURL()
	u, err := url.Parse(link)
	if err == nil {
		err = s.w.app.OpenURL(u)
	}
	if err != nil {
		say(s.problem, "Could not open "+link+": "+err.Error(), widget.DangerImportance)
	}
}

func nonEmpty(values ...string) []string {
	var out []string
	for _, v := range values {
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}

package fakespotify

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// controlRoutes is the JSON control API for a fake running in another
// process (tokentray fake-spotify). It mirrors the Go methods of the same
// names; answers are {"ok":true} or {"error":"…"} with status 400.
func (s *Server) controlRoutes(mux *http.ServeMux) {
	mux.HandleFunc("POST /_fake/player/{action}", func(w http.ResponseWriter, r *http.Request) {
		actions := map[string]func(){"next": s.player.Next, "pause": s.player.Pause, "play": s.player.Play, "stop": s.player.Stop}
		act, ok := actions[r.PathValue("action")]
		if !ok {
			controlError(w, fmt.Errorf("unknown player action %q: use next, pause, play or stop", r.PathValue("action")))
			return
		}
		act()
		controlOK(w)
	})
	mux.HandleFunc("POST /_fake/revoke-all", func(w http.ResponseWriter, r *http.Request) {
		s.RevokeAll()
		controlOK(w)
	})
	mux.HandleFunc("POST /_fake/token-lifetime", func(w http.ResponseWriter, r *http.Request) {
		q := query{r: r}
		seconds := q.int("seconds", 1, math.MaxInt32)
		if q.answerError(w) {
			return
		}
		s.SetTokenLifetime(time.Duration(seconds) * time.Second)
		controlOK(w)
	})
	mux.HandleFunc("POST /_fake/fail", func(w http.ResponseWriter, r *http.Request) {
		q := query{r: r}
		path, status, n := q.path(), q.int("status", 400, 599), q.int("n", 1, math.MaxInt32)
		if q.answerError(w) {
			return
		}
		s.FailNext(path, status, n)
		controlOK(w)
	})
	mux.HandleFunc("POST /_fake/rate-limit", func(w http.ResponseWriter, r *http.Request) {
		q := query{r: r}
		path, retryAfter, n := q.path(), q.int("retry_after", 0, math.MaxInt32), q.int("n", 1, math.MaxInt32)
		if q.answerError(w) {
			return
		}
		s.RateLimitNext(path, time.Duration(retryAfter)*time.Second, n)
		controlOK(w)
	})
	mux.HandleFunc("GET /_fake/requests", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, s.Requests())
	})
}

// query reads control parameters, keeping the first problem for the answer.
type query struct {
	r   *http.Request
	err error
}

func (q *query) path() string {
	p := q.r.URL.Query().Get("path")
	if !strings.HasPrefix(p, "/") && q.err == nil {
		q.err = fmt.Errorf("path=%q must be a request path such as /api/token or /v1/me", p)
	}
	return p
}

func (q *query) int(name string, lo, hi int) int {
	raw := q.r.URL.Query().Get(name)
	v, err := strconv.Atoi(raw)
	if (err != nil || v < lo || v > hi) && q.err == nil {
		q.err = fmt.Errorf("%s=%q must be a whole number from %d to %d", name, raw, lo, hi)
	}
	return v
}

// answerError answers 400 if a parameter was wrong and reports whether it did.
func (q *query) answerError(w http.ResponseWriter) bool {
	if q.err != nil {
		controlError(w, q.err)
	}
	return q.err != nil
}

func controlOK(w http.ResponseWriter) { writeJSON(w, http.StatusOK, map[string]bool{"ok": true}) }

func controlError(w http.ResponseWriter, err error) {
	writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
}

package fakespotify

import (
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Request is one logged request. Secrets in Form (client_secret, code,
// code_verifier, refresh_token) are cut to their first 4 characters.
type Request struct {
	Method string     `json:"method"`
	Path   string     `json:"path"`
	Query  url.Values `json:"query,omitempty"`
	Form   url.Values `json:"form,omitempty"`
	// Auth is the scheme of the Authorization header: "Basic", "Bearer" or "".
	Auth string `json:"auth,omitempty"`
	// Status answered; 0 when the client went away during a delay.
	Status int       `json:"status"`
	At     time.Time `json:"at"`
}

// maxLogged bounds the request log for long demo sessions; the oldest
// entries go first.
const maxLogged = 10000

var secretFields = []string{"client_secret", "code", "code_verifier", "refresh_token"}

// fault is a queued injected answer for one path.
type fault struct {
	status     int
	retryAfter time.Duration // 429 only
	left       int
}

// FailNext makes the next n requests to path (like "/api/token") answer
// status with a Spotify-like error body. Status outside 400–599 means 500.
// Faults queued for one path are served in the order they were queued.
func (s *Server) FailNext(path string, status int, n int) {
	if status < 400 || status > 599 {
		status = http.StatusInternalServerError
	}
	s.queueFault(path, fault{status: status, left: n})
}

// RateLimitNext makes the next n requests to path answer 429 with a
// Retry-After header of retryAfter in whole seconds (rounded up).
func (s *Server) RateLimitNext(path string, retryAfter time.Duration, n int) {
	s.queueFault(path, fault{status: http.StatusTooManyRequests, retryAfter: retryAfter, left: n})
}

func (s *Server) queueFault(path string, f fault) {
	if f.left <= 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[path] = append(s.faults[path], f)
}

// SetDelay holds every response on path for d (real time, not the injected
// clock), or until the client gives up. d <= 0 removes the delay.
func (s *Server) SetDelay(path string, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if d <= 0 {
		delete(s.delays, path)
		return
	}
	s.delays[path] = d
}

// HoldTokenAnswers makes /api/token do its work (issue the tokens, revoke a rotated refresh
// token) and then hold the answer for d, or until the client gives up. It opens the window in
// which a client has been answered by Spotify but holds nothing yet, to test what a client does
// when it is stopped or killed there. d <= 0 answers at once again.
func (s *Server) HoldTokenAnswers(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.answerHold = max(d, 0)
}

// OnTokensIssued calls f with the grant type (authorization_code, refresh_token,
// client_credentials) each time /api/token has issued tokens, before the answer is held or sent.
// f runs on the request's goroutine; nil removes it.
func (s *Server) OnTokensIssued(f func(grant string)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.issuedHook = f
}

func (s *Server) tokensIssued(grant string) {
	s.mu.Lock()
	f := s.issuedHook
	s.mu.Unlock()
	if f != nil {
		f(grant)
	}
}

// holdAnswer applies HoldTokenAnswers; false means the client went away meanwhile.
func (s *Server) holdAnswer(r *http.Request) bool {
	s.mu.Lock()
	d := s.answerHold
	s.mu.Unlock()
	return holdFor(r, d)
}

// takeFault returns the fault to answer on path, if any, using it up.
func (s *Server) takeFault(path string) (fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.faults[path]
	if len(q) == 0 {
		return fault{}, false
	}
	f := q[0]
	if q[0].left--; q[0].left == 0 {
		q = q[1:]
	}
	if len(q) == 0 {
		delete(s.faults, path)
	} else {
		s.faults[path] = q
	}
	return f, true
}

func (f fault) write(w http.ResponseWriter, path string) {
	message := http.StatusText(f.status)
	if f.status == http.StatusTooManyRequests {
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(f.retryAfter.Seconds()))))
		message = "API rate limit exceeded"
	}
	switch {
	case strings.HasPrefix(path, "/v1/"):
		apiError(w, f.status, message)
	case path == "/api/token":
		code := "server_error"
		if f.status < 500 {
			code = "temporarily_unavailable"
		}
		writeJSON(w, f.status, oauthError{code, message})
	default:
		errorPage(w, f.status, message)
	}
}

// statusRecorder logs the request the moment its status is written, which
// is before the client can see the response: a test that got its answer can
// rely on Requests and Count already including it.
type statusRecorder struct {
	http.ResponseWriter
	log    func(status int)
	logged bool
}

func (r *statusRecorder) logStatus(status int) {
	if !r.logged {
		r.logged = true
		r.log(status)
	}
}

func (r *statusRecorder) WriteHeader(status int) {
	r.logStatus(status)
	r.ResponseWriter.WriteHeader(status)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if !r.logged {
		r.WriteHeader(http.StatusOK)
	}
	return r.ResponseWriter.Write(b)
}

// withFaultsAndLog parses the form (handlers rely on it), logs the request,
// and applies injected delays and faults. The control API under /_fake/ is
// exempt from all three so that driving the fake does not disturb counts.
func (s *Server) withFaultsAndLog(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/_fake/") {
			next.ServeHTTP(w, r)
			return
		}
		entry := Request{Method: r.Method, Path: r.URL.Path, At: s.now()}
		err := r.ParseForm()
		entry.Query, entry.Form = r.URL.Query(), redact(r.PostForm)
		if scheme, _, ok := strings.Cut(r.Header.Get("Authorization"), " "); ok {
			entry.Auth = scheme
		}
		rec := &statusRecorder{ResponseWriter: w, log: func(status int) {
			entry.Status = status
			s.record(entry)
		}}
		// A handler that writes nothing gets net/http's default 200.
		defer rec.logStatus(http.StatusOK)
		if err != nil {
			http.Error(rec, "fakespotify: malformed query or form body: "+err.Error(), http.StatusBadRequest)
			return
		}
		if !s.wait(r) {
			rec.logStatus(0)
			return
		}
		if f, ok := s.takeFault(r.URL.Path); ok {
			f.write(rec, r.URL.Path)
			return
		}
		next.ServeHTTP(rec, r)
	})
}

// wait applies the path's delay; false means the client gave up meanwhile.
func (s *Server) wait(r *http.Request) bool {
	s.mu.Lock()
	d := s.delays[r.URL.Path]
	s.mu.Unlock()
	return holdFor(r, d)
}

// holdFor waits d (none when d is 0) or until r's client gives up; false means it gave up.
func holdFor(r *http.Request, d time.Duration) bool {
	if d == 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	}
}

func redact(form url.Values) url.Values {
	if len(form) == 0 {
		return nil
	}
	out := make(url.Values, len(form))
	for k, vs := range form {
		vs = slices.Clone(vs)
		if slices.Contains(secretFields, k) {
			for i, v := range vs {
				vs[i] = v[:min(4, len(v))] + "…"
			}
		}
		out[k] = vs
	}
	return out
}

func (s *Server) record(e Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.log) >= maxLogged {
		s.log = slices.Delete(s.log, 0, len(s.log)-maxLogged+1)
	}
	s.log = append(s.log, e)
}

// Requests returns the request log, oldest first (control API excluded).
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.log)
}

// Count is how many logged requests had this method and path.
func (s *Server) Count(method, path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, e := range s.log {
		if e.Method == method && e.Path == path {
			n++
		}
	}
	return n
}

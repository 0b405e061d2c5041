package fakespotify

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// DevModeRefusal makes the Web API refuse user calls the way Spotify refuses a Development-Mode
// app since February 2026.
type DevModeRefusal int

const (
	DevModeAllowed DevModeRefusal = iota
	// DevModeUnregisteredUser: the user is not among the app's (at most 5) registered users.
	DevModeUnregisteredUser
	// DevModeOwnerNotPremium: the app's owner has no Premium subscription.
	DevModeOwnerNotPremium
)

// Spotify's messages for the two refusals: the first as reported by users since 2024, the second
// as reported since the February 2026 rules.
const (
	unregisteredMessage = "Check settings on developer.spotify.com/dashboard, the user may not be registered."
	ownerPremiumMessage = "Active premium subscription required for the owner of the app."
)

// Quota is a daily Web API call limit shared by every client ID and token, as Spotify counts it
// per developer account since July 2026. Where Spotify's rules are not public the fake picks:
//   - every /v1/ request that reaches a Web API handler counts, whatever its answer, except the
//     ones the quota itself refuses;
//   - once Calls requests fell within Window, every request is refused for Block (Spotify's
//     reported Retry-After is 48,925–52,531 s) with 429, reason QUOTA_EXCEEDED and a Retry-After
//     of the time left; after the block the count starts from zero.
//
// Calls <= 0 means no quota.
type Quota struct {
	Calls  int
	Window time.Duration // default 24 h
	Block  time.Duration // default 14 h
}

// webAPIPolicy is the Server's state for SetDevModeRefusal and SetQuota.
type webAPIPolicy struct {
	mu           sync.Mutex
	refusal      DevModeRefusal
	quota        Quota
	calls        []time.Time // counted calls within the window, oldest first; at most quota.Calls
	blockedUntil time.Time
	refused      int // 429s answered because of the quota
}

// SetDevModeRefusal makes /v1/me and the player answer 403 with Spotify's message for r to every
// user token; DevModeAllowed ends it.
func (s *Server) SetDevModeRefusal(r DevModeRefusal) {
	s.policy.mu.Lock()
	defer s.policy.mu.Unlock()
	s.policy.refusal = r
}

// SetQuota starts counting Web API calls against q from now on, forgetting earlier counts and
// blocks. A zero Quota turns the limit off.
func (s *Server) SetQuota(q Quota) {
	if q.Window <= 0 {
		q.Window = 24 * time.Hour
	}
	if q.Block <= 0 {
		q.Block = 14 * time.Hour
	}
	s.policy.mu.Lock()
	defer s.policy.mu.Unlock()
	s.policy.quota, s.policy.calls, s.policy.blockedUntil, s.policy.refused = q, nil, time.Time{}, 0
}

// QuotaRefused is how many requests the quota answered with 429 since SetQuota.
func (s *Server) QuotaRefused() int {
	s.policy.mu.Lock()
	defer s.policy.mu.Unlock()
	return s.policy.refused
}

// admitCall applies the quota to one Web API request. On refusal it has answered 429 and
// returns false.
func (s *Server) admitCall(w http.ResponseWriter) bool {
	now := s.now()
	p := &s.policy
	p.mu.Lock()
	wait := p.admitLocked(now)
	p.mu.Unlock()
	if wait == 0 {
		return true
	}
	w.Header().Set("Retry-After", strconv.FormatInt(int64(math.Ceil(wait.Seconds())), 10))
	writeJSON(w, http.StatusTooManyRequests, map[string]any{"error": map[string]any{
		"status": http.StatusTooManyRequests, "message": "API rate limit exceeded", "reason": "QUOTA_EXCEEDED"}})
	return false
}

// admitLocked counts a call at now, or returns how long the caller must wait.
func (p *webAPIPolicy) admitLocked(now time.Time) time.Duration {
	q := p.quota
	if q.Calls <= 0 {
		return 0
	}
	if now.Before(p.blockedUntil) {
		p.refused++
		return p.blockedUntil.Sub(now)
	}
	start := now.Add(-q.Window)
	drop := 0
	for drop < len(p.calls) && !p.calls[drop].After(start) {
		drop++
	}
	p.calls = p.calls[drop:]
	if len(p.calls) >= q.Calls {
		p.blockedUntil, p.calls = now.Add(q.Block), nil
		p.refused++
		return q.Block
	}
	p.calls = append(p.calls, now)
	return 0
}

// devModeRefused answers the configured Development-Mode refusal, if any, and reports whether
// it did.
func (s *Server) devModeRefused(w http.ResponseWriter) bool {
	s.policy.mu.Lock()
	r := s.policy.refusal
	s.policy.mu.Unlock()
	switch r {
	case DevModeUnregisteredUser:
		apiError(w, http.StatusForbidden, unregisteredMessage)
	case DevModeOwnerNotPremium:
		apiError(w, http.StatusForbidden, ownerPremiumMessage)
	default:
		return false
	}
	return true
}

// policyControlRoutes adds SetDevModeRefusal and SetQuota to the control API:
//
//	POST /_fake/dev-mode?refuse=unregistered|owner-not-premium|off
//	POST /_fake/quota?calls=1200&window=86400&block=50400   (seconds; calls=0 turns it off)
func (s *Server) policyControlRoutes(mux *http.ServeMux) {
	mux.HandleFunc("POST /_fake/dev-mode", func(w http.ResponseWriter, r *http.Request) {
		refusals := map[string]DevModeRefusal{"off": DevModeAllowed, "unregistered": DevModeUnregisteredUser, "owner-not-premium": DevModeOwnerNotPremium}
		refuse := r.URL.Query().Get("refuse")
		v, ok := refusals[refuse]
		if !ok {
			controlError(w, fmt.Errorf("refuse=%q: use unregistered, owner-not-premium or off", refuse))
			return
		}
		s.SetDevModeRefusal(v)
		controlOK(w)
	})
	mux.HandleFunc("POST /_fake/quota", func(w http.ResponseWriter, r *http.Request) {
		q := query{r: r}
		calls := q.int("calls", 0, math.MaxInt32)
		window, block := 86400, 50400
		if r.URL.Query().Has("window") {
			window = q.int("window", 1, math.MaxInt32)
		}
		if r.URL.Query().Has("block") {
			block = q.int("block", 1, math.MaxInt32)
		}
		if q.answerError(w) {
			return
		}
		s.SetQuota(Quota{Calls: calls, Window: time.Duration(window) * time.Second, Block: time.Duration(block) * time.Second})
		controlOK(w)
	})
}

package webapi

import (
	"net/http"
	"strings"
)

// DevModeReason says which rule of Spotify's Development Mode refused a call.
type DevModeReason int

const (
	// UserNotRegistered: the account is not on the app's user list. Since February 2026 a
	// Development-Mode app may have at most 5 users, added under User Management in the dashboard.
	UserNotRegistered DevModeReason = iota + 1
	// OwnerNotPremium: since February 2026 the owner of a Development-Mode app needs Premium.
	OwnerNotPremium
)

// DevModeError is a 403 with which Spotify refuses an account or an app because of Development
// Mode's rules rather than a missing scope. Its message says how to fix it; errors.As still finds
// the *Error it wraps.
type DevModeError struct {
	Reason DevModeReason
	Err    *Error
}

func (e *DevModeError) Error() string {
	switch e.Reason {
	case OwnerNotPremium:
		return "Spotify refused the app: in Development Mode the account that owns the app needs an active Premium subscription (" +
			e.Err.Error() + "). Check that the app owner's account at developer.spotify.com/dashboard has Premium, then try again"
	default:
		return "Spotify refused this account: the app is in Development Mode and the account is not on its user list (" +
			e.Err.Error() + "). Add the account's name and e-mail under User Management in the app's dashboard " +
			"at developer.spotify.com/dashboard (at most 5 users), and check that the app owner has Premium; then try again"
	}
}

func (e *DevModeError) Unwrap() error { return e.Err }

// devModeRefusal recognises Development Mode's refusals by their messages, which are all Spotify
// sends: "Check settings on developer.spotify.com/dashboard, the user may not be registered." and
// "Active premium subscription required for the owner of the app.". Nil for any other answer.
func devModeRefusal(e *Error) *DevModeError {
	if e.Status != http.StatusForbidden {
		return nil
	}
	msg := strings.ToLower(e.Message)
	switch {
	case strings.Contains(msg, "not be registered") || strings.Contains(msg, "not registered"):
		return &DevModeError{Reason: UserNotRegistered, Err: e}
	case strings.Contains(msg, "premium") && strings.Contains(msg, "owner"):
		return &DevModeError{Reason: OwnerNotPremium, Err: e}
	}
	return nil
}

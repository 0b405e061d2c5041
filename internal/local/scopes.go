package local

import "slices"

// Scope is one Spotify Web API authorization scope.
type Scope struct {
	Name        string
	Group       string // one of ScopeGroups()
	Description string // one line, for the settings window and `tokentray scopes`
	Tray        bool   // needed by the tray's now-playing display
}

// Scope groups, in display order.
const (
	scopeGroupPlayback  = "Playback"
	scopeGroupHistory   = "Listening history"
	scopeGroupPlaylists = "Playlists"
	scopeGroupLibrary   = "Library"
	scopeGroupFollow    = "Follow"
	scopeGroupUsers     = "Users"
	scopeGroupImages    = "Images"
)

// AllScopes lists every Spotify Web API authorization scope, ordered by group as ScopeGroups
// returns them (https://developer.spotify.com/documentation/web-api/concepts/scopes).
var AllScopes = []Scope{
	{"user-read-currently-playing", scopeGroupPlayback, "See what is playing right now", true},
	{"user-read-playback-state", scopeGroupPlayback, "See the player state: current item, device, progress, shuffle and repeat", true},
	{"user-modify-playback-state", scopeGroupPlayback, "Control playback: play, pause, skip, seek, volume, queue, switch device", false},
	{"app-remote-control", scopeGroupPlayback, "Remote-control the Spotify app (iOS and Android SDKs only)", false},
	{"streaming", scopeGroupPlayback, "Play audio in the browser with the Web Playback SDK (Premium only)", false},

	{"user-read-playback-position", scopeGroupHistory, "See how far you got in episodes and audiobooks", false},
	{"user-top-read", scopeGroupHistory, "See your top artists and tracks", false},
	{"user-read-recently-played", scopeGroupHistory, "See your recently played tracks", false},

	{"playlist-read-private", scopeGroupPlaylists, "See your private playlists", false},
	{"playlist-read-collaborative", scopeGroupPlaylists, "Include collaborative playlists in your playlist list", false},
	{"playlist-modify-private", scopeGroupPlaylists, "Create and edit your private playlists", false},
	{"playlist-modify-public", scopeGroupPlaylists, "Create and edit your public playlists", false},

	{"user-library-modify", scopeGroupLibrary, "Save and remove items in Your Library", false},
	{"user-library-read", scopeGroupLibrary, "See Your Library: saved tracks, albums, shows and audiobooks", false},

	{"user-follow-modify", scopeGroupFollow, "Follow and unfollow artists and users", false},
	{"user-follow-read", scopeGroupFollow, "See which artists and users you follow", false},

	{"user-read-email", scopeGroupUsers, "See your email address", false},
	{"user-read-private", scopeGroupUsers, "See your subscription (Free or Premium), country and explicit-content setting", false},

	{"ugc-image-upload", scopeGroupImages, "Upload images as playlist covers", false},
}

// TrayScopes returns the scopes the tray's now-playing display needs (a fresh slice each call).
func TrayScopes() []string {
	var names []string
	for _, s := range AllScopes {
		if s.Tray {
			names = append(names, s.Name)
		}
	}
	return names
}

// ScopeGroups returns the group names in display order (a fresh slice each call).
func ScopeGroups() []string {
	return []string{scopeGroupPlayback, scopeGroupHistory, scopeGroupPlaylists, scopeGroupLibrary,
		scopeGroupFollow, scopeGroupUsers, scopeGroupImages}
}

// LookupScope finds a scope by its exact name.
func LookupScope(name string) (Scope, bool) {
	for _, s := range AllScopes {
		if s.Name == name {
			return s, true
		}
	}
	return Scope{}, false
}

// MissingScopes returns the scopes in asked that granted lacks, in asked's order.
func MissingScopes(asked, granted []string) []string {
	var missing []string
	for _, a := range asked {
		if !slices.Contains(granted, a) {
			missing = append(missing, a)
		}
	}
	return missing
}

package fakespotify

// knownScopes lists every scope Spotify's /authorize accepts, with the wording
// the consent page shows. Anything else is answered with error=invalid_scope.
var knownScopes = map[string]string{
	"ugc-image-upload":            "Upload images to your playlists",
	"user-read-playback-state":    "Read your currently playing content and Spotify Connect devices",
	"user-modify-playback-state":  "Control playback on your Spotify clients and devices",
	"user-read-currently-playing": "Read your currently playing content",
	"app-remote-control":          "Communicate with the Spotify app on your device",
	"streaming":                   "Play content and control playback on your other devices",
	"playlist-read-private":       "Access your private playlists",
	"playlist-read-collaborative": "Access your collaborative playlists",
	"playlist-modify-private":     "Manage your private playlists",
	"playlist-modify-public":      "Manage your public playlists",
	"user-follow-modify":          "Manage who you are following",
	"user-follow-read":            "Access your followers and who you are following",
	"user-read-playback-position": "Read your position in content you have played",
	"user-top-read":               "Read your top artists and content",
	"user-read-recently-played":   "Access your recently played items",
	"user-library-modify":         "Manage your saved content",
	"user-library-read":           "Access your saved content",
	"user-read-email":             "Get your real email address",
	"user-read-private":           "Access your subscription details",
	"user-personalized":           "Get personalized content for you",
	"user-soa-link":               "Link a partner account to your Spotify account",
	"user-soa-unlink":             "Unlink a partner account from your Spotify account",
	"soa-manage-entitlements":     "Manage entitlements for partner accounts",
	"soa-manage-partner":          "Manage partner accounts",
	"soa-create-partner":          "Create partner accounts",
}

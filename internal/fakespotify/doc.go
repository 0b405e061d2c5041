// Package fakespotify is a strict, in-process imitation of Spotify's accounts
// service (/authorize, /api/token) and of the few Web API endpoints tokentray
// calls (/v1/me, /v1/me/player/currently-playing, /v1/tracks/{id}).
//
// It exists so that tests and the app's demo mode can run the whole OAuth
// dance and the now-playing poller against real HTTP on loopback without a
// Spotify account or network access. "Strict" is the point: it refuses what
// Spotify refuses (unregistered or localhost redirect URIs, the implicit
// grant, reused or expired codes, wrong PKCE verifiers, revoked refresh
// tokens, missing scopes), so a client that works against the fake is not
// merely working against a lenient stub.
//
// Accounts and Web API paths are served on one host; point both
// TOKENTRAY_ACCOUNTS_URL and TOKENTRAY_API_URL at Server.URL.
//
// Time comes from Options.Now, so token expiry, code expiry and the player's
// progress can be driven by a fake clock. Faults (5xx, 429, delays) can be
// injected per path, from Go or over the small JSON control API under
// /_fake/ for a fake that runs in another process.
//
// Where Spotify's exact behaviour is undocumented, the fake picks one and
// says so:
//   - A client-credentials (app) token on user endpoints (/v1/me, the player)
//     gets 403 "Insufficient client scope", which is what Spotify answered in
//     reports from 2025.
//   - /v1/me includes email only with user-read-email and country/product
//     only with user-read-private, as Spotify documents.
//   - Refreshing a token that was issued to a confidential client (one that
//     authenticated with its secret) again requires the secret; tokens issued
//     through PKCE without a secret rotate on every refresh.
//   - A code is consumed by the first exchange attempt that names it, even if
//     that attempt then fails (wrong verifier, wrong redirect URI).
//   - Spotify skips the consent page for scopes the user approved before;
//     the fake always shows it (unless auto-approve is on), which keeps
//     browser-driven tests predictable.
package fakespotify

package local

import (
	"slices"
	"testing"
)

func TestScopeCatalogue(t *testing.T) {
	wantByGroup := map[string][]string{
		"Images":            {"ugc-image-upload"},
		"Playback":          {"user-read-currently-playing", "user-read-playback-state", "user-modify-playback-state", "app-remote-control", "streaming"},
		"Playlists":         {"playlist-read-private", "playlist-read-collaborative", "playlist-modify-private", "playlist-modify-public"},
		"Follow":            {"user-follow-modify", "user-follow-read"},
		"Listening history": {"user-read-playback-position", "user-top-read", "user-read-recently-played"},
		"Library":           {"user-library-modify", "user-library-read"},
		"Users":             {"user-read-email", "user-read-private"},
	}
	gotByGroup := make(map[string][]string)
	var groupOrder []string
	for _, s := range AllScopes {
		if s.Description == "" {
			t.Errorf("%s has no description", s.Name)
		}
		if len(groupOrder) == 0 || groupOrder[len(groupOrder)-1] != s.Group {
			groupOrder = append(groupOrder, s.Group)
		}
		gotByGroup[s.Group] = append(gotByGroup[s.Group], s.Name)
	}
	for group, want := range wantByGroup {
		if got := gotByGroup[group]; !slices.Equal(got, want) {
			t.Errorf("group %s = %q, want %q", group, got, want)
		}
	}
	if len(gotByGroup) != len(wantByGroup) {
		t.Errorf("groups = %v, want exactly %d", gotByGroup, len(wantByGroup))
	}
	// AllScopes is contiguous per group, in display order.
	if !slices.Equal(groupOrder, ScopeGroups()) {
		t.Errorf("AllScopes group order = %q, ScopeGroups() = %q", groupOrder, ScopeGroups())
	}
	wantGroups := []string{"Playback", "Listening history", "Playlists", "Library", "Follow", "Users", "Images"}
	if !slices.Equal(ScopeGroups(), wantGroups) {
		t.Errorf("ScopeGroups() = %q, want %q", ScopeGroups(), wantGroups)
	}
}

func TestTrayScopes(t *testing.T) {
	want := []string{"user-read-currently-playing", "user-read-playback-state"}
	got := TrayScopes()
	if !slices.Equal(got, want) {
		t.Fatalf("TrayScopes() = %q, want %q", got, want)
	}
	got[0] = "changed"
	if TrayScopes()[0] != want[0] {
		t.Fatal("TrayScopes returns shared storage: a caller's change leaked into the next call")
	}
	if !slices.Equal(DefaultSettings().Scopes, want) {
		t.Fatalf("DefaultSettings().Scopes = %q, want the tray scopes", DefaultSettings().Scopes)
	}
}

func TestLookupScope(t *testing.T) {
	s, ok := LookupScope("user-read-email")
	if !ok || s.Group != "Users" || s.Tray {
		t.Fatalf("LookupScope(user-read-email) = %+v, %v", s, ok)
	}
	if s, ok := LookupScope("user-read-playback-state"); !ok || !s.Tray {
		t.Fatalf("LookupScope(user-read-playback-state) = %+v, %v; want a tray scope", s, ok)
	}
	if _, ok := LookupScope("User-Read-Email"); ok {
		t.Fatal("LookupScope is case-insensitive; Spotify is not")
	}
}

func TestMissingScopes(t *testing.T) {
	got := MissingScopes([]string{"user-read-private", "user-read-currently-playing", "streaming"}, []string{"streaming", "user-read-private"})
	if len(got) != 1 || got[0] != "user-read-currently-playing" {
		t.Fatalf("MissingScopes = %q, want [user-read-currently-playing]", got)
	}
	if got := MissingScopes([]string{"streaming"}, []string{"streaming"}); got != nil {
		t.Fatalf("nothing missing gave %q, want nil", got)
	}
}

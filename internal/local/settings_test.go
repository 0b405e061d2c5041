package local

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestSettingsRoundTrip(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new", "tokentray")
	s, found, err := LoadSettings(dir)
	if err != nil || found {
		t.Fatalf("LoadSettings(missing) = found %v, err %v", found, err)
	}
	if !reflect.DeepEqual(s, DefaultSettings()) {
		t.Fatalf("LoadSettings(missing) = %+v, want the defaults", s)
	}

	s.ClientID = validClientIDForTest
	s.Scopes = []string{"user-read-email", "user-top-read"}
	s.RedirectURI = "http://[::1]/callback"
	s.MinValidSeconds = 120
	s.ClipboardClearSeconds = 0
	s.Notifications = false
	if err := SaveSettings(dir, s); err != nil {
		t.Fatalf("SaveSettings: %v", err)
	}
	got, found, err := LoadSettings(dir)
	if err != nil || !found {
		t.Fatalf("LoadSettings = found %v, err %v", found, err)
	}
	if !reflect.DeepEqual(got, s) {
		t.Fatalf("LoadSettings = %+v, want %+v", got, s)
	}

	assertModeForTest(t, dir, 0o700)
	assertModeForTest(t, filepath.Dir(dir), 0o700) // parents created on the way are private too
	assertModeForTest(t, filepath.Join(dir, "settings.json"), 0o600)
	assertOnlyFilesForTest(t, dir, "settings.json")
}

func TestLoadSettingsKeepsDefaultsForAbsentFields(t *testing.T) {
	dir := t.TempDir()
	writeFileForTest(t, filepath.Join(dir, "settings.json"), `{"client_id": "`+validClientIDForTest+`", "min_valid_seconds": 900}`)
	got, found, err := LoadSettings(dir)
	if err != nil || !found {
		t.Fatalf("LoadSettings = found %v, err %v", found, err)
	}
	want := DefaultSettings()
	want.ClientID = validClientIDForTest
	want.MinValidSeconds = 900
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("LoadSettings = %+v, want %+v", got, want)
	}
}

func TestLoadSettingsRefusesDamagedFile(t *testing.T) {
	valid := `"client_id": "0123456789abcdef0123456789abcdef"`
	for _, tc := range []struct {
		name, content, field, problem string
	}{
		{"truncated", `{"client_id": "abc`, "", "is damaged"},
		{"wrong type", `{` + valid + `, "min_valid_seconds": "ten minutes"}`, "min_valid_seconds", "wrong type"},
		{"null", `null`, "", "does not hold a JSON object"},
		{"array", ` [1]`, "", "does not hold a JSON object"},
		{"empty", ``, "", "does not hold a JSON object"},
		{"min valid out of range", `{` + valid + `, "min_valid_seconds": 99999}`, "min_valid_seconds", "is 99999, outside 60..3000"},
		{"client id too long", `{"client_id": "` + strings.Repeat("a", 5000) + `"}`, "client_id", "is 5000 characters long"},
		{"two fields", `{"client_id": "", "clipboard_clear_seconds": -1}`, "client_id, clipboard_clear_seconds", "is empty"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "settings.json")
			writeFileForTest(t, path, tc.content)
			_, _, err := LoadSettings(dir)
			var se *SettingsError
			if !errors.As(err, &se) {
				t.Fatalf("LoadSettings = %v, want a *SettingsError", err)
			}
			if se.File != path || se.Field != tc.field || !strings.Contains(se.Problem, tc.problem) {
				t.Fatalf("got file %q field %q problem %q, want %q %q %q", se.File, se.Field, se.Problem, path, tc.field, tc.problem)
			}
			for _, want := range []string{path, "Repair it", "tokentray reset-settings", "login and client secret are kept"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not mention %q", err, want)
				}
			}
			if data, _ := os.ReadFile(path); string(data) != tc.content {
				t.Fatalf("the damaged file was changed to %q", data)
			}
		})
	}
}

func TestSaveSettingsWritesNothingWhenInvalid(t *testing.T) {
	dir := t.TempDir()
	good := DefaultSettings()
	good.ClientID = validClientIDForTest
	if err := SaveSettings(dir, good); err != nil {
		t.Fatal(err)
	}
	before, err := os.ReadFile(filepath.Join(dir, "settings.json"))
	if err != nil {
		t.Fatal(err)
	}

	bad := good
	bad.RedirectURI = "http://localhost:8888/callback"
	err = SaveSettings(dir, bad)
	var fes FieldErrors
	if !errors.As(err, &fes) || fes[0].Field != "redirect_uri" {
		t.Fatalf("SaveSettings(invalid) = %v, want FieldErrors for redirect_uri", err)
	}
	after, _ := os.ReadFile(filepath.Join(dir, "settings.json"))
	if string(after) != string(before) {
		t.Fatalf("settings.json changed from %q to %q", before, after)
	}
	assertOnlyFilesForTest(t, dir, "settings.json")

	fresh := filepath.Join(t.TempDir(), "never")
	if err := SaveSettings(fresh, bad); err == nil {
		t.Fatal("SaveSettings(invalid) succeeded")
	}
	if _, err := os.Stat(fresh); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("SaveSettings(invalid) created %s (stat: %v)", fresh, err)
	}
}

func TestConfigDir(t *testing.T) {
	t.Setenv("TOKENTRAY_CONFIG_DIR", "/tmp/somewhere")
	if dir, err := ConfigDir(); err != nil || dir != "/tmp/somewhere" {
		t.Fatalf("ConfigDir() = %q, %v; want the environment variable", dir, err)
	}
	t.Setenv("TOKENTRAY_CONFIG_DIR", "")
	t.Setenv("XDG_CONFIG_HOME", "/tmp/xdg")
	if dir, err := ConfigDir(); err != nil || dir != filepath.Join("/tmp/xdg", "tokentray") {
		t.Fatalf("ConfigDir() = %q, %v; want /tmp/xdg/tokentray", dir, err)
	}
}

func assertModeForTest(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := info.Mode().Perm(); got != want {
		t.Errorf("mode of %s = %o, want %o", path, got, want)
	}
}

// assertOnlyFilesForTest fails when dir holds anything but names, e.g. a leftover temp file.
func assertOnlyFilesForTest(t *testing.T, dir string, names ...string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	if strings.Join(got, " ") != strings.Join(names, " ") {
		t.Errorf("%s holds %q, want exactly %q", dir, got, names)
	}
}

func writeFileForTest(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

package auth

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"tokentray/internal/local"
)

func TestResetSettingsKeepsTheLoginAndSecret(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "settings.json"), []byte(`{"min_valid_seconds": 99999}`), 0o600); err != nil {
		t.Fatal(err)
	}
	store := local.NewMemoryStore()
	if err := store.Set(local.KeyClientSecret, "the-secret"); err != nil {
		t.Fatal(err)
	}
	if err := saveJSON(store, local.KeyUserToken, &UserToken{RefreshToken: "rt", ClientID: "0123456789abcdef0123456789abcdef", Scope: "user-read-email"}); err != nil {
		t.Fatal(err)
	}

	got, err := ResetSettings(dir, store)
	if err != nil {
		t.Fatal(err)
	}
	want := local.DefaultSettings()
	want.ClientID = "0123456789abcdef0123456789abcdef"
	want.Scopes = []string{"user-read-email"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("ResetSettings = %+v, want %+v", got, want)
	}
	loaded, found, err := local.LoadSettings(dir)
	if err != nil || !found || !reflect.DeepEqual(loaded, want) {
		t.Fatalf("after the reset LoadSettings = %+v, %v, %v", loaded, found, err)
	}
	if secret, _ := store.Get(local.KeyClientSecret); secret != "the-secret" {
		t.Fatal("the reset lost the client secret")
	}
	if ut, _ := loadJSON[UserToken](store, local.KeyUserToken); ut == nil || ut.RefreshToken != "rt" {
		t.Fatal("the reset lost the login")
	}
}

func TestResetSettingsWithoutALoginStartsAfresh(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "settings.json"), 0o700); err != nil {
		t.Fatal(err)
	}
	if _, err := ResetSettings(dir, local.NewMemoryStore()); err != nil {
		t.Fatal(err)
	}
	if _, found, err := local.LoadSettings(dir); found || err != nil {
		t.Fatalf("after the reset: found %v, err %v; want a first start", found, err)
	}
}

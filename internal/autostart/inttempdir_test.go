package autostart

import (
	"os"
	"path/filepath"
	"testing"
)

func TestInTempDir(t *testing.T) {
	tmp, err := filepath.EvalSymlinks(os.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	root := filepath.VolumeName(tmp) + string(filepath.Separator)
	for _, tt := range []struct {
		path string
		want bool
	}{
		{filepath.Join(tmp, "tokentray"), true},
		{filepath.Join(tmp, "x", "y", "tokentray"), true},
		{filepath.Join(root, "home", "ann", ".cache", "go-build", "ab", "tokentray"), true},
		{filepath.Join(root, "usr", "local", "bin", "tokentray"), false},
		{tmp + "-not" + string(filepath.Separator) + "tokentray", false},
	} {
		if got := inTempDir(tt.path); got != tt.want {
			t.Errorf("inTempDir(%q) = %v, want %v", tt.path, got, tt.want)
		}
	}
}

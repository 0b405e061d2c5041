//go:build unix

package cli

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"tokentray/internal/fakespotify"
)

func TestNowOutputReplacesOnlyARegularFile(t *testing.T) {
	fake := setup(t)
	login(t, "", "--client-id", fakespotify.DemoApp.ClientID)
	fake.Player().Play()
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink(fifo, link); err != nil {
		t.Fatal(err)
	}
	const fix = "; --output replaces only a regular file: choose a regular file or a new path\n"
	cases := []struct{ path, message string }{
		{fifo, "tokentray: --output " + fifo + " is not a regular file but a FIFO (named pipe)" + fix},
		{link, "tokentray: --output " + link + " links to " + fifo + ", which is not a regular file but a FIFO (named pipe)" + fix},
		{dir, "tokentray: --output " + dir + " is a directory, not a file" + fix},
		{filepath.Join(dir, "missing", "now.txt"), "tokentray: --output " + filepath.Join(dir, "missing", "now.txt") +
			": the directory " + filepath.Join(dir, "missing") + " does not exist: create it, or choose another path\n"},
	}
	// A copy of /dev/full's node (only root may make one).
	full := filepath.Join(dir, "full")
	if err := syscall.Mknod(full, syscall.S_IFCHR|0o666, 1<<8|7); err == nil {
		cases = append(cases, struct{ path, message string }{full, "tokentray: --output " + full + " is not a regular file but a character device" + fix})
	} else {
		t.Logf("no device node (%v): not tried", err)
	}
	for _, tc := range cases {
		before, _ := os.Lstat(tc.path)
		code, out, stderr := run(t, "", "now", "--output", tc.path)
		if code != ExitUsage || out != "" || stderr != tc.message {
			t.Errorf("now --output %s: exit %d, stdout %q, stderr\n%q\nwant exit %d and\n%q", tc.path, code, out, stderr, ExitUsage, tc.message)
		}
		if after, _ := os.Lstat(tc.path); before != nil && (after == nil || !os.SameFile(before, after) || after.Mode() != before.Mode()) {
			t.Errorf("%s was replaced: %v", tc.path, after)
		}
	}

	// A link to a regular file: the file is replaced, the link stays.
	file := filepath.Join(dir, "now.txt")
	if err := os.WriteFile(file, []byte("old\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	toFile := filepath.Join(dir, "to-file")
	if err := os.Symlink(file, toFile); err != nil {
		t.Fatal(err)
	}
	if code, out, stderr := run(t, "", "now", "--output", toFile); code != ExitOK {
		t.Fatalf("now --output to a link to a file: exit %d, %q, %q", code, out, stderr)
	}
	if info, err := os.Lstat(toFile); err != nil || info.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("the link is now %v (%v)", info, err)
	}
	if data, _ := os.ReadFile(file); string(data) != "Marrow & Finch — Paper Lanterns Over Tide\nhttps://open.spotify.com/track/4kQm2Tn8XvLpR7cJw1ZbYd\n" {
		t.Fatalf("the file holds %q", data)
	}
}

//go:build faults

package faults

import (
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// row is one line of docs/RELIABILITY.md: a fault from issue 9, what tokentray does about it,
// what it promises, and what this run measured.
type row struct {
	id       string // orders the rows: "1.1", "4.3", "R.2" (regressions)
	fault    string
	done     string
	promise  string
	measured string
	passed   bool
}

var (
	reportMu sync.Mutex
	rows     []row
)

// report records r for the document; whether it passed is read from t when the test ends.
func report(t *testing.T, r row) {
	t.Cleanup(func() {
		r.passed = !t.Failed()
		reportMu.Lock()
		defer reportMu.Unlock()
		rows = append(rows, r)
	})
}

func writeReport(path string) error {
	reportMu.Lock()
	defer reportMu.Unlock()
	if len(rows) == 0 {
		return nil // a run filtered to no reported test leaves the document alone
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].id < rows[j].id })
	var b strings.Builder
	fmt.Fprintf(&b, `# Reliability under faults

Written by `+"`make faults`"+` (faults/, build tag `+"`faults`"+`) on %s: the real binary against the
built-in fake Spotify with fault injection, a real gnome-keyring on a private D-Bus where a
keyring is involved, and a small pathological token server for answers the fake will not give.
Rows are issue 9's findings; "R" rows are behaviour that already held and is kept as regression.

| # | fault | what tokentray does | promise | measured | |
|---|---|---|---|---|---|
`, time.Now().UTC().Format("2006-01-02 15:04 UTC"))
	for _, r := range rows {
		status := "pass"
		if !r.passed {
			status = "**FAIL**"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", r.id, cell(r.fault), cell(r.done), cell(r.promise), cell(r.measured), status)
	}
	b.WriteString(`
## What kill -9 can still destroy

A PKCE refresh revokes the old refresh token as soon as Spotify reads the request; until the
new one is stored, the process holds the only copy. SIGINT and SIGTERM are caught and wait for
that save. SIGKILL cannot be caught: tokentray shrinks the window instead. The keyring session
is opened, unlocked and checked before the request, so that one D-Bus call (CreateItem) follows
the answer; the file store writes one file (temporary file, fsync, rename). The kill rows above
give the counts of kills that landed after the request reached the fake and how many of them
lost the login.
`)
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

func cell(s string) string { return strings.ReplaceAll(strings.ReplaceAll(s, "|", `\|`), "\n", " ") }

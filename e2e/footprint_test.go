//go:build e2e && footprint

package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"tokentray/e2e/harness"
	"tokentray/tray"
)

// TestFootprint is `make footprint`: what tokentray's tray costs while it idles all day,
// beside the smallest Fyne tray app (testdata/fynetray) measured in the same run, and how long
// the window takes to appear after Settings…. Both apps are built as `make build` builds (no
// race detector). FOOTPRINT_IDLE shortens the idle minute for a quick look.
//
// Targets (the featherweight-tray issue): tray CPU ≤ 0.15× and RSS ≤ 0.35× the Fyne app's;
// the window visible ≤ 1.5 s after the click.
func TestFootprint(t *testing.T) {
	idle := time.Minute
	if v := os.Getenv("FOOTPRINT_IDLE"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			t.Fatalf("FOOTPRINT_IDLE=%q: %v", v, err)
		}
		idle = d
	}
	dir := t.TempDir()
	build := func(pkg, out string, flags ...string) string {
		path := filepath.Join(dir, out)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		if err := harness.Build(ctx, pkg, path, append(flags, "-trimpath", "-ldflags=-s -w")...); err != nil {
			t.Fatal(err)
		}
		return path
	}
	trayBin := build("..", "tokentray")
	fyneBin := build("./testdata/fynetray", "fynetray", "-tags", "e2e")

	// Log in with the test build, then restart logged in with the measured build: the tray
	// starts without its window, as it does every day.
	j := sharedJourney(t)
	j.saveSettings(nil)
	j.storeSecret()
	j.start()
	j.login(nil)
	j.stop()
	j.app = j.sess.Start(t, trayBin, nil, j.env()...)
	j.item = j.itemOf(j.app.PID())
	_, err := j.item.WaitForLabel(within(t, 20*time.Second), nowPlaying(warmup.Name))
	j.must("see the measured tray logged in", err)
	if pids := j.windowPIDs(); len(pids) != 0 {
		j.fail("check that a logged-in start shows no window", fmt.Errorf("window processes %v", pids))
	}
	time.Sleep(3 * time.Second) // let start-up work settle
	trayUse := measure(t, j.app.PID(), idle)

	fyne := j.sess.Start(t, fyneBin, nil)
	j.itemOf(fyne.PID())
	time.Sleep(3 * time.Second)
	fyneUse := measure(t, fyne.PID(), idle)
	if err := fyne.Stop(); err != nil {
		t.Logf("stop fynetray: %v", err)
	}

	var mapped, drawn []time.Duration
	for range 5 {
		m, d := j.timeWindow()
		mapped, drawn = append(mapped, m), append(drawn, d)
		for _, pid := range j.windowPIDs() {
			syscall.Kill(pid, syscall.SIGTERM)
		}
		j.waitForWindows(0)
	}
	slices.Sort(mapped)
	slices.Sort(drawn)

	var table strings.Builder
	fmt.Fprintf(&table, "| process (%s idle, logged in, window closed) | CPU (one core) | RSS (process tree) |\n|---|---|---|\n", idle)
	fmt.Fprintf(&table, "| tokentray tray | %.2f %% | %.1f MB |\n", trayUse.cpu, trayUse.rssMB)
	fmt.Fprintf(&table, "| smallest Fyne tray app (testdata/fynetray) | %.2f %% | %.1f MB |\n", fyneUse.cpu, fyneUse.rssMB)
	fmt.Fprintf(&table, "| ratio | %.2f× | %.2f× |\n", ratio(trayUse.cpu, fyneUse.cpu), trayUse.rssMB/fyneUse.rssMB)
	fmt.Fprintf(&table, "\nSettings… → window mapped: median %v, max %v; first frame drawn: median %v, max %v (5 runs)\n",
		mapped[2].Round(10*time.Millisecond), mapped[4].Round(10*time.Millisecond), drawn[2].Round(10*time.Millisecond), drawn[4].Round(10*time.Millisecond))
	t.Logf("footprint:\n%s", table.String())

	if ratio(trayUse.cpu, fyneUse.cpu) > 0.15 || trayUse.rssMB/fyneUse.rssMB > 0.35 || drawn[4] > 1500*time.Millisecond {
		t.Errorf("a target is missed: tray CPU ≤ 0.15×, RSS ≤ 0.35× the Fyne app's, window drawn ≤ 1.5 s")
	}
}

// ratio is a/b, reading a CPU share too small to measure (0 ticks) as 0.
func ratio(a, b float64) float64 {
	if a == 0 {
		return 0
	}
	return a / b
}

// timeWindow clicks Settings… and returns how long the window took to be mapped and to show
// its first frame (a black, freshly mapped GL window has no luma variance).
func (j *journey) timeWindow() (mapped, drawn time.Duration) {
	j.t.Helper()
	clicked := time.Now()
	j.must("click Settings…", j.item.Click(harness.Label(tray.LabelSettings)))
	for !j.windowVisible() {
		if time.Since(clicked) > 15*time.Second {
			j.fail("wait for the window", fmt.Errorf("not mapped after 15 s"))
		}
		time.Sleep(10 * time.Millisecond)
	}
	mapped = time.Since(clicked)
	for {
		shot := j.sess.Display.Screenshot(j.t, "footprint-window")
		v, _, err := harness.LumaVariance(shot)
		j.must("measure the screenshot", err)
		if v >= 100 {
			return mapped, time.Since(clicked)
		}
		if time.Since(clicked) > 15*time.Second {
			j.fail("wait for the window's first frame", fmt.Errorf("still blank after 15 s"))
		}
	}
}

type usage struct {
	cpu   float64 // percent of one core
	rssMB float64
}

// measure samples the CPU time of pid and its descendants over d, and their RSS at the end.
func measure(t *testing.T, pid int, d time.Duration) usage {
	t.Helper()
	before, _ := treeStats(t, pid)
	time.Sleep(d)
	after, rssKB := treeStats(t, pid)
	const ticksPerSecond = 100 // USER_HZ on Linux
	return usage{cpu: float64(after-before) / ticksPerSecond / d.Seconds() * 100, rssMB: float64(rssKB) / 1024}
}

// treeStats sums utime+stime (clock ticks) and VmRSS (kB) over pid and its descendants.
func treeStats(t *testing.T, root int) (ticks, rssKB int) {
	t.Helper()
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatal(err)
	}
	parent := map[int]int{}
	stat := map[int][]string{}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		data, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		fields := strings.Fields(string(data[bytes.LastIndexByte(data, ')')+1:]))
		parent[pid], _ = strconv.Atoi(fields[1])
		stat[pid] = fields
	}
	inTree := func(pid int) bool {
		for ; pid > 1; pid = parent[pid] {
			if pid == root {
				return true
			}
		}
		return false
	}
	for pid, fields := range stat {
		if !inTree(pid) {
			continue
		}
		utime, _ := strconv.Atoi(fields[11]) // field 14 of /proc/pid/stat
		stime, _ := strconv.Atoi(fields[12]) // field 15
		ticks += utime + stime
		status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(status), "\n") {
			if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
				kb, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
				rssKB += kb
			}
		}
	}
	return ticks, rssKB
}

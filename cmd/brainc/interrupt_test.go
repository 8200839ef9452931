package main

import (
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/internal/tier"
)

// SIGHUP (a closed terminal, a lost ssh session) stops a run as SIGINT
// does; it used to end the process with nothing written. The signal is
// real, sent to this process: a guard subscription keeps it from killing
// the test binary if brainc does not watch it.
func TestHangupStopsLikeInterrupt(t *testing.T) {
	guard := make(chan os.Signal, 1)
	signal.Notify(guard, syscall.SIGHUP)
	defer signal.Stop(guard)
	i := watchInterrupts(io.Discard, "run", "stopping")
	defer i.close()
	require.NoError(t, syscall.Kill(os.Getpid(), syscall.SIGHUP))
	select {
	case <-i.Stop:
	case <-time.After(10 * time.Second):
		t.Fatal("SIGHUP did not stop the run")
	}
}

// An interrupt during a sweep ends it like a run: exit 130, messages
// naming brainc sweep, and the instances done so far kept, with their
// rows in summary.csv.
func TestInterruptStopsSweep(t *testing.T) {
	tier.Slow(t)
	got := fakeSignals(t)
	dir := t.TempDir()
	spec := filepath.Join(dir, "tiny.yaml")
	require.NoError(t, os.WriteFile(spec, []byte(tinySpec), 0o644))
	out := filepath.Join(dir, "sw")
	type result struct {
		code           int
		stdout, stderr string
	}
	done := make(chan result)
	go func() {
		code, stdout, stderr := runCLI("sweep", spec, "--backend", "cpu", "--duration", "1 s", "--batch", "1",
			"--seeds", "1..40", "--out", out, "--quiet")
		done <- result{code, stdout, stderr}
	}()
	c := <-got
	require.Eventually(t, func() bool { // written into the sweep's staging directory
		m, _ := filepath.Glob(filepath.Join(out, ".partial-*", "run-0000", "summary.json"))
		return len(m) == 1
	}, 60*time.Second, 5*time.Millisecond, "the first instance is written")
	c <- os.Interrupt
	r := <-done
	require.Equal(t, exitInterrupted, r.code, r.stderr)
	assert.NotContains(t, r.stderr, "brainc run")
	assert.Contains(t, r.stderr, "brainc sweep: stopping after the instances running now")
	assert.Regexp(t, `brainc sweep: interrupted after \d+ of 40 instances: their rows are in `, r.stderr)
	csv, err := os.ReadFile(filepath.Join(out, "summary.csv"))
	require.NoError(t, err)
	rows := strings.Count(string(csv), "\n") - 1
	assert.GreaterOrEqual(t, rows, 1)
	assert.Less(t, rows, 40)
	runs, _ := filepath.Glob(filepath.Join(out, "run-*"))
	assert.Len(t, runs, rows, "one run directory per row")
}

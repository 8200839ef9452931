package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A split across more devices than the largest population has neurons is
// refused before anything is built or opened (1024 devices on 100 neurons
// aborted inside XLA: pthread_create failed), naming the flag or the spec's
// field.
func TestDevicesBeyondNeuronsRefused(t *testing.T) {
	dir := t.TempDir()
	spec := filepath.Join(dir, "tiny.yaml")
	require.NoError(t, os.WriteFile(spec, []byte(tinySpec), 0o644))
	code, _, stderr := runCLI("run", spec, "--devices", "1024", "--backend", "cpu", "--out", filepath.Join(dir, "out"))
	assert.Equal(t, 2, code, stderr)
	assert.Equal(t, "brainc run: --devices: 1024 devices for a network whose largest population (E) has 80 neurons: "+
		"each device holds a share of every population, so at most 80 devices hold any neuron\n", stderr)
	assert.NoDirExists(t, filepath.Join(dir, "out"))

	inSpec := filepath.Join(dir, "split.yaml")
	require.NoError(t, os.WriteFile(inSpec, []byte(strings.Replace(tinySpec, "seed: 5\n", "seed: 5\ndevices: 81\n", 1)), 0o644))
	code, _, stderr = runCLI("run", inSpec, "--backend", "cpu", "--out", filepath.Join(dir, "out"))
	assert.Equal(t, 2, code, stderr)
	assert.Contains(t, stderr, "brainc run: "+inSpec+": devices: 81 devices for a network whose largest population (E) has 80 neurons")
}

// Spike monitors count in the memory estimate: a million Poisson neurons
// recorded for 1000 s is refused before anything is built (it used to die
// out of memory after 10 s), and a run that fires more than the memory
// left holds stops with an error, writing nothing, instead of running out
// of memory.
func TestSpikeMonitorsBounded(t *testing.T) {
	dir := t.TempDir()
	spec := filepath.Join(dir, "poisson.yaml")
	require.NoError(t, os.WriteFile(spec, []byte(`
name: poisson
dt: 0.1 ms
duration: 1000 s
populations:
  P: {size: 1000000, model: Poisson, params: {rate: 10 Hz}}
monitors: {spikes: [P]}
`), 0o644))
	code, _, stderr := runCLI("run", spec, "--backend", "cpu", "--max-memory", "16", "--out", filepath.Join(dir, "out"))
	assert.Equal(t, 1, code, stderr)
	assert.Contains(t, stderr, "brainc run: "+spec+": the run needs about 223.6 GiB, more than the limit you set (16.0 GiB): "+
		"spikes of P (1000000 neurons × 10000000 steps, its rate, 10 Hz, plus six standard deviations of the count) ≈ 223.5 GiB")

	tiny := filepath.Join(dir, "tiny.yaml")
	require.NoError(t, os.WriteFile(tiny, []byte(strings.Replace(tinySpec, ", traces: {E.V: [0, 1]}}", "}", 1)), 0o644))
	code, stdout, _ := runCLI("run", tiny, "--backend", "cpu", "--explain", "--max-memory", "0.0001", "--duration", "10 ms", "--quiet", "--out", filepath.Join(dir, "explained"))
	require.Equal(t, 0, code)
	assert.Contains(t, stdout, "spikes of E (80 neurons × 100 steps, at most one spike per refractory period (tau_ref 5 ms)): 3.8 KiB (an upper bound, not counted)")
	assert.Contains(t, stdout, "the spike monitors stop the run with an error past 3620 spikes (84.8 KiB, the memory left)")
	code, _, stderr = runCLI("run", tiny, "--backend", "cpu", "--max-memory", "0.0001", "--duration", "2 s", "--quiet", "--out", filepath.Join(dir, "out"))
	assert.Equal(t, 1, code, stderr)
	assert.Regexp(t, `^brainc run: spike monitors: \d+ spikes recorded by step \d+ \(t = [0-9.]+ ms\), more than the 3620 \(0.0829 MiB at 24 B each\) the memory left for them holds; `+
		`record fewer neurons \(monitors: spikes\), a shorter window \(monitors: window\) or a shorter run, or raise --max-memory\n$`, stderr)
	assert.NoDirExists(t, filepath.Join(dir, "out"))
}

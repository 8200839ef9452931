package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/internal/tier"
	"github.com/brainc/brainc/npyio"
)

// brainc sweep runs every combination and writes the table (swept values
// as columns), the plot and each instance's spikes; bad --set and --seeds
// are usage errors naming the flag.
func TestSweepWritesTable(t *testing.T) {
	tier.Slow(t)
	dir := t.TempDir()
	spec := filepath.Join(dir, "tiny.yaml")
	require.NoError(t, os.WriteFile(spec, []byte(tinySpec), 0o644))
	out := filepath.Join(dir, "sw")
	code, stdout, stderr := runCLI("sweep", spec, "--backend", "cpu", "--duration", "30 ms", "--set", "E.tau=15ms..25ms/3",
		"--set", "E2E.weight=[0.3, 0.9]", "--seeds", "1..2", "--out", out, "--quiet")
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, "tiny: 12 instances in ")
	csv, err := os.ReadFile(filepath.Join(out, "summary.csv"))
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(string(csv)), "\n")
	require.Len(t, lines, 13)
	assert.Equal(t, "instance,E.tau,E2E.weight,seed,E.rate_hz,E.cv_isi,E.fano,E.synchrony,run_s,compile_s,batch", lines[0])
	assert.True(t, strings.HasPrefix(lines[1], "0,15,0.3,1,"), lines[1])
	assert.True(t, strings.HasPrefix(lines[12], "11,25,0.9,2,"), lines[12])
	arrs, err := npyio.ReadNPZMap(filepath.Join(out, "summary.npz"))
	require.NoError(t, err)
	assert.Equal(t, []int{12}, arrs["E.rate_hz"].Shape)
	for _, f := range []string{"sweep.png", "run-0000/spikes.npz", "run-0011/summary.json"} {
		_, err := os.Stat(filepath.Join(out, f))
		assert.NoError(t, err, f)
	}
	code, _, stderr = runCLI("sweep", spec, "--backend", "cpu", "--set", "E.tau=[1 mV]", "--out", filepath.Join(dir, "x"))
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, `brainc sweep: --set "E.tau=[1 mV]": expected a time (e.g. "5 ms"), got "1 mV"`)
	code, _, stderr = runCLI("sweep", spec, "--backend", "cpu", "--seeds", "x", "--out", filepath.Join(dir, "x"))
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, `--seeds "x": expected a range a..b or a list a,b,c of seeds ≥ 0`)
	code, _, stderr = runCLI("sweep", spec, "--backend", "cpu", "--batch", "5000", "--out", filepath.Join(dir, "x"))
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, `brainc sweep: --batch: expected 0 (automatic) to 4096 instances, got 5000`)
	code, _, stderr = runCLI("sweep", spec, "--backend", "cpu", "--set", "E.tau=[20 ms]", "--out", out)
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr, "holds an earlier run's files (run-0000, run-0001, run-0002): use --overwrite to replace them")
}

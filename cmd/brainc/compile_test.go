package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/internal/tier"
)

// Two compiles of the same spec with the same flags give byte-identical files.
func TestCompileIsReproducible(t *testing.T) {
	tier.Slow(t)
	dir := t.TempDir()
	spec := filepath.Join(dir, "tiny.yaml")
	require.NoError(t, os.WriteFile(spec, []byte(tinySpec), 0o644))
	var outs [2]string
	for i := range outs {
		outs[i] = filepath.Join(dir, "c"+string(rune('0'+i)))
		code, _, stderr := runCLI("compile", spec, "--backend", "cpu", "-o", outs[i])
		require.Equal(t, 0, code, stderr)
		assert.Contains(t, stderr, "wrote 4 looping programs (capacities [16 32 64 128]), manifest.json and state0.npz")
	}
	entries, err := os.ReadDir(outs[0])
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
		a, err := os.ReadFile(filepath.Join(outs[0], e.Name()))
		require.NoError(t, err)
		b, err := os.ReadFile(filepath.Join(outs[1], e.Name()))
		require.NoError(t, err)
		assert.Equal(t, a, b, "%s differs between compiles", e.Name())
	}
	// One looping program per capacity bucket up to the first that holds the
	// population (80 ≤ 128), whatever the run length.
	assert.Equal(t, []string{".brainc-files", "manifest.json", "state0.npz", "tiny_c128.mlir", "tiny_c16.mlir", "tiny_c32.mlir", "tiny_c64.mlir"}, names)
}

func TestCompileExplainAndErrors(t *testing.T) {
	code, stdout, stderr := runCLI("compile", "cuba", "--explain")
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, "model cuba: dt 0.1 ms, 10000 steps (1000 ms), seed 42, Float32, time loop in the executable, event capacity 16")
	assert.Contains(t, stdout, "block E+I: 4000 neurons packed (one state array per variable, one compaction, one fan-out table, 2 synaptic states)")
	assert.Contains(t, stdout, "E+I: one CSR fan-out table, 320325 targets (327680 entries with the padding) + 4002 row pointers (1.3 MiB, 4.14 B per synapse), rows up to 112 slots, serves E2E, E2I, I2E, I2I; one gather + one scatter per step")

	dir := t.TempDir()
	blocker := filepath.Join(dir, "file")
	require.NoError(t, os.WriteFile(blocker, nil, 0o644))
	tests := []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"compile", "nosuch", "-o", filepath.Join(dir, "x")}, 1, `brainc compile: unknown built-in model "nosuch"`},
		{[]string{"compile", "coba"}, 2, `brainc compile: -o DIR is required (or --explain to only print the plan)`},
		{[]string{"compile", "coba", "--k", "-1", "-o", filepath.Join(dir, "x")}, 2, `brainc compile: --k: must be ≥ 1, got -1`},
		{[]string{"compile", "coba", "--k", "3", "-o", filepath.Join(dir, "x")}, 2, `brainc compile: --k: steps per chunk apply to --engine chunk only`},
		{[]string{"compile", "coba", "--engine", "chunk", "-o", filepath.Join(dir, "x")}, 2, `brainc compile: --engine: brainc compile writes the loop engine's programs`},
		{[]string{"compile", "coba", "--engine", "jet", "-o", filepath.Join(dir, "x")}, 2, `brainc compile: --engine: expected "loop" or "chunk", got "jet"`},
		{[]string{"compile", "coba", "--k", "two", "-o", filepath.Join(dir, "x")}, 2, `brainc compile: invalid argument "two" for "--k" flag`},
		{[]string{"compile", "coba", "--buckets", "-2", "-o", filepath.Join(dir, "x")}, 2, `brainc compile: --buckets: must be ≥ 1, got -2`},
		{[]string{"compile", "coba", "--buckets", "1", "--duration", "1 ms", "-o", filepath.Join(blocker, "out")}, 1, `brainc compile: creating output directory`},
	}
	for _, tc := range tests {
		code, _, stderr := runCLI(tc.args...)
		assert.Equal(t, tc.code, code, "%v: %s", tc.args, stderr)
		assert.Contains(t, stderr, tc.msg, "%v", tc.args)
	}
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, entries, 1, "failed compiles leave nothing behind")
}

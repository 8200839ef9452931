package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/internal/tier"
)

// brainc run --save-network writes the drawn values and a spec that reads
// them: run with another seed, that spec gives the same spikes, byte for
// byte; a folder of other files is refused before anything runs.
func TestSaveNetworkRebuildsTheRun(t *testing.T) {
	tier.Slow(t)
	dir := t.TempDir()
	saved := filepath.Join(dir, "saved")
	code, stdout, stderr := runCLI("run", "cuba", "--duration", "100 ms", "--backend", "cpu", "--quiet", "--out", filepath.Join(dir, "a"), "--save-network", saved)
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, "saved the network: ")
	for _, f := range []string{"network.yaml", "E2E.conn.npz", "I2I.conn.npz", "E.init.V.npy"} {
		assert.FileExists(t, filepath.Join(saved, f))
	}
	code, _, stderr = runCLI("run", filepath.Join(saved, "network.yaml"), "--seed", "77", "--duration", "100 ms", "--backend", "cpu", "--quiet", "--out", filepath.Join(dir, "b"))
	require.Equal(t, 0, code, stderr)
	want, err := os.ReadFile(filepath.Join(dir, "a", "spikes.npz"))
	require.NoError(t, err)
	got, err := os.ReadFile(filepath.Join(dir, "b", "spikes.npz"))
	require.NoError(t, err)
	require.Equal(t, want, got, "the rebuilt network spikes otherwise")

	other := filepath.Join(dir, "other")
	require.NoError(t, os.MkdirAll(other, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(other, "mine.txt"), []byte("keep"), 0o644))
	code, _, stderr = runCLI("run", "cuba", "--duration", "10 ms", "--backend", "cpu", "--quiet", "--out", filepath.Join(dir, "c"), "--save-network", other)
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr, "--save-network: ")
	assert.NoDirExists(t, filepath.Join(dir, "c"))
	data, err := os.ReadFile(filepath.Join(other, "mine.txt"))
	require.NoError(t, err)
	assert.Equal(t, "keep", string(data))
}

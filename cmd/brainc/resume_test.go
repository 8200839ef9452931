package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/internal/tier"
	"github.com/brainc/brainc/npyio"
)

// A checkpoint is believed only for the network that wrote it: resuming
// with the Poisson weights ×10 or another fixed_prob is refused, naming
// what differs, and writes nothing; a checkpoint whose spikes.npz names a
// neuron that does not exist is refused before the run, not a panic after
// it; resuming to exactly the checkpoint's end writes the complete outputs.
func TestResumeChecksTheCheckpoint(t *testing.T) {
	tier.Slow(t)
	dir := t.TempDir()
	spec := filepath.Join(dir, "ck.yaml")
	require.NoError(t, os.WriteFile(spec, []byte(checkpointSpec), 0o644))
	code, _, stderr := runCLI("run", spec, "--backend", "cpu", "--quiet", "--duration", "30 ms", "--checkpoint-every", "30 ms", "--out", filepath.Join(dir, "a"))
	require.Equal(t, 0, code, stderr)
	ck := filepath.Join(dir, "a.checkpoint")

	// Resuming at the checkpoint's end: nothing left to run, the outputs
	// are those of the run that wrote it.
	end := filepath.Join(dir, "end")
	code, _, stderr = runCLI("run", spec, "--backend", "cpu", "--quiet", "--duration", "30 ms", "--resume", ck, "--out", end)
	require.Equal(t, 0, code, stderr)
	for _, f := range []string{"spikes.npz", "traces.npz", "weights.npz"} {
		want, err := os.ReadFile(filepath.Join(dir, "a", f))
		require.NoError(t, err)
		got, err := os.ReadFile(filepath.Join(end, f))
		require.NoError(t, err)
		assert.True(t, bytes.Equal(want, got), "%s differs", f)
	}
	js, err := os.ReadFile(filepath.Join(end, "summary.json"))
	require.NoError(t, err)
	var sum struct {
		Complete  bool `json:"complete"`
		StepsDone int  `json:"steps_done"`
	}
	require.NoError(t, json.Unmarshal(js, &sum))
	assert.True(t, sum.Complete)
	assert.Equal(t, 300, sum.StepsDone)

	for _, tc := range []struct{ name, old, new, differs string }{
		{"weights ×10", "weight: 0.08,", "weight: 0.8,", "projections.PE.weight"},
		{"another fixed_prob", "fixed_prob: 0.1}", "fixed_prob: 0.2}", "projections.EE connectivity table, projections.EE delays, projections.EE.conn"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			other := filepath.Join(dir, "other.yaml")
			require.Contains(t, checkpointSpec, tc.old)
			require.NoError(t, os.WriteFile(other, []byte(strings.Replace(checkpointSpec, tc.old, tc.new, 1)), 0o644))
			out := filepath.Join(dir, "other")
			code, _, stderr := runCLI("run", other, "--backend", "cpu", "--quiet", "--duration", "60 ms", "--resume", ck, "--out", out)
			assert.Equal(t, 1, code)
			assert.Equal(t, "brainc run: resume: the network differs from the checkpoint's ("+filepath.Join(ck, "checkpoint.json")+": fingerprint) in "+
				tc.differs+": resume with the spec, values and flags of the run that wrote it\n", stderr)
			assert.NoDirExists(t, out)
		})
	}

	// A neuron index past the population's size in spikes.npz.
	bad := filepath.Join(dir, "bad.checkpoint")
	require.NoError(t, os.Mkdir(bad, 0o755))
	entries, err := os.ReadDir(ck)
	require.NoError(t, err)
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(ck, e.Name()))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(bad, e.Name()), b, 0o644))
	}
	names, arrays, err := npyio.ReadNPZ(filepath.Join(bad, "spikes.npz"))
	require.NoError(t, err)
	require.Equal(t, "E_indices", names[1])
	arrays[1].Data.([]int32)[0] = 5000
	require.NoError(t, npyio.WriteNPZ(filepath.Join(bad, "spikes.npz"), names, arrays))
	out := filepath.Join(dir, "bad")
	code, _, stderr = runCLI("run", spec, "--backend", "cpu", "--quiet", "--duration", "60 ms", "--resume", bad, "--out", out)
	assert.Equal(t, 1, code)
	assert.Equal(t, "brainc run: resume: "+filepath.Join(bad, "spikes.npz")+": E: spike 0 is of neuron 5000, expected one of the 120 neurons recorded\n", stderr)
	assert.NoDirExists(t, out)
}

package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/internal/tier"
)

// brainc run --devices 3 (and a spec's devices: 3) splits an 83-neuron
// network across 3 virtual CPU devices, padded to 84 neurons: the same
// spikes.npz and traces.npz as one device, byte for byte; --explain says
// how it splits and summary.json records the devices. brainc devices
// --devices 3 lists the three devices.
func TestRunAcrossDevices(t *testing.T) {
	tier.Slow(t)
	dir := t.TempDir()
	spec := filepath.Join(dir, "tiny.yaml")
	// Not tinySpec itself: its programs would then be in the process's
	// cache when other tests time their compile.
	odd := strings.Replace(tinySpec, "size: 80,", "size: 83,", 1)
	require.NoError(t, os.WriteFile(spec, []byte(odd), 0o644))
	split := filepath.Join(dir, "split.yaml")
	require.NoError(t, os.WriteFile(split, []byte(strings.Replace(odd, "seed: 5\n", "seed: 5\ndevices: 3\n", 1)), 0o644))
	run := func(name string, args ...string) string {
		out := filepath.Join(dir, name)
		code, stdout, stderr := runCLI(append([]string{"run", "--out", out, "--backend", "cpu", "--quiet"}, args...)...)
		require.Equal(t, 0, code, stderr)
		if name == "flag" {
			assert.Contains(t, stdout, "padding E__pad: neurons 83–83 of block E, so that it splits evenly across devices")
			assert.Contains(t, stdout, "devices: 3 devices: 4 arrays split by neuron")
			assert.Contains(t, stdout, "spikes compacted and propagated by brainc custom calls (brainc_compact, brainc_csr, brainc_csr_delayed), event capacity")
		}
		return out
	}
	one := run("one", spec)
	for _, out := range []string{run("flag", spec, "--devices", "3", "--explain"), run("spec", split)} {
		for _, f := range []string{"spikes.npz", "traces.npz"} {
			want, err := os.ReadFile(filepath.Join(one, f))
			require.NoError(t, err)
			got, err := os.ReadFile(filepath.Join(out, f))
			require.NoError(t, err)
			assert.Equal(t, want, got, "%s of %s", f, out)
		}
		var sum map[string]any
		js, err := os.ReadFile(filepath.Join(out, "summary.json"))
		require.NoError(t, err)
		require.NoError(t, json.Unmarshal(js, &sum))
		assert.Equal(t, 3.0, sum["devices"])
		assert.Equal(t, "custom", sum["event_ops"], "each device's share")
	}
	code, stdout, stderr := runCLI("devices", "--backend", "cpu", "--devices", "3")
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, "device 2: cpu:2")
	assert.Contains(t, stdout, "split   runs across devices use brainc custom calls (brainc_compact, brainc_csr, brainc_csr_delayed) on each device's share of the tables split by target")
	assert.Contains(t, stdout, "(composed XLA ops (top-k compaction in the loop, gather/scatter propagation) when a table stays whole: a block that does not divide)")
}

package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/internal/tier"
)

func TestBenchScale(t *testing.T) {
	tier.Slow(t)
	out := filepath.Join(t.TempDir(), "scale.json")
	code, stdout, stderr := runCLI("bench", "scale", "--sizes", "500,1000", "--duration", "20 ms",
		"--backend", "cpu", "--kernel", "procedural", "--json", out)
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, "COBA, in-degree 80 (fixed_prob 80/N), 20 ms per size, on cpu")
	var rep scaleReport
	data, err := os.ReadFile(out)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(data, &rep))
	require.Len(t, rep.Runs, 2)
	r := rep.Runs[1]
	assert.Equal(t, 1000, r.N)
	assert.Equal(t, 200, r.Steps)
	assert.InDelta(t, 80000-1000*0.08, r.Synapses, 1e-6, "p·N² less the diagonals of E2E and I2I")
	assert.Equal(t, map[string]string{"E2E": "procedural", "E2I": "procedural", "I2E": "procedural", "I2I": "procedural"}, r.Kernels)
	assert.Equal(t, int64(0), r.ConnBytes, "procedural projections store no connectivity")
	assert.Equal(t, "custom", r.EventOps, "the CPU plugin compacts with brainc's custom call")
	assert.Greater(t, r.RatesHz["E"], 0.0)
	assert.Greater(t, r.SynEventsPerS, 0.0)
	assert.Greater(t, r.PeakRSSBytes, int64(0))
}

func TestBenchErrors(t *testing.T) {
	tests := []struct {
		args []string
		msg  string
	}{
		{[]string{"bench"}, `brainc bench: expected a benchmark name: "scale"`},
		{[]string{"bench", "speed"}, `brainc bench: expected a benchmark name: "scale"`},
		{[]string{"bench", "scale", "--sizes", "4k"}, `brainc bench: --sizes: expected comma-separated sizes ≥ 10, got "4k"`},
		{[]string{"bench", "scale", "--duration", "3 mV"}, `brainc bench: --duration: expected a positive time, got "3 mV"`},
		{[]string{"bench", "scale", "--kernel", "csr"}, `brainc bench: --kernel: expected "event", "dense" or "procedural", got "csr"`},
	}
	for _, tc := range tests {
		code, _, stderr := runCLI(tc.args...)
		assert.Equal(t, 2, code, "%v: %s", tc.args, stderr)
		assert.Contains(t, stderr, tc.msg, "%v", tc.args)
	}
}

package tests

import (
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/driver"
	"github.com/brainc/brainc/jit"
	"github.com/brainc/brainc/lower"
	"github.com/brainc/brainc/results"
)

// A NaN in a resumed state (what a checkpoint hands back) stops the
// resumed run at its first step, counted from the start of the whole run
// (step 501, not 1), on both engines; what was recorded, the checkpoint's
// steps and the new one, is written, the traced NaN as it is in
// traces.npz and noted in traces.svg.
func TestResumedNaNStopsAndWrites(t *testing.T) {
	net := parse(t, `
name: tiny
dt: 0.1 ms
duration: 100 ms
seed: 5
populations:
  E: {size: 80, model: LifRef, params: {V_rest: -60 mV, V_th: -50 mV, V_reset: -60 mV, tau: 20 ms, tau_ref: 5 ms}, init: {V: normal(-55 mV, 2 mV)}, input: 20}
projections:
  E2E: {pre: E, post: E, conn: {fixed_prob: 0.1}, weight: 0.6, synapse: {Expon: {tau: 5 ms}}, output: {COBA: {E: 0 mV}}}
monitors: {spikes: [E], traces: {E.V: [0, 3]}}
`)
	prog, err := lower.Build(net, lower.Options{})
	require.NoError(t, err)
	ck := filepath.Join(t.TempDir(), "ck")
	_, _, err = driver.Simulate(cpu(t), prog, 500, driver.Options{Jit: jit.Options{Engine: jit.EngineLoop}, CheckpointEvery: 500, CheckpointDir: ck})
	require.NoError(t, err)
	v := -1
	for i, s := range prog.State {
		if s.Name == "E.V" {
			v = i
		}
	}
	require.GreaterOrEqual(t, v, 0)
	for _, opts := range []jit.Options{{Engine: jit.EngineLoop}, {Engine: jit.EngineChunk, K: 1}} {
		state, rec, err := results.LoadCheckpoint(ck, prog)
		require.NoError(t, err)
		flat, err := tensors.CopyFlatData[float32](state[v])
		require.NoError(t, err)
		flat[3] = float32(math.NaN())
		state[v] = tensors.FromFlatDataAndDimensions(flat, len(flat))
		rec, _, err = driver.Simulate(cpu(t), prog, 1000, driver.Options{Jit: opts, FromState: state, FromRec: rec})
		var diverged *jit.NonFiniteError
		require.ErrorAs(t, err, &diverged, opts.Engine)
		assert.Contains(t, err.Error(), "E.V of neuron 3 is NaN after step 501 (t = 50.1 ms)", opts.Engine)
		require.Equal(t, 501, rec.Steps, opts.Engine)
		out := filepath.Join(t.TempDir(), "out")
		rec.PlotFormat = "svg"
		sum := &results.Summary{Model: net.Name, DT: net.Dt, Duration: net.Duration, Steps: 1000, StepsDone: rec.Steps, Error: err.Error()}
		require.NoError(t, rec.Write(out, sum, false), opts.Engine)
		assert.ElementsMatch(t, []string{"spikes.npz", "traces.npz", "raster.svg", "stats.svg", "traces.svg", "summary.json"}, sum.Files, opts.Engine)
		trace := rec.Traces[0].Values // [row][neuron 0, neuron 3]
		require.Len(t, trace, 2*501, opts.Engine)
		assert.False(t, math.IsNaN(trace[2*499+1]), "%s: neuron 3 before the resume", opts.Engine)
		assert.True(t, math.IsNaN(trace[2*500+1]), "%s: neuron 3 after it", opts.Engine)
		svg, err := os.ReadFile(filepath.Join(out, "traces.svg"))
		require.NoError(t, err)
		assert.Contains(t, string(svg), "E 3: not finite from t = 50 ms", opts.Engine)
	}
}

package tests

import (
	"math"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/jit"
	"github.com/brainc/brainc/lower"
)

const deltaSpec = `
name: delta
dt: 0.1 ms
duration: 30 ms
populations:
  S: {size: 3, model: SpikeTimes, spikes: {times: [5 ms, 10 ms, 20 ms, 20 ms, 20 ms, 20.5 ms], indices: [0, 0, 0, 1, 2, 0]}}
  N: {size: 1, model: LifRef, params: {V_rest: -60 mV, V_reset: -70 mV, V_th: -55 mV, tau: 20 ms, tau_ref: 2 ms}, init: {V: -60 mV}}
projections:
  SN: {pre: S, post: N, conn: {all_to_all: true}, weight: 2, synapse: Delta, output: Delta}
monitors:
  spikes: [N]
  traces: {N.V: [0]}
`

// A Delta output adds each arriving weight to V at once (after the step's
// integration, before the threshold): V = V_rest + w·e^{−(t−t₀)/τ} after
// one spike; three at once cross the threshold in that step, and a spike
// arriving while the neuron is refractory is lost.
func TestDeltaOutput(t *testing.T) {
	rec, _ := simulate(t, parse(t, deltaSpec), lower.Options{DType: dtypes.Float64}, jit.Options{})
	v := rec.Traces[0].Values
	// The spike of step 50 (t = 5 ms) reaches N in step 51.
	assert.InDelta(t, -60.0, v[50], 1e-12, "before the jump")
	for k := 51; k < 101; k++ {
		want := -60 + 2*math.Exp(-float64(k-51)*0.1/20)
		assert.InDelta(t, want, v[k], 1e-9, "step %d", k)
	}
	// Step 101: the second jump lands on the decayed first.
	leftover := 2 * math.Exp(-50*0.1/20)
	assert.InDelta(t, -60+leftover+2, v[101], 1e-9)
	// Three spikes at 20 ms: +6 mV crosses -55 mV in step 201, reset to -70.
	require.Equal(t, []float64{20.1}, roundTimes(rec.Spikes[0].Times))
	assert.InDelta(t, -70.0, v[201], 1e-12)
	// 20.5 ms arrives in step 206, within tau_ref = 2 ms: lost, V held.
	assert.InDelta(t, -70.0, v[206], 1e-12)
	assert.InDelta(t, -70.0, v[221], 1e-12, "held until the refractory period ends")

	_, err := parseErr(strings.Replace(deltaSpec, "synapse: Delta, output: Delta", "synapse: Expon, output: Delta", 1))
	require.Error(t, err)
	assert.Equal(t, "test.yaml:9: projections.SN.output: output Delta adds each arriving weight to V at once: use it with synapse Delta (got Expon)", err.Error())
}

func roundTimes(ts []float64) []float64 {
	out := make([]float64, len(ts))
	for i, x := range ts {
		out[i] = math.Round(x*1e6) / 1e6
	}
	return out
}

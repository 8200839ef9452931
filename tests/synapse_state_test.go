package tests

import (
	"fmt"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/jit"
	"github.com/brainc/brainc/lower"
	"github.com/brainc/brainc/results"
)

// brian2STDP is Brian2's STDP example (Song, Miller & Abbott 2000) written
// as Brian2 writes it: traces kept per synapse, event-driven.
func brian2STDP(dApre, dApost, wMax float64) string {
	return fmt.Sprintf(`plasticity: {equations: "dApre/dt = -Apre/taupre : 1 (event-driven)\ndApost/dt = -Apost/taupost : 1 (event-driven)",
       on_pre: "Apre += dApre; w = clip(w + Apost, 0, wmax)", on_post: "Apost += dApost; w = clip(w + Apre, 0, wmax)",
       params: {taupre: 20 ms, taupost: 20 ms, dApre: %g, dApost: %g, wmax: %g}}`, dApre, dApost, wMax)
}

// stdpNet is a recurrent network with two plastic projections (RULE1,
// RULE2) on kernel %s.
const stdpNet = `
seed: 8
duration: 300 ms
populations:
  P: {size: 200, model: Poisson, params: {rate: 25 Hz}}
  N: {size: 60, model: LifRef, params: {V_th: 10, tau: 10 ms}}
projections:
  PN: {pre: P, post: N, conn: {fixed_prob: 0.3}, weight: 1.5, synapse: {Expon: {tau: 5 ms}}, output: CUBA,
       RULE1, kernel: %s}
  NN: {pre: N, post: N, conn: {fixed_prob: 0.2}, weight: 0.5, synapse: {Expon: {tau: 5 ms}}, output: CUBA,
       RULE2, kernel: %s}
monitors: {spikes: [N]}
`

// Traces kept per synapse and brought up to date only at their synapse's
// events (Brian2's event-driven STDP) hold, at every event, what traces
// kept per neuron and decayed every step hold: the two rules give the
// built-in rule's spikes and weights (to 1e-12, float64), on the event and
// the dense kernels.
func TestEventDrivenSynapseTracesEqualNeuronTraces(t *testing.T) {
	builtin := strings.NewReplacer("RULE1", "stdp: {A_plus: 0.05, A_minus: 0.06, w_max: 3}", "RULE2", "stdp: {A_plus: 0.02, A_minus: 0.02, w_max: 1}").Replace(stdpNet)
	perSynapse := strings.NewReplacer("RULE1", brian2STDP(0.05, -0.06, 3), "RULE2", brian2STDP(0.02, -0.02, 1)).Replace(stdpNet)
	run := func(s, kernel string) (*results.Recorder, [][2][]float64) {
		net := parse(t, fmt.Sprintf(s, kernel, kernel))
		prog, err := lower.Build(net, lower.Options{DType: dtypes.Float64})
		require.NoError(t, err)
		assert.Equal(t, lower.Kernel(kernel), prog.Projs[0].Kernel)
		rec, _ := simulate(t, net, lower.Options{DType: dtypes.Float64}, jit.Options{K: 4})
		return rec, spikeTrains(rec)
	}
	b, bTrains := run(builtin, "event")
	e, eTrains := run(perSynapse, "event")
	d, dTrains := run(perSynapse, "dense")
	require.Greater(t, len(bTrains[0][0]), 200)
	assert.Equal(t, bTrains, eTrains, "per-synapse traces == built-in, event kernel")
	assert.Equal(t, eTrains, dTrains, "per-synapse traces: dense == event")
	for p := range b.Weights {
		moved := 0
		for k, w := range b.Weights[p].W {
			require.InDelta(t, w, e.Weights[p].W[k], 1e-12, "%s synapse %d", b.Weights[p].Proj, k)
			require.InDelta(t, w, d.Weights[p].W[k], 1e-12, "%s synapse %d (dense)", b.Weights[p].Proj, k)
			if w != []float64{1.5, 0.5}[p] {
				moved++
			}
		}
		assert.Greater(t, moved, len(b.Weights[p].W)/2)
	}
}

package tests

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/ir"
	"github.com/brainc/brainc/jit"
	"github.com/brainc/brainc/lower"
	"github.com/brainc/brainc/plan"
	"github.com/brainc/brainc/results"
)

// STDP changes a weight by the pair-based curve of Song et al. (2000):
// A₊·e^{−Δt/τ₊} when the post spike follows the pre spike by Δt ≥ 0,
// −A₋·e^{Δt/τ₋} when it precedes it. Each of 13 synapses sees one pair:
// its pre spike from a spike-time source, its post neuron driven to fire
// once by a strong input at a chosen time. The change is compared with the
// curve at the Δt the spike monitors record.
func TestSTDPFollowsThePairCurve(t *testing.T) {
	offsets := []float64{-40, -20, -10, -5, -2, -0.5, 0, 0.5, 2, 5, 10, 20, 40} // ms, post − pre (aimed)
	n := len(offsets)
	var preT, drvT, idx []string
	for i, d := range offsets {
		pre := 50.0
		// The driver's spike reaches the post neuron's synapse one step
		// later, and the post neuron fires in that step.
		preT = append(preT, fmt.Sprintf("%g ms", pre))
		drvT = append(drvT, fmt.Sprintf("%g ms", pre+d-0.1))
		idx = append(idx, fmt.Sprint(i))
	}
	list := func(v []string) string { return "[" + strings.Join(v, ", ") + "]" }
	const aPlus, aMinus, tauPlus, tauMinus = 0.01, 0.012, 16.8, 33.7
	spec := `
dt: 0.1 ms
duration: 150 ms
populations:
  P: {size: %d, model: SpikeTimes, spikes: {times: %s, indices: %s}}
  D: {size: %d, model: SpikeTimes, spikes: {times: %s, indices: %s}}
  N: {size: %d, model: LifRef, params: {V_th: 10, tau_ref: 200 ms}}
projections:
  DN: {pre: D, post: N, conn: {one_to_one: true}, weight: 1e6, synapse: {Expon: {tau: 0.5 ms}}, output: CUBA}
  PN:
    pre: P
    post: N
    conn: {one_to_one: true}
    weight: 0.5
    synapse: Expon
    output: CUBA
    stdp: {tau_plus: %g ms, tau_minus: %g ms, A_plus: %g, A_minus: %g, w_min: 0, w_max: 1}
    kernel: %s
monitors: {spikes: [P, N]}
`
	for _, kernel := range []string{"dense", "event"} {
		net := parse(t, fmt.Sprintf(spec, n, list(preT), list(idx), n, list(drvT), list(idx), n, tauPlus, tauMinus, aPlus, aMinus, kernel))
		checkPairs(t, net, plan.Kernel(kernel), offsets, aPlus, aMinus, tauPlus, tauMinus)
	}
}

func checkPairs(t *testing.T, net *ir.Network, kernel plan.Kernel, offsets []float64, aPlus, aMinus, tauPlus, tauMinus float64) {
	t.Helper()
	n := len(offsets)
	rec, _ := simulate(t, net, lower.Options{}, jit.Options{K: 10})
	prog, err := lower.Build(net, lower.Options{})
	require.NoError(t, err)
	assert.Equal(t, kernel, prog.Projs[1].Kernel)
	first := func(pop int) []float64 { // each neuron's one spike time
		out := make([]float64, n)
		for i := range out {
			out[i] = math.NaN()
		}
		s := rec.Spikes[pop]
		for k, i := range s.Indices {
			require.True(t, math.IsNaN(out[i]), "neuron %d of %s fires once", i, s.Pop)
			out[i] = s.Times[k]
		}
		return out
	}
	tPre, tPost := first(0), first(1)
	require.Len(t, rec.Weights, 1)
	w := rec.Weights[0]
	assert.Equal(t, "PN", w.Proj)
	for k := range w.W {
		i := w.Pre[k]
		require.Equal(t, w.Pre[k], w.Post[k])
		dt := tPost[i] - tPre[i]
		require.InDelta(t, offsets[i], dt, 1e-9, "pair %d: post − pre as aimed", i)
		want := 0.5 + aPlus*math.Exp(-dt/tauPlus)
		if dt < 0 {
			want = 0.5 - aMinus*math.Exp(dt/tauMinus)
		}
		assert.InDelta(t, want, w.W[k], 1e-6, "%s kernel, Δt = %g ms", kernel, dt)
	}
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

// sameSTDPWeights requires the final weights of stdpNet's projections in
// event (event kernel) and dense (dense kernel) to equal those in want to
// 1e-12, most of them moved from their start.
func sameSTDPWeights(t *testing.T, want, event, dense *results.Recorder) {
	t.Helper()
	for p := range want.Weights {
		moved := 0
		for k, w := range want.Weights[p].W {
			require.InDelta(t, w, event.Weights[p].W[k], 1e-12, "%s synapse %d", want.Weights[p].Proj, k)
			require.InDelta(t, w, dense.Weights[p].W[k], 1e-12, "%s synapse %d (dense)", want.Weights[p].Proj, k)
			if w != []float64{1.5, 0.5}[p] {
				moved++
			}
		}
		assert.Greater(t, moved, len(want.Weights[p].W)/2, "%s: the rule moved most weights", want.Weights[p].Proj)
	}
}

// builtinSTDP puts the built-in pair rule into stdpNet.
var builtinSTDP = strings.NewReplacer("RULE1", "stdp: {A_plus: 0.05, A_minus: 0.06, w_max: 3}", "RULE2", "stdp: {A_plus: 0.02, A_minus: 0.02, w_max: 1}")

// On the event kernel STDP touches only the rows and columns of the neurons
// that fired, and gives the dense kernel's spikes and final weights
// (float64, a recurrent network driven by Poisson sources, 300 ms).
func TestEventSTDPEqualsDense(t *testing.T) {
	spec := builtinSTDP.Replace(stdpNet)
	var trains [2][][2][]float64
	var weights [2][]*results.Weights
	for i, kernel := range []string{"dense", "event"} {
		net := parse(t, fmt.Sprintf(spec, kernel, kernel))
		prog, err := lower.Build(net, lower.Options{DType: dtypes.Float64})
		require.NoError(t, err)
		for _, pr := range prog.Projs {
			assert.Equal(t, plan.Kernel(kernel), pr.Kernel)
			assert.Equal(t, kernel == "event", pr.Plastic.Event)
		}
		rec, _ := simulate(t, net, lower.Options{DType: dtypes.Float64}, jit.Options{K: 4})
		trains[i], weights[i] = spikeTrains(rec), rec.Weights
	}
	require.Greater(t, len(trains[0][0][0]), 200)
	assert.Equal(t, trains[0], trains[1])
	for p := range weights[0] {
		moved := 0
		for k, w := range weights[0][p].W {
			require.InDelta(t, w, weights[1][p].W[k], 1e-12, "%s synapse %d", weights[0][p].Proj, k)
			if w != []float64{1.5, 0.5}[p] {
				moved++
			}
		}
		assert.Greater(t, moved, len(weights[0][p].W)/2, "%s: STDP moved most weights", weights[0][p].Proj)
	}
}

// stdpEquations is the pair rule written as a plasticity rule given by
// equations.
func stdpEquations(aPlus, aMinus, wMax float64) string {
	return fmt.Sprintf(`plasticity: {equations: "dx_pre/dt = -x_pre/tau_plus : 1 (pre)\ndx_post/dt = -x_post/tau_minus : 1 (post)",
       on_pre: "w = clip(w - A_minus*x_post, w_min, w_max); x_pre += 1", on_post: "w = clip(w + A_plus*x_pre, w_min, w_max); x_post += 1",
       params: {tau_plus: 20 ms, tau_minus: 20 ms, A_plus: %g, A_minus: %g, w_min: 0, w_max: %g}}`, aPlus, aMinus, wMax)
}

// STDP written as equations (traces per neuron, on_pre and on_post
// statements) gives the built-in rule's spikes, and its final weights and
// traces to 1e-12 (the traces decay by exponential Euler's step, not by
// e^{-dt/τ}: last-bit differences), on the event kernel; its own dense
// kernel agrees with its event kernel.
func TestEquationSTDPEqualsBuiltin(t *testing.T) {
	spec := strings.Replace(stdpNet, "monitors: {spikes: [N]}", "monitors: {spikes: [N], traces: {NN.x_post: [0, 1]}}", 1)
	builtin := builtinSTDP.Replace(spec)
	fromEqs := strings.NewReplacer("RULE1", stdpEquations(0.05, 0.06, 3), "RULE2", stdpEquations(0.02, 0.02, 1)).Replace(spec)
	run := func(s, kernel string) (*results.Recorder, [][2][]float64) {
		rec, _ := simulate(t, parse(t, fmt.Sprintf(s, kernel, kernel)), lower.Options{DType: dtypes.Float64}, jit.Options{})
		return rec, spikeTrains(rec)
	}
	b, bTrains := run(builtin, "event")
	e, eTrains := run(fromEqs, "event")
	d, dTrains := run(fromEqs, "dense")
	require.Greater(t, len(bTrains[0][0]), 200)
	assert.Equal(t, bTrains, eTrains, "equations == built-in, event kernel")
	assert.Equal(t, eTrains, dTrains, "equations: dense == event")
	for k, x := range b.Traces[0].Values { // exp(-dt/τ)·x against exponential Euler's step: the last bit
		require.InDelta(t, x, e.Traces[0].Values[k], 1e-12, "x_post row %d", k/2)
	}
	sameSTDPWeights(t, b, e, d)

	for _, tc := range []struct{ from, to, want string }{
		{"x_pre += 1\", on_post", "x_post += 1\", on_post", "on_pre runs for the neurons of the pre side: it may assign w, per-synapse variables and (pre) traces, not the (post) trace x_post"},
		{": 1 (pre)", ": 1", "flag x_pre with where it is kept: (pre) or (post) for a trace per neuron, (clock-driven) or (event-driven) for a variable per synapse"},
		{"-x_pre/tau_plus", "-x_post/tau_plus", "a (pre) trace may read only (pre) traces and parameters, not the (post) trace x_post"},
		{"w = clip(w - A_minus*x_post, w_min, w_max)", "w = clip(w - A_minus*x_post, w_min, 3 ms)", "dimensions disagree"},
	} {
		bad := strings.Replace(fromEqs, tc.from, tc.to, 1)
		require.NotEqual(t, fromEqs, bad, tc.from)
		_, err := parseErr(fmt.Sprintf(bad, "event", "event"))
		require.Error(t, err, tc.to)
		assert.Contains(t, err.Error(), tc.want)
		assert.Regexp(t, `^test\.yaml:(9|10): projections\.PN\.plasticity\.`, err.Error(), "the line of the equation or statement")
	}
}

package tests

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/ir"
	"github.com/brainc/brainc/jit"
	"github.com/brainc/brainc/lower"
	"github.com/brainc/brainc/plan"
	"github.com/brainc/brainc/results"
)

// smallCOBA is the COBA network at 1/8 scale with denser connectivity, so
// that it stays active: 1,000 steps of it run in well under a second.
const smallCOBA = `
name: small-coba
dt: 0.1 ms
duration: 100 ms
seed: 3
populations:
  E: {size: 400, model: LifRef, params: {V_rest: -60 mV, V_th: -50 mV, V_reset: -60 mV, tau: 20 ms, tau_ref: 5 ms},
      init: {V: normal(-55 mV, 2 mV)}, input: 20}
  I: {size: 100, model: LifRef, params: {V_rest: -60 mV, V_th: -50 mV, V_reset: -60 mV, tau: 20 ms, tau_ref: 5 ms},
      init: {V: normal(-55 mV, 2 mV)}, input: 20}
projections:
  E2E: {pre: E, post: E, conn: {fixed_prob: 0.16}, weight: 0.6, synapse: {Expon: {tau: 5 ms}}, output: {COBA: {E: 0 mV}}}
  E2I: {pre: E, post: I, conn: {fixed_prob: 0.16}, weight: 0.6, synapse: {Expon: {tau: 5 ms}}, output: {COBA: {E: 0 mV}}}
  I2E: {pre: I, post: E, conn: {fixed_in_degree: 16}, weight: 6.7, synapse: {Expon: {tau: 10 ms}}, output: {COBA: {E: -80 mV}}}
  I2I: {pre: I, post: I, conn: {fixed_in_degree: 16}, weight: 6.7, synapse: {Expon: {tau: 10 ms}}, output: {COBA: {E: -80 mV}}}
monitors:
  spikes: [E, I]
  traces: {E.V: [0, 7]}
`

func spikeTrains(rec *results.Recorder) [][2][]float64 {
	var out [][2][]float64
	for _, s := range rec.Spikes {
		idx := make([]float64, len(s.Indices))
		for i, x := range s.Indices {
			idx[i] = float64(x)
		}
		out = append(out, [2][]float64{s.Times, idx})
	}
	return out
}

func totalSpikes(rec *results.Recorder) int {
	n := 0
	for _, s := range rec.Spikes {
		n += len(s.Times)
	}
	return n
}

// The event-driven and dense kernels compute the same synaptic input, so the
// whole network produces the same spikes, step for step, over 1,000 steps.
func TestEventAndDenseKernelsGiveTheSameSpikes(t *testing.T) {
	event, est := simulate(t, parse(t, smallCOBA), lower.Options{Kernel: plan.KernelEvent}, jit.Options{K: 5})
	dense, _ := simulate(t, parse(t, smallCOBA), lower.Options{Kernel: plan.KernelDense}, jit.Options{K: 5})
	require.Greater(t, totalSpikes(event), 400, "the network must be active for the comparison to mean anything")
	require.Greater(t, event.Spikes[0].Times[len(event.Spikes[0].Times)-1], 90.0, "and active to the end")
	assert.Equal(t, 1000, est.Steps)
	assert.Equal(t, spikeTrains(dense), spikeTrains(event))
	// The membrane traces agree to float32 rounding, not bit for bit: XLA fuses
	// the two kernels' sums differently (the dense kernel adds 0·w for every
	// silent synapse), which moves the last bit of a conductance now and then.
	// Spikes, compared above, are identical over all 1,000 steps.
	require.Len(t, event.Traces[0].Values, len(dense.Traces[0].Values))
	for i, want := range dense.Traces[0].Values {
		require.InEpsilon(t, want, event.Traces[0].Values[i], 1e-5, "trace sample %d", i)
	}
}

// Forcing a capacity of one spike per step makes nearly every chunk overflow;
// the chunk engine must re-run them and produce exactly the spikes of a run
// whose capacity is never exceeded.
func TestCapacityOverflowIsExact(t *testing.T) {
	tiny, tst := simulate(t, parse(t, smallCOBA), lower.Options{}, jit.Options{Engine: jit.EngineChunk, K: 4, Capacity: 1, NoShrink: true})
	big, bst := simulate(t, parse(t, smallCOBA), lower.Options{}, jit.Options{Engine: jit.EngineChunk, K: 4, Capacity: 512})
	assert.Greater(t, tst.Reruns, 0, "a capacity of 1 must overflow")
	assert.Equal(t, 0, bst.Reruns)
	assert.Equal(t, spikeTrains(big), spikeTrains(tiny))

	// Growing and shrinking the capacity across the run changes nothing either.
	adaptive, ast := simulate(t, parse(t, smallCOBA), lower.Options{}, jit.Options{Engine: jit.EngineChunk, K: 4, Capacity: 1})
	assert.Greater(t, ast.Reruns, 0)
	assert.Equal(t, spikeTrains(big), spikeTrains(adaptive))
}

// Chunk length is an implementation detail: K=1 and K=7 (with a remainder
// chunk) give the same spikes.
func TestChunkLengthDoesNotChangeResults(t *testing.T) {
	a, _ := simulate(t, parse(t, smallCOBA), lower.Options{}, jit.Options{Engine: jit.EngineChunk, K: 1, Capacity: 512})
	b, bst := simulate(t, parse(t, smallCOBA), lower.Options{}, jit.Options{Engine: jit.EngineChunk, K: 7, Capacity: 512})
	assert.Equal(t, 2, bst.Compiles, "a 7-step chunk and a 6-step remainder")
	assert.Equal(t, 143, bst.Chunks)
	assert.Equal(t, spikeTrains(a), spikeTrains(b))
}

func TestSeedDeterminism(t *testing.T) {
	a, _ := simulate(t, parse(t, smallCOBA), lower.Options{}, jit.Options{K: 5})
	b, _ := simulate(t, parse(t, smallCOBA), lower.Options{}, jit.Options{K: 5})
	assert.Equal(t, spikeTrains(a), spikeTrains(b), "same seed, same spikes, bit for bit")
	assert.Equal(t, a.Traces[0].Values, b.Traces[0].Values)

	net := parse(t, smallCOBA)
	net.Seed = 4
	c, _ := simulate(t, net, lower.Options{}, jit.Options{K: 5})
	assert.NotEqual(t, spikeTrains(a), spikeTrains(c), "a different seed changes connectivity and initial state")
}

// Projections onto the same population with the same synapse dynamics and
// output share one synaptic state, and the merged network is the same
// network: splitting E→E into two halves changes nothing.
func TestProjectionMerging(t *testing.T) {
	const spec = `
name: merge
dt: 0.1 ms
duration: 50 ms
seed: 1
populations:
  A: {size: 200, model: LifRef, params: {V_rest: -60 mV, V_th: -50 mV, V_reset: -60 mV, tau: 20 ms, tau_ref: 5 ms}, init: {V: normal(-55 mV, 2 mV)}, input: 20}
  B: {size: 200, model: LifRef, params: {V_rest: -60 mV, V_th: -50 mV, V_reset: -60 mV, tau: 20 ms, tau_ref: 5 ms}, init: {V: normal(-55 mV, 2 mV)}, input: 20}
  C: {size: 100, model: LifRef, params: {V_rest: -60 mV, V_th: -50 mV, V_reset: -60 mV, tau: 20 ms, tau_ref: 5 ms}}
projections:
  A2C: {pre: A, post: C, conn: {fixed_prob: 0.1}, weight: 0.5, synapse: {Expon: {tau: 5 ms}}, output: {COBA: {E: 0 mV}}}
  B2C: {pre: B, post: C, conn: {fixed_prob: 0.1}, weight: 0.7, synapse: {Expon: {tau: 5 ms}}, output: {COBA: {E: 0 mV}}}
  A2Cslow: {pre: A, post: C, conn: {fixed_prob: 0.1}, weight: 0.5, synapse: {Expon: {tau: 10 ms}}, output: {COBA: {E: 0 mV}}}
monitors: {spikes: [C], traces: {C.V: [0, 1, 2]}}
`
	prog, err := lower.Build(parse(t, spec), lower.Options{})
	require.NoError(t, err)
	require.Len(t, prog.Groups, 2)
	assert.Equal(t, "A2C+B2C", prog.Groups[0].Name)
	assert.Len(t, prog.Groups[0].Parts[0].Projs, 2)
	assert.Equal(t, "A2Cslow", prog.Groups[1].Name)
	var names []string
	for _, v := range prog.State {
		names = append(names, v.Name)
	}
	// A, B and C share one model and its parameters: one block.
	assert.Equal(t, []string{"step", "A+B+C.V", "A+B+C.last_spike", "A+B+C.spike", "A2C+B2C.g", "A2Cslow.g"}, names)

	rec, _ := simulate(t, parse(t, spec), lower.Options{}, jit.Options{K: 5})
	assert.Greater(t, totalSpikes(rec), 0, "C must be driven to fire")
}

// Several traces travel side by side in one chunk output; each comes back
// as if it were recorded alone.
func TestTracesSideBySide(t *testing.T) {
	both := parse(t, smallCOBA)
	both.Duration = 20
	both.Monitors.Traces = append(both.Monitors.Traces, ir.Trace{Pop: "I", Var: "V", Indices: []int{3, 1, 4}})
	alone := parse(t, smallCOBA)
	alone.Duration = 20
	alone.Monitors.Traces = []ir.Trace{{Pop: "I", Var: "V", Indices: []int{3, 1, 4}}}
	a, _ := simulate(t, both, lower.Options{}, jit.Options{K: 3})
	b, _ := simulate(t, alone, lower.Options{}, jit.Options{K: 3})
	require.Len(t, a.Traces, 2)
	assert.Len(t, a.Traces[0].Values, 200*2)
	assert.Len(t, a.Traces[1].Values, 200*3)
	assert.Equal(t, b.Traces[0].Values, a.Traces[1].Values)
	assert.NotEqual(t, a.Traces[0].Values[:3], a.Traces[1].Values[:3])
}

// Projections from one population with different weights share the CSR
// table through per-slot weights; event and dense kernels still agree.
func TestEventKernelWithUnequalWeights(t *testing.T) {
	spec := strings.Replace(smallCOBA, "E2I: {pre: E, post: I, conn: {fixed_prob: 0.16}, weight: 0.6,", "E2I: {pre: E, post: I, conn: {fixed_prob: 0.16}, weight: 0.45,", 1)
	require.NotEqual(t, smallCOBA, spec)
	event, _ := simulate(t, parse(t, spec), lower.Options{Kernel: plan.KernelEvent}, jit.Options{K: 5})
	dense, _ := simulate(t, parse(t, spec), lower.Options{Kernel: plan.KernelDense}, jit.Options{K: 5})
	require.Greater(t, totalSpikes(event), 400)
	assert.Equal(t, spikeTrains(dense), spikeTrains(event))
	prog, err := lower.Build(parse(t, spec), lower.Options{Kernel: plan.KernelEvent})
	require.NoError(t, err)
	e := prog.Pops[0].Block
	assert.Equal(t, []int{e.Fan.Slots + 1}, e.Fan.Weight.Shape, "one weight per postsynaptic slot")
}

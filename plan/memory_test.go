package plan

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/netspec"
)

// A network that cannot fit is refused before anything is built (fixed_prob
// 1.0 on 60k neurons allocated until Go's out-of-memory killed it), naming
// its biggest parts; what the kernels do not store counts nothing.
func TestMemoryEstimate(t *testing.T) {
	net, err := netspec.Parse([]byte(`
name: big
duration: 10 ms
populations:
  E: {size: 60000, model: LifRef}
  P: {size: 1000, model: LifRef}
projections:
  EE: {pre: E, post: E, conn: {fixed_prob: 1.0}, weight: 1, synapse: Expon, output: CUBA}
  PP: {pre: P, post: P, conn: {all_to_all: true}, weight: 1, synapse: Expon, output: CUBA}
  PE: {pre: P, post: E, conn: {fixed_prob: 0.5}, weight: 1, synapse: Expon, output: CUBA, kernel: procedural}
monitors: {traces: {P.V: [0, 1]}}
`), "big.yaml")
	require.NoError(t, err)
	total, items := EstimateMemory(net, Budget{})
	require.Len(t, items, 3, "PP (all_to_all kernel) and PE (procedural) store nothing")
	assert.Equal(t, MemoryItem{"projection EE (3.6e+09 synapses)", 3.6e9 * bytesPerStoredSynapse, false}, items[0])
	assert.Equal(t, MemoryItem{"neuron state", 61000 * bytesPerNeuronState, false}, items[1])
	assert.Equal(t, MemoryItem{"trace P.V (2 × 100 steps)", 1600, false}, items[2])
	assert.InDelta(t, 3.6e9*bytesPerStoredSynapse+61000*bytesPerNeuronState+1600, total, 1)
	err = CheckMemory(net, Budget{MaxMemory: 1 << 30})
	assert.EqualError(t, err, "the run needs about 80.5 GiB, more than the limit you set (1.0 GiB): "+
		"projection EE (3.6e+09 synapses) ≈ 80.5 GiB, neuron state ≈ 3.7 MiB, trace P.V (2 × 100 steps) ≈ 1.6 KiB; "+
		"use fewer neurons or synapses, kernel: procedural for large fixed_prob projections, or fewer traced neurons or spike-monitored neurons (monitors: spikes, window)")
}

// Spike monitors are in the estimate: a million Poisson neurons recorded
// for 1000 s (about 1e10 spikes) used to pass the estimate, with --explain
// saying 648.5 MiB, then die out of memory after 10 s; their declared rate
// is counted and the run refused up front. A model's highest rate (one
// spike per refractory period or per step) is listed as an upper bound,
// not counted.
func TestMemoryEstimateSpikes(t *testing.T) {
	net, err := netspec.Parse([]byte(`
name: poisson
dt: 0.1 ms
duration: 1000 s
populations:
  P: {size: 1000000, model: Poisson, params: {rate: 10 Hz}}
  E: {size: 100, model: LifRef, params: {tau_ref: 2 ms}}
  F: {size: 10, model: LifRef}
monitors: {spikes: {P: all, E: [0:50], F: all}, window: [0 ms, 500 s]}
`), "poisson.yaml")
	require.NoError(t, err)
	bounds := SpikeBounds(net, 10_000_000)
	require.Len(t, bounds, 3)
	mean := 1e6 * 5e6 * 10 * 1e-4
	assert.Equal(t, SpikeBound{Pop: "P", Neurons: 1_000_000, Steps: 5_000_000, RateHz: 10, Spikes: mean + 6*math.Sqrt(mean) + 1,
		Basis: "its rate, 10 Hz, plus six standard deviations of the count", Declared: true}, bounds[0])
	assert.Equal(t, SpikeBound{Pop: "E", Neurons: 50, Steps: 5_000_000, RateHz: 500, Spikes: 50 * 500 * 500,
		Basis: "at most one spike per refractory period (tau_ref 2 ms)"}, bounds[1])
	assert.Equal(t, SpikeBound{Pop: "F", Neurons: 10, Steps: 5_000_000, RateHz: 10000, Spikes: 10 * 10000 * 500,
		Basis: "at most one spike per step of 0.1 ms"}, bounds[2])

	total, items := EstimateMemory(net, Budget{})
	assert.Equal(t, MemoryItem{What: "spikes of P (1000000 neurons × 5000000 steps, its rate, 10 Hz, plus six standard deviations of the count)",
		Bytes: (mean + 6*math.Sqrt(mean) + 1) * BytesPerSpike}, items[0])
	assert.Contains(t, items, MemoryItem{What: "spikes of E (50 neurons × 5000000 steps, at most one spike per refractory period (tau_ref 2 ms))",
		Bytes: 50 * 500 * 500 * BytesPerSpike, UpperBound: true})
	assert.InDelta(t, items[0].Bytes+1_000_110*bytesPerNeuronState, total, 1, "upper bounds are not counted")

	err = CheckMemory(net, Budget{MaxMemory: 1 << 30})
	assert.EqualError(t, err, "the run needs about 111.8 GiB, more than the limit you set (1.0 GiB): "+
		"spikes of P (1000000 neurons × 5000000 steps, its rate, 10 Hz, plus six standard deviations of the count) ≈ 111.8 GiB, "+
		"neuron state ≈ 61.0 MiB; use fewer neurons or synapses, kernel: procedural for large fixed_prob projections, "+
		"or fewer traced neurons or spike-monitored neurons (monitors: spikes, window)")

	budget, ok := SpikeBudget(net, Budget{MaxMemory: 1 << 40})
	require.True(t, ok)
	assert.Equal(t, int64((1<<40-1_000_110*bytesPerNeuronState)/BytesPerSpike), budget, "declared spikes are in the budget, not taken from it")
}

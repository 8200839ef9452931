package tests

import (
	"testing"

	"github.com/gomlx/gomlx/pkg/core/dtypes"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/driver"
	"github.com/brainc/brainc/jit"
	"github.com/brainc/brainc/lower"
	"github.com/brainc/brainc/pjrt"
)

// Spike times far past the run's end (1e300 ms wrapped around in an int
// cast and panicked; 1e8 ms in a 10 ms run built a 3.9 GB table) are never
// emitted and take no room; the spikes inside the run are.
func TestLateSpikeTimesAreDropped(t *testing.T) {
	rec, _ := simulate(t, parse(t, `
name: s
duration: 10 ms
populations:
  S: {size: 3, model: SpikeTimes, spikes: {times: [1e300 ms, 1 ms, 1e8 ms, 2 ms], indices: [0, 1, 2, 2]}}
`), lower.Options{}, jit.Options{})
	assert.Equal(t, []float64{1, 2}, rec.Spikes[0].Times)
	assert.Equal(t, []int32{1, 2}, rec.Spikes[0].Indices)
}

// The pure-Go backend, whose scatters do not drop out-of-bounds updates,
// runs the event kernels (compaction, CSR propagation, event STDP) with
// in-bounds discard slots, and gets the XLA CPU plugin's spikes: it
// panicked once padding went past the end. (Delay lines need DynamicSlice,
// which the pure-Go backend of GoMLX v0.26 lacks.)
func TestGoBackendRunsEventKernels(t *testing.T) {
	const spec = `
name: g
dt: 0.1 ms
duration: 5 ms
seed: 2
populations:
  E: {size: 60, model: LifRef, params: {V_rest: -60 mV, V_th: -50 mV, V_reset: -60 mV, tau: 10 ms, tau_ref: 1 ms},
      init: {V: uniform(-55 mV, -50 mV)}, input: 12}
projections:
  EE: {pre: E, post: E, conn: {fixed_prob: 0.2}, weight: 0.5, kernel: event,
       synapse: {Expon: {tau: 5 ms}}, output: CUBA, stdp: {A_plus: 0.01, A_minus: 0.01}}
monitors: {spikes: [E]}
`
	goBackend, err := pjrt.Open(pjrt.Options{Backend: "go"})
	require.NoError(t, err)
	defer goBackend.Finalize()
	net := parse(t, spec)
	prog, err := lower.Build(net, lower.Options{DType: dtypes.Float64})
	require.NoError(t, err)
	got, _, err := driver.Simulate(goBackend, prog, 50, driver.Options{Jit: jit.Options{Capacity: 4}})
	require.NoError(t, err)
	want, _ := simulate(t, parse(t, spec), lower.Options{DType: dtypes.Float64}, jit.Options{Capacity: 4})
	require.Greater(t, totalSpikes(want), 20)
	assert.Equal(t, spikeTrains(want), spikeTrains(got))
	for i := range want.Weights {
		assert.InDeltaSlice(t, want.Weights[i].W, got.Weights[i].W, 1e-12)
	}
}

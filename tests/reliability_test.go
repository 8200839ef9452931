package tests

import (
	"testing"

	"github.com/gomlx/gomlx/pkg/core/dtypes"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/driver"
	"github.com/brainc/brainc/jit"
	"github.com/brainc/brainc/lower"
	"github.com/brainc/brainc/netspec"
	"github.com/brainc/brainc/pjrt"
)

// The reproductions of the reliability issue that are specs: each is now
// one error with the file, line and field, found by parsing or lowering
// (what `brainc validate` does, so validate and run agree), instead of a
// panic, an out-of-memory crash or a plausible summary. docs/reliability.md
// lists them.
func TestHostileSpecsAreErrors(t *testing.T) {
	for _, tc := range []struct{ name, spec, want string }{
		{"huge delay", "name: d\nduration: 10 ms\npopulations:\n  A: {size: 10, model: LifRef}\nprojections:\n" +
			"  AA: {pre: A, post: A, conn: {fixed_prob: 0.5}, weight: 1, delay: 1e9 ms, synapse: Expon, output: CUBA}\n",
			"t.yaml:6: projections.AA: a delay of 1e+09 ms is 1e+10 steps at dt 0.1 ms, over the limit of 65535 steps"},
		{"huge drawn delay", "name: d\nduration: 10 ms\npopulations:\n  A: {size: 10, model: LifRef}\nprojections:\n" +
			"  AA: {pre: A, post: A, conn: {fixed_prob: 0.5}, weight: 1, delay: uniform(1 ms, 1e12 ms), synapse: Expon, output: CUBA}\n",
			"t.yaml:6: projections.AA: a delay of"},
		{"size 2^31", "name: s\npopulations:\n  S: {size: 2147483648, model: LifRef}\n",
			"t.yaml:3: populations.S.size: must be in [1, 1073741824], got 2147483648"},
		{"size 1e12", "name: s\npopulations:\n  S: {size: 1000000000000, model: LifRef}\n",
			"t.yaml:3: populations.S.size: must be in [1, 1073741824], got 1000000000000"},
		{"duration 1e300 s", "name: s\nduration: 1e300 s\npopulations:\n  S: {size: 2, model: LifRef}\n",
			"t.yaml:2: duration: 1e+303 ms at dt 0.1 ms is 1e+304 steps, over the limit of 1073741824 steps (use a larger dt or a shorter run)"},
		{"Poisson population past one spike per step", "name: p\npopulations:\n  P: {size: 3, model: Poisson, params: {rate: 1e300 Hz}}\n",
			"t.yaml:3: populations.P: params.rate: 1e+300 Hz fires more than once per step of 0.1 ms (at most 10000 Hz)"},
		{"Poisson input of 1e18 trains", "name: p\npopulations:\n  N: {size: 3, model: LifRef}\nprojections:\n" +
			"  PN: {poisson: {num: 1000000000000000000, rate: 10 Hz}, post: N, weight: 1, synapse: Expon, output: CUBA}\n",
			"t.yaml:5: projections.PN: poisson: num × rate × dt is 1e+15 arrivals per neuron and step, over the limit of 1e+06"},
		{"dt 1e-9 ms", "name: s\ndt: 1e-9 ms\npopulations:\n  S: {size: 2, model: LifRef}\n",
			"t.yaml: duration: 1000 ms at dt 1e-09 ms is 1e+12 steps, over the limit of 1073741824 steps (use a larger dt or a shorter run)"},
	} {
		net, err := netspec.Parse([]byte(tc.spec), "t.yaml")
		if err == nil {
			_, err = lower.Build(net, lower.Options{})
		}
		require.Error(t, err, tc.name)
		assert.Contains(t, err.Error(), tc.want, tc.name)
	}
}

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

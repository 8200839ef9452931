package tests

import (
	"math"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/ir"
	"github.com/brainc/brainc/jit"
	"github.com/brainc/brainc/lower"
	"github.com/brainc/brainc/models"
)

// packSpec mixes three neuron models (two LifRef populations that pack,
// with different inputs; AdEx; Izhikevich) with per-synapse and constant
// delays, short-term plasticity, STDP, a Poisson input and two projections
// from one block into one synaptic state.
const packSpec = `
name: mixed
dt: 0.1 ms
duration: 300 ms
seed: 5
populations:
  E1: {size: 300, model: LifRef, params: {V_rest: -60 mV, V_th: -50 mV, V_reset: -60 mV, tau: 20 ms, tau_ref: 5 ms},
       init: {V: normal(-55 mV, 2 mV)}, input: 21}
  E2: {size: 200, model: LifRef, params: {V_rest: -60 mV, V_th: -50 mV, V_reset: -60 mV, tau: 20 ms, tau_ref: 5 ms},
       init: {V: uniform(-60 mV, -50 mV)}, input: 19}
  A: {size: 100, model: AdEx, input: 1.2}
  Z: {size: 100, model: Izhikevich, input: 10}
projections:
  E1E2: {pre: E1, post: E2, conn: {fixed_prob: 0.1}, weight: 0.5, delay: uniform(0.5 ms, 3 ms), synapse: {Expon: {tau: 5 ms}}, output: {COBA: {E: 0 mV}}}
  E1E2b: {pre: E1, post: E2, conn: {fixed_prob: 0.05}, weight: 0.4, synapse: {Expon: {tau: 5 ms}}, output: {COBA: {E: 0 mV}}, kernel: event}
  E2E1: {pre: E2, post: E1, conn: {fixed_prob: 0.1}, weight: 2, stp: {U: 0.5, tau_f: 20 ms, tau_d: 300 ms}, synapse: {Expon: {tau: 10 ms}}, output: {COBA: {E: -80 mV}}}
  E1E1: {pre: E1, post: E1, conn: {fixed_prob: 0.05}, weight: 0.5, synapse: {Expon: {tau: 5 ms}}, output: {COBA: {E: 0 mV}}, kernel: event}
  E1A: {pre: E1, post: A, conn: {fixed_prob: 0.2}, weight: 0.05, stdp: {A_plus: 0.01, w_max: 0.2}, synapse: {Expon: {tau: 5 ms}}, output: CUBA, kernel: event}
  E1Z: {pre: E1, post: Z, conn: {fixed_prob: 0.2}, weight: 0.5, delay: 1 ms, synapse: {Expon: {tau: 5 ms}}, output: CUBA}
  ZE2: {pre: Z, post: E2, conn: {fixed_prob: 0.1}, weight: 0.3, synapse: {Expon: {tau: 5 ms}}, output: {COBA: {E: 0 mV}}}
  AE1: {pre: A, post: E1, conn: {fixed_in_degree: 5}, weight: 0.3, synapse: {Expon: {tau: 5 ms}}, output: {COBA: {E: 0 mV}}}
  bg: {poisson: {num: 10, rate: 20 Hz}, post: E2, weight: 0.2, synapse: {Expon: {tau: 5 ms}}, output: {COBA: {E: 0 mV}}}
monitors:
  spikes: [E1, E2, A, Z]
  traces: {E2.V: [0, 150], E1E2.g: [3]}
`

// Packing populations into blocks changes no result: each network gives the
// same spikes, packed and with every population in a block of its own (the
// layout before packing), and the same traces to the bit, but where XLA
// fuses a packed array's arithmetic otherwise (mixed: a synaptic state fed
// by four kinds of projection, whose float32 values then differ in the last
// bit, 1e-4 at most, without changing a spike).
func TestPackingChangesNoResult(t *testing.T) {
	load := func(name string) func(t *testing.T) *ir.Network {
		return func(t *testing.T) *ir.Network {
			net, err := models.Load(name)
			require.NoError(t, err)
			return net
		}
	}
	for _, tc := range []struct {
		name     string
		net      func(t *testing.T) *ir.Network
		duration float64 // ms; 0 keeps the spec's
		dtype    dtypes.DType
		blocks   int
		spikes   int     // at least, packed
		traceTol float64 // the most a trace value may differ
	}{
		{"coba", load("coba"), 300, dtypes.Float32, 1, 20000, 0},
		{"cuba", load("cuba"), 300, dtypes.Float32, 1, 4000, 0},
		{"cobahh", load("cobahh"), 200, dtypes.Float32, 1, 1000, 0},
		{"decision", load("decision"), 500, dtypes.Float64, 1, 1500, 0},
		{"mixed", func(t *testing.T) *ir.Network { return parse(t, packSpec) }, 0, dtypes.Float32, 3, 1000, 1e-4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			net := tc.net(t)
			if tc.duration > 0 {
				net.Duration = tc.duration
			}
			prog, err := lower.Build(net, lower.Options{DType: tc.dtype})
			require.NoError(t, err)
			assert.Len(t, prog.Blocks, tc.blocks)
			packed, _ := simulate(t, net, lower.Options{DType: tc.dtype}, jit.Options{})
			apart, _ := simulate(t, net, lower.Options{DType: tc.dtype, NoPack: true}, jit.Options{})
			require.GreaterOrEqual(t, totalSpikes(packed), tc.spikes)
			require.Equal(t, spikeTrains(apart), spikeTrains(packed))
			require.Equal(t, len(apart.Traces), len(packed.Traces))
			for k := range packed.Traces {
				a, b := apart.Traces[k].Values, packed.Traces[k].Values
				require.Equal(t, len(a), len(b))
				if tc.traceTol == 0 {
					assert.Equal(t, a, b, packed.Traces[k].Pop)
					continue
				}
				worst := 0.0
				for i := range a {
					worst = max(worst, math.Abs(a[i]-b[i]))
				}
				assert.LessOrEqual(t, worst, tc.traceTol, packed.Traces[k].Pop)
			}
		})
	}
}

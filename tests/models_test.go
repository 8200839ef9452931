package tests

import (
	"fmt"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/jit"
	"github.com/brainc/brainc/lower"
	"github.com/brainc/brainc/models"
	"github.com/brainc/brainc/plan"
)

// The catalogue's nonlinear neurons run from a spec: uncoupled neurons
// under a constant input all fire their first spike in the step the
// single-neuron reference test (dynamics.TestNonlinearNeuronsAgainstReference)
// finds, with every integrator the spec accepts.
func TestSpecNeuronModels(t *testing.T) {
	tests := []struct {
		model, params, integrator string
		input                     float64
		firstMS                   float64 // the reference's first spike, within one dt
	}{
		{"ExpIF", "{}", "exp_euler", 10, 13.122},
		{"AdEx", "{}", "exp_euler", 20, 7.174},
		{"QIF", "{}", "exp_euler", 20, 14.402},
		{"Izhikevich", "{}", "rk4", 10, 3.127},
		{"HH", "{}", "rk4", 10, 2.157},
		{"TraubHH", "{}", "rk4", 1, 5.226},
		{"GIF", "{a: 0.005, A1: 0.5, A2: -0.2, V_th_reset: -45 mV}", "exp_euler", 3, 8.332},
	}
	for _, tc := range tests {
		t.Run(tc.model, func(t *testing.T) {
			spec := fmt.Sprintf(`
name: %s
dt: 0.02 ms
duration: 20 ms
populations:
  P: {size: 4, model: %s, params: %s, input: %g, integrator: %s}
monitors: {spikes: [P]}
`, tc.model, tc.model, tc.params, tc.input, tc.integrator)
			rec, _ := simulate(t, parse(t, spec), lower.Options{}, jit.Options{K: 5})
			s := rec.Spikes[0]
			first := map[int32]float64{}
			for i, idx := range s.Indices {
				if _, ok := first[idx]; !ok {
					first[idx] = s.Times[i]
				}
			}
			require.Len(t, first, 4, "every neuron fires")
			for idx, tm := range first {
				// Recorded times are step starts; the reference's are the ends of steps.
				assert.InDelta(t, tc.firstMS, tm+0.02, 0.02+1e-9, "neuron %d", idx)
			}
		})
	}
}

// The COBAHH benchmark sustains asynchronous activity of tens of Hz from
// its initial conductances alone (no external input).
func TestCOBAHH(t *testing.T) {
	net, err := models.Load("cobahh")
	require.NoError(t, err)
	net.Duration = 200
	rec, _ := simulate(t, net, lower.Options{}, jit.Options{K: 2})
	for _, s := range rec.Spikes {
		rate := s.Stats(net.Duration).RateHz
		assert.True(t, rate > 10 && rate < 80, "%s rate %.1f Hz", s.Pop, rate)
	}
}

// Projections merged into one synaptic state must agree on its initial value.
func TestProjectionInitMustAgree(t *testing.T) {
	spec := strings.Replace(smallCOBA, "E2E: {pre: E, post: E, conn: {fixed_prob: 0.16}, weight: 0.6,",
		"E2E: {pre: E, post: E, conn: {fixed_prob: 0.16}, init: {g: 0.1}, weight: 0.6,", 1)
	spec = strings.Replace(spec, "monitors:", `  X2E: {pre: I, post: E, conn: {fixed_prob: 0.1}, weight: 0.6, synapse: {Expon: {tau: 5 ms}}, output: {COBA: {E: 0 mV}}}
monitors:`, 1)
	_, err := lower.Build(parse(t, spec), lower.Options{})
	assert.EqualError(t, err, "test.yaml:16: projections.X2E: init g must equal that of E2E, which shares its synaptic state")
	prog, err := lower.Build(parse(t, strings.Replace(spec, "weight: 0.6, synapse: {Expon: {tau: 5 ms}}, output: {COBA: {E: 0 mV}}}\nmonitors:",
		"weight: 0.6, synapse: {Expon: {tau: 5 ms}}, output: {COBA: {E: 0 mV}}, init: {g: 0.1}}\nmonitors:", 1)), lower.Options{})
	require.NoError(t, err)
	s0 := prog.InitialState()
	g := s0[prog.Groups[0].G.Index].Value().([]float32)
	assert.Equal(t, float32(0.1), g[0])
	_, err = parseErr(strings.Replace(smallCOBA, "E2E: {pre: E, post: E, conn: {fixed_prob: 0.16},", "E2E: {pre: E, post: E, conn: {fixed_prob: 0.16}, init: {x: 1},", 1))
	require.Error(t, err, "an unknown synaptic variable is named with its line")
	assert.Equal(t, `test.yaml:12: projections.E2E.init: unknown state variable "x" of Expon (valid: g)`, err.Error())
}

// DualExpon and Alpha synapses run in a network: merged projections share
// both variables, and the network stays active.
func TestTwoVariableSynapses(t *testing.T) {
	spec := strings.NewReplacer("synapse: {Expon: {tau: 5 ms}}", "synapse: {DualExpon: {tau_rise: 1 ms, tau_decay: 5 ms}}",
		"synapse: {Expon: {tau: 10 ms}}", "synapse: {Alpha: {tau: 3 ms}}").Replace(smallCOBA)
	prog, err := lower.Build(parse(t, spec), lower.Options{})
	require.NoError(t, err)
	var names []string
	for _, v := range prog.State {
		names = append(names, v.Name)
	}
	assert.Contains(t, names, "E2E+E2I.h")
	assert.Contains(t, names, "I2E+I2I.g")
	rec, _ := simulate(t, parse(t, spec), lower.Options{}, jit.Options{K: 5})
	assert.Greater(t, totalSpikes(rec), 400)
	_, err = parseErr(strings.Replace(spec, "tau_rise: 1 ms, tau_decay: 5 ms", "tau_rise: 6 ms, tau_decay: 5 ms", 1))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "tau_rise")
}

// A Poisson population fires at its rate with Poisson statistics, the same
// way for the same seed, and drives the neurons it projects to.
func TestPoissonSources(t *testing.T) {
	spec := `
seed: 9
duration: 1 s
populations:
  P: {size: 1000, model: Poisson, params: {rate: 20 Hz}}
  N: {size: 10, model: LifRef, params: {V_th: 10, tau: 10 ms}}
projections:
  PN: {pre: P, post: N, conn: {fixed_in_degree: 50}, weight: 1.5, synapse: {Expon: {tau: 5 ms}}, output: CUBA}
monitors: {spikes: [P, N]}
`
	a, _ := simulate(t, parse(t, spec), lower.Options{}, jit.Options{K: 4})
	b, _ := simulate(t, parse(t, spec), lower.Options{}, jit.Options{K: 3})
	assert.Equal(t, spikeTrains(a), spikeTrains(b), "same seed, same spikes, whatever the chunking")
	p := a.Spikes[0].Stats(1000)
	assert.InDelta(t, 20, p.RateHz, 1, "rate: 20 000 expected spikes, sd 141")
	require.NotNil(t, p.CVISI)
	assert.InDelta(t, 1, *p.CVISI, 0.1, "Poisson ISIs have CV 1 (estimated from ~20 intervals per neuron, biased low)")
	assert.Greater(t, a.Spikes[1].Stats(1000).RateHz, 1.0, "the driven neurons fire")

	_, err := lower.Build(parse(t, strings.Replace(spec, "PN: {pre: P, post: N, conn: {fixed_in_degree: 50}", "PN: {pre: N, post: P, conn: {fixed_prob: 0.5}", 1)), lower.Options{})
	assert.EqualError(t, err, "test.yaml:8: projections.PN: post population P (Poisson) has no membrane potential and takes no input")
}

// A white-noise input drives an unthresholded LIF to the stationary variance
// of its discretised Ornstein–Uhlenbeck process, b²/(1 − a²) with
// a = e^{−dt/τ}, b = (1 − a)·σ/√dt (exponential Euler, input held).
func TestWhiteNoiseInput(t *testing.T) {
	idx := make([]string, 500)
	for i := range idx {
		idx[i] = fmt.Sprint(i)
	}
	spec := `
seed: 11
duration: 300 ms
populations:
  P: {size: 500, model: LifRef, params: {V_th: 1000, tau: 10 ms}, input: {noise: {mean: 0, sigma: 2}}}
monitors: {spikes: [], traces: {P.V: [` + strings.Join(idx, ", ") + `]}}
`
	rec, _ := simulate(t, parse(t, spec), lower.Options{}, jit.Options{K: 5})
	tr := rec.Traces[0]
	var sum, sq, n float64
	for k := 1000; k < len(tr.Values)/500; k++ { // the last 200 ms, after 10 time constants
		for i := 0; i < 500; i++ {
			v := float64(tr.Values[k*500+i])
			sum, sq, n = sum+v, sq+v*v, n+1
		}
	}
	mean := sum / n
	a := math.Exp(-0.1 / 10)
	b := (1 - a) * 2 / math.Sqrt(0.1)
	want := b * b / (1 - a*a)
	assert.InDelta(t, 0, mean, 0.05)
	assert.InEpsilon(t, want, sq/n-mean*mean, 0.1, "stationary variance")
}

// A projection with short-term plasticity runs from a spec: depression
// (large U, slow recovery) weakens a regular drive, so the driven neurons
// fire less than without it; its parameters are checked with the line.
func TestSTPFromSpec(t *testing.T) {
	base := `
duration: 500 ms
populations:
  P: {size: 200, model: Poisson, params: {rate: 40 Hz}}
  N: {size: 20, model: LifRef, params: {V_th: 10, tau: 10 ms}}
projections:
  PN: {pre: P, post: N, conn: {fixed_in_degree: 40}, weight: 2, synapse: {Expon: {tau: 5 ms}}, output: CUBA%s}
monitors: {spikes: [N]}
`
	plain, _ := simulate(t, parse(t, fmt.Sprintf(base, "")), lower.Options{}, jit.Options{K: 4})
	stpSpec := fmt.Sprintf(base, ", stp: {U: 0.6, tau_f: 10 ms, tau_d: 500 ms}")
	dep, _ := simulate(t, parse(t, stpSpec), lower.Options{}, jit.Options{K: 4})
	require.Greater(t, totalSpikes(plain), 50)
	assert.Less(t, totalSpikes(dep), totalSpikes(plain)/2, "depression: %d vs %d spikes", totalSpikes(dep), totalSpikes(plain))
	prog, err := lower.Build(parse(t, stpSpec), lower.Options{})
	require.NoError(t, err)
	assert.Equal(t, plan.KernelDense, prog.Projs[0].Kernel)
	_, err = parseErr(fmt.Sprintf(base, ", stp: {U: 1.5}"))
	assert.EqualError(t, err, "test.yaml:7: projections.PN.stp.U: must be in (0, 1], got 1.5")
	_, err = parseErr(fmt.Sprintf(base, ", stp: {U: 0.5, form: markram}"))
	assert.EqualError(t, err, `test.yaml:7: projections.PN.stp.form: expected "brian2" (u relaxes to U) or "tpm98" (u relaxes to 0), got "markram"`)
	// The TPM98 form: u rests at 0, so it starts there and the first spike carries U.
	tpm, err := lower.Build(parse(t, fmt.Sprintf(base, ", stp: {U: 0.6, form: tpm98}")), lower.Options{})
	require.NoError(t, err)
	assert.Equal(t, 0.0, tpm.Projs[0].STP.Rest)
	assert.Equal(t, 0.6, prog.Projs[0].STP.Rest, "the default (Brian2's) form rests at U")
	assert.Equal(t, float32(0), tpm.InitialState()[tpm.Projs[0].STPU.Index].Value().([]float32)[0])
}

// STP on an all_to_all projection is kept by the all_to_all kernel (it was
// dropped: every spike carried the full weight): the kernel gives exactly
// the dense kernel's synaptic trace, and depression lowers it.
func TestSTPOnAllToAll(t *testing.T) {
	spec := `
duration: 200 ms
populations:
  P: {size: 30, model: Poisson, params: {rate: 50 Hz}}
  N: {size: 4, model: LifRef, params: {V_th: 1e9}}
projections:
  PN: {pre: P, post: N, conn: {all_to_all: true}, weight: 0.5, synapse: {Expon: {tau: 5 ms}}, output: CUBA%s}
monitors: {spikes: [P], traces: {PN.g: [0, 3]}}
`
	stp := ", stp: {U: 0.5, tau_f: 10 ms, tau_d: 300 ms}"
	prog, err := lower.Build(parse(t, fmt.Sprintf(spec, stp)), lower.Options{})
	require.NoError(t, err)
	require.Equal(t, plan.KernelAllToAll, prog.Projs[0].Kernel)
	require.NotNil(t, prog.Projs[0].STP)
	f64 := lower.Options{DType: dtypes.Float64}
	a2a, _ := simulate(t, parse(t, fmt.Sprintf(spec, stp)), f64, jit.Options{})
	dense, _ := simulate(t, parse(t, fmt.Sprintf(spec, stp)), lower.Options{DType: dtypes.Float64, Kernel: plan.KernelDense}, jit.Options{})
	plain, _ := simulate(t, parse(t, fmt.Sprintf(spec, "")), f64, jit.Options{})
	require.Greater(t, totalSpikes(plain), 100)
	require.Len(t, a2a.Traces[0].Values, len(dense.Traces[0].Values))
	for i, want := range dense.Traces[0].Values {
		require.InDelta(t, want, a2a.Traces[0].Values[i], 1e-9, "sample %d", i)
	}
	last := len(plain.Traces[0].Values) - 1
	assert.Less(t, a2a.Traces[0].Values[last], 0.6*plain.Traces[0].Values[last], "depressed synapses carry less")
}

// Kuramoto oscillators from a spec, with natural frequencies drawn by init,
// synchronise under coupling (final order parameter r above 0.95: 0.996)
// and stay incoherent without it (below 0.5: 0.218).
func TestKuramotoFromSpec(t *testing.T) {
	for _, tc := range []struct {
		k        float64
		min, max float64
	}{{0.5, 0.95, 1}, {0, 0, 0.5}} {
		spec := fmt.Sprintf(`
seed: 2
dt: 0.05 ms
duration: 150 ms
populations:
  P: {size: 50, model: Kuramoto, params: {K: %g}, integrator: rk4, init: {theta: uniform(0, 6.2832), omega: normal(0.2, 0.05)}}
monitors: {spikes: [], traces: {P.theta: %s}}
`, tc.k, allIndices(50))
		rec, _ := simulate(t, parse(t, spec), lower.Options{}, jit.Options{K: 5})
		v := rec.Traces[0].Values
		last := v[len(v)-50:]
		var c, s float64
		for _, th := range last {
			c, s = c+math.Cos(th)/50, s+math.Sin(th)/50
		}
		r := math.Hypot(c, s)
		t.Logf("K = %g: final r = %.3f", tc.k, r)
		assert.True(t, r >= tc.min && r <= tc.max, "K = %g: r = %.3f outside [%g, %g]", tc.k, r, tc.min, tc.max)
	}
}

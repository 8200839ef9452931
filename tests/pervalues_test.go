package tests

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/jit"
	"github.com/brainc/brainc/lower"
	"github.com/brainc/brainc/netspec"
	"github.com/brainc/brainc/npyio"
	"github.com/brainc/brainc/plan"
)

// perNeuronSpec drives unconnected LIF neurons with a constant input: a
// neuron fires first when V_rest + R·I·(1 − e^{−t/τ}) reaches V_th.
const perNeuronSpec = `
name: per-neuron
dt: 0.01 ms
duration: 100 ms
seed: 4
populations:
  N:
    size: 50
    model: LifRef
    params: {V_rest: -60 mV, V_reset: -60 mV, V_th: -50 mV, tau: TAU, tau_ref: 2 ms}
    init: {V: -60 mV}
    input: INPUT
monitors:
  spikes: [N]
`

// firstSpikes is each neuron's first spike time (ms), -1 for none.
func firstSpikes(times []float64, idx []int32, n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = -1
	}
	for k, i := range idx {
		if out[i] < 0 {
			out[i] = times[k]
		}
	}
	return out
}

// Per-neuron parameters and inputs act neuron by neuron: each neuron's
// first spike is the one its own τ and input give, to within a step.
func TestPerNeuronParamsAndInputs(t *testing.T) {
	for _, tc := range []struct{ name, tau, input string }{
		{"tau uniform", "uniform(10 ms, 30 ms)", "15"},
		{"tau lognormal clipped", "clip(lognormal(20 ms, 5 ms), 12 ms, 28 ms)", "15"},
		{"input expression", "20 ms", "12 + 8*i/N"},
		{"both", "normal(20 ms, 3 ms)", "uniform(11, 20)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			net := parse(t, strings.NewReplacer("TAU", tc.tau, "INPUT", tc.input).Replace(perNeuronSpec))
			prog, err := lower.Build(net, lower.Options{DType: dtypes.Float64})
			require.NoError(t, err)
			tau := prog.Pops[0].Values["tau"]
			input := make([]float64, 50)
			for i := range input {
				input[i] = 15
				if strings.Contains(tc.input, "i/N") {
					input[i] = 12 + 8*float64(i)/50
				}
			}
			if tau == nil {
				tau = make([]float64, 50)
				for i := range tau {
					tau[i] = 20
				}
			} else {
				assert.Greater(t, sliceStd(tau), 1.0, "the taus differ")
			}
			if strings.HasPrefix(tc.input, "uniform") {
				rec, _ := simulate(t, net, lower.Options{DType: dtypes.Float64}, jit.Options{})
				first := firstSpikes(rec.Spikes[0].Times, rec.Spikes[0].Indices, 50)
				// Recover each neuron's input from its first spike and check the spread.
				var drawn []float64
				for i, f := range first {
					require.Greater(t, f, 0.0, "neuron %d fires", i)
					drawn = append(drawn, 10/(1-math.Exp(-(f+0.01)/tau[i])))
				}
				for _, x := range drawn {
					assert.True(t, x > 10.9 && x < 20.1, "input %g within uniform(11, 20)", x)
				}
				assert.Greater(t, sliceStd(drawn), 1.0)
				return
			}
			if strings.Contains(tc.tau, "clip") {
				for _, x := range tau {
					assert.True(t, x >= 12 && x <= 28, "tau %g clipped", x)
				}
			}
			rec, _ := simulate(t, net, lower.Options{DType: dtypes.Float64}, jit.Options{})
			first := firstSpikes(rec.Spikes[0].Times, rec.Spikes[0].Indices, 50)
			for i := range 50 {
				want := -tau[i]*math.Log(1-10/input[i]) - 0.01 // recorded at the step's start
				assert.InDelta(t, want, first[i], 0.011, "neuron %d: tau %g, input %g", i, tau[i], input[i])
			}
		})
	}
}

func sliceStd(v []float64) float64 {
	m := 0.0
	for _, x := range v {
		m += x
	}
	m /= float64(len(v))
	s := 0.0
	for _, x := range v {
		s += (x - m) * (x - m)
	}
	return math.Sqrt(s / float64(len(v)))
}

// Expressions of a population share one r per neuron (Izhikevich 2003's
// c = −65 + 15r², d = 8 − 6r²), and a file gives one value per neuron.
func TestPerNeuronExpressionsAndFiles(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "a.npy")
	a := make([]float64, 30)
	for i := range a {
		a[i] = 0.02 + 0.001*float64(i)
	}
	f, err := os.Create(file)
	require.NoError(t, err)
	require.NoError(t, npyio.WriteNPY(f, npyio.Array{Shape: []int{30}, Data: a}))
	require.NoError(t, f.Close())
	spec := `
name: izh
populations:
  E:
    size: 30
    model:
      equations: |
        dV/dt = (0.04/ms/mV*V**2 + 5/ms*V + 140*mV/ms - u + I) : mV
        du/dt = a*(b*V - u) : mV/ms
      threshold: V >= 30 mV
      reset: "V = c; u += d"
      params: {a: 0.02/ms, b: 0.2/ms, c: -65 mV, d: 8 mV/ms}
    params: {a: {file: a.npy}, c: -65 mV + 15 mV*r**2, d: 8 mV/ms - 6 mV/ms*r**2}
    init: {V: -65 mV, u: -13 mV/ms}
    input: 10
`
	path := filepath.Join(dir, "izh.yaml")
	require.NoError(t, os.WriteFile(path, []byte(spec), 0o644))
	net, err := netspec.ParseFile(path)
	require.NoError(t, err)
	prog, err := lower.Build(net, lower.Options{DType: dtypes.Float64})
	require.NoError(t, err)
	v := prog.Pops[0].Values
	assert.Equal(t, a, v["a"])
	for i := range 30 {
		r2 := (v["c"][i] + 65) / 15
		assert.InDelta(t, r2, (8-v["d"][i])/6, 1e-12, "one r per neuron")
		assert.True(t, r2 >= 0 && r2 < 1)
	}
	assert.Greater(t, sliceStd(v["c"]), 1.0)
	rec, _ := simulate(t, net, lower.Options{DType: dtypes.Float64}, jit.Options{})
	assert.Greater(t, len(rec.Spikes[0].Times), 30)

	for _, tc := range []struct{ from, to, want string }{
		{"a: {file: a.npy}", "a: {file: b.npy}", "b.npy: no such file"},
		{"d: 8 mV/ms - 6 mV/ms*r**2", "d: 8 mV - 6 mV*r**2", `populations.E.params.d: dimensions disagree: 8 mV - 6 mV*r**2 is V, expected V/s`},
	} {
		bad := strings.Replace(spec, tc.from, tc.to, 1)
		require.NoError(t, os.WriteFile(path, []byte(bad), 0o644))
		net, err := netspec.ParseFile(path)
		if err == nil {
			_, err = lower.Build(net, lower.Options{})
		}
		require.Error(t, err, tc.to)
		assert.Contains(t, err.Error(), tc.want)
	}
}

// Per-synapse weights are drawn once from the seed (the same with every
// kernel), bounded by clip; per-neuron values are refused where the model
// takes one value, and out-of-range draws are named.
func TestWeightDistributionsAndErrors(t *testing.T) {
	spec := strings.Replace(smallCOBA, "weight: 0.6, synapse: {Expon: {tau: 5 ms}}, output: {COBA: {E: 0 mV}}}\n  E2I",
		"weight: clip(normal(0.6, 0.3), 0, 1.2), synapse: {Expon: {tau: 5 ms}}, output: {COBA: {E: 0 mV}}}\n  E2I", 1)
	require.NotEqual(t, smallCOBA, spec)
	net := parse(t, spec)
	prog, err := lower.Build(net, lower.Options{})
	require.NoError(t, err)
	w := prog.Projs[0].SynWeights
	require.NotEmpty(t, w)
	for _, x := range w {
		require.True(t, x >= 0 && x <= 1.2, "weight %g clipped", x)
	}
	assert.InDelta(t, 0.6, mean(w), 0.02)
	event, _ := simulate(t, net, lower.Options{Kernel: plan.KernelEvent}, jit.Options{})
	dense, _ := simulate(t, net, lower.Options{Kernel: plan.KernelDense}, jit.Options{})
	require.Equal(t, spikeTrains(event), spikeTrains(dense))
	constant, _ := simulate(t, parse(t, smallCOBA), lower.Options{Kernel: plan.KernelEvent}, jit.Options{})
	require.NotEqual(t, spikeTrains(constant), spikeTrains(event), "drawn weights change the run")

	for _, tc := range []struct{ from, to, want string }{
		{"E: {size: 400, model: LifRef, params: {V_rest: -60 mV, V_th: -50 mV, V_reset: -60 mV, tau: 20 ms, tau_ref: 5 ms}",
			"E: {size: 400, model: AdEx, params: {V_rest: -60 mV, V_th: -50 mV, V_reset: -60 mV, tau: uniform(10 ms, 20 ms), tau_ref: 5 ms}",
			"test.yaml:7: populations.E: params.tau: AdEx takes one value per population; per-neuron values need a model that allows them (LifRef, a model given by equations, or a Go model implementing dynamics.PerNeuron)"},
		{"tau: 20 ms, tau_ref: 5 ms},\n      init: {V: normal(-55 mV, 2 mV)}, input: 20}\n  I:", "tau: normal(20 ms, 10 ms), tau_ref: 5 ms},\n      init: {V: normal(-55 mV, 2 mV)}, input: 20}\n  I:",
			"tau must be > 0 (bound the distribution with clip(…, lo, hi))"},
		{"weight: 6.7", "weight: uniform(1, 2)", ""},
		{"conn: {fixed_prob: 0.16}, weight: 0.6", "conn: {fixed_prob: 0.16}, kernel: procedural, weight: uniform(0, 1)",
			"test.yaml:12: projections.E2E.weight: the procedural kernel regenerates synapses with one weight: per-synapse weights need kernel event or dense (or auto)"},
		{"weight: 0.6", "weight: {file: w.npy}", "expected a number (e.g. 0.5), got a mapping"},
	} {
		bad := strings.Replace(smallCOBA, tc.from, tc.to, 1)
		require.NotEqual(t, smallCOBA, bad, tc.from)
		net, err := parseErr(bad)
		if err == nil {
			_, err = lower.Build(net, lower.Options{})
		}
		if tc.want == "" {
			require.NoError(t, err, tc.to)
			continue
		}
		require.Error(t, err, tc.to)
		assert.Contains(t, err.Error(), tc.want, tc.to)
	}
}

func mean(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

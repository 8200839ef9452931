package tests

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/eqs"
	"github.com/brainc/brainc/jit"
	"github.com/brainc/brainc/lower"
	"github.com/brainc/brainc/models"
)

// eqNetwork is a network of one population N (the model given by MODEL),
// driven by a constant input, Poisson trains (CUBA) and its own recurrent
// conductance-based synapses, so that its potential and input both matter.
const eqNetwork = `
name: eq
dt: 0.1 ms
duration: 300 ms
seed: 11
populations:
  N:
    size: 200
    model: MODEL
    init: INIT
    input: INPUT
projections:
  bg: {poisson: {num: 20, rate: 40 Hz}, post: N, weight: WEIGHT, synapse: {Expon: {tau: 5 ms}}, output: CUBA}
  NN: {pre: N, post: N, conn: {fixed_prob: 0.05}, weight: 0.2, synapse: {Expon: {tau: 5 ms}}, output: {COBA: {E: -80 mV}}}
monitors:
  spikes: [N]
  traces: {N.V: [0, 1, 2, 3]}
`

// equationForms are built-in models beside the same models written as
// equations (the built-in's parameters in the equations' units).
var equationForms = []struct {
	name, builtin, equations, init, input, weight string
	minSpikes                                     int
}{
	{"LifRef", `LifRef
    params: {V_rest: -60 mV, V_reset: -60 mV, V_th: -50 mV, R: 1, tau: 20 ms, tau_ref: 5 ms}`, `
      equations: |
        dV/dt = (-(V - V_rest) + R*I)/tau : mV (unless refractory)
      threshold: V >= V_th
      reset: V = V_reset
      refractory: 5 ms
      params: {V_rest: -60 mV, V_reset: -60 mV, V_th: -50 mV, R: 1, tau: 20 ms}`,
		"{V: uniform(-60 mV, -50 mV)}", "11", "1", 900},
	{"Izhikevich", `Izhikevich
    params: {a: 0.02, b: 0.2, c: -65 mV, d: 8 mV}`, `
      equations: |
        dV/dt = (0.04/ms/mV*V**2 + 5/ms*V + 140*mV/ms - u + I) : mV
        du/dt = a*(b*V - u) : mV/ms
      threshold: V >= 30 mV
      reset: |
        V = c
        u += d
      params: {a: 0.02/ms, b: 0.2/ms, c: -65 mV, d: 8 mV/ms}`,
		"{V: uniform(-70 mV, -60 mV), u: -13}", "6", "1", 1000},
	{"AdEx", `AdEx
    params: {V_rest: -70 mV, V_reset: -58 mV, V_th: 0 mV, V_T: -50 mV, delta_T: 2 mV, R: 0.5, a: 0.5, b: 7 mV, tau: 20 ms, tau_w: 100 ms, tau_ref: 2 ms}`, `
      equations: |
        dV/dt = (-(V - V_rest) + delta_T*exp(min((V - V_T)/delta_T, 30)) + R*(I - w))/tau : mV (unless refractory)
        dw/dt = (a*(V - V_rest) - w)/tau_w : mV
      threshold: V >= 0 mV
      reset: |
        V = V_reset
        w += b
      refractory: 2 ms
      params: {V_rest: -70 mV, V_reset: -58 mV, V_T: -50 mV, delta_T: 2 mV, R: 0.5, a: 0.5, b: 7 mV, tau: 20 ms, tau_w: 100 ms}`,
		"{V: uniform(-70 mV, -55 mV)}", "45", "3", 500},
	{"HH", `HH`, `
      equations: |
        dV/dt = (-g_Na*m**3*h*(V - E_Na) - g_K*n**4*(V - E_K) - g_L*(V - E_L) + I)/C : mV
        dm/dt = alpha_m*(1 - m) - beta_m*m : 1
        dh/dt = alpha_h*(1 - h) - beta_h*h : 1
        dn/dt = alpha_n*(1 - n) - beta_n*n : 1
        alpha_m = 1/exprel(-(V + 40*mV)/(10*mV))/ms : Hz   # 0.1/mV*(V + 40 mV)/(1 - exp(-(V + 40 mV)/10 mV))
        beta_m = 4*exp(-(V + 65*mV)/(18*mV))/ms : Hz
        alpha_h = 0.07*exp(-(V + 65*mV)/(20*mV))/ms : Hz
        beta_h = 1/(1 + exp(-(V + 35*mV)/(10*mV)))/ms : Hz
        alpha_n = 0.1/exprel(-(V + 55*mV)/(10*mV))/ms : Hz
        beta_n = 0.125*exp(-(V + 65*mV)/(80*mV))/ms : Hz
      threshold: V >= 20 mV
      params: {g_Na: 120 mS/cm**2, g_K: 36 mS/cm**2, g_L: 0.03 mS/cm**2, C: 1 uF/cm**2, E_Na: 50 mV, E_K: -77 mV, E_L: -54.387 mV}`,
		"{V: uniform(-70 mV, -60 mV), m: 0.0529, h: 0.5961, n: 0.3177}", "8", "2", 300},
}

func eqSpec(model, init, input, weight string) string {
	r := strings.NewReplacer("MODEL", model, "INIT", init, "INPUT", input, "WEIGHT", weight)
	return r.Replace(eqNetwork)
}

// Models written as equations fire exactly the spikes of the built-in Go
// models (float64), and their potentials agree to 1e-9 mV (the two differ
// only in the order of a few float operations); a mixed network packs the
// equation form with the built-in's own state layout.
func TestEquationFormsMatchBuiltins(t *testing.T) {
	for _, tc := range equationForms {
		t.Run(tc.name, func(t *testing.T) {
			opts := lower.Options{DType: dtypes.Float64}
			builtin, _ := simulate(t, parse(t, eqSpec(tc.builtin, tc.init, tc.input, tc.weight)), opts, jit.Options{})
			eqNet := parse(t, eqSpec(tc.equations, tc.init, tc.input, tc.weight))
			fromEqs, _ := simulate(t, eqNet, opts, jit.Options{})
			require.GreaterOrEqual(t, totalSpikes(builtin), tc.minSpikes)
			require.Equal(t, spikeTrains(builtin), spikeTrains(fromEqs))
			a, b := builtin.Traces[0].Values, fromEqs.Traces[0].Values
			require.Equal(t, len(a), len(b))
			worst := 0.0
			for i := range a {
				worst = max(worst, math.Abs(a[i]-b[i]))
			}
			assert.LessOrEqual(t, worst, 1e-9, "V")
			t.Logf("%s: %d spikes, largest V difference %.3g mV", tc.name, totalSpikes(builtin), worst)
		})
	}
}

// Errors in equations name the spec file, the line of the equation (or
// statement, or parameter) and what disagrees.
func TestEquationSpecErrors(t *testing.T) {
	izh := equationForms[1]
	good := eqSpec(izh.equations, izh.init, izh.input, izh.weight)
	parse(t, good)
	for _, tc := range []struct{ from, to, want string }{
		{"du/dt = a*(b*V - u) : mV/ms", "du/dt = a*(b*V - u)*ms : mV/ms",
			`test.yaml:12: populations.N.model.equations: in "du/dt = a*(b*V - u)*ms : mV/ms": the right side: dimensions disagree: the right side is V/s, expected V/s^2 (the dimension of du/dt)`},
		{"threshold: V >= 30 mV", "threshold: V >= 30 ms",
			`test.yaml:13: populations.N.model.threshold: in "V >= 30 ms": (V >= 30 ms): dimensions disagree: V is V but 30 ms is s`},
		{"u += d", "u += c",
			`test.yaml:16: populations.N.model.reset: in "u += c": the right side: dimensions disagree: the right side is V, expected V/s (for u +=)`},
		{"params: {a: 0.02/ms,", "params: {a: 0.02/ms, e: 3,",
			`test.yaml:17: populations.N.model.params.e: parameter e is not used by the equations, threshold or reset`},
		{"u: -13}", "u: -13 mV}", `test.yaml:18: populations.N.init.u: dimensions disagree: "-13 mV" is V, expected V/s`},
		{"u: -13}", "w: -13}", `test.yaml:18: populations.N.init: unknown state variable "w" of the equations (states: V, u)`},
		{"    input: 6\n", "    input: 6\n    params: {c: -65 ms}\n", `test.yaml:20: populations.N.params.c: dimensions disagree: "-65 ms" is s, expected V`},
		{"params: {a: 0.02/ms,", "params: {a: uniform(0.01/ms, 0.03/ms),",
			`test.yaml:17: populations.N.model.params.a: in "uniform(0.01/ms, 0.03/ms)": expected a number with units, got uniform(0.01/ms, 0.03/ms)`},
		{"      threshold:", "      treshold:", `test.yaml:13: populations.N.model: unknown key "treshold" (valid keys: equations, threshold, reset, refractory, params)`},
		{"output: {COBA: {E: -80 mV}}", "output: {current: g*(E - V), params: {E: -80 mV}}",
			`test.yaml:22: projections.NN.output: dimensions disagree: the current g*(E - V) is V, but N's input I is V/s`},
	} {
		spec := strings.Replace(good, tc.from, tc.to, 1)
		require.NotEqual(t, good, spec, tc.from)
		_, err := parseErr(spec)
		if err == nil {
			t.Errorf("%s: accepted", tc.to)
			continue
		}
		assert.Equal(t, tc.want, err.Error(), tc.to)
	}
	parse(t, strings.Replace(good, "output: {COBA: {E: -80 mV}}", "output: {current: g*(E - V)/ms, params: {E: -80 mV}}", 1))
}

// Izhikevich's 2003 network as shipped: per-neuron a–d drawn as in the
// paper (one r per neuron), u starting at b·v, weights drawn per synapse;
// it starts with one synchronous burst, then fires at a few Hz.
func TestIzhikevich2003(t *testing.T) {
	net, err := models.Load("izhikevich2003")
	require.NoError(t, err)
	net.Duration = 400
	prog, err := lower.Build(net, lower.Options{})
	require.NoError(t, err)
	require.Len(t, prog.Blocks, 1, "E and I share one block")
	e, i := prog.Pops[0], prog.Pops[1]
	for k := range e.Size {
		r2 := (e.Values["c"][k] + 65) / 15
		require.InDelta(t, 8-6*r2, e.Values["d"][k], 1e-9)
	}
	for k := range i.Size {
		r := (i.Values["a"][k] - 0.02) / 0.08
		require.InDelta(t, 0.25-0.05*r, i.Values["b"][k], 1e-9)
	}
	s0 := prog.InitialState()
	u := s0[prog.Blocks[0].States["u"].Index].Value().([]float32)
	for k := range i.Size {
		require.InDelta(t, i.Values["b"][k]*-65, float64(u[e.Size+k]), 1e-4, "u = b·v")
	}
	w := prog.Projs[0].SynWeights
	require.Len(t, w, 800*800)
	assert.InDelta(t, 0.25, mean(w), 0.002)
	rec, _ := simulate(t, net, lower.Options{}, jit.Options{})
	burst, rest := 0, 0
	for _, s := range rec.Spikes {
		for _, x := range s.Times {
			if x < 60 {
				burst++
			} else {
				rest++
			}
		}
	}
	assert.Greater(t, float64(burst)/60, 3*float64(rest)/340, "the first 60 ms burst")
	for _, s := range rec.Spikes {
		hz := float64(len(s.Times)) / float64(s.Size) / 0.4
		assert.True(t, hz > 4 && hz < 25, "%s fires at %.1f Hz", s.Pop, hz)
	}
}

// A synapse given by equations and an output given by an expression give
// exactly the spikes of Expon and COBA (float64), merged the same way.
func TestEquationSynapseMatchesExponCOBA(t *testing.T) {
	eq := func(tau, e string) string {
		return "{synapse: {equations: \"dg/dt = -g/tau : 1\", on_pre: g += w, params: {tau: " + tau + "}}, output: {current: g*(E - V), params: {E: " + e + "}}}"
	}
	spec := smallCOBA
	for _, r := range []struct{ from, to string }{
		{"weight: 0.6, synapse: {Expon: {tau: 5 ms}}, output: {COBA: {E: 0 mV}}}", "weight: 0.6, " + eq("5 ms", "0 mV")[1:]},
		{"weight: 6.7, synapse: {Expon: {tau: 10 ms}}, output: {COBA: {E: -80 mV}}}", "weight: 6.7, " + eq("10 ms", "-80 mV")[1:]},
	} {
		spec = strings.ReplaceAll(spec, r.from, r.to)
	}
	require.Equal(t, 4, strings.Count(spec, "dg/dt"), spec)
	opts := lower.Options{DType: dtypes.Float64}
	prog, err := lower.Build(parse(t, spec), opts)
	require.NoError(t, err)
	builtinProg, err := lower.Build(parse(t, smallCOBA), opts)
	require.NoError(t, err)
	require.Equal(t, len(builtinProg.Groups), len(prog.Groups), "merged alike")
	builtin, _ := simulate(t, parse(t, smallCOBA), opts, jit.Options{})
	fromEqs, _ := simulate(t, parse(t, spec), opts, jit.Options{})
	require.Greater(t, totalSpikes(builtin), 500)
	require.Equal(t, spikeTrains(builtin), spikeTrains(fromEqs))
	assert.Equal(t, builtin.Traces[0].Values, fromEqs.Traces[0].Values)

	line := strings.Split(spec, "\n")
	at := 0
	for k, l := range line {
		if strings.Contains(l, "E2E:") {
			at = k + 1
		}
	}
	for _, tc := range []struct{ from, to, want string }{
		{"on_pre: g += w", "on_pre: g += w*g", "projections.E2E.synapse.on_pre: in \"g += w*g\": a synapse kept per postsynaptic neuron adds the weight: write g += w or g += w*k (k of parameters and numbers); effects that read the synapse's own state need one state per synapse"},
		{"\"dg/dt = -g/tau : 1\"", "\"dh/dt = -h/tau : 1\"", "projections.E2E.synapse.equations: a synapse needs a variable g (dg/dt = … : unit), which outputs read"},
		{"current: g*(E - V)", "current: g*(E - V) + 1 ms", "projections.E2E.output.current: in \"g*(E - V) + 1 ms\": (g*(E - V) + 1 ms): dimensions disagree: g*(E - V) is V but 1 ms is s"},
		{"params: {tau: 5 ms}}", "params: {tau: 5 ms, k: 2}}", "projections.E2E.synapse.params.k: parameter k is not used by the equations or on_pre"},
	} {
		bad := strings.Replace(spec, tc.from, tc.to, 1)
		require.NotEqual(t, spec, bad, tc.from)
		_, err := parseErr(bad)
		require.Error(t, err, tc.to)
		assert.Contains(t, err.Error(), tc.want, tc.to)
		if !strings.Contains(tc.want, "current") {
			assert.True(t, strings.HasPrefix(err.Error(), "test.yaml:"+strconv.Itoa(at)+":"), err.Error())
		}
	}
}

// Every function of the expression language runs in a step and gives its
// host value: one Euler step of dv/dt = f(v) is v0 + dt·f(v0) (float64);
// exponential Euler, which differentiates f, traces every one too.
func TestEquationFunctions(t *testing.T) {
	for _, fn := range []string{"exp(v/(100*mV))", "log(-v/mV)", "log10(-v/mV)", "sqrt(-v/mV)", "sin(v/mV)", "cos(v/mV)",
		"tan(v/(100*mV))", "tanh(v/(10*mV))", "sinh(v/(100*mV))", "cosh(v/(100*mV))", "abs(v/mV)", "sign(v/mV)", "floor(v/mV)",
		"ceil(v/mV)", "exprel(v/(100*mV))", "exprel(0*v/mV)", "min(v/mV, -61)", "max(v/mV, -61)", "clip(v/mV, -62, -61)",
		"where(v > -61 mV, 1, 2)", "(-v/mV)**0.5", "(v/(10*mV))**3", "(v/mV)**-1", "pi*v/mV"} {
		for _, integ := range []string{"euler", "exp_euler"} {
			spec := fmt.Sprintf(`
name: f
duration: 0.1 ms
populations:
  N:
    size: 1
    model:
      equations: "dv/dt = 0.01*mV/ms*%s : mV"
    init: {v: -60 mV}
    integrator: %s
monitors: {traces: {N.v: [0]}}
`, fn, integ)
			rec, _ := simulate(t, parse(t, spec), lower.Options{DType: dtypes.Float64}, jit.Options{})
			if integ != "euler" {
				continue
			}
			e, err := eqs.ParseExpr(fn)
			require.NoError(t, err)
			want := -60 + 0.1*0.01*eqs.Eval(e, map[string]float64{"v": -60})
			assert.InDelta(t, want, rec.Traces[0].Values[0], 1e-12, fn)
		}
	}
}

// A neuron written with Brian2's units (C in pF, g_L in nS, I in pA,
// input: 250 pA) fires when the analytic solution crosses threshold:
// τ = C/g_L = 20 ms, v∞ = E_L + I/g_L = −35 mV, first spike at
// τ·ln(25/15) = 10.2165 ms (in the step from 10.21 ms), then every
// 5 ms (refractory) + 10.2165 ms.
func TestBrian2UnitsFireOnTime(t *testing.T) {
	net := parse(t, `
name: units
dt: 0.01 ms
duration: 30 ms
populations:
  E:
    size: 1
    model:
      equations: |
        dv/dt = (gl*(El - v) + I)/C : volt (unless refractory)
        I : amp
      threshold: v > -50 mV
      reset: v = -60 mV
      refractory: 5 ms
      params: {gl: 10 nS, El: -60 mV, C: 200 pF}
    init: {v: -60 mV}
    input: 250 pA
`)
	rec, _ := simulate(t, net, lower.Options{}, jit.Options{})
	times := rec.Spikes[0].Times
	require.Len(t, times, 2)
	first := 20 * math.Log(25.0/15)
	assert.InDelta(t, math.Floor(first/0.01)*0.01, times[0], 1e-9)
	assert.InDelta(t, 10.22+5+first, times[1], 0.011)
}

package netspec

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/brainc/brainc/ir"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseCOBA(t *testing.T) {
	n, err := ParseFile("testdata/coba.yaml")
	require.NoError(t, err)

	assert.Equal(t, "coba", n.Name)
	assert.InDelta(t, 0.1, n.Dt, 1e-12)
	assert.Equal(t, 1000.0, n.Duration)
	assert.Equal(t, uint64(42), n.Seed)

	require.Len(t, n.Populations, 2)
	lifParams := map[string]float64{"V_rest": -60, "V_th": -50, "V_reset": -60, "tau": 20, "tau_ref": 5, "R": 1}
	for i, want := range []struct {
		name string
		size int
		line int
	}{{"E", 3200, 9}, {"I", 800, 16}} {
		p := n.Populations[i]
		assert.Equal(t, want.name, p.Name)
		assert.Equal(t, want.size, p.Size)
		assert.Equal(t, want.line, p.Line)
		assert.Equal(t, "LifRef", p.Model)
		assert.Equal(t, lifParams, p.Params)
		assert.Equal(t, map[string]ir.Init{"V": {Kind: ir.InitNormal, A: -55, B: 2}}, p.Init)
		assert.Equal(t, ir.Input{Kind: "constant", Value: 20}, p.Input)
		assert.Equal(t, "exp_euler", p.Integrator)
	}
	assert.Same(t, n.Populations[1], n.Population("I"))
	assert.Nil(t, n.Population("X"))

	require.Len(t, n.Projections, 4)
	for i, want := range []struct {
		name, pre, post string
		weight, tau, e  float64
		line            int
	}{
		{"E2E", "E", "E", 0.6, 5, 0, 24},
		{"E2I", "E", "I", 0.6, 5, 0, 32},
		{"I2E", "I", "E", 6.7, 10, -80, 39},
		{"I2I", "I", "I", 6.7, 10, -80, 46},
	} {
		pr := n.Projections[i]
		assert.Equal(t, want.name, pr.Name)
		assert.Equal(t, want.pre, pr.Pre)
		assert.Equal(t, want.post, pr.Post)
		assert.Equal(t, want.line, pr.Line)
		assert.Equal(t, ir.Conn{Rule: ir.ConnFixedProb, Prob: 0.02}, pr.Conn)
		assert.Equal(t, want.weight, pr.Weight)
		assert.Equal(t, ir.Component{Model: "Expon", Params: map[string]float64{"tau": want.tau}}, pr.Synapse)
		assert.Equal(t, ir.Component{Model: "COBA", Params: map[string]float64{"E": want.e}}, pr.Output)
		assert.Equal(t, "auto", pr.Kernel)
	}

	assert.Equal(t, ir.Monitors{
		Spikes: []string{"E", "I"},
		Traces: []ir.Trace{{Pop: "E", Var: "V", Indices: []int{0, 1, 2}, Line: 55}},
	}, n.Monitors)

	require.NoError(t, n.Validate(), "a parsed network validates")
}

// TestParseDefaults checks the defaults of a minimal spec.
func TestParseDefaults(t *testing.T) {
	n, err := Parse([]byte("populations:\n  P: {size: 5, model: LifRef}\n"), "dir/my net.yml")
	require.NoError(t, err)
	assert.Equal(t, "my_net", n.Name, "name derived from the file name")
	assert.Equal(t, ir.DefaultDt, n.Dt)
	assert.Equal(t, ir.DefaultDuration, n.Duration)
	assert.Equal(t, uint64(0), n.Seed)
	p := n.Populations[0]
	assert.Equal(t, map[string]float64{"V_rest": 0, "V_reset": -5, "V_th": 20, "R": 1, "tau": 10, "tau_ref": 0}, p.Params)
	assert.Nil(t, p.Init)
	assert.Equal(t, ir.Input{}, p.Input)
	assert.Equal(t, "exp_euler", p.Integrator)
	assert.Equal(t, ir.Monitors{Spikes: []string{"P"}}, n.Monitors, "default monitors: spikes of every population")
	assert.Empty(t, n.Projections)
}

// TestParseVariants checks accepted spellings other than those of coba.yaml.
func TestParseVariants(t *testing.T) {
	const spec = `
name: variants
dt: 100 us
duration: 0.5 s
populations:
  A:
    size: 10
    model: LifRef
    params: &lif
      V_th: -0.05 V
      V_reset: -60 mV
      tau: 20
    init: {V: uniform(-70 mV, -50 mV)}
    integrator: euler
  B:
    size: 4
    model: LifRef
    params: *lif
    init: {V: -65}
    input: null
projections:
  AB:
    pre: A
    post: B
    conn: {fixed_in_degree: 3}
    weight: -1.5
    synapse: {Expon: null}
    output: CUBA
    kernel: event
  AA:
    pre: A
    post: A
    conn: {fixed_in_degree: 10, allow_self: true}
    weight: 1
    synapse: Expon
    output: {COBA: {}}
    kernel: dense
monitors:
  spikes: B
  traces:
    A.V:
      - 9
      - 0
`
	n, err := Parse([]byte(spec), "variants.yaml")
	require.NoError(t, err)
	assert.InDelta(t, 0.1, n.Dt, 1e-12)
	assert.Equal(t, 500.0, n.Duration)
	a, b := n.Populations[0], n.Populations[1]
	assert.Equal(t, -50.0, a.Params["V_th"])
	assert.Equal(t, 20.0, a.Params["tau"])
	assert.Equal(t, a.Params, b.Params, "alias reuses the anchored params")
	assert.Equal(t, ir.Init{Kind: ir.InitUniform, A: -70, B: -50}, a.Init["V"])
	assert.Equal(t, ir.Init{Kind: ir.InitConst, A: -65}, b.Init["V"])
	assert.Equal(t, "euler", a.Integrator)
	assert.Equal(t, ir.Input{}, b.Input)

	ab, aa := n.Projections[0], n.Projections[1]
	assert.Equal(t, ir.Conn{Rule: ir.ConnFixedInDegree, Num: 3}, ab.Conn)
	assert.Equal(t, -1.5, ab.Weight)
	assert.Equal(t, ir.Component{Model: "Expon", Params: map[string]float64{"tau": 8}}, ab.Synapse)
	assert.Equal(t, ir.Component{Model: "CUBA", Params: map[string]float64{}}, ab.Output)
	assert.Equal(t, "event", ab.Kernel)
	assert.Equal(t, ir.Conn{Rule: ir.ConnFixedInDegree, Num: 10, AllowSelf: true}, aa.Conn)
	assert.Equal(t, ir.Component{Model: "COBA", Params: map[string]float64{"E": 0}}, aa.Output)
	assert.Equal(t, "dense", aa.Kernel)

	assert.Equal(t, ir.Monitors{Spikes: []string{"B"}, Traces: []ir.Trace{{Pop: "A", Var: "V", Indices: []int{9, 0}, Line: 41}}}, n.Monitors)
}

func TestParseJSON(t *testing.T) {
	const spec = `{
  "name": "json",
  "duration": "20 ms",
  "populations": {
    "Z": {"size": 2, "model": "LifRef", "init": {"V": "normal(-55 mV, 2 mV)"}, "input": {"constant": 1.5}},
    "A": {"size": 3, "model": "LifRef"}
  },
  "projections": {
    "ZA": {"pre": "Z", "post": "A", "conn": {"fixed_prob": 1}, "weight": 0.5,
           "synapse": {"Expon": {"tau": "2 ms"}}, "output": "CUBA"}
  },
  "monitors": {"spikes": [], "traces": {"A.V": [2]}}
}`
	n, err := Parse([]byte(spec), "net.json")
	require.NoError(t, err)
	assert.Equal(t, 20.0, n.Duration)
	require.Len(t, n.Populations, 2)
	assert.Equal(t, "Z", n.Populations[0].Name, "order of the file, not sorted")
	assert.Equal(t, "A", n.Populations[1].Name)
	assert.Equal(t, ir.Init{Kind: ir.InitNormal, A: -55, B: 2}, n.Populations[0].Init["V"])
	assert.Equal(t, ir.Input{Kind: "constant", Value: 1.5}, n.Populations[0].Input)
	assert.Equal(t, 9, n.Projections[0].Line)
	assert.Equal(t, 2.0, n.Projections[0].Synapse.Params["tau"])
	assert.Empty(t, n.Monitors.Spikes, "an explicit monitors section replaces the default")
	assert.Equal(t, []ir.Trace{{Pop: "A", Var: "V", Indices: []int{2}, Line: 12}}, n.Monitors.Traces)
}

// head is the start of most malformed specs below; its lines are:
//
//	1 name: t
//	2 populations:
//	3   E:
//	4     size: 10
//	5     model: LifRef
const head = `name: t
populations:
  E:
    size: 10
    model: LifRef
`

// proj is a valid projection; in head+proj it spans lines 6 to 13.
const proj = `projections:
  P:
    pre: E
    post: E
    conn: {fixed_prob: 0.1}
    weight: 1
    synapse: Expon
    output: CUBA
`

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, spec, want string
	}{
		{"wrong unit", head + "    params: {tau: 5 mV}\n",
			`t.yaml:6: populations.E.params.tau: expected a time (e.g. "5 ms"), got "5 mV"`},
		{"unit without number", head + "    params: {V_th: mV}\n",
			`t.yaml:6: populations.E.params.V_th: expected a voltage (e.g. "-65 mV"), got "mV"`},
		{"malformed quantity", "dt: 0.1 ms ms\n" + head,
			`t.yaml:1: dt: expected a time (e.g. "5 ms"), got "0.1 ms ms"`},
		{"unknown unit", head + "    params: {tau: 5 sec}\n",
			`t.yaml:6: populations.E.params.tau: unknown unit "sec" in "5 sec" (time units: s, ms, us)`},
		{"unknown model", "populations:\n  E:\n    size: 4\n    model: Lif\n",
			`t.yaml:4: populations.E.model: unknown neuron model "Lif" (known: AdEx, AdQuaIF, ExpIF, FHN, GIF, HH, Izhikevich, JansenRit, Kuramoto, LifRef, MorrisLecar, Poisson, QIF, SpikeTimes, StuartLandau, ThresholdLinear, TraubHH, WangBuzsaki, WilsonCowan)`},
		{"unknown parameter", head + "    params:\n      tau: 5 ms\n      tau_m: 5 ms\n",
			`t.yaml:8: populations.E.params: unknown parameter "tau_m" of LifRef (valid: V_rest, V_reset, V_th, R, tau, tau_ref)`},
		{"non-positive parameter", head + "    params: {tau: 0 ms}\n",
			`t.yaml:6: populations.E.params.tau: must be > 0, got 0 ms`},
		{"reset above threshold", head + "    params: {V_reset: -40 mV, V_th: -50 mV}\n",
			`t.yaml:6: populations.E.params.V_reset: must be below V_th (-50 mV), got -40 mV`},
		{"negative refractory period", head + "    params: {tau_ref: -1}\n",
			`t.yaml:6: populations.E.params.tau_ref: must be >= 0, got -1 ms`},
		{"unknown state in init", head + "    init: {U: 0}\n",
			`t.yaml:6: populations.E.init: unknown state variable "U" of LifRef (valid: V)`},
		{"normal with negative std", head + "    init: {V: normal(-55 mV, -2 mV)}\n",
			`t.yaml:6: populations.E.init.V: normal() std must be >= 0, got -2 mV`},
		{"normal with wrong unit", head + "    init:\n      V: normal(-55 mV, 2 ms)\n",
			`t.yaml:7: populations.E.init.V: normal() std: expected a voltage (e.g. "-65 mV"), got "2 ms"`},
		{"uniform with lo >= hi", head + "    init: {V: uniform(-50 mV, -70 mV)}\n",
			`t.yaml:6: populations.E.init.V: uniform(lo, hi) needs lo < hi, got lo = -50 mV, hi = -70 mV`},
		{"normal with three arguments", head + "    init: {V: normal(-55, 2, 1)}\n",
			`t.yaml:6: populations.E.init.V: normal(mean, std) takes 2 arguments, got 3`},
		{"merge key", head + "    <<: {tau: 1}\n",
			`t.yaml:6: populations.E: merge keys (<<) are not supported`},
		{"unknown distribution", head + "    init: {V: gauss(0, 1)}\n",
			`t.yaml:6: populations.E.init.V: unknown distribution "gauss" (valid: normal(mean, std), uniform(lo, hi), lognormal(mean, std), clip(draw, lo, hi))`},
		{"negative size", "populations:\n  E:\n    size: -5\n    model: LifRef\n",
			`t.yaml:3: populations.E.size: must be in [1, 1073741824], got -5`},
		{"size not an integer", "populations:\n  E:\n    size: 3.5\n    model: LifRef\n",
			`t.yaml:3: populations.E.size: expected an integer, got 3.5`},
		{"size is a string", "populations:\n  E:\n    size: many\n    model: LifRef\n",
			`t.yaml:3: populations.E.size: expected an integer, got "many"`},
		{"missing required size", "name: t\npopulations:\n  E:\n    model: LifRef\n",
			`t.yaml:3: populations.E: missing required key "size"`},
		{"missing populations", "name: t\ndt: 1 ms\n",
			`t.yaml:1: missing required key "populations"`},
		{"unknown population key", head + "    sise: 4\n",
			`t.yaml:6: populations.E: unknown key "sise" (valid keys: size, model, params, init, input, integrator, noise, spikes)`},
		{"unknown top-level key", head + "plot: true\n",
			`t.yaml:6: unknown top-level key "plot" (valid keys: name, dt, duration, seed, precision, devices, populations, projections, monitors, train, data)`},
		{"devices out of range", "devices: 0\n" + head, `t.yaml:1: devices: must be between 1 and 1024, got 0`},
		{"devices not an integer", "devices: two\n" + head, `t.yaml:1: devices: expected an integer, got "two"`},
		{"duplicate key", head + "    size: 20\n",
			`t.yaml:6: populations.E.size: duplicate key "size" (first defined at line 4)`},
		{"duplicate population", head + "  E:\n    size: 1\n",
			`t.yaml:6: populations.E: duplicate key "E" (first defined at line 3)`},
		{"bad YAML syntax", head + "    params: {tau: [5 ms}\n",
			`t.yaml:6: invalid YAML: ',' or ']' must be specified`},
		{"empty spec", "# nothing\n", `t.yaml: spec is empty`},
		{"two documents", head + "---\nname: u\n", `t.yaml:7: a spec is a single YAML document, found a second one`},
		{"negative dt", "dt: -0.1 ms\n" + head, `t.yaml:1: dt: must be > 0, got -0.1 ms`},
		{"duration shorter than dt", "dt: 1 ms\nduration: 100 us\n" + head,
			`t.yaml:2: duration: must be at least dt (1 ms), got 0.1 ms`},
		{"negative seed", "seed: -3\n" + head, `t.yaml:1: seed: expected a non-negative integer, got -3`},
		{"unknown integrator", head + "    integrator: rk5\n",
			`t.yaml:6: populations.E.integrator: unknown integrator "rk5" (valid: exp_euler, euler, rk2, rk4)`},
		{"input with a unit", head + "    input: 5 mV\n",
			`t.yaml:6: populations.E.input: "5 mV" has a unit, but the input of LifRef is a plain number in the model's own units (docs/models.md: R·I in mV for the integrate-and-fire family, with R = 1 as in BrainPy; µA/cm² for Hodgkin–Huxley): convert it (250 pA through 100 MΩ is 25 mV), or give the neuron by equations, whose I declares its unit`},
		{"population name with a dot", "populations:\n  E.x: {size: 1, model: LifRef}\n",
			`t.yaml:2: populations.E.x: invalid population name "E.x" (use letters, digits and '_', not starting with a digit)`},
		{"bad pre reference", head + projWith("    pre: X\n"),
			`t.yaml:8: projections.P.pre: unknown population "X" (populations: E)`},
		{"bad post reference", head + projWith("    post: I\n"),
			`t.yaml:8: projections.P.post: unknown population "I" (populations: E)`},
		{"probability above 1", head + projWith("    conn: {fixed_prob: 1.5}\n"),
			`t.yaml:8: projections.P.conn.fixed_prob: probability must be in [0, 1], got 1.5`},
		{"in-degree above pre size minus self", head + projWith("    conn: {fixed_in_degree: 10}\n"),
			`t.yaml:8: projections.P.conn.fixed_in_degree: in-degree 10 is more than 9 (the size of population E minus 1, as allow_self is false)`},
		{"zero in-degree", head + projWith("    conn: {fixed_in_degree: 0, allow_self: true}\n"),
			`t.yaml:8: projections.P.conn.fixed_in_degree: in-degree must be > 0, got 0`},
		{"two connectivity rules", head + projWith("    conn: {fixed_prob: 0.1, fixed_in_degree: 2}\n"),
			`t.yaml:8: projections.P.conn: only one connectivity rule may be given, found fixed_prob and fixed_in_degree`},
		{"no connectivity rule", head + projWith("    conn: {allow_self: true}\n"),
			`t.yaml:8: projections.P.conn: missing connectivity rule (one of fixed_prob, fixed_in_degree, fixed_out_degree, one_to_one, all_to_all, file, gaussian, connectome)`},
		{"unknown synapse", head + projWith("    synapse: {Beta: {tau: 2 ms}}\n"),
			`t.yaml:8: projections.P.synapse: unknown synapse model "Beta" (known: AMPA, Alpha, Delta, DualExpon, Expon, GABAa, GapJunction, NMDA)`},
		{"rise not below decay", head + projWith("    synapse: {DualExpon: {tau_rise: 6 ms, tau_decay: 5 ms}}\n"),
			`t.yaml:8: projections.P.synapse.DualExpon.tau_rise: must be below tau_decay (5 ms), got 6 ms`},
		{"synapse parameter not positive", head + projWith("    synapse: {Expon: {tau: -2 ms}}\n"),
			`t.yaml:8: projections.P.synapse.Expon.tau: must be > 0, got -2 ms`},
		{"parameter of a parameterless output", head + projWith("    output: {CUBA: {E: 0 mV}}\n"),
			`t.yaml:8: projections.P.output.CUBA: unknown parameter "E": CUBA has no parameters`},
		{"unknown output", head + projWith("    output: COB\n"),
			`t.yaml:8: projections.P.output: unknown output model "COB" (known: COBA, CUBA, Delta, MgBlock)`},
		{"weight not a number", head + projWith("    weight: heavy\n"),
			`t.yaml:8: projections.P.weight: expected a number (e.g. 0.5), got "heavy"`},
		{"unknown kernel", head + proj + "    kernel: sparse\n",
			`t.yaml:14: projections.P.kernel: unknown kernel "sparse" (valid: auto, dense, event, procedural)`},
		{"unknown projection key", head + proj + "    delays: 1 ms\n",
			`t.yaml:14: projections.P: unknown key "delays" (valid keys: pre, poisson, post, conn, weight, synapse, output, kernel, carries, coupling, init, delay, stp, stdp, plasticity)`},
		{"delay unit", head + proj + "    delay: 1 mV\n",
			`t.yaml:14: projections.P.delay: expected a time (e.g. "5 ms"), got "1 mV"`},
		{"negative delay", head + proj + "    delay: -1 ms\n",
			`t.yaml:14: projections.P.delay: must be a finite time ≥ 0, got -1 ms`},
		{"delay range", head + proj + "    delay: uniform(3 ms, 1 ms)\n",
			`t.yaml:14: projections.P.delay: uniform(lo, hi) needs 0 ≤ lo ≤ hi, got lo 3 ms and hi 1 ms`},
		{"stdp key", head + proj + "    stdp: {tau: 20 ms}\n",
			`t.yaml:14: projections.P.stdp: unknown key "tau" (valid keys: tau_plus, tau_minus, A_plus, A_minus, w_min, w_max)`},
		{"stdp bounds", head + proj + "    stdp: {w_max: 0.1}\n",
			`t.yaml:11: projections.P.weight: must lie in the stdp bounds [0, 0.1], got 1`},
		{"stdp with stp", head + proj + "    stdp: {}\n    stp: {}\n",
			`t.yaml:14: projections.P.stdp: a projection takes stp or stdp, not both`},
		{"poisson without num", head + "projections:\n  P:\n    poisson: {rate: 5 Hz}\n    post: E\n    weight: 1\n    synapse: Expon\n    output: CUBA\n",
			`t.yaml:8: projections.P.poisson: missing required key "num"`},
		{"poisson with pre", head + "projections:\n  P:\n    poisson: {num: 10, rate: 5 Hz}\n    pre: E\n    post: E\n    weight: 1\n    synapse: Expon\n    output: CUBA\n",
			`t.yaml:9: projections.P.pre: a projection takes pre or poisson, not both`},
		{"poisson stop", head + "projections:\n  P:\n    poisson: {num: 10, rate: 5 Hz, start: 10 ms, stop: 5 ms}\n    post: E\n    weight: 1\n    synapse: Expon\n    output: CUBA\n",
			`t.yaml:8: projections.P.poisson.stop: must be after start (10 ms), got 5 ms`},
		{"missing projection output", head + "projections:\n  P: {pre: E, post: E, conn: {fixed_prob: 0.1}, weight: 1, synapse: Expon}\n",
			`t.yaml:7: projections.P: missing required key "output"`},
		{"trace index out of range", head + "monitors:\n  traces:\n    E.V:\n      - 0\n      - 10\n",
			`t.yaml:10: monitors.traces.E.V: neuron index 10 out of range (population E has 10 neurons: 0..9)`},
		{"trace range past the population", head + "monitors:\n  traces: {E.V: [0:4, 8:11]}\n",
			`t.yaml:7: monitors.traces.E.V[1]: expected a range a:b of neuron indices with 0 ≤ a < b ≤ 10, got "8:11"`},
		{"empty trace range", head + "monitors:\n  traces:\n    E.V: [\"5:3\"]\n",
			`t.yaml:8: monitors.traces.E.V[0]: expected a range a:b of neuron indices with 0 ≤ a < b ≤ 10, got "5:3"`},
		{"trace of unknown state", head + "monitors:\n  traces: {E.g: [0]}\n",
			`t.yaml:7: monitors.traces.E.g: unknown state variable "g" of LifRef (valid: V)`},
		{"trace key without variable", head + "monitors:\n  traces: {E: [0]}\n",
			`t.yaml:7: monitors.traces: trace key "E" must be Population.Variable (e.g. "E.V")`},
		{"spikes of unknown population", head + "monitors:\n  spikes: [E, I]\n",
			`t.yaml:7: monitors.spikes: unknown population "I" (populations: E)`},
		{"unknown alias", head + "    params: *lif\n",
			`t.yaml:6: populations.E.params: unknown alias *lif`},
		{"population is not a mapping", "populations:\n  E: 3\n",
			`t.yaml:2: populations.E: expected a mapping, got 3`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := Parse([]byte(tt.spec), "t.yaml")
			require.Error(t, err)
			assert.Nil(t, n)
			assert.Equal(t, tt.want, err.Error())
			for range 3 { // the same message every time: no map order leaks into it
				_, again := Parse([]byte(tt.spec), "t.yaml")
				require.EqualError(t, again, err.Error())
			}
			var se *ir.SpecError
			require.True(t, errors.As(err, &se), "error is a *SpecError")
			assert.Equal(t, "t.yaml", se.File)
		})
	}
}

// projWith returns a projections section for head: the valid projection
// proj with override (e.g. "    pre: X\n") as its first field, on line 8
// of the spec, replacing the field of the same key.
func projWith(override string) string {
	key, _, _ := strings.Cut(override, ":")
	out := "projections:\n  P:\n" + override
	for _, l := range strings.SplitAfter(proj, "\n")[2:] {
		if !strings.HasPrefix(l, key+":") {
			out += l
		}
	}
	return out
}

func TestSpecErrorFormat(t *testing.T) {
	tests := []struct {
		err  ir.SpecError
		want string
	}{
		{ir.SpecError{File: "a.yaml", Line: 7, Field: "dt", Msg: "bad"}, "a.yaml:7: dt: bad"},
		{ir.SpecError{File: "a.yaml", Field: "dt", Msg: "bad"}, "a.yaml: dt: bad"},
		{ir.SpecError{File: "a.yaml", Line: 3, Msg: "bad"}, "a.yaml:3: bad"},
		{ir.SpecError{Line: 3, Field: "dt", Msg: "bad"}, "line 3: dt: bad"},
		{ir.SpecError{Field: "dt", Msg: "bad"}, "dt: bad"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tt.err.Error())
	}
}

func TestParseFileMissing(t *testing.T) {
	_, err := ParseFile("testdata/does-not-exist.yaml")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "does-not-exist.yaml")
}

// Hostile inputs are errors, quickly: deep flow nesting (a 100,000-deep
// [[[…]]] took 6 GB in the YAML parser), a FIFO (blocked forever), a
// device (/dev/zero never ends) and an oversized file.
func TestHostileSpecInputs(t *testing.T) {
	deep := "name: x\npopulations: " + strings.Repeat("[", 100_000) + strings.Repeat("]", 100_000) + "\n"
	_, err := Parse([]byte(deep), "deep.yaml")
	assert.EqualError(t, err, "deep.yaml:2: […] and {…} nest deeper than 64 levels")
	// Brackets inside quotes and comments do not count.
	quoted := "name: x # " + strings.Repeat("[", 100) + "\ndt: 0.1 ms\npopulations: {A: {size: 1, model: LifRef, params: {}}}\n" +
		"monitors: {spikes: ['" + strings.Repeat("[", 0) + "A']}\n"
	_, err = Parse([]byte(quoted), "q.yaml")
	assert.NoError(t, err)

	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo.yaml")
	require.NoError(t, syscall.Mkfifo(fifo, 0o644))
	_, err = ParseFile(fifo)
	assert.EqualError(t, err, "spec file "+fifo+": a named pipe (FIFO), not a regular file")
	_, err = ParseFile("/dev/zero")
	assert.EqualError(t, err, "spec file /dev/zero: a device, not a regular file")
	big := filepath.Join(dir, "big.yaml")
	require.NoError(t, os.WriteFile(big, make([]byte, MaxSpecBytes+1), 0o644))
	_, err = ParseFile(big)
	assert.EqualError(t, err, "spec file "+big+": larger than 16777216 bytes (16 MiB), the limit")
}

// A trace's neurons may be "all" or ranges a:b beside single indices.
func TestTraceAllAndRanges(t *testing.T) {
	net, err := Parse([]byte(head+"monitors:\n  traces: {E.V: all}\n"), "t.yaml")
	require.NoError(t, err)
	assert.Equal(t, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, net.Monitors.Traces[0].Indices)
	net, err = Parse([]byte(head+"monitors:\n  traces:\n    E.V: [0:3, 5, \"7:9\"]\n"), "t.yaml")
	require.NoError(t, err)
	assert.Equal(t, []int{0, 1, 2, 5, 7, 8}, net.Monitors.Traces[0].Indices)
}

// A model given by equations reads its input and the weights onto it in
// any units of the right dimension (I : amp: a current; a COBA weight: a
// conductance), converted to coherent units (µA, mS); plain numbers keep
// their meaning; a catalogue model's input refuses units, saying what it
// reads.
func TestCurrentAndWeightUnits(t *testing.T) {
	const spec = `
populations:
  E:
    size: 2
    model:
      equations: |
        dv/dt = (gl*(El - v) + I)/C : volt
        I : amp
      threshold: v > -50 mV
      reset: v = -60 mV
      params: {gl: 10 nS, El: -60 mV, C: 200 pF}
    input: INPUT
  L: {size: 2, model: LifRef}
projections:
  EE: {pre: E, post: E, conn: {fixed_prob: 0.5}, weight: WEIGHT, synapse: Expon, output: {COBA: {E: 0 mV}}}
  EC: {pre: E, post: E, conn: {fixed_prob: 0.5}, weight: 2 pA, synapse: Expon, output: CUBA}
  LD: {pre: L, post: L, conn: {fixed_prob: 0.5}, weight: 0.5 mV, synapse: Delta, output: Delta}
`
	parseWith := func(input, weight string) (*ir.Network, error) {
		return Parse([]byte(strings.NewReplacer("INPUT", input, "WEIGHT", weight).Replace(spec)), "u.yaml")
	}
	n, err := parseWith("250 pA", "0.5 nS")
	require.NoError(t, err)
	assert.InDelta(t, 2.5e-4, n.Population("E").Input.Value, 1e-18, "250 pA in µA")
	assert.InDelta(t, 5e-7, n.Projection("EE").Weight, 1e-21, "0.5 nS in mS")
	assert.InDelta(t, 2e-6, n.Projection("EC").Weight, 1e-20, "2 pA in µA")
	assert.Equal(t, 0.5, n.Projection("LD").Weight, "a Delta weight is a voltage")
	n, err = parseWith("0.00025", "5e-7")
	require.NoError(t, err)
	assert.Equal(t, 0.00025, n.Population("E").Input.Value, "a plain number is in coherent units")
	n, err = parseWith("normal(250 pA, 10 pA)", "0.5 nS")
	require.NoError(t, err)
	assert.InDelta(t, 2.5e-4, n.Population("E").Input.PerNeuron.A, 1e-18)
	for _, c := range []struct{ input, weight, want string }{
		{"250 mV", "0.5 nS", `u.yaml:12: populations.E.input: dimensions disagree: "250 mV" is V, expected A`},
		{"250 pA", "0.5 pA", `u.yaml:15: projections.EE.weight: dimensions disagree: "0.5 pA" is A, expected S`},
	} {
		_, err := parseWith(c.input, c.weight)
		assert.EqualError(t, err, c.want)
	}
	_, err = Parse([]byte("populations:\n  L: {size: 2, model: LifRef, input: 250 pA}\n"), "l.yaml")
	assert.ErrorContains(t, err, `l.yaml:2: populations.L.input: "250 pA" has a unit, but the input of LifRef is a plain number in the model's own units`)
}

// Brian2's rand() and randn() in a value get a hint to their forms here.
func TestBrian2RandomHint(t *testing.T) {
	for _, v := range []string{"-60 mV + 5 mV*randn()", "randn()", "rand()*10 mV"} {
		_, err := Parse([]byte("populations:\n  A: {size: 2, model: LifRef, init: {V: "+v+"}}\n"), "r.yaml")
		assert.ErrorContains(t, err, "Brian2's rand() and randn() are written uniform(lo, hi) and normal(mean, std) here", v)
	}
}

// A population written as one flow mapping may draw its values there:
// YAML splits normal(a, b) at the comma; the parser joins it back.
func TestFlowPopulationWithDraws(t *testing.T) {
	n, err := Parse([]byte("populations:\n  E: {size: 4, model: LifRef, input: normal(11, 1), params: {tau: uniform(10 ms, 20 ms)}}\n"), "f.yaml")
	require.NoError(t, err)
	e := n.Population("E")
	require.Equal(t, ir.Init{Kind: ir.InitNormal, A: 11, B: 1}, *e.Input.PerNeuron)
	require.Equal(t, ir.Init{Kind: ir.InitUniform, A: 10, B: 20}, e.Vary["tau"])
}

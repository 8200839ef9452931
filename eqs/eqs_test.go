package eqs

import (
	"math"
	"strconv"
	"strings"
	"testing"
)

// Units fold into the coherent system: ms, mV, µA, mS, µF, kΩ, mM, cm.
func TestUnits(t *testing.T) {
	for _, tc := range []struct {
		text string
		want float64
		dim  Dim
	}{
		{"1 ms", 1, Time}, {"1 s", 1000, Time}, {"2 second", 2000, Time}, {"-65 mV", -65, Voltage}, {"1 volt", 1000, Voltage},
		{"1 nS", 1e-6, Conductance}, {"1 mS", 1, Conductance}, {"200 pF", 2e-4, Capacitance}, {"1 uF", 1, Capacitance},
		{"1 µF", 1, Capacitance}, {"1 MΩ", 1000, Resistance}, {"1 Mohm", 1000, Resistance}, {"1 kohm", 1, Resistance},
		{"1 nA", 1e-3, Current}, {"1 namp", 1e-3, Current}, {"10 Hz", 0.01, Frequency}, {"1 kHz", 1, Frequency},
		{"1 mM", 1, Concentration}, {"1 M", 1000, Concentration}, {"1 cm", 1, Length}, {"120 mS/cm**2", 120, Conductance.Div(mustPow(Length, 2))},
		{"0.02/ms", 0.02, Frequency}, {"8*mV/ms", 8, Voltage.Div(Time)}, {"8 mV/ms", 8, Voltage.Div(Time)}, {"0.5", 0.5, Dimensionless},
		{"1 millivolt", 1, Voltage}, {"3 nanosiemens", 3e-6, Conductance}, {"1 mV**2", 1, mustPow(Voltage, 2)},
	} {
		v, d, err := ParseQuantity(tc.text)
		if err != nil {
			t.Fatalf("%s: %v", tc.text, err)
		}
		if math.Abs(v-tc.want) > 1e-12*math.Abs(tc.want) || d != tc.dim {
			t.Errorf("%s: got %g %s, want %g %s", tc.text, v, d, tc.want, tc.dim)
		}
	}
	for _, tc := range []struct {
		dim  Dim
		want string
	}{
		{Voltage, "V"}, {Voltage.Div(Time), "V/s"}, {Dimensionless, "1"}, {noiseDim, "s^-0.5"}, {Conductance.Div(mustPow(Length, 2)), "S/m^2"},
		{mustPow(Voltage, 2), "m^4 kg^2 s^-6 A^-2"},
	} {
		if got := tc.dim.String(); got != tc.want {
			t.Errorf("%v: got %q, want %q", tc.dim, got, tc.want)
		}
	}
}

const izhikevich = `
dv/dt = (0.04/ms/mV*v**2 + 5/ms*v + 140*mV/ms - u + I) : mV
du/dt = a*(b*v - u) : mV/ms
`

func izhikevichSource() Source {
	return Source{Equations: izhikevich, Threshold: "v >= 30 mV", Reset: "v = c\nu += d", Refractory: "0 ms",
		Params: []ParamSource{{"a", "0.02/ms"}, {"b", "0.2/ms"}, {"c", "-65 mV"}, {"d", "8 mV/ms"}}}
}

// The Izhikevich model reads, infers the input's dimension and
// names its potential.
func TestParseNeuron(t *testing.T) {
	n, err := ParseNeuron(izhikevichSource())
	if err != nil {
		t.Fatal(err)
	}
	if len(n.States) != 2 || n.States[0].Var != "v" || n.States[1].Var != "u" || n.Potential != "v" {
		t.Fatalf("states %v, potential %q", n.States, n.Potential)
	}
	if !n.UsesInput || n.InputDim != Voltage.Div(Time) {
		t.Errorf("input: %v %s", n.UsesInput, n.InputDim)
	}
	if n.Values["a"] != 0.02 || n.Values["c"] != -65 || len(n.Reset) != 2 || n.Reset[1].Op != "+=" {
		t.Errorf("values %v, reset %v", n.Values, n.Reset)
	}
	// A subexpression used before its definition, noise, flags and a declared input.
	lif, err := ParseNeuron(Source{Equations: `
		dv/dt = (I_leak + R*I)/tau + sigma*xi/sqrt(tau) : mV (unless refractory)
		I_leak = v_rest - v : mV   # leak
		I : mV
		tau : ms`, Threshold: "v > -50 mV", Reset: "v = -60 mV", Refractory: "5 ms",
		Params: []ParamSource{{"R", "1"}, {"tau", "20 ms"}, {"v_rest", "-60 mV"}, {"sigma", "1 mV"}}})
	if err != nil {
		t.Fatal(err)
	}
	if !lif.States[0].Noisy || !lif.States[0].UnlessRefractory || lif.Refractory != 5 || len(lif.Subs) != 1 || lif.InputDim != Voltage {
		t.Errorf("%+v", lif)
	}
}

// Malformed models are refused with a message naming the part, the
// equation and what disagrees.
func TestParseNeuronErrors(t *testing.T) {
	base := izhikevichSource()
	for _, tc := range []struct {
		name string
		edit func(s *Source)
		want string
	}{
		{"rhs dimension", func(s *Source) { s.Equations = "dv/dt = (v - c)/ms/ms : mV\ndu/dt = a*(b*v - u) : mV/ms" },
			`equations line 1: in "dv/dt = (v - c)/ms/ms : mV": the right side: dimensions disagree: the right side is V/s^2, expected V/s (the dimension of dv/dt)`},
		{"sum", func(s *Source) { s.Equations = strings.Replace(izhikevich, "- u + I", "- u + v + I", 1) },
			`equations line 2: in "dv/dt = (0.04/ms/mV*v**2 + 5/ms*v + 140*mV/ms - u + v + I) : mV": ((((0.04/ms/mV*v**2 + 5/ms*v) + 140*mV/ms) - u) + v): dimensions disagree: (((0.04/ms/mV*v**2 + 5/ms*v) + 140*mV/ms) - u) is V/s but v is V`},
		{"no unit", func(s *Source) { s.Equations = "dv/dt = -v/ms" }, `equations line 1: in "dv/dt = -v/ms": missing the unit`},
		{"bad unit", func(s *Source) { s.Equations = "dv/dt = -v/ms : mVolt" }, `unit "mVolt": unknown unit "mVolt"`},
		{"number in unit", func(s *Source) { s.Equations = "dv/dt = -v/ms : 3 mV" }, `unit "3 mV": a unit holds no number but 1, got 3`},
		{"unknown name", func(s *Source) { s.Equations = strings.Replace(izhikevich, "- u + I", "- w + I", 1) }, `unknown name "w" (not a variable, parameter, subexpression or unit)`},
		{"unknown function", func(s *Source) { s.Equations = "dv/dt = expp(v/mV)*mV/ms : mV" }, `unknown function "expp"`},
		{"function arity", func(s *Source) { s.Equations = "dv/dt = clip(v, c)/ms : mV" }, `clip(v, c): clip takes 3 arguments, got 2`},
		{"exp of dimension", func(s *Source) { s.Equations = "dv/dt = exp(v)*mV/ms : mV" }, `exp(v): exp needs a dimensionless argument, got V`},
		{"power of dimension by variable", func(s *Source) { s.Equations = "dv/dt = v**b/ms : mV" }, `v**b: the exponent must be dimensionless, got Hz`},
		{"power not constant", func(s *Source) { s.Equations = "dv/dt = v**(v/mV)/ms : mV" }, `v has dimension V, so its exponent must be a constant number`},
		{"third power root", func(s *Source) { s.Equations = "dv/dt = v**0.3/ms : mV" }, `its exponent must be a multiple of 1/2, got 0.3`},
		{"sqrt", func(s *Source) {
			s.Equations = "dv/dt = sqrt(v)*sqrt(v)/ms : mV"
			s.Reset, s.Params = "v = c", s.Params[2:3]
		}, ``},
		{"condition as value", func(s *Source) { s.Equations = "dv/dt = (v > c) : mV" }, `the right side is a condition, expected a number of dimension V/s`},
		{"condition in sum", func(s *Source) { s.Equations = "dv/dt = (v > c) + v/ms : mV" }, `a condition cannot take part in "+"`},
		{"and of numbers", func(s *Source) { s.Threshold = "v and u" }, `threshold: in "v and u": (v and u): "and" joins conditions, got V and V/s`},
		{"threshold number", func(s *Source) { s.Threshold = "v - 30 mV" }, `threshold: in "v - 30 mV": expected a condition (e.g. v > -50 mV), got a number of dimension V`},
		{"threshold dims", func(s *Source) { s.Threshold = "v >= 30 ms" }, `(v >= 30 ms): dimensions disagree: v is V but 30 ms is s`},
		{"chained", func(s *Source) { s.Threshold = "c < v < 30 mV" }, `chained comparison`},
		{"assignment in threshold", func(s *Source) { s.Threshold = "v = 30 mV" }, `'=' in an expression: write == to compare`},
		{"reset dims", func(s *Source) { s.Reset = "v = d" }, `reset line 1: in "v = d": the right side: dimensions disagree: the right side is V/s, expected V (for v =)`},
		{"reset target", func(s *Source) { s.Reset = "c = -60 mV" }, `reset line 1: in "c = -60 mV": c is not a state variable: a reset may assign only those (u, v)`},
		{"reset syntax", func(s *Source) { s.Reset = "v -60 mV" }, `expected an assignment: v = expression`},
		{"reset scale", func(s *Source) { s.Reset = "u *= c" }, `expected 1 (for u *=)`},
		{"reset without threshold", func(s *Source) { s.Threshold = "" }, `reset: a reset needs a threshold`},
		{"duplicate", func(s *Source) { s.Equations = izhikevich + "du/dt = -u/ms : mV/ms" }, `equations line 4: in "du/dt = -u/ms : mV/ms": u is already defined on line 3`},
		{"reserved", func(s *Source) { s.Equations = izhikevich + "dt = 2*ms : ms" }, `dt is the time step and cannot be defined`},
		{"input defined", func(s *Source) { s.Equations = izhikevich + "I = u : mV/ms" }, `I is the input (synaptic and external currents) and cannot be defined`},
		{"input disagrees", func(s *Source) { s.Equations = izhikevich + "I : mV" }, `(((0.04/ms/mV*v**2 + 5/ms*v) + 140*mV/ms) - u) is V/s but I is V`},
		{"param dims", func(s *Source) { s.Params[2].Text = "-65 ms" }, `reset line 1: in "v = c": the right side: dimensions disagree: the right side is s, expected V (for v =)`},
		{"param declared", func(s *Source) { s.Equations = izhikevich + "c : mV/ms" }, `params.c: in "-65 mV": dimensions disagree: c is declared V/s (line 4) but its value -65 mV is V`},
		{"param unused", func(s *Source) { s.Params = append(s.Params, ParamSource{"e", "1 mV"}) }, `params.e: parameter e is not used by the equations, threshold or reset`},
		{"param missing", func(s *Source) { s.Params = s.Params[1:] }, `unknown name "a"`},
		{"param is state", func(s *Source) { s.Params = append(s.Params, ParamSource{"v", "1 mV"}) }, `params.v: v is a state variable, not a parameter`},
		{"param no value", func(s *Source) { s.Equations = izhikevich + "e : mV" }, `equations line 4: in "e : mV": parameter e is declared but given no value`},
		{"param bad text", func(s *Source) { s.Params[0].Text = "0.02/" }, `params.a: in "0.02/": unexpected end of expression`},
		{"param sum dims", func(s *Source) { s.Params[2].Text = "-65 mV + 1 ms" }, `dimensions disagree: -65 mV is V but 1 ms is s`},
		{"xi twice", func(s *Source) { s.Equations = "dv/dt = xi*xi*mV/ms : mV" }, `xi may appear only linearly`},
		{"xi in function", func(s *Source) { s.Equations = "dv/dt = exp(xi*ms**0.5)*mV/ms : mV" }, `xi may not appear inside a function`},
		{"xi in threshold", func(s *Source) { s.Threshold = "v > xi*mV*ms**0.5" }, `xi (white noise) may appear only in a differential equation`},
		{"flag", func(s *Source) { s.Equations = strings.Replace(izhikevich, ": mV\n", ": mV (unless refactory)\n", 1) }, `unknown flag "unless refactory" (known: unless refractory; pre, post, clock-driven and event-driven for plasticity rules)`},
		{"refractory dims", func(s *Source) { s.Refractory = "5 mV" }, `refractory: in "5 mV": expected a time (e.g. 5 ms), got dimension V`},
		{"refractory negative", func(s *Source) { s.Refractory = "-1 ms" }, `refractory: in "-1 ms": must be a finite time ≥ 0`},
		{"no equations", func(s *Source) { s.Equations = "# nothing\n" }, `equations: no equations given`},
		{"only declarations", func(s *Source) { s.Equations = "I : mV"; s.Threshold, s.Reset, s.Params = "", "", nil }, `no differential equation`},
		{"juxtaposed variable", func(s *Source) { s.Threshold = "v >= 30 u" }, `30 u: a number may be followed only by a unit`},
		{"unit shadowed", func(s *Source) {
			s.Equations = "dV/dt = -V/ms : mV"
			s.Threshold, s.Reset, s.Params = "V > 3 V", "", nil
		}, `3 V: V is a name of the model, not a unit here`},
		{"bad lhs", func(s *Source) { s.Equations = "d v dt = -v/ms : mV" }, `expected dx/dt = … or x = … on the left`},
		{"unbalanced", func(s *Source) { s.Equations = "dv/dt = (-v/ms : mV" }, `missing ')'`},
		{"cycle", func(s *Source) {
			s.Equations = "dv/dt = x/ms : mV\nx = y : mV\ny = x : mV"
			s.Threshold, s.Reset, s.Params = "", "", nil
		}, `subexpressions depend on each other in a cycle: x → y → x`},
		{"input undeclared sqrt", func(s *Source) { s.Equations = "dv/dt = sqrt(I) : mV" }, `the square root of the input I needs its dimension`},
		{"bad character", func(s *Source) { s.Equations = "dv/dt = v$ : mV" }, `unexpected character '$'`},
	} {
		src := base
		src.Params = append([]ParamSource(nil), base.Params...)
		tc.edit(&src)
		_, err := ParseNeuron(src)
		if tc.want == "" {
			if err != nil {
				t.Errorf("%s: unexpected %v", tc.name, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("%s: accepted", tc.name)
			continue
		}
		e := err.(*Error)
		msg := e.Part
		if e.Line > 0 {
			msg += " line " + strconv.Itoa(e.Line)
		}
		msg += ": " + e.Error()
		if !strings.Contains(msg, tc.want) {
			t.Errorf("%s:\n got  %s\n want %s", tc.name, msg, tc.want)
		}
	}
}

package eqs

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestReaderLimits: text nested a million levels deep (parentheses, signs,
// nots, powers, calls) or a million tokens long gives one error naming the
// part, the line and the limit, not a stack overflow.
func TestReaderLimits(t *testing.T) {
	const n = 1_000_000
	deep := strings.Repeat("(", n) + "v" + strings.Repeat(")", n)
	minus := strings.Repeat("-", n) + "v"
	long := "v" + strings.Repeat(" + v", n)
	tests := []struct {
		name      string
		src       Source
		part      string
		line      int
		wantError string
	}{
		{"parentheses", Source{Equations: "tau : ms\ndv/dt = " + deep + "/tau : 1"}, "equations", 2, "nests deeper than 256 levels"},
		{"unary minus", Source{Equations: "dv/dt = " + minus + "/ms : 1"}, "equations", 1, "nests deeper than 256 levels"},
		{"plus and minus", Source{Equations: "dv/dt = " + strings.Repeat("+-", n) + "v/ms : 1"}, "equations", 1, "nests deeper than 256 levels"},
		{"powers", Source{Equations: "dv/dt = v" + strings.Repeat("**1", n) + "/ms : 1"}, "equations", 1, "nests deeper than 256 levels"},
		{"calls", Source{Equations: "dv/dt = " + strings.Repeat("abs(", n) + "v" + strings.Repeat(")", n) + "/ms : 1"}, "equations", 1, "nests deeper than 256 levels"},
		{"not", Source{Equations: "dv/dt = -v/ms : 1", Threshold: strings.Repeat("not ", n) + "v > 1"}, "threshold", 0, "nests deeper than 256 levels"},
		{"reset", Source{Equations: "dv/dt = -v/ms : 1", Threshold: "v > 1", Reset: "v = " + deep}, "reset", 1, "nests deeper than 256 levels"},
		{"long sum", Source{Equations: "dv/dt = (" + long + ")/ms : 1"}, "equations", 1, "longer than 100000 tokens"},
		{"unit", Source{Equations: "dv/dt = -v/ms : " + strings.Repeat("(", n) + "1" + strings.Repeat(")", n) + "*1"}, "equations", 1, "nests deeper than 256 levels"},
		{"param", Source{Equations: "dv/dt = -v/tau : 1", Params: []ParamSource{{"tau", strings.Repeat("-", n) + "1 ms"}}}, "params.tau", 0, "nests deeper than 256 levels"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseNeuron(tt.src)
			var ee *Error
			if !errors.As(err, &ee) {
				t.Fatalf("got %v, want an *Error", err)
			}
			if ee.Part != tt.part || ee.Line != tt.line || !strings.Contains(ee.Msg, tt.wantError) {
				t.Fatalf("got part %q line %d: %v; want part %q line %d: …%s…", ee.Part, ee.Line, ee.Msg, tt.part, tt.line, tt.wantError)
			}
			if len(err.Error()) > 300 {
				t.Fatalf("the message is %d bytes long: %.300s", len(err.Error()), err)
			}
		})
	}
	// CheckExpr, the reader of per-neuron values, has the same limits.
	for _, text := range []string{deep, minus} {
		if _, _, err := CheckExpr(text, map[string]Dim{"v": Dimensionless}); err == nil || !strings.Contains(err.Error(), "nests deeper than 256 levels") {
			t.Errorf("CheckExpr of %.10s…: got %v", text, err)
		}
	}
}

// TestReaderWithinLimits: nesting up to the limit and long sums under it
// are read, to the value they have.
func TestReaderWithinLimits(t *testing.T) {
	for _, tt := range []struct {
		text string
		want float64
	}{
		{strings.Repeat("(", MaxNesting) + "2" + strings.Repeat(")", MaxNesting), 2},
		{strings.Repeat("-", MaxNesting) + "2", 2},
		{"1" + strings.Repeat(" + 1", 10_000), 10_001},
	} {
		e, err := ParseExpr(tt.text)
		if err != nil {
			t.Fatalf("%.20s…: %v", tt.text, err)
		}
		if got := Eval(e, nil); got != tt.want {
			t.Errorf("%.20s…: got %g, want %g", tt.text, got, tt.want)
		}
	}
	if _, err := ParseExpr(strings.Repeat("(", MaxNesting+1) + "2" + strings.Repeat(")", MaxNesting+1)); err == nil {
		t.Errorf("nesting %d levels was accepted", MaxNesting+1)
	}
}

// TestDimensionRange: dimension exponents do not wrap: a product or power
// taking an exponent past ±127 is an error naming the expression.
func TestDimensionRange(t *testing.T) {
	product := strings.TrimSuffix(strings.Repeat("mV*", 129), "*")
	for _, tt := range []struct{ text, want string }{
		{"1 ms**128", "exponent 128 is outside ±127"},
		{"(mV*mV)**2**61", "is outside ±127"},
		{"mV**1e300", "is outside ±127"},
		{product, "pass ±127"},
		{"1/(" + strings.TrimSuffix(strings.Repeat("ms*", 128), "*") + ")", "pass ±127"},
	} {
		if _, d, err := ParseQuantity(tt.text); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseQuantity(%.30s): got %v, %v; want …%s…", tt.text, d, err, tt.want)
		}
	}
	for _, tt := range []struct{ eq, want string }{
		{"dv/dt = v*(mV*mV)**2**61/ms : 1", "is outside ±127"},
		{"dv/dt = v*(" + product + ")/ms : 1", "pass ±127"},
		{"dv/dt = v*ms**128/ms : 1", "is outside ±127"},
		{"dv/dt = v*(I*I)**100/ms : 1\nI : mV", "within ±127"},
	} {
		_, err := ParseNeuron(Source{Equations: tt.eq})
		var ee *Error
		if !errors.As(err, &ee) || ee.Part != "equations" || !strings.Contains(ee.Msg, tt.want) {
			t.Errorf("%.40s: got %v; want an error in equations: …%s…", tt.eq, err, tt.want)
		}
	}
	// Within range, high powers keep their dimension.
	if _, d, err := ParseQuantity("ms**100/ms**100*ms**127"); err != nil || d != mustPow(Time, 127) {
		t.Errorf("ms**100/ms**100*ms**127: got %v, %v", d, err)
	}
}

// TestConstantFaults: a division by a parameter that is 0, the log of a
// negative constant, a reset dividing by 0 are errors when the model is
// read, naming the equation or statement and the parameter's value.
func TestConstantFaults(t *testing.T) {
	tau0 := []ParamSource{{"tau", "0 ms"}}
	for _, tt := range []struct {
		name string
		src  Source
		part string
		line int
		want string
	}{
		{"tau 0", Source{Equations: "dv/dt = -v/tau : 1", Params: tau0}, "equations", 1, "-v/tau divides by zero: tau is 0"},
		{"tau 0 in a product", Source{Equations: "x = 1/(2*tau) : 1/ms\ndv/dt = -v*x : 1", Params: tau0}, "equations", 1, "1/2*tau divides by zero: 2*tau is 0 (tau = 0)"},
		{"log of a negative", Source{Equations: "dv/dt = -v*log(a)/ms : 1", Params: []ParamSource{{"a", "-1"}}}, "equations", 1, "log(a) is NaN (a = -1)"},
		{"log(-1)", Source{Equations: "dv/dt = -v/ms : 1", Threshold: "v > 1", Reset: "v = log(-1)"}, "reset", 1, "log(-1) is NaN"},
		{"reset by zero", Source{Equations: "dv/dt = -v/ms : 1", Threshold: "v > 1", Reset: "v = 0\nv /= 0"}, "reset", 2, "v /= 0 divides v by zero"},
		{"reset by a zero parameter", Source{Equations: "dv/dt = -v/ms : 1", Threshold: "v > 1", Reset: "v /= a", Params: []ParamSource{{"a", "0"}}}, "reset", 1, "v /= a divides v by zero: a is 0"},
		{"threshold", Source{Equations: "dv/dt = -v/ms*z : 1", Threshold: "v > 1/z", Params: []ParamSource{{"z", "0"}}}, "threshold", 0, "1/z divides by zero: z is 0"},
		{"sqrt", Source{Equations: "dv/dt = -v*sqrt(a)/ms : 1", Params: []ParamSource{{"a", "-4"}}}, "equations", 1, "sqrt(a) is NaN"},
		{"power", Source{Equations: "dv/dt = -v*a**-1/ms : 1", Params: []ParamSource{{"a", "0"}}}, "equations", 1, "a**-1 is +Inf"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseNeuron(tt.src)
			var ee *Error
			if !errors.As(err, &ee) || ee.Part != tt.part || ee.Line != tt.line || !strings.Contains(ee.Msg, tt.want) {
				t.Fatalf("got %#v; want part %q line %d: …%s…", err, tt.part, tt.line, tt.want)
			}
		})
	}
	// Guarded or state-dependent divisions stay: where's branches, v/v.
	for _, src := range []Source{
		{Equations: "dv/dt = where(tau > 0 ms, -v/tau, -v/ms) : 1", Params: tau0},
		{Equations: "dv/dt = -(v/v)/ms : 1"},
		{Equations: "dv/dt = -v/ms : 1", Threshold: "v > 1", Reset: "v /= 2"},
	} {
		if _, err := ParseNeuron(src); err != nil {
			t.Errorf("%q: %v", src.Equations, err)
		}
	}
	// A population's own values are checked too.
	n, err := ParseNeuron(Source{Equations: "dv/dt = -v/tau : 1", Params: []ParamSource{{"tau", "10 ms"}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := n.CheckValues(map[string]float64{"tau": 0}, nil); err == nil || !strings.Contains(err.Error(), "-v/tau divides by zero") {
		t.Errorf("CheckValues(tau = 0): got %v", err)
	}
	if err := n.CheckValues(map[string]float64{"tau": 0}, func(string) bool { return true }); err != nil {
		t.Errorf("CheckValues(tau per neuron): got %v", err)
	}
}

// TestNonFiniteSource: a run's non-finite variable is traced to the reset
// statements assigning it, else to its equation and the subexpressions it
// reads, where their expressions may have no finite value.
func TestNonFiniteSource(t *testing.T) {
	n, err := ParseNeuron(Source{
		Equations: "dv/dt = (x - v)/ms : 1\ndu/dt = -u/ms : 1\nx = log(u + 2) : 1\ndw/dt = -w/ms : 1",
		Threshold: "v > 1", Reset: "v = log(v - 1.5)\nu += 1; w = 0"})
	require.NoError(t, err)
	for v, want := range map[string]string{
		"v": `the reset "v = log(v - 1.5)" (reset line 1)`,
		"u": "",
		"w": "", // nothing in w's equation or reset can be non-finite
	} {
		if got := n.NonFiniteSource(v); got != want {
			t.Errorf("%s: got %q, want %q", v, got, want)
		}
	}
	n, err = ParseNeuron(Source{Equations: "dv/dt = (x - v)/ms : 1\nx = sqrt(abs(v)) : 1", Threshold: "v > 1", Reset: "v = 0"})
	require.NoError(t, err)
	if got, want := n.NonFiniteSource("v"), `the subexpression "x = sqrt(abs(v)) : 1" (line 2)`; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestConstantFaultsInSynapses: a synapse's equations and on_pre and an
// output's current are checked the same way.
func TestConstantFaultsInSynapses(t *testing.T) {
	_, err := ParseSynapse(SynapseSource{Equations: "dg/dt = -g/tau : 1", OnPre: "g += w", Params: []ParamSource{{"tau", "0 ms"}}})
	if err == nil || !strings.Contains(err.Error(), "-g/tau divides by zero: tau is 0") {
		t.Errorf("synapse tau 0: got %v", err)
	}
	_, err = ParseSynapse(SynapseSource{Equations: "dg/dt = -g/ms : 1", OnPre: "g /= 0", Params: nil})
	if err == nil || !strings.Contains(err.Error(), "g /= 0 divides g by zero") {
		t.Errorf("synapse on_pre g /= 0: got %v", err)
	}
	_, err = ParseOutput(OutputSource{Current: "g*(E - V)/k", Params: []ParamSource{{"E", "0 mV"}, {"k", "0"}}}, Dimensionless)
	if err == nil || !strings.Contains(err.Error(), "divides by zero: k is 0") {
		t.Errorf("output k 0: got %v", err)
	}
}

// Eval of an expression no checker saw (found by FuzzParseExprDeep:
// where(0*where(0*…0)…) has one argument per where) is NaN, not a panic.
func TestEvalUncheckedCalls(t *testing.T) {
	for _, text := range []string{"where(0)", "where(0*where(0*0))", "clip(1, 2)", "min(1)", "exp(1, 2)", "nope(1)"} {
		e, err := ParseExpr(text)
		if err != nil {
			t.Fatalf("%s: %v", text, err)
		}
		if v := Eval(e, nil); !math.IsNaN(v) {
			t.Errorf("Eval(%s) = %g, expected NaN", text, v)
		}
		if _, _, err := CheckExpr(text, nil); err == nil {
			t.Errorf("CheckExpr(%s) accepted it", text)
		}
	}
}

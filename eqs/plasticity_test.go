package eqs

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// rstdp is reward-modulated STDP: an eligibility trace c per synapse, STDP
// traces per synapse, a weight following c times the modulator DA.
var rstdp = PlasticitySource{
	Equations: `dc/dt = -c/tau_c : 1 (clock-driven)
dw/dt = c*DA/tau_w : 1 (clock-driven)
dApre/dt = -Apre/taupre : 1 (event-driven)
dApost/dt = -Apost/taupost : 1 (event-driven)
DA : 1`,
	OnPre:      "Apre += 0.1; c = clip(c + Apost, -1, 1)",
	OnPost:     "Apost -= 0.12; c = clip(c + Apre, -1, 1)",
	Params:     []ParamSource{{"tau_c", "200 ms"}, {"tau_w", "100 ms"}, {"taupre", "20 ms"}, {"taupost", "20 ms"}},
	Modulators: []string{"DA"},
}

func TestParsePlasticitySynapseState(t *testing.T) {
	r, err := ParsePlasticity(rstdp)
	require.NoError(t, err)
	assert.Equal(t, []string{"c", "Apre", "Apost"}, r.SynapticNames())
	var clock, event []string
	for _, eq := range r.ClockDrivenVars() {
		clock = append(clock, eq.Var)
	}
	for _, eq := range r.EventDrivenVars() {
		event = append(event, eq.Var)
	}
	assert.Equal(t, []string{"c", "w"}, clock)
	assert.Equal(t, []string{"Apre", "Apost"}, event)
	assert.Equal(t, []string{"DA"}, r.Modulators)
	assert.Equal(t, Dimensionless, r.ModulatorDims["DA"])
	assert.Empty(t, r.Pre)
	assert.Empty(t, r.Post)

	// Brian2's declaration of the weight is accepted.
	src0 := rstdp
	src0.Equations = "w : 1\n" + strings.Replace(src0.Equations, "dw/dt = c*DA/tau_w : 1 (clock-driven)\n", "", 1)
	src0.OnPre += "; w = clip(w + c*DA, 0, 1)"
	src0.Params = []ParamSource{rstdp.Params[0], rstdp.Params[2], rstdp.Params[3]}
	_, err = ParsePlasticity(src0)
	require.NoError(t, err)
	src0.Equations = strings.Replace(src0.Equations, "w : 1", "w : mV", 1)
	_, err = ParsePlasticity(src0)
	require.ErrorContains(t, err, "the weight w is a number here (w : 1), not V")

	// A modulator declared with a unit carries it.
	src := rstdp
	src.Equations = strings.Replace(src.Equations, "DA : 1", "DA : mV", 1)
	src.Equations = strings.Replace(src.Equations, "c*DA/tau_w", "c*DA/(tau_w*mV)", 1)
	r, err = ParsePlasticity(src)
	require.NoError(t, err)
	assert.Equal(t, Voltage, r.ModulatorDims["DA"])
}

// Each bad rule gets one message that says what is wrong and where.
func TestParsePlasticitySynapseStateErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*PlasticitySource)
		want string
	}{
		{"unflagged", func(s *PlasticitySource) {
			s.Equations = strings.Replace(s.Equations, ": 1 (clock-driven)\ndw", ": 1\ndw", 1)
		},
			`in "dc/dt = -c/tau_c : 1": flag c with where it is kept: (pre) or (post) for a trace per neuron, (clock-driven) or (event-driven) for a variable per synapse`},
		{"two places", func(s *PlasticitySource) {
			s.Equations = strings.Replace(s.Equations, "(clock-driven)", "(pre, clock-driven)", 1)
		},
			`(pre) keeps a variable per neuron and (clock-driven) one per synapse: give one of them`},
		{"event-driven w", func(s *PlasticitySource) {
			s.Equations = strings.Replace(s.Equations, "c*DA/tau_w : 1 (clock-driven)", "c*DA/tau_w : 1 (event-driven)", 1)
		}, `the weight w is kept per synapse and changes every step by its equation: flag it (clock-driven)`},
		{"event-driven reads another", func(s *PlasticitySource) {
			s.Equations = strings.Replace(s.Equations, "-Apre/taupre", "-Apost/taupre", 1)
		},
			`in "dApre/dt = -Apost/taupre : 1 (event-driven)": an event-driven variable is solved over the time since its last update: its equation may read itself and parameters only, not the event-driven variable Apost`},
		{"event-driven not linear", func(s *PlasticitySource) {
			s.Equations = strings.Replace(s.Equations, "-Apre/taupre", "-Apre**2/taupre", 1)
		},
			`an event-driven equation must be linear in its variable (dx/dt = A·x + B, A and B of parameters), which is solved exactly between events; dApre/dt is not: make Apre clock-driven`},
		{"clock reads event", func(s *PlasticitySource) {
			s.Equations = strings.Replace(s.Equations, "-c/tau_c", "-c/tau_c + Apre/tau_c", 1)
		},
			`an event-driven variable is up to date only at its synapse's events: a clock-driven equation cannot read it (make it clock-driven), not the event-driven variable Apre`},
		{"trace reads synapse", func(s *PlasticitySource) {
			s.Equations += "\ndx/dt = -x/taupre + c/taupre : 1 (pre)"
			s.OnPre += "; x += 1"
		}, `a (pre) trace may read only (pre) traces and parameters, not the clock-driven variable c`},
		{"modulator assigned", func(s *PlasticitySource) { s.OnPre += "; DA = 0" },
			`in "DA = 0": DA is a modulator, read from the network: a rule cannot assign it`},
		{"modulator with an equation", func(s *PlasticitySource) {
			s.Equations = strings.Replace(s.Equations, "DA : 1", "dDA/dt = -DA/tau_c : 1 (clock-driven)", 1)
		},
			`DA is a modulator, read from the network: it takes no equation here`},
		{"modulator unused", func(s *PlasticitySource) {
			s.Modulators = append(s.Modulators, "ACh")
		}, `modulator ACh is not used by the equations, on_pre or on_post`},
		{"modulator twice", func(s *PlasticitySource) { s.Modulators = []string{"DA", "DA"} }, `modulator DA is given twice`},
		{"modulator reserved", func(s *PlasticitySource) { s.Modulators = []string{"t"} }, `"t" cannot name a modulator`},
		{"event-driven never set", func(s *PlasticitySource) { s.OnPre = "c = clip(c + Apost, -1, 1)" },
			`the event-driven variable Apre is never assigned by on_pre or on_post: it would stay 0`},
		{"drive flag on a subexpression", func(s *PlasticitySource) { s.Equations += "\nk = 2 : 1 (clock-driven)" },
			`(clock-driven) applies to differential equations only`},
		{"integrator", func(s *PlasticitySource) { s.Integrator = "rk4" },
			`expected exp_euler or euler (for the clock-driven variables), got "rk4"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := rstdp
			src.Modulators = append([]string(nil), rstdp.Modulators...)
			tc.edit(&src)
			for range 4 { // one message, every time
				_, err := ParsePlasticity(src)
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.want)
			}
		})
	}
	// The flags of plasticity rules mean nothing in a neuron model.
	_, err := ParseNeuron(Source{Equations: "dv/dt = -v/tau : 1 (clock-driven)", Params: []ParamSource{{"tau", "10 ms"}}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "(clock-driven) marks a plasticity rule's variable kept per synapse; it has no meaning here")
}

// ConstantRate finds the equations linear in their variable with a
// coefficient of parameters alone (exponential Euler's factor is then
// known before the run), and no others.
func TestConstantRate(t *testing.T) {
	for _, tc := range []struct {
		eq   string
		rate float64
		ok   bool
	}{
		{"dc/dt = -c/tau : 1 (clock-driven)", -0.5, true},
		{"dc/dt = (x_pre*x_post - c)/tau : 1 (clock-driven)", -0.5, true},
		{"dc/dt = DA*x_pre/tau : 1 (clock-driven)", 0, true},
		{"dc/dt = -c*DA/tau : 1 (clock-driven)", 0, false},
		{"dc/dt = -c**2/tau : 1 (clock-driven)", 0, false},
		{"dc/dt = -exp(c)/tau : 1 (clock-driven)", 0, false},
	} {
		src := PlasticitySource{
			Equations: tc.eq + "\ndx_pre/dt = -x_pre/tau : 1 (pre)\ndx_post/dt = -x_post/tau : 1 (post)\nDA : 1",
			OnPre:     "x_pre += 1; w = clip(w + c*DA, 0, 1)", OnPost: "x_post += 1",
			Params: []ParamSource{{"tau", "2 ms"}}, Modulators: []string{"DA"},
		}
		r, err := ParsePlasticity(src)
		require.NoError(t, err, tc.eq)
		rate, ok := r.ConstantRate(r.ClockDrivenVars()[0])
		assert.Equal(t, tc.ok, ok, tc.eq)
		assert.InDelta(t, tc.rate, rate, 1e-12, tc.eq)
	}
}

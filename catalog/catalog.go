// Package catalog is brainc's model catalogue: the name, kind, equations
// (as text), source, parameters and state variables of every model a spec
// may name. It is the single source of model names, parameter names,
// dimensions and defaults; ir reads it to parse and validate specs, and
// dynamics implements the models it lists under the same names.
//
// The package imports nothing else of brainc, so any package may import it.
package catalog

import (
	"sort"
	"strings"
)

// ParamSpec describes one parameter of a catalogue model.
type ParamSpec struct {
	// Name is the parameter's name as written in specs (e.g. "tau_ref").
	Name string
	// Dim is the parameter's dimension; values are stored in its base unit.
	Dim Dim
	// Default is the value used when a spec does not set the parameter, in
	// base units.
	Default float64
	// Doc is a one-line description.
	Doc string
	// Positive requires the value to be > 0.
	Positive bool
	// NonNegative requires the value to be >= 0 (implied by Positive).
	NonNegative bool
}

// StateSpec describes one state variable of a catalogue model.
type StateSpec struct {
	// Name is the variable's name as written in specs (e.g. "V").
	Name string
	// Dim is the variable's dimension.
	Dim Dim
	// Doc is a one-line description.
	Doc string
	// DefaultFrom names the parameter whose value is the variable's default
	// initial value; when "", Default is.
	DefaultFrom string
	// Default is the default initial value when DefaultFrom is "".
	Default float64
}

// ModelKind is the role of a catalogue model.
type ModelKind string

// Model kinds.
const (
	// KindNeuron models are the dynamics of a Population.
	KindNeuron ModelKind = "neuron"
	// KindSynapse models are the synaptic variable of a Projection.
	KindSynapse ModelKind = "synapse"
	// KindOutput models turn a synaptic variable into a postsynaptic current.
	KindOutput ModelKind = "output"
)

// ModelSpec describes a catalogue model: its equations (in Doc), where they
// come from, its parameters and its state variables. The catalogue is the
// single source of model parameter names, dimensions and defaults.
// ModelSpecs returned by LookupModel and Models are shared: do not modify them.
type ModelSpec struct {
	// Name is the model's name as written in specs (e.g. "LifRef").
	Name string
	// Kind is the model's role.
	Kind ModelKind
	// Doc summarises the model's equations.
	Doc string
	// Source cites the reference implementation or paper.
	Source string
	// Params lists the parameters in documentation order.
	Params []ParamSpec
	// States lists the state variables in documentation order.
	States []StateSpec
	// Below lists parameter pairs {a, b} that must satisfy a < b.
	Below [][2]string
	// PerPre is set for synapses whose states are kept per presynaptic
	// neuron (kinetic receptors); others' are kept per postsynaptic neuron.
	PerPre bool
	// NoSpikes is set for neuron models that never spike (rate models and
	// oscillators): their populations cannot drive a projection whose
	// synapse is driven by presynaptic spikes, nor a plasticity rule that
	// learns from their spikes.
	NoSpikes bool
	// Sends names the state variable a projection out of a population of
	// this rate model carries by default (its activity: WilsonCowan's E),
	// for a model with NoSpikes; "" when the projection must say which
	// (ir.Projection.Carries).
	Sends string
}

// Param returns the parameter with the given name.
func (m *ModelSpec) Param(name string) (*ParamSpec, bool) {
	for i := range m.Params {
		if m.Params[i].Name == name {
			return &m.Params[i], true
		}
	}
	return nil, false
}

// State returns the state variable with the given name.
func (m *ModelSpec) State(name string) (*StateSpec, bool) {
	for i := range m.States {
		if m.States[i].Name == name {
			return &m.States[i], true
		}
	}
	return nil, false
}

// Defaults returns a new map holding every parameter's default value.
func (m *ModelSpec) Defaults() map[string]float64 {
	d := make(map[string]float64, len(m.Params))
	for _, p := range m.Params {
		d[p.Name] = p.Default
	}
	return d
}

// ParamNames returns the parameter names in catalogue order, comma-separated
// (for error messages).
func (m *ModelSpec) ParamNames() string {
	names := make([]string, len(m.Params))
	for i, p := range m.Params {
		names[i] = p.Name
	}
	return strings.Join(names, ", ")
}

// StateNames returns the state names in catalogue order, comma-separated
// (for error messages).
func (m *ModelSpec) StateNames() string {
	names := make([]string, len(m.States))
	for i, s := range m.States {
		names[i] = s.Name
	}
	return strings.Join(names, ", ")
}

// catalog holds every model, in no particular order.
var catalog = []*ModelSpec{
	{
		Name: "LifRef",
		Kind: KindNeuron,
		Doc: "Leaky integrate-and-fire neuron with refractory period: " +
			"tau dV/dt = -(V - V_rest) + R*I; when V >= V_th the neuron spikes, " +
			"V is set to V_reset and held there for tau_ref.",
		Source: "BrainPy brainpy.dyn.LifRef; Brette et al. 2007",
		Params: []ParamSpec{
			{Name: "V_rest", Dim: Voltage, Default: 0, Doc: "resting potential"},
			{Name: "V_reset", Dim: Voltage, Default: -5, Doc: "reset potential after a spike"},
			{Name: "V_th", Dim: Voltage, Default: 20, Doc: "spike threshold"},
			{Name: "R", Dim: Dimensionless, Default: 1, Doc: "membrane resistance"},
			{Name: "tau", Dim: Time, Default: 10, Doc: "membrane time constant", Positive: true},
			{Name: "tau_ref", Dim: Time, Default: 0, Doc: "refractory period", NonNegative: true},
		},
		States: []StateSpec{
			{Name: "V", Dim: Voltage, Doc: "membrane potential", DefaultFrom: "V_rest"},
		},
		// A reset at or above threshold would fire on every step.
		Below: [][2]string{{"V_reset", "V_th"}},
	},
	{
		Name: "ExpIF",
		Kind: KindNeuron,
		Doc: "Exponential integrate-and-fire: tau dV/dt = -(V - V_rest) + delta_T*exp((V - V_T)/delta_T) + R*I; " +
			"V >= V_th is a spike: V = V_reset, held for tau_ref.",
		Source: "Fourcaud-Trocmé et al. 2003; BrainPy brainpy.dyn.ExpIF (defaults)",
		Params: params(ifVoltages, expUpswing, membrane),
		States: []StateSpec{{Name: "V", Dim: Voltage, Doc: "membrane potential", DefaultFrom: "V_rest"}},
		Below:  [][2]string{{"V_reset", "V_th"}},
	},
	{
		Name: "AdEx",
		Kind: KindNeuron,
		Doc: "Adaptive exponential integrate-and-fire: tau dV/dt = -(V - V_rest) + delta_T*exp((V - V_T)/delta_T) - R*w + R*I, " +
			"tau_w dw/dt = a*(V - V_rest) - w; on a spike (V >= V_th) V = V_reset, w += b.",
		Source: "Brette & Gerstner 2005; BrainPy brainpy.dyn.AdExIF (defaults)",
		Params: params(ifVoltages, expUpswing, []ParamSpec{
			{Name: "a", Dim: Dimensionless, Default: 1, Doc: "subthreshold adaptation coupling"},
			{Name: "b", Dim: Voltage, Default: 1, Doc: "spike-triggered adaptation increment"},
			{Name: "tau_w", Dim: Time, Default: 30, Doc: "adaptation time constant", Positive: true},
		}, membrane),
		States: []StateSpec{
			{Name: "V", Dim: Voltage, Doc: "membrane potential", DefaultFrom: "V_rest"},
			{Name: "w", Dim: Voltage, Doc: "adaptation variable"},
		},
		Below: [][2]string{{"V_reset", "V_th"}},
	},
	{
		Name: "QIF",
		Kind: KindNeuron,
		Doc: "Quadratic integrate-and-fire: tau dV/dt = c*(V - V_rest)*(V - V_c) + R*I; " +
			"V >= V_th is a spike: V = V_reset, held for tau_ref.",
		Source: "Latham et al. 2000; BrainPy brainpy.dyn.QuaIF (defaults)",
		Params: params(ifVoltages, []ParamSpec{
			{Name: "V_c", Dim: Voltage, Default: -50, Doc: "critical voltage for spike initiation"},
			{Name: "c", Dim: Dimensionless, Default: 0.07, Doc: "curvature, per mV", Positive: true},
		}, membrane),
		States: []StateSpec{{Name: "V", Dim: Voltage, Doc: "membrane potential", DefaultFrom: "V_rest"}},
		Below:  [][2]string{{"V_reset", "V_th"}},
	},
	{
		Name: "Izhikevich",
		Kind: KindNeuron,
		Doc: "Izhikevich neuron: dV/dt = 0.04*V^2 + 5*V + 140 - u + I, du/dt = a*(b*V - u); " +
			"V >= V_th is a spike: V = c, u += d. Defaults: regular spiking.",
		Source: "Izhikevich 2003; BrainPy brainpy.dyn.Izhikevich (defaults)",
		Params: []ParamSpec{
			{Name: "a", Dim: Dimensionless, Default: 0.02, Doc: "recovery rate, per ms", Positive: true},
			{Name: "b", Dim: Dimensionless, Default: 0.2, Doc: "recovery sensitivity"},
			{Name: "c", Dim: Voltage, Default: -65, Doc: "reset potential"},
			{Name: "d", Dim: Voltage, Default: 8, Doc: "recovery increment"},
			{Name: "V_th", Dim: Voltage, Default: 30, Doc: "spike cut-off"},
			{Name: "tau_ref", Dim: Time, Default: 0, Doc: "refractory period", NonNegative: true},
		},
		States: []StateSpec{
			{Name: "V", Dim: Voltage, Doc: "membrane potential", DefaultFrom: "c"},
			{Name: "u", Dim: Voltage, Doc: "recovery variable", Default: -13},
		},
		Below: [][2]string{{"c", "V_th"}},
	},
	{
		Name: "HH",
		Kind: KindNeuron,
		Doc: "Hodgkin-Huxley: C dV/dt = -g_Na*m^3*h*(V - E_Na) - g_K*n^4*(V - E_K) - g_L*(V - E_L) + I, " +
			"gates dx/dt = alpha_x(V)*(1 - x) - beta_x(V)*x; a spike is V crossing V_th upwards (no reset).",
		Source: "equations and rates of Hodgkin & Huxley 1952; defaults of BrainPy brainpy.dyn.HH (g_L 0.03 mS/cm²; 1952: 0.3)",
		Params: []ParamSpec{
			{Name: "E_Na", Dim: Voltage, Default: 50, Doc: "sodium reversal potential"},
			{Name: "E_K", Dim: Voltage, Default: -77, Doc: "potassium reversal potential"},
			{Name: "E_L", Dim: Voltage, Default: -54.387, Doc: "leak reversal potential"},
			{Name: "g_Na", Dim: Dimensionless, Default: 120, Doc: "sodium conductance, mS/cm²", NonNegative: true},
			{Name: "g_K", Dim: Dimensionless, Default: 36, Doc: "potassium conductance, mS/cm²", NonNegative: true},
			{Name: "g_L", Dim: Dimensionless, Default: 0.03, Doc: "leak conductance, mS/cm²", NonNegative: true},
			{Name: "C", Dim: Dimensionless, Default: 1, Doc: "membrane capacitance, µF/cm²", Positive: true},
			{Name: "V_th", Dim: Voltage, Default: 20, Doc: "spike detection threshold"},
			{Name: "tau_ref", Dim: Time, Default: 0, Doc: "time after a spike during which none is detected", NonNegative: true},
		},
		States: []StateSpec{
			{Name: "V", Dim: Voltage, Doc: "membrane potential", Default: -65},
			{Name: "m", Dim: Dimensionless, Doc: "Na activation", Default: 0.0529},
			{Name: "h", Dim: Dimensionless, Doc: "Na inactivation", Default: 0.5961},
			{Name: "n", Dim: Dimensionless, Doc: "K activation", Default: 0.3177},
		},
	},
	{
		Name: "TraubHH",
		Kind: KindNeuron,
		Doc: "Traub-Miles Hodgkin-Huxley neuron of the COBAHH benchmark, conductances per unit capacitance (1/ms): " +
			"C dV/dt = -g_L*(V - E_L) - g_Na*m^3*h*(V - E_Na) - g_K*n^4*(V - E_K) + I, rates shifted by V_T; " +
			"a spike is V >= V_th outside tau_ref (no reset).",
		Source: "Traub & Miles 1991; Brette et al. 2007 (COBAHH); Brian2 examples/COBAHH.py",
		Params: []ParamSpec{
			{Name: "E_Na", Dim: Voltage, Default: 50, Doc: "sodium reversal potential"},
			{Name: "E_K", Dim: Voltage, Default: -90, Doc: "potassium reversal potential"},
			{Name: "E_L", Dim: Voltage, Default: -60, Doc: "leak reversal potential"},
			{Name: "g_Na", Dim: Dimensionless, Default: 100, Doc: "sodium conductance / C, per ms (20 µS / 200 pF)", NonNegative: true},
			{Name: "g_K", Dim: Dimensionless, Default: 30, Doc: "potassium conductance / C, per ms (6 µS / 200 pF)", NonNegative: true},
			{Name: "g_L", Dim: Dimensionless, Default: 0.05, Doc: "leak conductance / C, per ms (10 nS / 200 pF)", NonNegative: true},
			{Name: "C", Dim: Dimensionless, Default: 1, Doc: "capacitance (conductances are already per C)", Positive: true},
			{Name: "V_T", Dim: Voltage, Default: -63, Doc: "shift of the gating curves"},
			{Name: "V_th", Dim: Voltage, Default: -20, Doc: "spike detection threshold"},
			{Name: "tau_ref", Dim: Time, Default: 3, Doc: "time after a spike during which none is detected", NonNegative: true},
		},
		States: []StateSpec{
			{Name: "V", Dim: Voltage, Doc: "membrane potential", DefaultFrom: "E_L"},
			{Name: "m", Dim: Dimensionless, Doc: "Na activation"},
			{Name: "h", Dim: Dimensionless, Doc: "Na inactivation"},
			{Name: "n", Dim: Dimensionless, Doc: "K activation"},
		},
	},
	{
		Name: "AdQuaIF",
		Kind: KindNeuron,
		Doc: "Adaptive quadratic integrate-and-fire: tau dV/dt = c*(V - V_rest)*(V - V_c) - w + I, " +
			"tau_w dw/dt = a*(V - V_rest) - w; on a spike (V >= V_th) V = V_reset, w += b.",
		Source: "Izhikevich 2007; BrainPy brainpy.dyn.AdQuaIF (defaults)",
		Params: params(ifVoltages, []ParamSpec{
			{Name: "V_c", Dim: Voltage, Default: -50, Doc: "critical voltage for spike initiation"},
			{Name: "c", Dim: Dimensionless, Default: 0.07, Doc: "curvature, per mV", Positive: true},
			{Name: "a", Dim: Dimensionless, Default: 1, Doc: "subthreshold adaptation coupling"},
			{Name: "b", Dim: Voltage, Default: 0.1, Doc: "spike-triggered adaptation increment"},
			{Name: "tau", Dim: Time, Default: 10, Doc: "membrane time constant", Positive: true},
			{Name: "tau_w", Dim: Time, Default: 10, Doc: "adaptation time constant", Positive: true},
			{Name: "tau_ref", Dim: Time, Default: 0, Doc: "refractory period", NonNegative: true},
		}),
		States: []StateSpec{
			{Name: "V", Dim: Voltage, Doc: "membrane potential", DefaultFrom: "V_rest"},
			{Name: "w", Dim: Voltage, Doc: "adaptation variable"},
		},
		Below: [][2]string{{"V_reset", "V_th"}},
	},
	{
		Name: "MorrisLecar",
		Kind: KindNeuron,
		Doc: "Morris-Lecar: C dV/dt = -g_Ca*m_inf(V)*(V - V_Ca) - g_K*W*(V - V_K) - g_L*(V - V_L) + I, " +
			"dW/dt = phi*(W_inf(V) - W)/tau_W(V); a spike is V crossing V_th upwards (no reset).",
		Source: "Morris & Lecar 1981; BrainPy brainpy.dyn.MorrisLecar (defaults)",
		Params: []ParamSpec{
			{Name: "V_Ca", Dim: Voltage, Default: 130, Doc: "calcium reversal potential"},
			{Name: "g_Ca", Dim: Dimensionless, Default: 4.4, Doc: "calcium conductance", NonNegative: true},
			{Name: "V_K", Dim: Voltage, Default: -84, Doc: "potassium reversal potential"},
			{Name: "g_K", Dim: Dimensionless, Default: 8, Doc: "potassium conductance", NonNegative: true},
			{Name: "V_L", Dim: Voltage, Default: -60, Doc: "leak reversal potential"},
			{Name: "g_L", Dim: Dimensionless, Default: 2, Doc: "leak conductance", NonNegative: true},
			{Name: "C", Dim: Dimensionless, Default: 20, Doc: "membrane capacitance", Positive: true},
			{Name: "V1", Dim: Voltage, Default: -1.2, Doc: "m_inf midpoint"},
			{Name: "V2", Dim: Voltage, Default: 18, Doc: "m_inf slope", Positive: true},
			{Name: "V3", Dim: Voltage, Default: 2, Doc: "W_inf midpoint"},
			{Name: "V4", Dim: Voltage, Default: 30, Doc: "W_inf slope", Positive: true},
			{Name: "phi", Dim: Dimensionless, Default: 0.04, Doc: "W rate scale, per ms", Positive: true},
			{Name: "V_th", Dim: Voltage, Default: 10, Doc: "spike detection threshold"},
		},
		States: []StateSpec{
			{Name: "V", Dim: Voltage, Doc: "membrane potential", DefaultFrom: "V_L"},
			{Name: "W", Dim: Dimensionless, Doc: "K activation", Default: 0.0149},
		},
	},
	{
		Name: "WangBuzsaki",
		Kind: KindNeuron,
		Doc: "Wang-Buzsaki fast-spiking interneuron: HH-type with instantaneous Na activation m_inf, " +
			"h and n rates scaled by phi; a spike is V crossing V_th upwards (no reset).",
		Source: "Wang & Buzsaki 1996; BrainPy brainpy.dyn.WangBuzsakiHH (defaults)",
		Params: []ParamSpec{
			{Name: "E_Na", Dim: Voltage, Default: 55, Doc: "sodium reversal potential"},
			{Name: "E_K", Dim: Voltage, Default: -90, Doc: "potassium reversal potential"},
			{Name: "E_L", Dim: Voltage, Default: -65, Doc: "leak reversal potential"},
			{Name: "g_Na", Dim: Dimensionless, Default: 35, Doc: "sodium conductance, mS/cm²", NonNegative: true},
			{Name: "g_K", Dim: Dimensionless, Default: 9, Doc: "potassium conductance, mS/cm²", NonNegative: true},
			{Name: "g_L", Dim: Dimensionless, Default: 0.1, Doc: "leak conductance, mS/cm²", NonNegative: true},
			{Name: "C", Dim: Dimensionless, Default: 1, Doc: "membrane capacitance, µF/cm²", Positive: true},
			{Name: "phi", Dim: Dimensionless, Default: 5, Doc: "temperature factor of h and n", Positive: true},
			{Name: "V_th", Dim: Voltage, Default: 0, Doc: "spike detection threshold"},
		},
		States: []StateSpec{
			{Name: "V", Dim: Voltage, Doc: "membrane potential", DefaultFrom: "E_L"},
			{Name: "h", Dim: Dimensionless, Doc: "Na inactivation", Default: 0.6},
			{Name: "n", Dim: Dimensionless, Doc: "K activation", Default: 0.3},
		},
	},
	{
		Name: "FHN",
		Kind: KindNeuron,
		Doc: "FitzHugh-Nagumo oscillator: dV/dt = V - V^3/3 - w + I, dw/dt = (V + a - b*w)/tau; " +
			"an upward crossing of V_th is reported as a spike (no reset).",
		Source: "FitzHugh 1961; Nagumo et al. 1962 (classic parameters)",
		Params: []ParamSpec{
			{Name: "a", Dim: Dimensionless, Default: 0.7, Doc: "recovery offset"},
			{Name: "b", Dim: Dimensionless, Default: 0.8, Doc: "recovery damping"},
			{Name: "tau", Dim: Time, Default: 12.5, Doc: "recovery time constant", Positive: true},
			{Name: "V_th", Dim: Dimensionless, Default: 1, Doc: "crossing reported as a spike"},
		},
		States: []StateSpec{
			{Name: "V", Dim: Dimensionless, Doc: "fast (voltage-like) variable", Default: -1.2},
			{Name: "w", Dim: Dimensionless, Doc: "recovery variable", Default: -0.6},
		},
	},
	{
		Name:  "WilsonCowan",
		Sends: "E",
		Kind:  KindNeuron,
		Doc: "Wilson-Cowan E-I rate pair: tau_E dE/dt = -E + (1 - r*E)*S_E(w_EE*E - w_EI*I + input), " +
			"tau_I dI/dt = -I + (1 - r*I)*S_I(w_IE*E - w_II*I), S(x) = 1/(1+exp(-a(x-theta))) - 1/(1+exp(a*theta)); no spikes.",
		Source:   "Wilson & Cowan 1972; BrainPy brainpy.dyn.WilsonCowanModel (defaults)",
		NoSpikes: true,
		Params: []ParamSpec{
			{Name: "tau_E", Dim: Time, Default: 1, Doc: "excitatory time constant", Positive: true},
			{Name: "tau_I", Dim: Time, Default: 1, Doc: "inhibitory time constant", Positive: true},
			{Name: "a_E", Dim: Dimensionless, Default: 1.2, Doc: "excitatory gain"},
			{Name: "a_I", Dim: Dimensionless, Default: 1, Doc: "inhibitory gain"},
			{Name: "theta_E", Dim: Dimensionless, Default: 2.8, Doc: "excitatory threshold"},
			{Name: "theta_I", Dim: Dimensionless, Default: 4, Doc: "inhibitory threshold"},
			{Name: "w_EE", Dim: Dimensionless, Default: 12, Doc: "E to E coupling"},
			{Name: "w_EI", Dim: Dimensionless, Default: 4, Doc: "I to E coupling"},
			{Name: "w_IE", Dim: Dimensionless, Default: 13, Doc: "E to I coupling"},
			{Name: "w_II", Dim: Dimensionless, Default: 11, Doc: "I to I coupling"},
			{Name: "r", Dim: Dimensionless, Default: 1, Doc: "refractoriness"},
		},
		States: []StateSpec{
			{Name: "E", Dim: Dimensionless, Doc: "excitatory rate"},
			{Name: "I", Dim: Dimensionless, Doc: "inhibitory rate"},
		},
	},
	{
		Name:  "StuartLandau",
		Sends: "x",
		Kind:  KindNeuron,
		Doc: "Stuart-Landau oscillator (Hopf normal form): dx/dt = (mu - x^2 - y^2)x - omega*y + I, " +
			"dy/dt = (mu - x^2 - y^2)y + omega*x; limit cycle of radius sqrt(mu) at angular frequency omega; no spikes.",
		Source:   "Landau 1944; Stuart 1960; BrainPy brainpy.dyn.StuartLandauOscillator",
		NoSpikes: true,
		Params: []ParamSpec{
			{Name: "mu", Dim: Dimensionless, Default: 1, Doc: "bifurcation parameter"},
			{Name: "omega", Dim: Dimensionless, Default: 1, Doc: "angular frequency, rad/ms"},
		},
		States: []StateSpec{
			{Name: "x", Dim: Dimensionless, Doc: "first coordinate", Default: 1},
			{Name: "y", Dim: Dimensionless, Doc: "second coordinate"},
		},
	},
	{
		Name:     "ThresholdLinear",
		Sends:    "r",
		Kind:     KindNeuron,
		Doc:      "Threshold-linear rate unit: tau dr/dt = -r + beta*max(I, 0); no spikes.",
		Source:   "Chaudhuri et al. 2015 (Neuron 88:419); BrainPy brainpy.dyn.ThresholdLinearModel (its E unit's defaults)",
		NoSpikes: true,
		Params: []ParamSpec{
			{Name: "tau", Dim: Time, Default: 20, Doc: "time constant", Positive: true},
			{Name: "beta", Dim: Dimensionless, Default: 0.066, Doc: "gain per unit input"},
		},
		States: []StateSpec{
			{Name: "r", Dim: Dimensionless, Doc: "rate"},
		},
	},
	{
		Name: "JansenRit",
		Kind: KindNeuron,
		Doc: "Jansen-Rit cortical column: y0' = y3, y3' = A a S(y1 - y2) - 2a y3 - a^2 y0; y1' = y4, " +
			"y4' = A a (p + I + 0.8C S(C y0)) - 2a y4 - a^2 y1; y2' = y5, y5' = B b 0.25C S(0.25C y0) - 2b y5 - b^2 y2; " +
			"S(v) = 2 e0/(1 + exp(r (v0 - v))); y1 - y2 is the EEG; no spikes.",
		Source:   "Jansen & Rit 1995 (Biol. Cybern. 73:357); The Virtual Brain's JansenRit (defaults, per ms)",
		NoSpikes: true,
		Params: []ParamSpec{
			{Name: "A", Dim: Voltage, Default: 3.25, Doc: "excitatory synaptic gain", Positive: true},
			{Name: "B", Dim: Voltage, Default: 22, Doc: "inhibitory synaptic gain", Positive: true},
			{Name: "a", Dim: Rate, Default: 100, Doc: "excitatory rate constant", Positive: true},
			{Name: "b", Dim: Rate, Default: 50, Doc: "inhibitory rate constant", Positive: true},
			{Name: "C", Dim: Dimensionless, Default: 135, Doc: "connectivity constant (C1 = C, C2 = 0.8C, C3 = C4 = 0.25C)"},
			{Name: "e0", Dim: Rate, Default: 2.5, Doc: "half the sigmoid's maximal firing rate", Positive: true},
			{Name: "v0", Dim: Voltage, Default: 5.52, Doc: "potential at half the maximal firing rate (TVB's; Jansen & Rit 1995 used 6 mV)"},
			{Name: "r", Dim: Dimensionless, Default: 0.56, Doc: "sigmoid steepness, per mV", Positive: true},
			{Name: "p", Dim: Rate, Default: 220, Doc: "external firing into the pyramidal cells"},
		},
		States: []StateSpec{
			{Name: "y0", Dim: Voltage, Doc: "pyramidal cells' output potential"},
			{Name: "y1", Dim: Voltage, Doc: "excitatory potential onto the pyramidal cells"},
			{Name: "y2", Dim: Voltage, Doc: "inhibitory potential onto the pyramidal cells"},
			{Name: "y3", Dim: Dimensionless, Doc: "y0's derivative, mV/ms"},
			{Name: "y4", Dim: Dimensionless, Doc: "y1's derivative, mV/ms"},
			{Name: "y5", Dim: Dimensionless, Doc: "y2's derivative, mV/ms"},
		},
	},
	{
		Name: "GIF",
		Kind: KindNeuron,
		Doc: "Generalized integrate-and-fire: dI1/dt = -k1*I1, dI2/dt = -k2*I2, " +
			"tau dV/dt = -(V - V_rest) + R*(I + I1 + I2), dV_th/dt = a*(V - V_rest) - b*(V_th - V_th_inf); " +
			"V >= V_th is a spike: I1 = R1*I1 + A1, I2 = R2*I2 + A2, V = V_reset, V_th = max(V_th_reset, V_th), V held for tau_ref.",
		Source: "Mihalas & Niebur 2009; BrainPy brainpy.dyn.GifRef (defaults)",
		Params: []ParamSpec{
			{Name: "V_rest", Dim: Voltage, Default: -70, Doc: "resting potential"},
			{Name: "V_reset", Dim: Voltage, Default: -70, Doc: "reset potential"},
			{Name: "V_th_inf", Dim: Voltage, Default: -50, Doc: "target value of the threshold"},
			{Name: "V_th_reset", Dim: Voltage, Default: -60, Doc: "lower bound of the threshold after a spike"},
			{Name: "R", Dim: Dimensionless, Default: 20, Doc: "membrane resistance"},
			{Name: "tau", Dim: Time, Default: 20, Doc: "membrane time constant", Positive: true},
			{Name: "a", Dim: Dimensionless, Default: 0, Doc: "threshold coupling to V, per ms"},
			{Name: "b", Dim: Dimensionless, Default: 0.01, Doc: "threshold relaxation rate, per ms", NonNegative: true},
			{Name: "k1", Dim: Dimensionless, Default: 0.2, Doc: "decay rate of I1, per ms", NonNegative: true},
			{Name: "k2", Dim: Dimensionless, Default: 0.02, Doc: "decay rate of I2, per ms", NonNegative: true},
			{Name: "R1", Dim: Dimensionless, Default: 0, Doc: "fraction of I1 kept at a spike"},
			{Name: "R2", Dim: Dimensionless, Default: 1, Doc: "fraction of I2 kept at a spike"},
			{Name: "A1", Dim: Dimensionless, Default: 0, Doc: "spike-triggered increment of I1"},
			{Name: "A2", Dim: Dimensionless, Default: 0, Doc: "spike-triggered increment of I2"},
			{Name: "tau_ref", Dim: Time, Default: 0, Doc: "refractory period", NonNegative: true},
		},
		States: []StateSpec{
			{Name: "V", Dim: Voltage, Doc: "membrane potential", DefaultFrom: "V_rest"},
			{Name: "I1", Dim: Dimensionless, Doc: "fast spike-induced current"},
			{Name: "I2", Dim: Dimensionless, Doc: "slow spike-induced current"},
			{Name: "V_th", Dim: Voltage, Doc: "spike threshold", DefaultFrom: "V_th_inf"},
		},
	},
	{
		Name: "Kuramoto",
		Kind: KindNeuron,
		Doc: "Kuramoto phase oscillators coupled all to all within the population: " +
			"dtheta_i/dt = omega_i + (K/N)*sum_j sin(theta_j - theta_i) + I_i, computed through the order parameter; " +
			"theta unwrapped (rad), omega a per-oscillator constant state; no spikes.",
		Source:   "Kuramoto 1975; Strogatz 2000",
		NoSpikes: true,
		Params: []ParamSpec{
			{Name: "K", Dim: Dimensionless, Default: 1, Doc: "coupling strength, rad/ms"},
			{Name: "omega0", Dim: Dimensionless, Default: 1, Doc: "default natural frequency, rad/ms"},
		},
		States: []StateSpec{
			{Name: "theta", Dim: Dimensionless, Doc: "phase, rad (unwrapped)"},
			{Name: "omega", Dim: Dimensionless, Doc: "natural frequency, rad/ms (constant)", DefaultFrom: "omega0"},
		},
	},
	{
		Name: "SpikeTimes",
		Kind: KindNeuron,
		Doc: "Given spike times: neuron indices[k] fires at times[k] (rounded to the step), from the population's " +
			"spikes: {times, indices} or {file}; no membrane potential, no input (a source for projections only).",
		Source: "Brian2 SpikeGeneratorGroup; BrainPy brainpy.dyn.SpikeTimeGroup",
	},
	{
		Name: "Poisson",
		Kind: KindNeuron,
		Doc: "Poisson spike sources: each neuron fires in a step with probability rate*dt, independently; " +
			"no membrane potential, no input (a source for projections only).",
		Source: "BrainPy brainpy.dyn.PoissonGroup; Brian2 PoissonGroup",
		Params: []ParamSpec{
			{Name: "rate", Dim: Rate, Default: 10, Doc: "firing rate", NonNegative: true},
		},
	},
	{
		Name:   "Delta",
		Kind:   KindSynapse,
		Doc:    "No synaptic dynamics: g is the summed weight of the spikes arriving in this step, for one step (with output Delta a voltage jump, with CUBA a one-step current pulse).",
		Source: "BrainPy brainpy.dyn.Delta; NEST iaf_psc_delta; Izhikevich 2003",
		States: []StateSpec{
			{Name: "g", Dim: Dimensionless, Doc: "this step's arriving weight"},
		},
	},
	{
		Name: "Expon",
		Kind: KindSynapse,
		Doc: "Single-exponential synapse: dg/dt = -g/tau; " +
			"g += weight on each presynaptic spike.",
		Source: "BrainPy brainpy.dyn.Expon; Brette et al. 2007",
		Params: []ParamSpec{
			{Name: "tau", Dim: Time, Default: 8, Doc: "decay time constant", Positive: true},
		},
		States: []StateSpec{
			{Name: "g", Dim: Dimensionless, Doc: "synaptic conductance"},
		},
	},
	{
		Name: "DualExpon",
		Kind: KindSynapse,
		Doc: "Difference-of-exponentials synapse: dg/dt = -g/tau_decay + h, dh/dt = -h/tau_rise; " +
			"h += A*weight per event, A normalising one event's peak g to the weight; advanced by its exact propagator.",
		Source: "BrainPy brainpy.dyn.DualExpon; Brian2 biexponential synapse",
		Params: []ParamSpec{
			{Name: "tau_rise", Dim: Time, Default: 1, Doc: "rise time constant", Positive: true},
			{Name: "tau_decay", Dim: Time, Default: 10, Doc: "decay time constant (> tau_rise)", Positive: true},
		},
		States: []StateSpec{
			{Name: "g", Dim: Dimensionless, Doc: "synaptic conductance"},
			{Name: "h", Dim: Dimensionless, Doc: "rise variable"},
		},
		Below: [][2]string{{"tau_rise", "tau_decay"}},
	},
	{
		Name: "Alpha",
		Kind: KindSynapse,
		Doc: "Alpha synapse, DualExpon with tau_rise = tau_decay = tau: one event of weight w gives " +
			"g(t) = w*(t/tau)*exp(1 - t/tau), peaking at w at t = tau.",
		Source: "BrainPy brainpy.dyn.Alpha; Rall 1967",
		Params: []ParamSpec{
			{Name: "tau", Dim: Time, Default: 8, Doc: "time constant (time to peak)", Positive: true},
		},
		States: []StateSpec{
			{Name: "g", Dim: Dimensionless, Doc: "synaptic conductance"},
			{Name: "h", Dim: Dimensionless, Doc: "rise variable"},
		},
	},
	{
		Name: "AMPA",
		Kind: KindSynapse,
		Doc: "AMPA receptor kinetics, kept per presynaptic neuron: dg/dt = alpha*[T]*(1 - g) - beta*g, a spike " +
			"releasing transmitter T for T_dur; each post neuron receives sum_j w_ij*g_j; integrated exactly.",
		Source: "Destexhe, Mainen & Sejnowski 1994; BrainPy brainpy.dyn.AMPA (defaults)",
		Params: kineticParams(0.98, 0.18, 0.5, 0.5),
		States: kineticStates,
		PerPre: true,
	},
	{
		Name: "GABAa",
		Kind: KindSynapse,
		Doc: "GABA_A receptor kinetics, kept per presynaptic neuron: the AMPA scheme with its own rates " +
			"(use a COBA output with E about -80 mV).",
		Source: "Destexhe, Mainen & Sejnowski 1994; BrainPy brainpy.dyn.GABAa (defaults)",
		Params: kineticParams(0.53, 0.18, 1, 1),
		States: kineticStates,
		PerPre: true,
	},
	{
		Name: "NMDA",
		Kind: KindSynapse,
		Doc: "Saturating NMDA receptor, kept per presynaptic neuron: dg/dt = -g/tau_decay + a*x*(1 - g), " +
			"dx/dt = -x/tau_rise, x += 1 per spike; pair it with the MgBlock output.",
		Source: "Wang 2002; BrainPy brainpy.dyn.NMDA (defaults)",
		Params: []ParamSpec{
			{Name: "a", Dim: Dimensionless, Default: 0.5, Doc: "saturation rate, 1/ms", Positive: true},
			{Name: "tau_rise", Dim: Time, Default: 2, Doc: "rise time constant of x", Positive: true},
			{Name: "tau_decay", Dim: Time, Default: 100, Doc: "decay time constant of g", Positive: true},
		},
		States: []StateSpec{
			{Name: "g", Dim: Dimensionless, Doc: "open fraction, in [0, 1)"},
			{Name: "x", Dim: Dimensionless, Doc: "glutamate-bound gating variable"},
		},
		PerPre: true,
	},
	{
		Name: "GapJunction",
		Kind: KindSynapse,
		Doc: "Electrical coupling within one population: each connection (i, j) is a junction of conductance " +
			"weight, both ways, so I_i = weight * sum_j (V_j - V_i); no state; use output CUBA.",
		Source: "BrainPy brainpy.dyn.GapJunction; Brian2 gap-junction example",
	},
	{
		Name:   "Delta",
		Kind:   KindOutput,
		Doc:    "Voltage jump: V += g right after the step's integration, before the threshold is checked; a refractory neuron's potential is held, so jumps arriving then are lost. Use with synapse Delta (weights in mV).",
		Source: "BrainPy brainpy.dyn.Delta; NEST iaf_psc_delta",
	},
	{
		Name:   "CUBA",
		Kind:   KindOutput,
		Doc:    "Current-based output: I = g.",
		Source: "BrainPy brainpy.dyn.CUBA",
	},
	{
		Name:   "MgBlock",
		Kind:   KindOutput,
		Doc:    "NMDA output with the magnesium block: I = g * (E - V) / (1 + cc_Mg/beta * exp(-alpha * V)).",
		Source: "Jahr & Stevens 1990; BrainPy brainpy.dyn.MgBlock (defaults)",
		Params: []ParamSpec{
			{Name: "E", Dim: Voltage, Default: 0, Doc: "reversal potential"},
			{Name: "cc_Mg", Dim: Dimensionless, Default: 1.2, Doc: "extracellular Mg²⁺ concentration, mM", NonNegative: true},
			{Name: "alpha", Dim: Dimensionless, Default: 0.062, Doc: "voltage sensitivity of the block, per mV"},
			{Name: "beta", Dim: Dimensionless, Default: 3.57, Doc: "Mg²⁺ concentration of half block at 0 mV, mM", Positive: true},
		},
	},
	{
		Name:   "COBA",
		Kind:   KindOutput,
		Doc:    "Conductance-based output: I = g * (E - V), V the postsynaptic membrane potential.",
		Source: "BrainPy brainpy.dyn.COBA; Brette et al. 2007",
		Params: []ParamSpec{
			{Name: "E", Dim: Voltage, Default: 0, Doc: "reversal potential"},
		},
	},
}

// LookupModel returns the catalogue model of the given kind and name
// (case-sensitive).
func LookupModel(kind ModelKind, name string) (*ModelSpec, bool) {
	registeredMu.RLock()
	defer registeredMu.RUnlock()
	return lookup(kind, name)
}

// lookup is LookupModel with the registry's lock held.
func lookup(kind ModelKind, name string) (*ModelSpec, bool) {
	for _, list := range [][]*ModelSpec{catalog, registered} {
		for _, m := range list {
			if m.Kind == kind && m.Name == name {
				return m, true
			}
		}
	}
	return nil, false
}

// Models returns every catalogue model (built-in and registered), sorted
// by kind then name.
func Models() []*ModelSpec {
	registeredMu.RLock()
	out := append(append([]*ModelSpec(nil), catalog...), registered...)
	registeredMu.RUnlock()
	sort.Slice(out, func(i, j int) bool {
		if out[i].Kind != out[j].Kind {
			return out[i].Kind < out[j].Kind
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// ModelNames returns the names of the models of one kind, sorted,
// comma-separated (for error messages).
func ModelNames(kind ModelKind) string {
	var names []string
	for _, m := range Models() {
		if m.Kind == kind {
			names = append(names, m.Name)
		}
	}
	return strings.Join(names, ", ")
}

// Parameter groups shared by the integrate-and-fire families (BrainPy's
// defaults), joined by params.
var (
	ifVoltages = []ParamSpec{
		{Name: "V_rest", Dim: Voltage, Default: -65, Doc: "resting potential"},
		{Name: "V_reset", Dim: Voltage, Default: -68, Doc: "reset potential"},
		{Name: "V_th", Dim: Voltage, Default: -30, Doc: "spike cut-off"},
	}
	expUpswing = []ParamSpec{
		{Name: "V_T", Dim: Voltage, Default: -59.9, Doc: "threshold of the exponential upswing"},
		{Name: "delta_T", Dim: Voltage, Default: 3.48, Doc: "slope factor", Positive: true},
	}
	membrane = []ParamSpec{
		{Name: "R", Dim: Dimensionless, Default: 1, Doc: "membrane resistance"},
		{Name: "tau", Dim: Time, Default: 10, Doc: "membrane time constant", Positive: true},
		{Name: "tau_ref", Dim: Time, Default: 0, Doc: "refractory period", NonNegative: true},
	}
)

// params concatenates parameter groups into a new list.
func params(groups ...[]ParamSpec) []ParamSpec {
	var out []ParamSpec
	for _, g := range groups {
		out = append(out, g...)
	}
	return out
}

// kineticParams are the parameters of a two-state receptor scheme with the
// given defaults.
func kineticParams(alpha, beta, t, tDur float64) []ParamSpec {
	return []ParamSpec{
		{Name: "alpha", Dim: Dimensionless, Default: alpha, Doc: "binding rate, 1/(ms*mM)", Positive: true},
		{Name: "beta", Dim: Dimensionless, Default: beta, Doc: "unbinding rate, 1/ms", Positive: true},
		{Name: "T", Dim: Dimensionless, Default: t, Doc: "transmitter concentration of a release, mM", NonNegative: true},
		{Name: "T_dur", Dim: Time, Default: tDur, Doc: "duration of a release", NonNegative: true},
	}
}

// kineticStates are the states of a two-state receptor scheme.
var kineticStates = []StateSpec{
	{Name: "g", Dim: Dimensionless, Doc: "open fraction, in [0, 1)"},
	{Name: "r", Dim: Time, Doc: "transmitter time left"},
}

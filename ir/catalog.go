package ir

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
	// initial value; "" means the default initial value is 0.
	DefaultFrom string
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

// paramNames returns the parameter names in catalogue order, comma-separated.
func (m *ModelSpec) paramNames() string {
	names := make([]string, len(m.Params))
	for i, p := range m.Params {
		names[i] = p.Name
	}
	return strings.Join(names, ", ")
}

// stateNames returns the state names in catalogue order, comma-separated.
func (m *ModelSpec) stateNames() string {
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
		Name:   "CUBA",
		Kind:   KindOutput,
		Doc:    "Current-based output: I = g.",
		Source: "BrainPy brainpy.dyn.CUBA",
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
	for _, m := range catalog {
		if m.Kind == kind && m.Name == name {
			return m, true
		}
	}
	return nil, false
}

// Models returns every catalogue model, sorted by kind then name.
func Models() []*ModelSpec {
	out := append([]*ModelSpec(nil), catalog...)
	sort.Slice(out, func(i, j int) bool {
		if out[i].Kind != out[j].Kind {
			return out[i].Kind < out[j].Kind
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// modelNames returns the names of the models of one kind, sorted,
// comma-separated.
func modelNames(kind ModelKind) string {
	var names []string
	for _, m := range Models() {
		if m.Kind == kind {
			names = append(names, m.Name)
		}
	}
	return strings.Join(names, ", ")
}

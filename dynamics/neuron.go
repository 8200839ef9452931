package dynamics

import (
	"fmt"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // graph DSL
	"github.com/gomlx/gomlx/pkg/core/tensors"

	"github.com/brainc/brainc/ops"
)

// Vars maps state-variable names to their graph values.
type Vars map[string]*Node

// StateVar declares one state variable of a model.
type StateVar struct {
	// Name of the variable, e.g. "V".
	Name string
	// DType of the variable: Float32/Float64 (the simulation's float type) for
	// integrated states, Int32 for step counters, Bool for flags.
	DType dtypes.DType
}

// Step is what a neuron update sees of the clock.
type Step struct {
	// Index is the current step number (scalar Int32); time t = Index·Dt.
	Index *Node
	// Dt is the step in ms.
	Dt float64
	// Surrogate, when set (training), makes spikes floats of the simulation
	// type with this surrogate gradient, and resets differentiable. Nil in
	// simulation, where spikes are Bool.
	Surrogate *ops.Surrogate
	// Normal, when set, gives this step's standard normal draws for the
	// noise term of the named state variable, one per neuron (a stream of
	// its own per population and variable). Models with noise terms of
	// their own (Equations with xi) need it.
	Normal func(v string) *Node
}

// Current gives the input current of a population as a function of its
// membrane potential (conductance-based outputs depend on it).
type Current func(v *Node) *Node

// Neuron is a spiking neuron family.
type Neuron interface {
	// States lists the state variables, for a simulation float type.
	States(float dtypes.DType) []StateVar
	// Potential names the membrane-potential state that outputs such as COBA read.
	Potential() string
	// Update advances the state by one step with the integration method m
	// and returns the new state and the spikes emitted in this step (Bool,
	// one per neuron; float with a surrogate gradient when step.Surrogate
	// is set).
	Update(s Vars, input Current, step Step, m Method) (Vars, *Node)
}

// PerNeuron is implemented by neuron models whose parameters may take one
// value per neuron, so that populations of one model with different
// parameters share a block of state arrays.
type PerNeuron interface {
	Neuron
	// Varies reports whether the named parameter may take one value per
	// neuron.
	Varies(param string) bool
	// ParamArray is the array the model reads for a parameter that takes
	// the values v (v[i] for neuron i, in base units): the values in the
	// simulation's float dtype, or what the model derives from them on the
	// host (LifRef: tau_ref as refractory steps, Int32); dt is the step in
	// ms. The lowering passes it to the step program as an input.
	ParamArray(param string, v []float64, dtype dtypes.DType, dt float64) *tensors.Tensor
	// PerNeuron returns the model reading the parameters named in arrays
	// (each one that Varies) from those nodes, [neurons] each as
	// ParamArray made them; other parameters keep the model's values.
	PerNeuron(arrays map[string]*Node) Neuron
}

// NewNeuron builds a neuron family from its catalogue name and parameters (in
// base units, every parameter present).
func NewNeuron(model string, p map[string]float64) (Neuron, error) {
	switch model {
	case "LifRef":
		return &LifRef{VRest: p["V_rest"], VReset: p["V_reset"], VTh: p["V_th"], R: p["R"],
			Tau: p["tau"], TauRef: p["tau_ref"]}, nil
	case "ExpIF":
		return &ExpIF{VRest: p["V_rest"], VReset: p["V_reset"], VTh: p["V_th"], VT: p["V_T"], DeltaT: p["delta_T"],
			R: p["R"], Tau: p["tau"], TauRef: p["tau_ref"]}, nil
	case "AdEx":
		return &AdEx{VRest: p["V_rest"], VReset: p["V_reset"], VTh: p["V_th"], VT: p["V_T"], DeltaT: p["delta_T"],
			R: p["R"], A: p["a"], B: p["b"], Tau: p["tau"], TauW: p["tau_w"], TauRef: p["tau_ref"]}, nil
	case "QIF":
		return &QIF{VRest: p["V_rest"], VReset: p["V_reset"], VTh: p["V_th"], VC: p["V_c"], C: p["c"], R: p["R"],
			Tau: p["tau"], TauRef: p["tau_ref"]}, nil
	case "Izhikevich":
		return &Izhikevich{A: p["a"], B: p["b"], C: p["c"], D: p["d"], VTh: p["V_th"], TauRef: p["tau_ref"]}, nil
	case "HH":
		return &HH{ENa: p["E_Na"], EK: p["E_K"], EL: p["E_L"], GNa: p["g_Na"], GK: p["g_K"], GL: p["g_L"], C: p["C"],
			VTh: p["V_th"], TauRef: p["tau_ref"]}, nil
	case "AdQuaIF":
		return &AdQuaIF{VRest: p["V_rest"], VReset: p["V_reset"], VTh: p["V_th"], VC: p["V_c"], C: p["c"], A: p["a"],
			B: p["b"], Tau: p["tau"], TauW: p["tau_w"], TauRef: p["tau_ref"]}, nil
	case "MorrisLecar":
		return &MorrisLecar{VCa: p["V_Ca"], GCa: p["g_Ca"], VK: p["V_K"], GK: p["g_K"], VL: p["V_L"], GL: p["g_L"],
			C: p["C"], V1: p["V1"], V2: p["V2"], V3: p["V3"], V4: p["V4"], Phi: p["phi"], VTh: p["V_th"]}, nil
	case "WangBuzsaki":
		return &WangBuzsaki{ENa: p["E_Na"], EK: p["E_K"], EL: p["E_L"], GNa: p["g_Na"], GK: p["g_K"], GL: p["g_L"],
			C: p["C"], Phi: p["phi"], VTh: p["V_th"]}, nil
	case "FHN":
		return &FitzHughNagumo{A: p["a"], B: p["b"], Tau: p["tau"], VTh: p["V_th"]}, nil
	case "WilsonCowan":
		return &WilsonCowan{TauE: p["tau_E"], TauI: p["tau_I"], AE: p["a_E"], AI: p["a_I"], ThetaE: p["theta_E"],
			ThetaI: p["theta_I"], WEE: p["w_EE"], WEI: p["w_EI"], WIE: p["w_IE"], WII: p["w_II"], R: p["r"]}, nil
	case "StuartLandau":
		return &StuartLandau{Mu: p["mu"], Omega: p["omega"]}, nil
	case "ThresholdLinear":
		return &ThresholdLinear{Tau: p["tau"], Beta: p["beta"]}, nil
	case "JansenRit":
		// The rates are in Hz in a spec; the model works per ms.
		return &JansenRit{A: p["A"], B: p["B"], SmallA: p["a"] / 1000, SmallB: p["b"] / 1000, C: p["C"], E0: p["e0"] / 1000,
			V0: p["v0"], R: p["r"], P: p["p"] / 1000}, nil
	case "GIF":
		return &GIF{VRest: p["V_rest"], VReset: p["V_reset"], VThInf: p["V_th_inf"], VThReset: p["V_th_reset"], R: p["R"],
			A: p["a"], B: p["b"], K1: p["k1"], K2: p["k2"], R1: p["R1"], R2: p["R2"], A1: p["A1"], A2: p["A2"],
			Tau: p["tau"], TauRef: p["tau_ref"]}, nil
	case "Kuramoto":
		return &Kuramoto{K: p["K"]}, nil
	case "Poisson":
		return &Poisson{Rate: p["rate"]}, nil
	case "SpikeTimes":
		return &SpikeTimes{}, nil
	case "TraubHH":
		return &TraubHH{ENa: p["E_Na"], EK: p["E_K"], EL: p["E_L"], GNa: p["g_Na"], GK: p["g_K"], GL: p["g_L"], C: p["C"],
			VT: p["V_T"], VTh: p["V_th"], TauRef: p["tau_ref"]}, nil
	}
	if n, ok, err := registeredNeuron(model, p); ok {
		return n, err
	}
	return nil, fmt.Errorf("no implementation for neuron model %q", model)
}

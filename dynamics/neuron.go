package dynamics

import (
	"fmt"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // graph DSL

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
	// Update advances the state by one step and returns the new state and the
	// spikes emitted in this step (Bool, one per neuron).
	Update(s Vars, input Current, step Step, integrate Integrator) (Vars, *Node)
}

// NewNeuron builds a neuron family from its catalogue name and parameters (in
// base units, every parameter present).
func NewNeuron(model string, p map[string]float64) (Neuron, error) {
	switch model {
	case "LifRef":
		return &LifRef{VRest: p["V_rest"], VReset: p["V_reset"], VTh: p["V_th"], R: p["R"],
			Tau: p["tau"], TauRef: p["tau_ref"]}, nil
	}
	return nil, fmt.Errorf("no implementation for neuron model %q", model)
}

package dynamics

import (
	"fmt"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // graph DSL
)

// Synapse is a synaptic state kept per postsynaptic neuron (the AlignPost
// form): linear dynamics, so every projection onto the same population with
// the same synapse can share one state (merging).
type Synapse interface {
	// Update decays the state g over one step and adds x, the summed
	// presynaptic events of this step (already weighted), to it.
	Update(g, x *Node, dt float64, integrate Integrator) *Node
	// Key identifies the dynamics: two projections whose synapses have equal
	// keys (and equal outputs) can share a state.
	Key() string
}

// NewSynapse builds a synapse family from its catalogue name and parameters.
func NewSynapse(model string, p map[string]float64) (Synapse, error) {
	switch model {
	case "Expon":
		return &Expon{Tau: p["tau"]}, nil
	}
	return nil, fmt.Errorf("no implementation for synapse model %q", model)
}

// Expon is the single-exponential synapse, dg/dt = -g/tau, with g += w on
// each presynaptic spike.
type Expon struct {
	Tau float64 // ms
}

// Update decays g and adds x.
func (s *Expon) Update(g, x *Node, dt float64, integrate Integrator) *Node {
	decay := func(g *Node) *Node { return DivScalar(Neg(g), s.Tau) }
	return Add(integrate(decay, g, dt), x)
}

// Key is "Expon(tau=...)".
func (s *Expon) Key() string { return fmt.Sprintf("Expon(tau=%g)", s.Tau) }

// Output turns a synaptic state into a current for the postsynaptic neuron.
type Output interface {
	// Current is the current g produces at membrane potential v.
	Current(g, v *Node) *Node
	// Key identifies the output for merging.
	Key() string
}

// NewOutput builds an output from its catalogue name and parameters.
func NewOutput(model string, p map[string]float64) (Output, error) {
	switch model {
	case "CUBA":
		return CUBA{}, nil
	case "COBA":
		return COBA{E: p["E"]}, nil
	}
	return nil, fmt.Errorf("no implementation for output model %q", model)
}

// CUBA is a current-based output: I = g.
type CUBA struct{}

// Current returns g.
func (CUBA) Current(g, _ *Node) *Node { return g }

// Key is "CUBA".
func (CUBA) Key() string { return "CUBA" }

// COBA is a conductance-based output with reversal potential E (mV):
// I = g·(E − V).
type COBA struct {
	E float64
}

// Current returns g·(E − v).
func (o COBA) Current(g, v *Node) *Node { return Mul(g, Neg(AddScalar(v, -o.E))) }

// Key is "COBA(E=...)".
func (o COBA) Key() string { return fmt.Sprintf("COBA(E=%g)", o.E) }

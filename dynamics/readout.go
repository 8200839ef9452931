package dynamics

import (
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // graph DSL
)

// Leaky is the leaky-integrator readout, a non-spiking unit whose potential
// follows its input with time constant Tau (ms):
//
//	tau dO/dt = −O + I
//
// Classifiers read their decision from O (its maximum or mean over time).
type Leaky struct {
	Tau float64 // ms
	// TauVar, when set, replaces Tau by a graph value (training).
	TauVar *Node
}

// Update advances O (any shape) by one step under the input i (O's shape,
// held over the step).
func (l *Leaky) Update(o, i *Node, dt float64, integrate Integrator) *Node {
	tau := param(o, l.TauVar, l.Tau)
	return integrate(func(o *Node) *Node { return Div(Sub(i, o), tau) }, o, dt)
}

package dynamics

import (
	"math"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // graph DSL

	"github.com/brainc/brainc/ops"
)

// LifRef is the leaky integrate-and-fire neuron with an absolute refractory
// period, with BrainPy's LifRef semantics:
//
//	tau dV/dt = -(V - V_rest) + R·I
//
// The input I is evaluated once per step at the membrane potential the step
// starts from, then held. A neuron whose last spike was at most tau_ref ago
// keeps its potential. A neuron spikes when V ≥ V_th and is reset to V_reset.
//
// States: V (mV) and last_spike (the step of the last spike, Int32; long ago
// at start).
type LifRef struct {
	VRest, VReset, VTh, R float64 // mV, mV, mV, dimensionless
	Tau, TauRef           float64 // ms
	// TauVar and VThVar, when set, replace Tau and VTh by graph values
	// (scalars, or one per neuron broadcastable to V): parameters that
	// training differentiates. Nil in simulation.
	TauVar, VThVar *Node
}

// NeverSpiked is the initial last_spike step: far enough in the past that no
// neuron starts refractory.
const NeverSpiked = -1 << 30

// States lists V and last_spike.
func (n *LifRef) States(float dtypes.DType) []StateVar {
	return []StateVar{{"V", float}, {"last_spike", dtypes.Int32}}
}

// Potential is "V".
func (n *LifRef) Potential() string { return "V" }

// RefractorySteps is the number of steps after a spike during which the
// potential is held: steps k with k·dt ≤ tau_ref.
func (n *LifRef) RefractorySteps(dt float64) int {
	return int(math.Floor(n.TauRef/dt + 1e-9))
}

// Update advances V by one step of the integrator and applies refractoriness,
// threshold and reset. With step.Surrogate set, the spikes are floats with a
// surrogate gradient and the reset is written V·(1−s) + V_reset·s, which
// takes the same values as the simulation's select and lets gradients flow.
func (n *LifRef) Update(s Vars, input Current, step Step, m Method) (Vars, *Node) {
	v, last := s["V"], s["last_spike"]
	g := v.Graph()
	tau, vth := param(v, n.TauVar, n.Tau), param(v, n.VThVar, n.VTh)
	i := input(v)
	dv := func(v *Node) *Node {
		return Div(Add(Neg(AddScalar(v, -n.VRest)), MulScalar(i, n.R)), tau)
	}
	vNew := m(func(s Vars) Vars { return Vars{"V": dv(s["V"])} }, Vars{"V": v}, step.Dt)["V"]
	if ref := n.RefractorySteps(step.Dt); ref > 0 {
		// (Without a refractory period the hold never applies: leaving it out
		// keeps V's chain over unrolled steps free of the last_spike chain,
		// which XLA's fusion would otherwise recompute step after step.)
		since := Sub(step.Index, last)
		vNew = Where(LessOrEqual(since, Scalar(g, dtypes.Int32, ref)), v, vNew)
	}
	if step.Surrogate != nil {
		fired := GreaterOrEqual(vNew, BroadcastToShape(vth, vNew.Shape()))
		spike := ops.Spike(Sub(vNew, vth), *step.Surrogate)
		vNew = Add(Mul(vNew, OneMinus(spike)), MulScalar(spike, n.VReset))
		last = Where(fired, BroadcastToShape(step.Index, last.Shape()), last)
		return Vars{"V": vNew, "last_spike": last}, spike
	}
	spike := GreaterOrEqual(vNew, BroadcastToShape(vth, vNew.Shape()))
	vNew = Where(spike, Scalar(g, v.DType(), n.VReset), vNew)
	last = Where(spike, BroadcastToShape(step.Index, last.Shape()), last)
	return Vars{"V": vNew, "last_spike": last}, spike
}

// param returns a model parameter as a node of like's dtype: the graph value
// when one is given, else the constant.
func param(like, value *Node, constant float64) *Node {
	if value != nil {
		return value
	}
	return Scalar(like.Graph(), like.DType(), constant)
}

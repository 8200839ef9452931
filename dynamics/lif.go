package dynamics

import (
	"math"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // graph DSL
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
// threshold and reset.
func (n *LifRef) Update(s Vars, input Current, step Step, integrate Integrator) (Vars, *Node) {
	v, last := s["V"], s["last_spike"]
	i := input(v)
	dv := func(v *Node) *Node {
		return DivScalar(Add(Neg(AddScalar(v, -n.VRest)), MulScalar(i, n.R)), n.Tau)
	}
	vNew := integrate(dv, v, step.Dt)
	since := Sub(step.Index, last)
	refractory := LessOrEqual(since, Scalar(v.Graph(), dtypes.Int32, n.RefractorySteps(step.Dt)))
	vNew = Where(refractory, v, vNew)
	spike := GreaterOrEqual(vNew, Scalar(v.Graph(), v.DType(), n.VTh))
	vNew = Where(spike, Scalar(v.Graph(), v.DType(), n.VReset), vNew)
	last = Where(spike, BroadcastToShape(step.Index, last.Shape()), last)
	return Vars{"V": vNew, "last_spike": last}, spike
}

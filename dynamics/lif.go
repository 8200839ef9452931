package dynamics

import (
	"slices"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // graph DSL
	"github.com/gomlx/gomlx/pkg/core/tensors"

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
	// vary holds the parameters that take one value per neuron (PerNeuron),
	// by catalogue name; refSteps the refractory steps per neuron when
	// tau_ref varies.
	vary     map[string]*Node
	refSteps *Node
}

// Varies reports whether a parameter may take one value per neuron: each of
// LifRef's may (V_rest, V_reset, V_th, R, tau, tau_ref).
func (n *LifRef) Varies(param string) bool {
	switch param {
	case "V_rest", "V_reset", "V_th", "R", "tau", "tau_ref":
		return true
	}
	return false
}

// ParamArray is the array of a per-neuron parameter: its values in dtype,
// and for tau_ref the refractory steps per neuron (Int32), rounded as
// RefractorySteps rounds them.
func (n *LifRef) ParamArray(param string, v []float64, dtype dtypes.DType, dt float64) *tensors.Tensor {
	if param == "tau_ref" {
		steps := make([]int32, len(v))
		for i, x := range v {
			steps[i] = int32((&LifRef{TauRef: x}).RefractorySteps(dt))
		}
		return tensors.FromFlatDataAndDimensions(steps, len(steps))
	}
	return FloatArray(v, dtype)
}

// PerNeuron returns the neuron reading the parameters named in arrays
// from them (tau_ref as refractory steps).
func (n *LifRef) PerNeuron(arrays map[string]*Node) Neuron {
	out := *n
	out.vary = map[string]*Node{}
	for name, x := range arrays {
		if name == "tau_ref" {
			out.refSteps = x
			continue
		}
		out.vary[name] = x
	}
	return &out
}

// FloatArray is v as a tensor of the float dtype (Float64, else Float32).
func FloatArray(v []float64, dtype dtypes.DType) *tensors.Tensor {
	data := floatData(v, dtype)
	if d, ok := data.([]float64); ok {
		return tensors.FromFlatDataAndDimensions(d, len(d))
	}
	return tensors.FromFlatDataAndDimensions(data.([]float32), len(v))
}

// ConstOf is a constant of g holding v in the given float dtype (Float64,
// else Float32).
func ConstOf(g *Graph, dtype dtypes.DType, v []float64) *Node { return Const(g, floatData(v, dtype)) }

// floatData is a copy of v as []float64 or, for any other dtype, []float32.
func floatData(v []float64, dtype dtypes.DType) any {
	if dtype == dtypes.Float64 {
		return slices.Clone(v)
	}
	f := make([]float32, len(v))
	for i, x := range v {
		f[i] = float32(x)
	}
	return f
}

// p is a parameter's value: one per neuron when it varies, else the
// model's scalar (as a constant of like's dtype).
func (n *LifRef) p(like *Node, name string, scalar float64) *Node {
	if v, ok := n.vary[name]; ok {
		return v
	}
	return Scalar(like.Graph(), like.DType(), scalar)
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
func (n *LifRef) RefractorySteps(dt float64) int { return refractorySteps(n.TauRef, dt) }

// Update advances V by one step of the integrator and applies refractoriness,
// threshold and reset. With step.Surrogate set, the spikes are floats with a
// surrogate gradient and the reset is written V·(1−s) + V_reset·s, which
// takes the same values as the simulation's select and lets gradients flow.
func (n *LifRef) Update(s Vars, input Current, step Step, m Method) (Vars, *Node) {
	v, last := s["V"], s["last_spike"]
	g := v.Graph()
	// A varying parameter's scalar is never built: the program's text
	// then holds no value of it, and other values share the program.
	tau, vth := n.vary["tau"], n.vary["V_th"]
	if tau == nil {
		tau = param(v, n.TauVar, n.Tau)
	}
	if vth == nil {
		vth = param(v, n.VThVar, n.VTh)
	}
	vrest, r := n.p(v, "V_rest", n.VRest), n.p(v, "R", n.R)
	i := input(v)
	dv := func(v *Node) *Node {
		return Div(Add(Neg(Sub(v, vrest)), Mul(i, r)), tau)
	}
	vNew := m(func(s Vars) Vars { return Vars{"V": dv(s["V"])} }, Vars{"V": v}, step.Dt)["V"]
	var ref *Node // steps held after a spike
	switch {
	case n.refSteps != nil:
		ref = n.refSteps
	case n.RefractorySteps(step.Dt) > 0:
		ref = Scalar(g, dtypes.Int32, n.RefractorySteps(step.Dt))
	}
	if ref != nil {
		// (Without a refractory period the hold never applies: leaving it out
		// keeps V's chain over unrolled steps free of the last_spike chain,
		// which XLA's fusion would otherwise recompute step after step.)
		since := Sub(step.Index, last)
		vNew = Where(LessOrEqual(since, ref), v, vNew)
	}
	vreset := n.p(v, "V_reset", n.VReset)
	if step.Surrogate != nil {
		fired := GreaterOrEqual(vNew, BroadcastToShape(vth, vNew.Shape()))
		spike := ops.Spike(Sub(vNew, vth), *step.Surrogate)
		vNew = Add(Mul(vNew, OneMinus(spike)), Mul(spike, vreset))
		last = Where(fired, BroadcastToShape(step.Index, last.Shape()), last)
		return Vars{"V": vNew, "last_spike": last}, spike
	}
	spike := GreaterOrEqual(vNew, BroadcastToShape(vth, vNew.Shape()))
	vNew = Where(spike, BroadcastToShape(vreset, vNew.Shape()), vNew)
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

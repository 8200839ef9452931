package dynamics

import (
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // graph DSL
)

// ExpIF is the exponential integrate-and-fire neuron (Fourcaud-Trocmé et
// al. 2003):
//
//	tau dV/dt = −(V − V_rest) + ΔT·exp((V − V_T)/ΔT) + R·I
//
// V ≥ V_th (the numerical cut-off of the upswing) is a spike: V is set to
// V_reset and held for tau_ref. States: V, last_spike.
type ExpIF struct {
	VRest, VReset, VTh, VT, DeltaT, R float64 // mV, mV, mV, mV, mV, 1
	Tau, TauRef                       float64 // ms
}

// States lists V and last_spike.
func (n *ExpIF) States(float dtypes.DType) []StateVar { return spikingStates(float, "V") }

// Potential is "V".
func (n *ExpIF) Potential() string { return "V" }

// Update integrates one step.
func (n *ExpIF) Update(s Vars, input Current, step Step, m Method) (Vars, *Node) {
	i := input(s["V"])
	f := func(s Vars) Vars {
		return Vars{"V": DivScalar(Add(expLeak(s["V"], n.VRest, n.VT, n.DeltaT), MulScalar(i, n.R)), n.Tau)}
	}
	return fire(s, f, m, step, refractorySteps(n.TauRef, step.Dt), n.VTh, true, resetTo(n.VReset, nil))
}

// expLeak is −(V − V_rest) + ΔT·exp((V − V_T)/ΔT), the exponent capped at
// 30: far above any threshold, it keeps intermediate stages of an explicit
// method from overflowing to Inf (and the state to NaN) on the upswing.
func expLeak(v *Node, vRest, vT, deltaT float64) *Node {
	arg := Min(DivScalar(AddScalar(v, -vT), deltaT), Scalar(v.Graph(), v.DType(), 30))
	return Add(Neg(AddScalar(v, -vRest)), MulScalar(Exp(arg), deltaT))
}

// AdEx is the adaptive exponential integrate-and-fire neuron (Brette &
// Gerstner 2005):
//
//	tau   dV/dt = −(V − V_rest) + ΔT·exp((V − V_T)/ΔT) − R·w + R·I
//	tau_w dw/dt = a·(V − V_rest) − w
//
// On a spike (V ≥ V_th): V ← V_reset, w ← w + b; V is held for tau_ref.
// States: V, w, last_spike.
type AdEx struct {
	VRest, VReset, VTh, VT, DeltaT, R float64 // mV, mV, mV, mV, mV, 1
	A, B                              float64 // 1, mV
	Tau, TauW, TauRef                 float64 // ms
}

// States lists V, w and last_spike.
func (n *AdEx) States(float dtypes.DType) []StateVar { return spikingStates(float, "V", "w") }

// Potential is "V".
func (n *AdEx) Potential() string { return "V" }

// Update integrates one step.
func (n *AdEx) Update(s Vars, input Current, step Step, m Method) (Vars, *Node) {
	i := input(s["V"])
	f := func(s Vars) Vars {
		v, w := s["V"], s["w"]
		dv := DivScalar(Add(expLeak(v, n.VRest, n.VT, n.DeltaT), MulScalar(Sub(i, w), n.R)), n.Tau)
		dw := adaptation(v, w, n.VRest, n.A, n.TauW)
		return Vars{"V": dv, "w": dw}
	}
	return fire(s, f, m, step, refractorySteps(n.TauRef, step.Dt), n.VTh, true,
		resetTo(n.VReset, map[string]float64{"w": n.B}))
}

// adaptation is the adaptation current's derivative shared by AdEx and
// AdQuaIF: (a·(V − V_rest) − w)/τ_w.
func adaptation(v, w *Node, vRest, a, tauW float64) *Node {
	return DivScalar(Sub(MulScalar(AddScalar(v, -vRest), a), w), tauW)
}

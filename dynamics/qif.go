package dynamics

import (
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // graph DSL
)

// QIF is the quadratic integrate-and-fire neuron (Latham et al. 2000):
//
//	tau dV/dt = c·(V − V_rest)·(V − V_c) + R·I
//
// V ≥ V_th is a spike: V ← V_reset, held for tau_ref. States: V, last_spike.
type QIF struct {
	VRest, VReset, VTh, VC, C, R float64 // mV, mV, mV, mV, mV⁻¹, 1
	Tau, TauRef                  float64 // ms
}

// States lists V and last_spike.
func (n *QIF) States(float dtypes.DType) []StateVar { return spikingStates(float, "V") }

// Potential is "V".
func (n *QIF) Potential() string { return "V" }

// Update integrates one step.
func (n *QIF) Update(s Vars, input Current, step Step, m Method) (Vars, *Node) {
	i := input(s["V"])
	f := func(s Vars) Vars {
		v := s["V"]
		quad := MulScalar(Mul(AddScalar(v, -n.VRest), AddScalar(v, -n.VC)), n.C)
		return Vars{"V": DivScalar(Add(quad, MulScalar(i, n.R)), n.Tau)}
	}
	return fire(s, f, m, step, refractorySteps(n.TauRef, step.Dt), n.VTh, true, resetTo(n.VReset, nil))
}

// Izhikevich is the Izhikevich (2003) neuron:
//
//	dV/dt = 0.04·V² + 5·V + 140 − u + I
//	du/dt = a·(b·V − u)
//
// V ≥ V_th (30 mV) is a spike: V ← c, u ← u + d; V is held for tau_ref.
// States: V, u, last_spike.
type Izhikevich struct {
	A, B, C, D, VTh float64 // ms⁻¹, 1, mV, mV, mV
	TauRef          float64 // ms
}

// States lists V, u and last_spike.
func (n *Izhikevich) States(float dtypes.DType) []StateVar { return spikingStates(float, "V", "u") }

// Potential is "V".
func (n *Izhikevich) Potential() string { return "V" }

// Update integrates one step.
func (n *Izhikevich) Update(s Vars, input Current, step Step, m Method) (Vars, *Node) {
	i := input(s["V"])
	f := func(s Vars) Vars {
		v, u := s["V"], s["u"]
		dv := Add(Sub(AddScalar(Add(MulScalar(Square(v), 0.04), MulScalar(v, 5)), 140), u), i)
		du := MulScalar(Sub(MulScalar(v, n.B), u), n.A)
		return Vars{"V": dv, "u": du}
	}
	return fire(s, f, m, step, refractorySteps(n.TauRef, step.Dt), n.VTh, true,
		resetTo(n.C, map[string]float64{"u": n.D}))
}

// AdQuaIF is the adaptive quadratic integrate-and-fire neuron (Izhikevich
// 2007):
//
//	tau   dV/dt = c·(V − V_rest)·(V − V_c) − w + I
//	tau_w dw/dt = a·(V − V_rest) − w
//
// On a spike (V ≥ V_th): V ← V_reset, w ← w + b; V is held for tau_ref.
// States: V, w, last_spike.
type AdQuaIF struct {
	VRest, VReset, VTh, VC, C, A, B float64 // mV ×4, mV⁻¹, 1, mV
	Tau, TauW, TauRef               float64 // ms
}

// States lists V, w and last_spike.
func (n *AdQuaIF) States(float dtypes.DType) []StateVar { return spikingStates(float, "V", "w") }

// Potential is "V".
func (n *AdQuaIF) Potential() string { return "V" }

// Update integrates one step.
func (n *AdQuaIF) Update(s Vars, input Current, step Step, m Method) (Vars, *Node) {
	i := input(s["V"])
	f := func(s Vars) Vars {
		v, w := s["V"], s["w"]
		quad := MulScalar(Mul(AddScalar(v, -n.VRest), AddScalar(v, -n.VC)), n.C)
		dv := DivScalar(Add(Sub(quad, w), i), n.Tau)
		dw := adaptation(v, w, n.VRest, n.A, n.TauW)
		return Vars{"V": dv, "w": dw}
	}
	return fire(s, f, m, step, refractorySteps(n.TauRef, step.Dt), n.VTh, true,
		resetTo(n.VReset, map[string]float64{"w": n.B}))
}

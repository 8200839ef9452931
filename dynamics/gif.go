package dynamics

import (
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // graph DSL
)

// GIF is the generalized integrate-and-fire neuron (Mihalas & Niebur 2009),
// with BrainPy's GifRef semantics:
//
//	dI1/dt = −k1·I1
//	dI2/dt = −k2·I2
//	tau dV/dt = −(V − V_rest) + R·(I + I1 + I2)
//	dV_th/dt = a·(V − V_rest) − b·(V_th − V_th_inf)
//
// The threshold V_th is a state. V ≥ V_th, the threshold the step starts
// from (as BrainPy compares), is a spike: I1 ← R1·I1 + A1,
// I2 ← R2·I2 + A2, V ← V_reset, V_th ← max(V_th_reset, V_th); V is held
// for tau_ref. States: V, I1, I2, V_th, last_spike.
type GIF struct {
	VRest, VReset, VThInf, VThReset, R float64 // mV, mV, mV, mV, 1
	A, B, K1, K2                       float64 // ms⁻¹
	R1, R2, A1, A2                     float64 // 1
	Tau, TauRef                        float64 // ms
}

// States lists V, I1, I2, V_th and last_spike.
func (n *GIF) States(float dtypes.DType) []StateVar {
	return spikingStates(float, "V", "I1", "I2", "V_th")
}

// Potential is "V".
func (n *GIF) Potential() string { return "V" }

// Update integrates one step.
func (n *GIF) Update(s Vars, input Current, step Step, m Method) (Vars, *Node) {
	i := input(s["V"])
	f := func(s Vars) Vars {
		v, i1, i2, vth := s["V"], s["I1"], s["I2"], s["V_th"]
		dv := DivScalar(Add(Neg(AddScalar(v, -n.VRest)), MulScalar(Add(Add(i, i1), i2), n.R)), n.Tau)
		dth := Sub(MulScalar(AddScalar(v, -n.VRest), n.A), MulScalar(AddScalar(vth, -n.VThInf), n.B))
		return Vars{"V": dv, "I1": MulScalar(i1, -n.K1), "I2": MulScalar(i2, -n.K2), "V_th": dth}
	}
	reset := func(s Vars, spike *Node) Vars {
		v, i1, i2, vth := s["V"], s["I1"], s["I2"], s["V_th"]
		s["V"] = Pick(spike, Scalar(v.Graph(), v.DType(), n.VReset), v)
		s["I1"] = Pick(spike, AddScalar(MulScalar(i1, n.R1), n.A1), i1)
		s["I2"] = Pick(spike, AddScalar(MulScalar(i2, n.R2), n.A2), i2)
		s["V_th"] = Pick(spike, Max(vth, Scalar(vth.Graph(), vth.DType(), n.VThReset)), vth)
		return s
	}
	return fireAt(s, f, m, step, refractorySteps(n.TauRef, step.Dt), s["V_th"], true, reset)
}

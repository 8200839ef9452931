package dynamics

import (
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // graph DSL
)

// HH is the Hodgkin–Huxley (1952) squid-axon neuron, in the modern
// convention (rest near −65 mV):
//
//	C dV/dt = −g_Na·m³h·(V − E_Na) − g_K·n⁴·(V − E_K) − g_L·(V − E_L) + I
//	dx/dt   = α_x(V)·(1 − x) − β_x(V)·x,  x ∈ {m, h, n}
//	α_m = 0.1(V+40)/(1 − e^{−(V+40)/10}), β_m = 4e^{−(V+65)/18}
//	α_h = 0.07e^{−(V+65)/20},             β_h = 1/(1 + e^{−(V+35)/10})
//	α_n = 0.01(V+55)/(1 − e^{−(V+55)/10}), β_n = 0.125e^{−(V+65)/80}
//
// Conductances are per unit capacitance (mS/cm² with C = 1 µF/cm², so
// ms⁻¹). A spike is V crossing V_th upwards (no reset); tau_ref masks
// detection only. States: V, m, h, n, last_spike.
type HH struct {
	ENa, EK, EL, GNa, GK, GL, C, VTh float64 // mV ×3, mS/cm² ×3, µF/cm², mV
	TauRef                           float64 // ms
}

// States lists V, m, h, n and last_spike.
func (n *HH) States(float dtypes.DType) []StateVar { return spikingStates(float, "V", "m", "h", "n") }

// Potential is "V".
func (n *HH) Potential() string { return "V" }

// Update integrates one step.
func (n *HH) Update(s Vars, input Current, step Step, m Method) (Vars, *Node) {
	i := input(s["V"])
	f := func(s Vars) Vars {
		v := s["V"]
		am := MulScalar(vtrap(AddScalar(v, 40), 10), 0.1)
		bm := MulScalar(Exp(DivScalar(AddScalar(v, 65), -18)), 4)
		ah := MulScalar(Exp(DivScalar(AddScalar(v, 65), -20)), 0.07)
		bh := Inverse(AddScalar(Exp(DivScalar(AddScalar(v, 35), -10)), 1))
		an := MulScalar(vtrap(AddScalar(v, 55), 10), 0.01)
		bn := MulScalar(Exp(DivScalar(AddScalar(v, 65), -80)), 0.125)
		out := gates(s, am, bm, ah, bh, an, bn)
		out["V"] = DivScalar(Add(ionic(s, n.GNa, n.ENa, n.GK, n.EK, n.GL, n.EL), i), n.C)
		return out
	}
	return fire(s, f, m, step, refractorySteps(n.TauRef, step.Dt), n.VTh, false, nil)
}

// TraubHH is the Hodgkin–Huxley-type neuron of Traub & Miles (1991) used by
// the COBAHH benchmark (Brette et al. 2007; Brian2's COBAHH example), with
// V_T shifting the gating curves:
//
//	C dV/dt = −g_L(V − E_L) − g_Na·m³h·(V − E_Na) − g_K·n⁴·(V − E_K) + I
//	α_m = 0.32(13 − V + V_T)/(e^{(13 − V + V_T)/4} − 1), β_m = 0.28(V − V_T − 40)/(e^{(V − V_T − 40)/5} − 1)
//	α_h = 0.128e^{(17 − V + V_T)/18},                     β_h = 4/(1 + e^{(40 − V + V_T)/5})
//	α_n = 0.032(15 − V + V_T)/(e^{(15 − V + V_T)/5} − 1), β_n = 0.5e^{(10 − V + V_T)/40}
//
// Conductances are per unit capacitance (ms⁻¹; the COBAHH cell of
// 20,000 µm², 200 pF: g_L 10 nS → 0.05, g_Na 20 µS → 100, g_K 6 µS → 30),
// so synaptic conductances are too (we = 6 nS → 0.03). A spike is V ≥ V_th
// (−20 mV) outside the refractory period; there is no reset.
// States: V, m, h, n, last_spike.
type TraubHH struct {
	ENa, EK, EL, GNa, GK, GL, C, VT, VTh float64 // mV ×3, ms⁻¹ ×3, 1, mV, mV
	TauRef                               float64 // ms
}

// States lists V, m, h, n and last_spike.
func (n *TraubHH) States(float dtypes.DType) []StateVar {
	return spikingStates(float, "V", "m", "h", "n")
}

// Potential is "V".
func (n *TraubHH) Potential() string { return "V" }

// Update integrates one step.
func (n *TraubHH) Update(s Vars, input Current, step Step, m Method) (Vars, *Node) {
	i := input(s["V"])
	f := func(s Vars) Vars {
		u := AddScalar(Neg(s["V"]), n.VT) // V_T − V
		am := MulScalar(vtrap(Neg(AddScalar(u, 13)), 4), 0.32)
		bm := MulScalar(vtrap(AddScalar(Neg(u), -40), -5), -0.28)
		ah := MulScalar(Exp(DivScalar(AddScalar(u, 17), 18)), 0.128)
		bh := DivScalar(Inverse(AddScalar(Exp(DivScalar(AddScalar(u, 40), 5)), 1)), 0.25)
		an := MulScalar(vtrap(Neg(AddScalar(u, 15)), 5), 0.032)
		bn := MulScalar(Exp(DivScalar(AddScalar(u, 10), 40)), 0.5)
		out := gates(s, am, bm, ah, bh, an, bn)
		out["V"] = DivScalar(Add(ionic(s, n.GNa, n.ENa, n.GK, n.EK, n.GL, n.EL), i), n.C)
		return out
	}
	return fire(s, f, m, step, refractorySteps(n.TauRef, step.Dt), n.VTh, false, nil)
}

// vtrap is x/(1 − e^{−x/k}), with its limit k where x → 0 (the rate
// functions' removable singularity).
func vtrap(x *Node, k float64) *Node {
	small := LessThan(Abs(x), Scalar(x.Graph(), x.DType(), 1e-4*abs(k)))
	safe := Where(small, OnesLike(x), x)
	full := Div(safe, OneMinus(Exp(DivScalar(Neg(safe), k))))
	limit := AddScalar(MulScalar(x, 0.5), k) // k + x/2, first order
	return Where(small, limit, full)
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

// gates returns dm/dt, dh/dt, dn/dt from the rates.
func gates(s Vars, am, bm, ah, bh, an, bn *Node) Vars {
	rate := func(x, a, b *Node) *Node { return Sub(Mul(a, OneMinus(x)), Mul(b, x)) }
	return Vars{"m": rate(s["m"], am, bm), "h": rate(s["h"], ah, bh), "n": rate(s["n"], an, bn)}
}

// ionic is −g_Na·m³h·(V − E_Na) − g_K·n⁴·(V − E_K) − g_L·(V − E_L).
func ionic(s Vars, gNa, eNa, gK, eK, gL, eL float64) *Node {
	v, m, h, n := s["V"], s["m"], s["h"], s["n"]
	na := Mul(MulScalar(Mul(Mul(Square(m), m), h), gNa), AddScalar(v, -eNa))
	k := Mul(MulScalar(Square(Square(n)), gK), AddScalar(v, -eK))
	l := MulScalar(AddScalar(v, -eL), gL)
	return Neg(Add(Add(na, k), l))
}

// MorrisLecar is the Morris–Lecar (1981) barnacle-muscle model:
//
//	C dV/dt = −g_Ca·m∞(V)·(V − V_Ca) − g_K·W·(V − V_K) − g_L·(V − V_L) + I
//	dW/dt   = φ·(W∞(V) − W)/τ_W(V)
//	m∞ = ½(1 + tanh((V − V1)/V2)), W∞ = ½(1 + tanh((V − V3)/V4)),
//	τ_W = 1/cosh((V − V3)/(2·V4))
//
// A spike is V crossing V_th upwards (no reset). States: V, W, last_spike.
type MorrisLecar struct {
	VCa, GCa, VK, GK, VL, GL, C, V1, V2, V3, V4, Phi, VTh float64
}

// States lists V, W and last_spike.
func (n *MorrisLecar) States(float dtypes.DType) []StateVar { return spikingStates(float, "V", "W") }

// Potential is "V".
func (n *MorrisLecar) Potential() string { return "V" }

// Update integrates one step.
func (n *MorrisLecar) Update(s Vars, input Current, step Step, m Method) (Vars, *Node) {
	i := input(s["V"])
	f := func(s Vars) Vars {
		v, w := s["V"], s["W"]
		half := func(x *Node) *Node { return MulScalar(OnePlus(Tanh(x)), 0.5) }
		mInf := half(DivScalar(AddScalar(v, -n.V1), n.V2))
		wInf := half(DivScalar(AddScalar(v, -n.V3), n.V4))
		cosh := func(x *Node) *Node { return MulScalar(Add(Exp(x), Exp(Neg(x))), 0.5) }
		rate := MulScalar(cosh(DivScalar(AddScalar(v, -n.V3), 2*n.V4)), n.Phi) // φ/τ_W
		ica := MulScalar(Mul(mInf, AddScalar(v, -n.VCa)), n.GCa)
		ik := MulScalar(Mul(w, AddScalar(v, -n.VK)), n.GK)
		il := MulScalar(AddScalar(v, -n.VL), n.GL)
		dv := DivScalar(Sub(i, Add(Add(ica, ik), il)), n.C)
		return Vars{"V": dv, "W": Mul(rate, Sub(wInf, w))}
	}
	return fire(s, f, m, step, 0, n.VTh, false, nil)
}

// WangBuzsaki is the Wang–Buzsáki (1996) fast-spiking interneuron, a
// Hodgkin–Huxley-type model with instantaneous Na activation:
//
//	C dV/dt = −g_Na·m∞³·h·(V − E_Na) − g_K·n⁴·(V − E_K) − g_L·(V − E_L) + I
//	dh/dt = φ(α_h(1 − h) − β_h·h), dn/dt = φ(α_n(1 − n) − β_n·n)
//	α_m = 0.1(V+35)/(1 − e^{−(V+35)/10}), β_m = 4e^{−(V+60)/18}, m∞ = α_m/(α_m + β_m)
//	α_h = 0.07e^{−(V+58)/20}, β_h = 1/(1 + e^{−(V+28)/10})
//	α_n = 0.01(V+34)/(1 − e^{−(V+34)/10}), β_n = 0.125e^{−(V+44)/80}
//
// A spike is V crossing V_th upwards (no reset). States: V, h, n, last_spike.
type WangBuzsaki struct {
	ENa, EK, EL, GNa, GK, GL, C, Phi, VTh float64
}

// States lists V, h, n and last_spike.
func (n *WangBuzsaki) States(float dtypes.DType) []StateVar {
	return spikingStates(float, "V", "h", "n")
}

// Potential is "V".
func (n *WangBuzsaki) Potential() string { return "V" }

// Update integrates one step.
func (n *WangBuzsaki) Update(s Vars, input Current, step Step, m Method) (Vars, *Node) {
	i := input(s["V"])
	f := func(s Vars) Vars {
		v, h, k := s["V"], s["h"], s["n"]
		am := MulScalar(vtrap(AddScalar(v, 35), 10), 0.1)
		bm := MulScalar(Exp(DivScalar(AddScalar(v, 60), -18)), 4)
		mInf := Div(am, Add(am, bm))
		ah := MulScalar(Exp(DivScalar(AddScalar(v, 58), -20)), 0.07)
		bh := Inverse(AddScalar(Exp(DivScalar(AddScalar(v, 28), -10)), 1))
		an := MulScalar(vtrap(AddScalar(v, 34), 10), 0.01)
		bn := MulScalar(Exp(DivScalar(AddScalar(v, 44), -80)), 0.125)
		rate := func(x, a, b *Node) *Node { return MulScalar(Sub(Mul(a, OneMinus(x)), Mul(b, x)), n.Phi) }
		na := Mul(MulScalar(Mul(Mul(Square(mInf), mInf), h), n.GNa), AddScalar(v, -n.ENa))
		kk := Mul(MulScalar(Square(Square(k)), n.GK), AddScalar(v, -n.EK))
		l := MulScalar(AddScalar(v, -n.EL), n.GL)
		dv := DivScalar(Sub(i, Add(Add(na, kk), l)), n.C)
		return Vars{"V": dv, "h": rate(h, ah, bh), "n": rate(k, an, bn)}
	}
	return fire(s, f, m, step, 0, n.VTh, false, nil)
}

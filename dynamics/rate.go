package dynamics

import (
	"math"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // graph DSL
)

// FitzHughNagumo is the FitzHugh (1961)–Nagumo oscillator:
//
//	dV/dt = V − V³/3 − w + I
//	dw/dt = (V + a − b·w)/τ
//
// It has no reset; V crossing V_th upwards is reported as a spike, so that
// spike monitors and projections can read its oscillations. States: V, w,
// last_spike.
type FitzHughNagumo struct {
	A, B, Tau, VTh float64 // 1, 1, ms, 1
}

// States lists V, w and last_spike.
func (n *FitzHughNagumo) States(float dtypes.DType) []StateVar {
	return spikingStates(float, "V", "w")
}

// Potential is "V".
func (n *FitzHughNagumo) Potential() string { return "V" }

// Update integrates one step.
func (n *FitzHughNagumo) Update(s Vars, input Current, step Step, m Method) (Vars, *Node) {
	i := input(s["V"])
	f := func(s Vars) Vars {
		v, w := s["V"], s["w"]
		dv := Add(Sub(Sub(v, DivScalar(Mul(Square(v), v), 3)), w), i)
		dw := DivScalar(Sub(AddScalar(v, n.A), MulScalar(w, n.B)), n.Tau)
		return Vars{"V": dv, "w": dw}
	}
	return fire(s, f, m, step, -1, n.VTh, false, nil)
}

// WilsonCowan is the Wilson–Cowan (1972) excitatory–inhibitory rate pair
// (each element of the population is one E–I pair):
//
//	τ_E dE/dt = −E + (1 − r·E)·S_E(w_EE·E − w_EI·I + P)
//	τ_I dI/dt = −I + (1 − r·I)·S_I(w_IE·E − w_II·I)
//	S(x) = 1/(1 + e^{−a(x−θ)}) − 1/(1 + e^{aθ})
//
// P is the population's input current. It does not spike. States: E, I.
type WilsonCowan struct {
	TauE, TauI, AE, AI, ThetaE, ThetaI, WEE, WEI, WIE, WII, R float64
}

// States lists E and I (the rates).
func (n *WilsonCowan) States(float dtypes.DType) []StateVar {
	return []StateVar{{"E", float}, {"I", float}}
}

// Potential is "E": inputs drive the excitatory unit.
func (n *WilsonCowan) Potential() string { return "E" }

// Update integrates one step; the spikes are all false.
func (n *WilsonCowan) Update(s Vars, input Current, step Step, m Method) (Vars, *Node) {
	p := input(s["E"])
	sig := func(x *Node, a, theta float64) *Node {
		return AddScalar(Sigmoid(MulScalar(AddScalar(x, -theta), a)), -1/(1+math.Exp(a*theta)))
	}
	f := func(s Vars) Vars {
		e, i := s["E"], s["I"]
		inE := Add(Sub(MulScalar(e, n.WEE), MulScalar(i, n.WEI)), p)
		inI := Sub(MulScalar(e, n.WIE), MulScalar(i, n.WII))
		de := DivScalar(Add(Neg(e), Mul(OneMinus(MulScalar(e, n.R)), sig(inE, n.AE, n.ThetaE))), n.TauE)
		di := DivScalar(Add(Neg(i), Mul(OneMinus(MulScalar(i, n.R)), sig(inI, n.AI, n.ThetaI))), n.TauI)
		return Vars{"E": de, "I": di}
	}
	next := m(f, s, step.Dt)
	return next, ZerosLike(GreaterThan(s["E"], s["E"]))
}

// StuartLandau is the normal form of a Hopf bifurcation:
//
//	dx/dt = (μ − x² − y²)·x − ω·y + I
//	dy/dt = (μ − x² − y²)·y + ω·x
//
// For μ > 0 and no input its limit cycle is the circle of radius √μ, run at
// angular frequency ω (rad/ms). It does not spike. States: x, y.
type StuartLandau struct {
	Mu, Omega float64
}

// States lists x and y.
func (n *StuartLandau) States(float dtypes.DType) []StateVar {
	return []StateVar{{"x", float}, {"y", float}}
}

// Potential is "x": inputs drive x.
func (n *StuartLandau) Potential() string { return "x" }

// Update integrates one step; the spikes are all false.
func (n *StuartLandau) Update(s Vars, input Current, step Step, m Method) (Vars, *Node) {
	i := input(s["x"])
	f := func(s Vars) Vars {
		x, y := s["x"], s["y"]
		a := Sub(Sub(Scalar(x.Graph(), x.DType(), n.Mu), Square(x)), Square(y))
		return Vars{"x": Add(Sub(Mul(a, x), MulScalar(y, n.Omega)), i), "y": Add(Mul(a, y), MulScalar(x, n.Omega))}
	}
	next := m(f, s, step.Dt)
	return next, ZerosLike(GreaterThan(s["x"], s["x"]))
}

// Kuramoto is a population of phase oscillators coupled all to all
// (Kuramoto 1975):
//
//	dθ_i/dt = ω_i + (K/N)·Σ_j sin(θ_j − θ_i) + I_i
//
// N is the population's size (the last axis of the states). The sum is
// computed through the order parameter r·e^{iψ} = mean_j e^{iθ_j}:
// (1/N)·Σ_j sin(θ_j − θ_i) = S̄·cos θ_i − C̄·sin θ_i with C̄ = mean_j cos θ_j
// and S̄ = mean_j sin θ_j, so a step costs O(N), not O(N²). The mean field is
// recomputed at every stage of the method, so rk2 and rk4 keep their order;
// under exp_euler the step is forward Euler, since Σ_i dθ_i/dt does not
// depend on θ and the linearisation ExpEuler finds is 0. θ is kept
// unwrapped (it grows without bound; wrap it mod 2π when reading it). The
// natural frequencies ω (rad/ms) are a state that does not evolve, so that
// specs can draw them per oscillator. It does not spike. States: theta,
// omega.
type Kuramoto struct {
	K float64 // coupling, rad/ms
}

// States lists theta (the phase, rad) and omega (the natural frequency,
// rad/ms).
func (n *Kuramoto) States(float dtypes.DType) []StateVar {
	return []StateVar{{"theta", float}, {"omega", float}}
}

// Potential is "theta": inputs add to the phase velocity.
func (n *Kuramoto) Potential() string { return "theta" }

// Update integrates one step; the spikes are all false.
func (n *Kuramoto) Update(s Vars, input Current, step Step, m Method) (Vars, *Node) {
	theta, omega := s["theta"], s["omega"]
	drive := Add(omega, input(theta))
	f := func(s Vars) Vars {
		th := s["theta"]
		c, sn := Cos(th), Sin(th)
		mc := BroadcastToShape(ReduceAndKeep(c, ReduceMean, -1), th.Shape())
		ms := BroadcastToShape(ReduceAndKeep(sn, ReduceMean, -1), th.Shape())
		coupling := MulScalar(Sub(Mul(ms, c), Mul(mc, sn)), n.K)
		return Vars{"theta": Add(drive, coupling)}
	}
	next := m(f, Vars{"theta": theta}, step.Dt)
	next["omega"] = omega
	return next, ZerosLike(GreaterThan(theta, theta))
}

// ThresholdLinear is a threshold-linear rate unit (Chaudhuri et al. 2015,
// one of its E or I populations; BrainPy's ThresholdLinearModel is a pair
// of them):
//
//	τ dr/dt = −r + β·[I]₊
//
// I is the population's input and [x]₊ = max(x, 0). It does not spike.
// States: r.
type ThresholdLinear struct {
	Tau, Beta float64 // ms, per unit input
}

// States lists r.
func (n *ThresholdLinear) States(float dtypes.DType) []StateVar {
	return []StateVar{{"r", float}}
}

// Potential is "r": inputs drive r.
func (n *ThresholdLinear) Potential() string { return "r" }

// Update integrates one step; the spikes are all false.
func (n *ThresholdLinear) Update(s Vars, input Current, step Step, m Method) (Vars, *Node) {
	i := input(s["r"])
	drive := MulScalar(Max(i, ZerosLike(i)), n.Beta)
	f := func(s Vars) Vars {
		return Vars{"r": DivScalar(Sub(drive, s["r"]), n.Tau)}
	}
	next := m(f, s, step.Dt)
	return next, ZerosLike(GreaterThan(s["r"], s["r"]))
}

// JansenRit is the Jansen–Rit (1995) neural mass of a cortical column:
// pyramidal cells with excitatory and inhibitory interneurons, each a
// second-order synaptic kernel of a sigmoid of its input:
//
//	y0' = y3,  y3' = A·a·S(y1 − y2) − 2a·y3 − a²·y0
//	y1' = y4,  y4' = A·a·(p + I + C2·S(C1·y0)) − 2a·y4 − a²·y1
//	y2' = y5,  y5' = B·b·C4·S(C3·y0) − 2b·y5 − b²·y2
//	S(v) = 2e0 / (1 + e^{r(v0 − v)})
//
// with C1 = C, C2 = 0.8C, C3 = C4 = 0.25C. y1 − y2 (mV) is the pyramidal
// cells' membrane potential, the column's EEG. Times are in ms (a, b, e0
// and p per ms); the population's input I adds to the external firing p.
// It does not spike. States: y0 … y5.
type JansenRit struct {
	A, B, SmallA, SmallB, C, E0, V0, R, P float64 // mV, mV, 1/ms, 1/ms, 1, 1/ms, mV, 1/mV, 1/ms
}

// jansenRitStates are the model's state names in order.
var jansenRitStates = []string{"y0", "y1", "y2", "y3", "y4", "y5"}

// States lists y0 … y5.
func (n *JansenRit) States(float dtypes.DType) []StateVar {
	out := make([]StateVar, len(jansenRitStates))
	for k, name := range jansenRitStates {
		out[k] = StateVar{name, float}
	}
	return out
}

// Potential is "y1": inputs drive the pyramidal cells' excitatory input.
func (n *JansenRit) Potential() string { return "y1" }

// Update integrates one step; the spikes are all false.
func (n *JansenRit) Update(s Vars, input Current, step Step, m Method) (Vars, *Node) {
	i := input(s["y1"])
	sig := func(v *Node) *Node { // 2e0/(1 + e^{r(v0 − v)}) = 2e0·σ(r(v − v0))
		return MulScalar(Sigmoid(MulScalar(AddScalar(v, -n.V0), n.R)), 2*n.E0)
	}
	a, b := n.SmallA, n.SmallB
	f := func(s Vars) Vars {
		y0, y1, y2, y3, y4, y5 := s["y0"], s["y1"], s["y2"], s["y3"], s["y4"], s["y5"]
		second := func(drive, y, dy *Node, rate float64) *Node { // drive − 2·rate·dy − rate²·y
			return Sub(Sub(drive, MulScalar(dy, 2*rate)), MulScalar(y, rate*rate))
		}
		d3 := second(MulScalar(sig(Sub(y1, y2)), n.A*a), y0, y3, a)
		d4 := second(MulScalar(Add(AddScalar(i, n.P), MulScalar(sig(MulScalar(y0, n.C)), 0.8*n.C)), n.A*a), y1, y4, a)
		d5 := second(MulScalar(sig(MulScalar(y0, 0.25*n.C)), n.B*b*0.25*n.C), y2, y5, b)
		return Vars{"y0": y3, "y1": y4, "y2": y5, "y3": d3, "y4": d4, "y5": d5}
	}
	next := m(f, s, step.Dt)
	return next, ZerosLike(GreaterThan(s["y0"], s["y0"]))
}

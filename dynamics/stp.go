package dynamics

import (
	"math"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // graph DSL
)

// STP is Tsodyks–Markram short-term plasticity, a state (u, x) per
// presynaptic neuron of a projection:
//
//	du/dt = (Rest − u)/τ_f,   dx/dt = (1 − x)/τ_d   between spikes
//	on a spike: u ← u + U·(1 − u), efficacy = u·x, x ← x − u·x
//
// With Rest = U (Brian2's STP example; the first spike's efficacy is
// U(2−U)) or Rest = 0 (Tsodyks, Pawelzik & Markram 1998, BrainPy's STP; the
// first spike's efficacy is U). The efficacy scales the weight the spike
// carries. Between spikes u and x relax exactly (exponentially) over each
// step; u starts at Rest and x at 1.
type STP struct {
	// U is the increment of u per spike (1); TauF and TauD the facilitation
	// and depression time constants (ms).
	U, TauF, TauD float64
	// Rest is the value u relaxes to between spikes: U or 0.
	Rest float64
}

// Step processes this step's presynaptic spikes (float 0/1, [nPre]) on the
// state (u, x) and returns the efficacy of each spike ([nPre], 0 where no
// spike) and the state at the next step.
func (p *STP) Step(u, x, spikes *Node, dt float64) (eff, uNext, xNext *Node) {
	uSpk := Add(u, MulScalar(OneMinus(u), p.U))
	uPlus := Add(u, Mul(spikes, Sub(uSpk, u)))
	eff = Mul(spikes, Mul(uSpk, x))
	xPlus := Sub(x, eff)
	ef, ed := math.Exp(-dt/p.TauF), math.Exp(-dt/p.TauD)
	uNext = AddScalar(MulScalar(AddScalar(uPlus, -p.Rest), ef), p.Rest)
	xNext = OneMinus(MulScalar(OneMinus(xPlus), ed))
	return eff, uNext, xNext
}

// SteadyState is the efficacy a regular train of period T (ms) converges
// to, for Rest = U: with E_f = e^{−T/τ_f} and E_d = e^{−T/τ_d},
// u* = U·(1 + (1 − U)(1 − E_f))/(1 − (1 − U)E_f) after each spike and
// x* = (1 − E_d)/(1 − (1 − u*)E_d) before it.
func (p *STP) SteadyState(T float64) float64 {
	ef := math.Exp(-T / p.TauF)
	u := p.U * (1 + (1-p.U)*(1-ef)) / (1 - (1-p.U)*ef)
	x := (1 - math.Exp(-T/p.TauD)) / (1 - (1-u)*math.Exp(-T/p.TauD))
	return u * x
}

package dynamics

import (
	"fmt"
	"math"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // graph DSL
)

// Synapse is a synaptic state kept per postsynaptic neuron (the AlignPost
// form): linear dynamics, so every projection onto the same population with
// the same synapse can share one state (merging).
type Synapse interface {
	// States lists the synaptic variables, "g" (what outputs read) first.
	States() []string
	// Update advances the variables over one step of dt (ms) and adds x,
	// the summed presynaptic events of this step (already weighted), where
	// events enter the model.
	Update(s Vars, x *Node, dt float64) Vars
	// Key identifies the dynamics: two projections whose synapses have equal
	// keys (and equal outputs) can share a state.
	Key() string
}

// NewSynapse builds a synapse family from its catalogue name and parameters.
func NewSynapse(model string, p map[string]float64) (Synapse, error) {
	switch model {
	case "Expon":
		return &Expon{Tau: p["tau"]}, nil
	case "DualExpon":
		if !(p["tau_decay"] > p["tau_rise"]) {
			return nil, fmt.Errorf("DualExpon: tau_decay (%g ms) must exceed tau_rise (%g ms); use Alpha for equal ones", p["tau_decay"], p["tau_rise"])
		}
		return &DualExpon{TauRise: p["tau_rise"], TauDecay: p["tau_decay"]}, nil
	case "Alpha":
		return &DualExpon{TauRise: p["tau"], TauDecay: p["tau"]}, nil
	case "Delta":
		return DeltaSynapse{}, nil
	}
	if model == GapJunctionModel {
		return nil, fmt.Errorf("%s is electrical coupling, not a chemical synapse: it has no synaptic state", model)
	}
	if _, ok := NewPreSynapse(model, p); ok {
		return nil, fmt.Errorf("synapse model %s is kept per presynaptic neuron: build it with NewPreSynapse", model)
	}
	if s, ok, err := registeredSynapse(model, p); ok {
		return s, err
	}
	return nil, fmt.Errorf("no implementation for synapse model %q", model)
}

// DeltaSynapse has no dynamics: g is x, the weight arriving in this step.
type DeltaSynapse struct{}

// States is ["g"].
func (DeltaSynapse) States() []string { return []string{"g"} }

// Update returns g = x.
func (DeltaSynapse) Update(_ Vars, x *Node, _ float64) Vars { return Vars{"g": x} }

// Key is "Delta".
func (DeltaSynapse) Key() string { return "Delta" }

// Expon is the single-exponential synapse, dg/dt = -g/tau, with g += w on
// each presynaptic spike.
type Expon struct {
	Tau float64 // ms
}

// States is ["g"].
func (s *Expon) States() []string { return []string{"g"} }

// Update decays g (exponential Euler, exact for this ODE) and adds x.
func (s *Expon) Update(v Vars, x *Node, dt float64) Vars {
	decay := func(g *Node) *Node { return DivScalar(Neg(g), s.Tau) }
	return Vars{"g": Add(ExpEuler(decay, v["g"], dt), x)}
}

// Key is "Expon(tau=...)".
func (s *Expon) Key() string { return fmt.Sprintf("Expon(tau=%g)", s.Tau) }

// DualExpon is the difference-of-exponentials synapse (the Alpha synapse
// when TauRise = TauDecay):
//
//	dg/dt = −g/τ_decay + h,   dh/dt = −h/τ_rise,   h += A·w per event
//
// A normalises the kernel so that one event of weight w peaks at g = w:
// A = 1/max_t κ(t), κ(t) = τ_dτ_r/(τ_d−τ_r)·(e^{−t/τ_d} − e^{−t/τ_r})
// (κ(t) = t·e^{−t/τ}, A = e/τ, for Alpha). The linear system is advanced by
// its exact propagator, so a step of any length is exact.
type DualExpon struct {
	TauRise, TauDecay float64 // ms
}

// States is ["g", "h"].
func (s *DualExpon) States() []string { return []string{"g", "h"} }

// Norm is A, the factor applied to events.
func (s *DualExpon) Norm() float64 {
	tr, td := s.TauRise, s.TauDecay
	if tr == td {
		return math.E / td
	}
	tp := td * tr / (td - tr) * math.Log(td/tr)
	return 1 / (td * tr / (td - tr) * (math.Exp(-tp/td) - math.Exp(-tp/tr)))
}

// Update advances (g, h) exactly over dt, then adds A·x to h.
func (s *DualExpon) Update(v Vars, x *Node, dt float64) Vars {
	tr, td := s.TauRise, s.TauDecay
	er, ed := math.Exp(-dt/tr), math.Exp(-dt/td)
	coupling := dt * ed // h's contribution to g over the step, for tr = td
	if tr != td {
		coupling = td * tr / (td - tr) * (ed - er)
	}
	g := Add(MulScalar(v["g"], ed), MulScalar(v["h"], coupling))
	h := Add(MulScalar(v["h"], er), MulScalar(x, s.Norm()))
	return Vars{"g": g, "h": h}
}

// Key is "DualExpon(rise=...,decay=...)".
func (s *DualExpon) Key() string {
	return fmt.Sprintf("DualExpon(rise=%g,decay=%g)", s.TauRise, s.TauDecay)
}

// Output turns a synaptic state into a current for the postsynaptic neuron.
type Output interface {
	// Current is the current g produces at membrane potential v.
	Current(g, v *Node) *Node
	// Key identifies the output for merging.
	Key() string
}

// NewOutput builds an output from its catalogue name and parameters.
func NewOutput(model string, p map[string]float64) (Output, error) {
	switch model {
	case "CUBA":
		return CUBA{}, nil
	case "Delta":
		return Delta{}, nil
	case "COBA":
		return COBA{E: p["E"]}, nil
	case "MgBlock":
		return MgBlock{E: p["E"], Mg: p["cc_Mg"], Alpha: p["alpha"], Beta: p["beta"]}, nil
	}
	return nil, fmt.Errorf("no implementation for output model %q", model)
}

// Delta is the voltage-jump output: g is added to the membrane potential
// right after the step's integration (see JumpAfter), not as a current.
type Delta struct{}

// Current is 0: Delta's effect is the jump.
func (Delta) Current(g, _ *Node) *Node { return ZerosLike(g) }

// Key is "Delta".
func (Delta) Key() string { return "Delta" }

// JumpAfter returns method m followed by adding jump to the variable v of
// its result: every neuron model integrates with the method it is given
// and checks its threshold on the result, so the jump lands after the
// integration and before the threshold (BrainPy's delta inputs; NEST's
// iaf_psc_delta). A model holding a refractory neuron's potential holds it
// over the jump too.
func JumpAfter(m Method, v string, jump *Node) Method {
	return func(f System, s Vars, dt float64) Vars {
		out := m(f, s, dt)
		if x, ok := out[v]; ok {
			out[v] = Add(x, jump)
		}
		return out
	}
}

// CUBA is a current-based output: I = g.
type CUBA struct{}

// Current returns g.
func (CUBA) Current(g, _ *Node) *Node { return g }

// Key is "CUBA".
func (CUBA) Key() string { return "CUBA" }

// COBA is a conductance-based output with reversal potential E (mV):
// I = g·(E − V).
type COBA struct {
	E float64
}

// Current returns g·(E − v).
func (o COBA) Current(g, v *Node) *Node { return Mul(g, Neg(AddScalar(v, -o.E))) }

// Key is "COBA(E=...)".
func (o COBA) Key() string { return fmt.Sprintf("COBA(E=%g)", o.E) }

// MgBlock is the conductance-based output of NMDA receptors with the
// voltage-dependent magnesium block (Jahr & Stevens 1990):
//
//	I = g·(E − V) / (1 + [Mg²⁺]/β · exp(−α·V))
type MgBlock struct {
	E, Mg, Alpha, Beta float64 // mV, mM, mV⁻¹, mM
}

// Current returns g·(E − v)/(1 + Mg/β·exp(−α·v)).
func (o MgBlock) Current(g, v *Node) *Node {
	block := AddScalar(MulScalar(Exp(MulScalar(v, -o.Alpha)), o.Mg/o.Beta), 1)
	return Div(Mul(g, Neg(AddScalar(v, -o.E))), block)
}

// Key is "MgBlock(E=...,Mg=...,alpha=...,beta=...)".
func (o MgBlock) Key() string {
	return fmt.Sprintf("MgBlock(E=%g,Mg=%g,alpha=%g,beta=%g)", o.E, o.Mg, o.Alpha, o.Beta)
}

// GapJunctionModel is the catalogue name of electrical coupling: a
// projection of that synapse model is lowered to a Gap, not a Synapse.
const GapJunctionModel = "GapJunction"

// GapCurrent is the current of gap junctions into each neuron at membrane
// potential v: Σ_j w·(V_j − v) = partners − conductance·v, where partners
// is Σ_j w·V_j over the neuron's junctions (with V_j from the start of the
// step) and conductance is Σ_j w.
func GapCurrent(partners, conductance, v *Node) *Node { return Sub(partners, Mul(conductance, v)) }

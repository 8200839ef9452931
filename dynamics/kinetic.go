package dynamics

import (
	"fmt"
	"math"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // graph DSL
)

// PreSynapse is a synaptic state kept per presynaptic neuron (the AlignPre
// form), for receptor kinetics that saturate: their variables are not
// linear in the spikes, so the state of two presynaptic neurons cannot be
// summed onto the postsynaptic side. Every projection from one population
// with equal synapse keys shares one state; each postsynaptic neuron then
// receives Σ_j w_ij·g_j every step.
type PreSynapse interface {
	// States lists the synaptic variables, "g" (what is transmitted) first.
	States() []string
	// Update advances the variables over one step of dt (ms) given this
	// step's presynaptic spikes (float 0/1, one per presynaptic neuron).
	Update(s Vars, spikes *Node, dt float64) Vars
	// Key identifies the dynamics, for sharing states.
	Key() string
}

// NewPreSynapse builds a per-presynaptic synapse family from its catalogue
// name and parameters; ok is false for synapses kept per postsynaptic
// neuron (see NewSynapse).
func NewPreSynapse(model string, p map[string]float64) (syn PreSynapse, ok bool) {
	switch model {
	case "AMPA", "GABAa":
		return &Kinetic{Name: model, Alpha: p["alpha"], Beta: p["beta"], T: p["T"], TDur: p["T_dur"]}, true
	case "NMDA":
		return &NMDA{A: p["a"], TauRise: p["tau_rise"], TauDecay: p["tau_decay"]}, true
	}
	return nil, false
}

// Kinetic is the two-state receptor model of Destexhe, Mainen & Sejnowski
// (1994), BrainPy's AMPA and GABAa:
//
//	dg/dt = α·[T]·(1 − g) − β·g
//
// where a presynaptic spike releases transmitter of concentration T (mM)
// for T_dur ms. The step is integrated exactly: the open fraction relaxes
// towards αT/(αT+β) at rate αT+β while transmitter is present, then decays
// at rate β, so a pulse ending inside a step is split where it ends.
// States: g (open fraction) and r (transmitter time left, ms).
type Kinetic struct {
	// Name is the catalogue name ("AMPA" or "GABAa").
	Name string
	// Alpha (1/(ms·mM)) and Beta (1/ms) are the binding and unbinding rates,
	// T (mM) the transmitter concentration and TDur (ms) its duration.
	Alpha, Beta, T, TDur float64
}

// States is ["g", "r"].
func (k *Kinetic) States() []string { return []string{"g", "r"} }

// Update restarts the pulse of neurons that spiked and integrates g over the
// step exactly.
func (k *Kinetic) Update(s Vars, spikes *Node, dt float64) Vars {
	r := s["r"]
	r = Where(GreaterThan(spikes, ZerosLike(spikes)), AddScalar(ZerosLike(r), k.TDur), r)
	on := MinScalar(r, dt) // time with transmitter in this step
	rateOn := k.Alpha*k.T + k.Beta
	gInf := k.Alpha * k.T / rateOn
	g := s["g"]
	g = AddScalar(Mul(AddScalar(g, -gInf), Exp(MulScalar(on, -rateOn))), gInf)
	g = Mul(g, Exp(MulScalar(AddScalar(Neg(on), dt), -k.Beta)))
	return Vars{"g": g, "r": MaxScalar(AddScalar(r, -dt), 0)}
}

// Key is "<Name>(alpha=...,beta=...,T=...,T_dur=...)".
func (k *Kinetic) Key() string {
	return fmt.Sprintf("%s(alpha=%g,beta=%g,T=%g,T_dur=%g)", k.Name, k.Alpha, k.Beta, k.T, k.TDur)
}

// NMDA is the saturating NMDA receptor of Wang (2002), BrainPy's NMDA:
//
//	dg/dt = −g/τ_decay + a·x·(1 − g)
//	dx/dt = −x/τ_rise,  x += 1 per presynaptic spike
//
// The spike is added to x at the start of the step; x is then advanced
// exactly, and g, linear given x, relaxes exponentially with a·x replaced
// by its exact mean over the step (second order in dt). The voltage dependence (magnesium
// block) belongs to the output, MgBlock. States: g and x.
type NMDA struct {
	A, TauRise, TauDecay float64 // 1/ms, ms, ms
}

// States is ["g", "x"].
func (n *NMDA) States() []string { return []string{"g", "x"} }

// Update adds the spikes to x and advances (g, x) over dt.
func (n *NMDA) Update(s Vars, spikes *Node, dt float64) Vars {
	x := Add(s["x"], spikes)
	ax := MulScalar(x, n.A*n.TauRise/dt*(1-math.Exp(-dt/n.TauRise))) // a·x averaged over the step, exactly
	rate := AddScalar(ax, 1/n.TauDecay)
	gInf := Div(ax, rate)
	g := Add(gInf, Mul(Sub(s["g"], gInf), Exp(MulScalar(rate, -dt))))
	return Vars{"g": g, "x": MulScalar(x, math.Exp(-dt/n.TauRise))}
}

// Key is "NMDA(a=...,rise=...,decay=...)".
func (n *NMDA) Key() string {
	return fmt.Sprintf("NMDA(a=%g,rise=%g,decay=%g)", n.A, n.TauRise, n.TauDecay)
}

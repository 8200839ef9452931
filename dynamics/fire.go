package dynamics

import (
	"math"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // graph DSL

	"github.com/brainc/brainc/ops"
)

// fire is the step that integrate-and-fire and conductance-based models
// share: integrate the system f, keep the potential V of neurons still
// refractory (a spike at most refSteps steps ago; refSteps < 0 holds
// nothing), detect spikes where V ≥ vSpike among neurons not refractory,
// record them in last_spike and apply reset. Models without a reset
// (Hodgkin–Huxley) pass reset nil: a spike is then V crossing vSpike
// upwards in the step, and refractoriness only masks detection.
func fire(s Vars, f System, m Method, step Step, refSteps int, vSpike float64, hold bool,
	reset func(s Vars, spike *Node) Vars) (Vars, *Node) {
	th := Scalar(s["V"].Graph(), s["V"].DType(), vSpike)
	return fireAt(s, f, m, step, refSteps, th, hold, reset)
}

// fireAt is fire with the threshold given as a node: a scalar, or one value
// per neuron (a threshold that is itself a state, as in GIF, read at the
// step's start).
func fireAt(s Vars, f System, m Method, step Step, refSteps int, th *Node, hold bool,
	reset func(s Vars, spike *Node) Vars) (Vars, *Node) {
	g := s["V"].Graph()
	last := s["last_spike"]
	dyn := Vars{}
	for k, x := range s {
		if k != "last_spike" {
			dyn[k] = x
		}
	}
	next := m(f, dyn, step.Dt)
	// Refractory: a spike at most refSteps steps ago (none when refSteps < 0).
	refractory := LessOrEqual(Sub(step.Index, last), Scalar(g, dtypes.Int32, refSteps))
	if hold && refSteps > 0 {
		next["V"] = Where(refractory, s["V"], next["V"])
	}
	fired := And(GreaterOrEqual(next["V"], th), LogicalNot(refractory))
	if reset == nil {
		fired = And(fired, LessThan(s["V"], th))
	}
	spike := fired
	if step.Surrogate != nil {
		// The same spikes as floats, H(V − θ) forward and the surrogate's
		// derivative backward, masked (with no gradient) where a spike
		// cannot happen: refractory neurons, and without a reset neurons
		// already above θ.
		spike = Mul(ops.Spike(Sub(next["V"], BroadcastToShape(th, next["V"].Shape())), *step.Surrogate),
			StopGradient(ConvertDType(Or(fired, LessThan(next["V"], th)), next["V"].DType())))
	}
	if reset != nil {
		next = reset(next, spike)
	}
	next["last_spike"] = Where(fired, BroadcastToShape(step.Index, last.Shape()), last)
	return next, spike
}

// Pick is Where(spike, then, otherwise) for Bool spikes; for the float
// spikes of training (Step.Surrogate) it is otherwise·(1 − s) + then·s,
// which takes the same values for s ∈ {0, 1} and lets gradients reach s.
// then may be a scalar.
func Pick(spike, then, otherwise *Node) *Node {
	if spike.DType() == dtypes.Bool {
		return Where(spike, then, otherwise)
	}
	return Add(Mul(otherwise, OneMinus(spike)), Mul(BroadcastToShape(then, otherwise.Shape()), spike))
}

// refractorySteps is the number of steps k with k·dt ≤ tauRef, at most
// maxRefractorySteps (longer than any run: ir.MaxSteps is 2^30), so that
// it fits the Int32 step counters.
func refractorySteps(tauRef, dt float64) int {
	return int(min(math.Floor(tauRef/dt+1e-9), maxRefractorySteps))
}

// maxRefractorySteps bounds refractory periods in steps.
const maxRefractorySteps = 1 << 30

// resetTo returns a reset that sets V to vReset where spike, and adds
// jumps[k] to variable k.
func resetTo(vReset float64, jumps map[string]float64) func(Vars, *Node) Vars {
	return func(s Vars, spike *Node) Vars {
		v := s["V"]
		s["V"] = Pick(spike, Scalar(v.Graph(), v.DType(), vReset), v)
		for _, k := range sortedKeys(jumps) {
			s[k] = Pick(spike, AddScalar(s[k], jumps[k]), s[k])
		}
		return s
	}
}

func sortedKeys(m map[string]float64) []string {
	v := Vars{}
	for k := range m {
		v[k] = nil
	}
	return v.Names()
}

// spikingStates is the state list of a model whose float variables are
// names (V first), plus last_spike.
func spikingStates(float dtypes.DType, names ...string) []StateVar {
	out := make([]StateVar, 0, len(names)+1)
	for _, n := range names {
		out = append(out, StateVar{n, float})
	}
	return append(out, StateVar{"last_spike", dtypes.Int32})
}

package jit

import (
	"fmt"
	"math"
	"sort"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/tensors"

	"github.com/brainc/brainc/eqs"
	"github.com/brainc/brainc/lower"
)

// NonFiniteError reports a run that went numerically wrong: a neuron's
// state variable, or a projection's plasticity state (plastic weights, a
// learning rule's traces, STP's u and x), became NaN or infinite. The run
// stops at the first step where that happened (the loop engine; the chunk
// engine at the end of the chunk holding it); what was recorded up to there
// was handed out.
type NonFiniteError struct {
	// Pop and Var name the variable, Neuron the first neuron affected and
	// Value its value (NaN or ±Inf). For plasticity state Pop is the
	// population whose neurons the variable runs over (a trace's side;
	// empty for weights).
	Pop, Var string
	Neuron   int
	Value    float64
	// Proj, when set, is the projection whose plasticity state Var went
	// non-finite; for its weights (Var "w") Synapse is the synapse (Matrix
	// order) and Pre and Post its neurons in PrePop and PostPop.
	Proj            string
	Synapse         int
	Pre, Post       int
	PrePop, PostPop string
	// Step is the number of steps run when it was found, Time the model
	// time then (ms), Dt the step (ms) and Integrator the population's method.
	Step       int
	Time, Dt   float64
	Integrator string
	// Source names, for a model given by equations, the reset statement
	// or equation that may have no finite value for Var ("" for none, or
	// a catalogue model): see eqs.Neuron.NonFiniteSource.
	Source string
	// Suspect, when set, names a value onto the population far larger than
	// the model's own values of its dimension (a weight written without
	// units, read in coherent units): see suspectMagnitude.
	Suspect string
}

func (e *NonFiniteError) Error() string {
	if e.Proj != "" {
		return e.plasticError()
	}
	suspect := ""
	if e.Suspect != "" {
		suspect = "; " + e.Suspect
	}
	if e.Source != "" {
		return fmt.Sprintf("%s.%s of neuron %d is %g after step %d (t = %g ms): %s has no finite value there, "+
			"or the integration diverged (then try a smaller dt (now %g ms) or another integrator (%s uses %s))%s",
			e.Pop, e.Var, e.Neuron, e.Value, e.Step, e.Time, e.Source, e.Dt, e.Pop, e.Integrator, suspect)
	}
	return fmt.Sprintf("%s.%s of neuron %d is %g after step %d (t = %g ms): the integration diverged; "+
		"try a smaller dt (now %g ms) or another integrator (%s uses %s)%s",
		e.Pop, e.Var, e.Neuron, e.Value, e.Step, e.Time, e.Dt, e.Pop, e.Integrator, suspect)
}

// suspectMagnitude names the weight onto pop (a model given by
// equations) that is farthest above every parameter of its own
// dimension — 1,000 times or more, as a conductance of 1 (1 mS in
// coherent units) beside a leak of 10 nS: a weight likely written without
// its unit. "" when none is.
func suspectMagnitude(p *lower.Program, pop *lower.Population) string {
	n := pop.Equations
	if n == nil || !n.UsesInput {
		return ""
	}
	best, msg := 0.0, ""
	for _, pr := range p.Projs {
		ipr := pr.Projection
		if ipr.Post != pop.Name || ipr.Synapse.Synapse != nil {
			continue
		}
		d := n.InputDim
		switch ipr.Output.Model {
		case "CUBA":
		case "COBA":
			d = d.Div(eqs.Voltage)
		default:
			continue
		}
		w := math.Abs(ipr.Weight)
		for _, name := range n.Params {
			v := math.Abs(pop.Params[name])
			if n.Dims[name] != d || v == 0 || w/v < 1000 || w/v <= best {
				continue
			}
			best = w / v
			msg = fmt.Sprintf("projection %s's weight %.4g is %.3g times %s's %s (%.4g), both in %s: was the weight written without its unit (e.g. 10 nS)?",
				ipr.Name, ipr.Weight, w/v, pop.Name, name, pop.Params[name], unitName(d))
		}
	}
	return msg
}

// unitName is d's coherent unit, or the dimension when it has no name.
func unitName(d eqs.Dim) string {
	if u := d.CoherentUnit(); u != "" {
		return u
	}
	return "coherent units of " + d.String()
}

// plasticError is Error for plasticity state.
func (e *NonFiniteError) plasticError() string {
	what := fmt.Sprintf("neuron %d of %s", e.Neuron, e.Pop)
	if e.Synapse >= 0 { // w, or a rule's variable kept per synapse
		what = fmt.Sprintf("synapse %d (%s %d → %s %d)", e.Synapse, e.PrePop, e.Pre, e.PostPop, e.Post)
	}
	return fmt.Sprintf("projection %s: %s of %s is %g after step %d (t = %g ms): its plasticity diverged; "+
		"check the rule's parameters and bounds, or try a smaller dt (now %g ms)",
		e.Proj, e.Var, what, e.Value, e.Step, e.Time, e.Dt)
}

// deliver hands a chunk to fn (when set), then reports the divergence
// found in it, if any: the steps up to a diverged one are recorded first.
func deliver(fn func(*Chunk) error, c *Chunk, diverged *NonFiniteError) error {
	if fn != nil {
		if err := fn(c); err != nil {
			return err
		}
	}
	if diverged != nil {
		return diverged
	}
	return nil
}

// findNonFinite returns the first non-finite plasticity state
// (lower.Program.PlasticFloats order), else the first non-finite neuron
// state variable of a state (Program.State order), or nil. Plasticity comes
// first: a learning rule reads no neuron's variables, but its weights feed
// every neuron it projects onto, so when both went wrong in one chunk it is
// the cause.
func findNonFinite(p *lower.Program, state func(i int) (*tensors.Tensor, error), steps int) (*NonFiniteError, error) {
	read := map[int][]float64{} // a block's arrays, read once for all its populations
	values := func(i int) ([]float64, error) {
		if vals, ok := read[i]; ok {
			return vals, nil
		}
		t, err := state(i)
		if err != nil {
			return nil, err
		}
		var vals []float64
		if err := t.ConstFlatData(func(flat any) { vals = floats(flat) }); err != nil {
			return nil, err
		}
		read[i] = vals
		return vals, nil
	}
	// The step counter (state 0) counts the steps of a resumed run's
	// checkpoint too, where steps counts this runner's.
	if p.State[0].Name == "step" && p.State[0].DType == dtypes.Int32 {
		t, err := state(0)
		if err != nil {
			return nil, err
		}
		if err := t.ConstFlatData(func(flat any) {
			if v, ok := flat.([]int32); ok && len(v) == 1 {
				steps = int(v[0])
			}
		}); err != nil {
			return nil, err
		}
	}
	at := func(e *NonFiniteError) *NonFiniteError {
		// The time to 1e-9 ms: 152 steps of 0.1 ms say 15.2 ms.
		e.Step, e.Time, e.Dt = steps, math.Round(float64(steps)*p.Net.Dt*1e9)/1e9, p.Net.Dt
		return e
	}
	for _, v := range p.PlasticFloats() {
		vals, err := values(v.State.Index)
		if err != nil {
			return nil, err
		}
		k := firstNonFinite(vals[:min(v.Size, len(vals))])
		if k < 0 {
			continue
		}
		e := &NonFiniteError{Proj: v.Proj.Name, Var: v.Var, Value: vals[k], Neuron: k, Synapse: -1}
		switch {
		case v.Synapses:
			m := v.Proj.Matrix
			e.Synapse, e.Neuron = k, 0
			e.Pre = sort.Search(m.NPre, func(i int) bool { return int(m.Indptr[i+1]) > k })
			e.Post = int(m.Indices[k])
			e.PrePop, e.PostPop = v.Proj.Pre.Name, v.Proj.Target.Name
		case v.PreSide:
			e.Pop = v.Proj.Pre.Name
		default:
			e.Pop = v.Proj.Target.Name
		}
		return at(e), nil
	}
	for _, pop := range p.Pops {
		b := pop.Block
		for _, name := range b.StateNames {
			a := b.States[name]
			if a.DType != p.DType {
				continue
			}
			vals, err := values(a.Index)
			if err != nil {
				return nil, err
			}
			if k := firstNonFinite(vals[pop.Offset : pop.Offset+pop.Size]); k >= 0 {
				integ := pop.Population.Integrator
				if integ == "" {
					integ = "exp_euler"
				}
				diverged := &NonFiniteError{Pop: pop.Name, Var: name, Neuron: k, Value: vals[pop.Offset+k], Integrator: integ}
				if pop.Equations != nil {
					diverged.Source = pop.Equations.NonFiniteSource(name)
					diverged.Suspect = suspectMagnitude(p, pop)
				}
				return at(diverged), nil
			}
		}
	}
	return nil, nil
}

// firstNonFinite is the index of the first NaN or infinity in vals, or -1.
func firstNonFinite(vals []float64) int {
	for k, v := range vals {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return k
		}
	}
	return -1
}

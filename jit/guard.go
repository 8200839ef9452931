package jit

import (
	"fmt"
	"math"

	"github.com/gomlx/gomlx/pkg/core/tensors"

	"github.com/brainc/brainc/lower"
)

// NonFiniteError reports a run that went numerically wrong: a neuron's
// state variable became NaN or infinite. The run stops at the first step
// where that happened (the loop engine; the chunk engine at the end of the
// chunk holding it); what was recorded up to there was handed out.
type NonFiniteError struct {
	// Pop and Var name the variable, Neuron the first neuron affected and
	// Value its value (NaN or ±Inf).
	Pop, Var string
	Neuron   int
	Value    float64
	// Step is the number of steps run when it was found, Time the model
	// time then (ms), Dt the step (ms) and Integrator the population's method.
	Step       int
	Time, Dt   float64
	Integrator string
	// Source names, for a model given by equations, the reset statement
	// or equation that may have no finite value for Var ("" for none, or
	// a catalogue model): see eqs.Neuron.NonFiniteSource.
	Source string
}

func (e *NonFiniteError) Error() string {
	if e.Source != "" {
		return fmt.Sprintf("%s.%s of neuron %d is %g after step %d (t = %g ms): %s has no finite value there, "+
			"or the integration diverged (then try a smaller dt (now %g ms) or another integrator (%s uses %s))",
			e.Pop, e.Var, e.Neuron, e.Value, e.Step, e.Time, e.Source, e.Dt, e.Pop, e.Integrator)
	}
	return fmt.Sprintf("%s.%s of neuron %d is %g after step %d (t = %g ms): the integration diverged; "+
		"try a smaller dt (now %g ms) or another integrator (%s uses %s)",
		e.Pop, e.Var, e.Neuron, e.Value, e.Step, e.Time, e.Dt, e.Pop, e.Integrator)
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

// findNonFinite returns the first non-finite neuron state variable of a
// state (Program.State order), or nil.
func findNonFinite(p *lower.Program, state func(i int) (*tensors.Tensor, error), steps int) (*NonFiniteError, error) {
	read := map[int][]float64{} // a block's arrays, read once for all its populations
	for _, pop := range p.Pops {
		b := pop.Block
		for _, name := range b.StateNames {
			i := b.States[name]
			if p.State[i].DType != p.DType {
				continue
			}
			vals, ok := read[i]
			if !ok {
				t, err := state(i)
				if err != nil {
					return nil, err
				}
				if err := t.ConstFlatData(func(flat any) { vals = floats(flat) }); err != nil {
					return nil, err
				}
				read[i] = vals
			}
			for k, v := range vals[pop.Offset : pop.Offset+pop.Size] {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					integ := pop.Population.Integrator
					if integ == "" {
						integ = "exp_euler"
					}
					diverged := &NonFiniteError{Pop: pop.Name, Var: name, Neuron: k, Value: v, Step: steps,
						Time: float64(steps) * p.Net.Dt, Dt: p.Net.Dt, Integrator: integ}
					if pop.Equations != nil {
						diverged.Source = pop.Equations.NonFiniteSource(name)
					}
					return diverged, nil
				}
			}
		}
	}
	return nil, nil
}

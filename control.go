package brainc

import (
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"

	"github.com/brainc/brainc/dynamics"
	"github.com/brainc/brainc/ir"
	"github.com/brainc/brainc/lower"
)

// Closed-loop control: between two Runs a program reads the state and
// changes it, the inputs, the parameters or the weights, and the next Run
// goes on from there with what was recorded so far kept (Brian2's and
// BrainPy's "run, look, change, run"). Values are in the units the model
// holds them in: ms, mV, Hz and the model's current and conductance units
// for catalogue models (docs/models.md), eqs' coherent units for models
// given by equations.

// RunEach advances the simulation by duration ms in pieces of every ms
// (the last one shorter when every does not divide it), calling fn after
// each with the time simulated so far (ms, from the Sim's start): the
// closed loop's "every N ms, look and change". fn may call Get, Set,
// SetInput, SetParam, SetWeights and Result; an error from it stops
// RunEach and is returned. Each piece is one Run (one call of the
// compiled time loop), so pieces of a few ms cost little.
func (s *Sim) RunEach(ctx context.Context, duration, every float64, fn func(t float64) error) error {
	if s == nil || s.prog == nil {
		return fmt.Errorf("brainc: RunEach on a zero Sim: make one with New")
	}
	dt := s.net.Dt
	total, piece := math.Round(duration/dt), math.Round(every/dt)
	if !(piece >= 1) || !(total >= 1) || total > ir.MaxSteps {
		return fmt.Errorf("brainc: RunEach: expected a duration and a piece of at least one step (%g ms), got %g ms and %g ms", dt, duration, every)
	}
	for done := 0.0; done < total; {
		n := math.Min(piece, total-done)
		if err := s.Run(ctx, n*dt); err != nil {
			return err
		}
		done += n
		if fn != nil {
			if err := fn(float64(s.run.Steps()) * dt); err != nil {
				return err
			}
		}
	}
	return nil
}

// Get returns the current values of a state variable of a population
// (one per neuron; Bool spike flags as 0 and 1, Int32 counters as numbers),
// or of a plastic projection's learning rule (or short-term plasticity's
// u and x): its weights "w" and per-synapse variables (one per synapse, in
// the order of Synapses) or a trace (one per presynaptic or postsynaptic
// neuron).
func (s *Sim) Get(name, variable string) ([]float64, error) {
	if err := s.begin("Get"); err != nil {
		return nil, err
	}
	defer s.end()
	ref, err := s.stateOf(name, variable)
	if err != nil {
		return nil, err
	}
	state, err := s.run.State()
	if err != nil {
		return nil, err
	}
	v := lower.HostFloats(state[ref.index])
	return v[ref.offset : ref.offset+ref.size], nil
}

// Param returns a parameter of a population's model, one value per
// neuron: drawn per neuron (params: normal(…), a file, SetParam), or the
// one value repeated.
func (s *Sim) Param(pop, param string) ([]float64, error) {
	if err := s.begin("Param"); err != nil {
		return nil, err
	}
	defer s.end()
	for _, q := range s.prog.Pops {
		if q.Name != pop || q.Pad {
			continue
		}
		if v, ok := q.Values[param]; ok {
			return slices.Clone(v), nil
		}
		x, ok := q.Params[param]
		if !ok {
			return nil, fmt.Errorf("brainc: %s (%s) has no parameter %q (parameters: %s)", pop, q.Model, param, strings.Join(slices.Sorted(maps.Keys(q.Params)), ", "))
		}
		return slices.Repeat([]float64{x}, q.Size), nil
	}
	return nil, fmt.Errorf("brainc: no population %q (populations: %s)", pop, popNames(s.net))
}

// Set sets a float state variable of a population (one value per neuron,
// or one value for every neuron) or of a plastic projection's learning
// rule (as Get reads them: one value per synapse or per neuron, or one for
// all). The next Run starts from it.
func (s *Sim) Set(name, variable string, values []float64) error {
	if err := s.begin("Set"); err != nil {
		return err
	}
	defer s.end()
	ref, err := s.stateOf(name, variable)
	if err != nil {
		return err
	}
	at := fmt.Sprintf("brainc: Set %s.%s", name, variable)
	if dt := s.prog.State[ref.index].DType; dt != s.prog.DType {
		return fmt.Errorf("%s: the variable is %s, kept by the model itself (only float variables can be set)", at, dt)
	}
	v, err := perNeuron(at, values, ref.size)
	if err != nil {
		return err
	}
	state, err := s.run.State()
	if err != nil {
		return err
	}
	all := lower.HostFloats(state[ref.index])
	copy(all[ref.offset:], v)
	state = slices.Clone(state)
	state[ref.index] = dynamics.FloatArray(all, s.prog.DType)
	return s.run.SetState(state)
}

// SetInput gives a population a constant input current, one value per
// neuron or one for all (in the model's input units, as a spec's input:
// value), replacing the input it had. The first change of a population's
// input may compile the program anew (its input becomes an array); later
// ones change values only and compile nothing.
func (s *Sim) SetInput(pop string, values []float64) error {
	return s.rebuild("SetInput", func(net *ir.Network) error {
		p := net.Population(pop)
		if p == nil {
			return fmt.Errorf("no population %q (populations: %s)", pop, popNames(net))
		}
		v, err := perNeuron("", values, p.Size)
		if err != nil {
			return err
		}
		p.Input = ir.Input{Kind: ir.InputConstant, Value: v[0], PerNeuron: &ir.Init{Kind: ir.InitValues, Given: &ir.Given{Values: v}}}
		return nil
	})
}

// SetParam sets a parameter of a population's model: one value per neuron
// (models whose parameters may vary per neuron: LifRef, equation models)
// or one for all. For those models the parameter becomes an array: the
// first change may compile the program anew, later ones compile nothing;
// for the others each new value is compiled (once: the compiled programs
// are cached).
func (s *Sim) SetParam(pop, param string, values []float64) error {
	return s.rebuild("SetParam", func(net *ir.Network) error {
		p := net.Population(pop)
		if p == nil {
			return fmt.Errorf("no population %q (populations: %s)", pop, popNames(net))
		}
		if _, ok := p.Params[param]; !ok {
			return fmt.Errorf("%s (%s) has no parameter %q (parameters: %s)", pop, p.Model, param, strings.Join(slices.Sorted(maps.Keys(p.Params)), ", "))
		}
		v, err := perNeuron("", values, p.Size)
		if err != nil {
			return err
		}
		p.Params[param] = v[0]
		if p.Vary == nil {
			p.Vary = map[string]ir.Init{}
		}
		if len(values) == 1 && !s.varies(pop, param) {
			delete(p.Vary, param)
			return nil
		}
		p.Vary[param] = ir.Init{Kind: ir.InitValues, Given: &ir.Given{Values: v}}
		return nil
	})
}

// SetWeights sets a projection's weights: one for every synapse, or one
// per synapse in the order Synapses gives them. Per-synapse weights on a
// projection that had one may compile the program anew; later changes
// compile nothing.
func (s *Sim) SetWeights(proj string, weights []float64) error {
	return s.rebuild("SetWeights", func(net *ir.Network) error {
		p := net.Projection(proj)
		if p == nil {
			return fmt.Errorf("no projection %q", proj)
		}
		if len(weights) == 1 && p.WeightDist == nil && p.Conn.Rule != ir.ConnFromFile {
			p.Weight = weights[0]
			return nil
		}
		pre, post, err := s.synapses(proj)
		if err != nil {
			return err
		}
		v, err := perNeuron("", weights, len(pre))
		if err != nil {
			return fmt.Errorf("%w synapses", err)
		}
		p.Weight, p.WeightDist = 1, &ir.Init{Kind: ir.InitValues, Given: &ir.Given{Values: v, Pre: pre, Post: post}}
		return nil
	})
}

// Synapses lists a projection's synapses, presynaptic and postsynaptic
// neuron of each, in the order SetWeights reads per-synapse weights.
func (s *Sim) Synapses(proj string) (pre, post []int32, err error) {
	if err := s.begin("Synapses"); err != nil {
		return nil, nil, err
	}
	defer s.end()
	return s.synapses(proj)
}

// synapses is Synapses without the Sim's guard.
func (s *Sim) synapses(proj string) (pre, post []int32, err error) {
	for _, pr := range s.prog.Projs {
		if pr.Name != proj {
			continue
		}
		if pr.Matrix == nil {
			return nil, nil, fmt.Errorf("brainc: projection %s keeps no list of synapses (kernel %s): one weight for all", proj, pr.Kernel)
		}
		pre, post = pr.Matrix.COO()
		return slices.Clone(pre), slices.Clone(post), nil
	}
	return nil, nil, fmt.Errorf("brainc: no projection %q", proj)
}

// rebuild applies edit to a copy of the Sim's network, lowers it and goes
// on with that program from the current state (driver.Run.Rebuild); an
// error leaves the Sim as it was.
func (s *Sim) rebuild(op string, edit func(net *ir.Network) error) error {
	if err := s.begin(op); err != nil {
		return err
	}
	defer s.end()
	if s.devices > 1 {
		return fmt.Errorf("brainc: %s: a run split across devices cannot be changed between runs yet", op)
	}
	net := s.net.Clone()
	if err := edit(net); err != nil {
		return fmt.Errorf("brainc: %s: %w", op, err)
	}
	if err := net.Validate(); err != nil {
		return fmt.Errorf("brainc: %s: %w", op, err)
	}
	prog, err := lower.Build(net, lower.OptionsFor(net, lower.Choices{Float64: s.opts.Float64, Devices: s.devices}))
	if err != nil {
		return fmt.Errorf("brainc: %s: %w", op, err)
	}
	if err := s.run.Rebuild(prog); err != nil {
		return fmt.Errorf("brainc: %s: %w", op, err)
	}
	s.mu.Lock()
	s.net, s.prog, s.changed = net, prog, true
	s.mu.Unlock()
	return nil
}

// varies reports whether the model of a population takes the parameter
// one value per neuron.
func (s *Sim) varies(pop, param string) bool {
	for _, q := range s.prog.Pops {
		if q.Name == pop {
			vn, ok := q.Neuron.(interface{ Varies(string) bool })
			return ok && vn.Varies(param)
		}
	}
	return false
}

// stateRef places a variable in lower.Program.State: its array's index,
// and the offset and number of its entries there.
type stateRef struct{ index, offset, size int }

// stateOf finds a population's state variable, or a plastic projection's
// weights, per-synapse variable or trace.
func (s *Sim) stateOf(name, variable string) (stateRef, error) {
	if s.devices > 1 {
		return stateRef{}, fmt.Errorf("brainc: the state of a run split across devices cannot be read or set yet")
	}
	for _, q := range s.prog.Pops {
		if q.Name != name || q.Pad {
			continue
		}
		if i, ok := q.Block.States[variable]; ok {
			return stateRef{i.Index, q.Offset, q.Size}, nil
		}
		return stateRef{}, fmt.Errorf("brainc: %s (%s) has no state variable %q (variables: %s)", name, q.Model, variable, strings.Join(q.Block.StateNames, ", "))
	}
	for _, pr := range s.prog.Projs {
		if pr.Name != name {
			continue
		}
		var names []string
		for _, v := range s.prog.PlasticFloats() {
			if v.Proj != pr {
				continue
			}
			names = append(names, v.Var)
			if v.Var == variable {
				return stateRef{v.State.Index, 0, v.Size}, nil
			}
		}
		if len(names) == 0 {
			return stateRef{}, fmt.Errorf("brainc: projection %s has no learning rule, so no state (its weights: Synapses and SetWeights)", name)
		}
		return stateRef{}, fmt.Errorf("brainc: projection %s has no variable %q (variables: %s)", name, variable, strings.Join(names, ", "))
	}
	return stateRef{}, fmt.Errorf("brainc: no population or projection %q (populations: %s)", name, popNames(s.net))
}

// perNeuron is values as n values: itself, or one value repeated; each
// finite. at prefixes errors ("" for none).
func perNeuron(at string, values []float64, n int) ([]float64, error) {
	prefix := ""
	if at != "" {
		prefix = at + ": "
	}
	for i, x := range values {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, fmt.Errorf("%svalue %d is %g: values must be finite", prefix, i, x)
		}
	}
	switch len(values) {
	case n:
		return slices.Clone(values), nil
	case 1:
		return slices.Repeat(values, n), nil
	}
	return nil, fmt.Errorf("%sgot %d values, expected 1 or %d", prefix, len(values), n)
}

// popNames lists a network's populations.
func popNames(net *ir.Network) string {
	var names []string
	for _, p := range net.Populations {
		names = append(names, p.Name)
	}
	return strings.Join(names, ", ")
}

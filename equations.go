package brainc

import (
	"fmt"
	"maps"
	"slices"

	"github.com/brainc/brainc/eqs"
	"github.com/brainc/brainc/ir"
)

// EquationModel is a neuron model given by equations, as a spec's
// model: {equations: …, threshold: …, reset: …, params: …} writes it
// (docs/spec.md, "Models given by equations").
type EquationModel struct {
	// Equations holds one equation per line ("dv/dt = (-v + I)/tau : volt").
	Equations string
	// Threshold is the spike condition ("v > -50 mV"; "" for none), Reset
	// the statements run on a spike ("v = -60 mV"), Refractory the time
	// after a spike during which the equations marked (unless
	// refractory) are held ("2 ms"; "" for none).
	Threshold, Reset, Refractory string
	// Params are the parameters' values, with units ("-65 mV", "0.02/ms").
	Params map[string]string
	// Init are initial values of the states, with units ("-60 mV"); the
	// others start at 0.
	Init map[string]string
}

// EquationPopulation is a population of size neurons of the model m,
// checked as a spec's would be: every error names the part at fault (the
// equation, statement or parameter, and what was expected). Inputs,
// noise and per-neuron values are set on the returned population as for
// any other.
func EquationPopulation(name string, size int, m EquationModel) (*ir.Population, error) {
	var params []eqs.ParamSource
	for _, k := range slices.Sorted(maps.Keys(m.Params)) {
		params = append(params, eqs.ParamSource{Name: k, Text: m.Params[k]})
	}
	n, err := eqs.ParseNeuron(eqs.Source{Equations: m.Equations, Threshold: m.Threshold, Reset: m.Reset, Refractory: m.Refractory, Params: params})
	if err != nil {
		if ee, ok := err.(*eqs.Error); ok && ee.Part != "" {
			return nil, fmt.Errorf("brainc: population %s: %s: %w", name, ee.Part, err)
		}
		return nil, fmt.Errorf("brainc: population %s: %w", name, err)
	}
	pop := &ir.Population{Name: name, Size: size, Model: ir.EquationsModel, Equations: n, Params: maps.Clone(n.Values)}
	for _, v := range slices.Sorted(maps.Keys(m.Init)) {
		i := slices.IndexFunc(n.States, func(eq eqs.Equation) bool { return eq.Var == v })
		if i < 0 {
			return nil, fmt.Errorf("brainc: population %s: init.%s: the equations have no state %q", name, v, v)
		}
		x, err := eqs.ParseQuantityOf(m.Init[v], n.States[i].Dim)
		if err != nil {
			return nil, fmt.Errorf("brainc: population %s: init.%s: %w", name, v, err)
		}
		if pop.Init == nil {
			pop.Init = map[string]ir.Init{}
		}
		pop.Init[v] = ir.Init{Kind: ir.InitConst, A: x}
	}
	return pop, nil
}

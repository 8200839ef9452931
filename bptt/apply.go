package bptt

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"

	"github.com/brainc/brainc/ir"
	"github.com/brainc/brainc/npyio"
)

// ApplyParams lays the trained values of an .npz written by Trainer.Save
// onto net, so that simulating net (brainc run --params) runs the trained
// network:
//   - "<proj>.weight" of shape [] sets the projection's one weight;
//   - "<proj>.weight" of shape [S] gives its S synapses their weights
//     (ir.InitValues; Weight becomes 1), checked when lowered against
//     "<proj>.pre" and "<proj>.post", the synapses they were trained on;
//   - "<pop>.input" of shape [N] gives the population's neurons their
//     constant input;
//   - "<pop>.<param>" of shape [N] gives them their values of the model's
//     parameter (a per-neuron parameter trained: "H.tau").
//
// The file is untrusted: every array must name a value of net, of the
// right shape, with finite values; an error names the first that does not
// and changes nothing. net is validated afterwards by its lowering.
func ApplyParams(net *ir.Network, path string) error {
	m, err := npyio.ReadNPZMap(path)
	if err != nil {
		return err
	}
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%s: %s", path, fmt.Sprintf(format, a...))
	}
	floats := func(name string) ([]float64, error) {
		v, err := npyio.Float64s(m[name])
		if err != nil {
			return nil, bad("%s: %v", name, err)
		}
		for i, x := range v {
			if math.IsNaN(x) || math.IsInf(x, 0) || math.Abs(x) > ir.MaxWeight {
				return nil, bad("%s: value %d is %g: trained values must be finite numbers of magnitude ≤ %g", name, i, x, ir.MaxWeight)
			}
		}
		return v, nil
	}
	lists := func(proj string, n int) (pre, post []int32, err error) {
		a, hasPre := m[proj+".pre"]
		b, hasPost := m[proj+".post"]
		if !hasPre && !hasPost {
			return nil, nil, nil
		}
		pre, ok1 := a.Data.([]int32)
		post, ok2 := b.Data.([]int32)
		if !ok1 || !ok2 || len(a.Shape) != 1 || len(b.Shape) != 1 || len(pre) != n || len(post) != n {
			return nil, nil, bad("%s.pre and %s.post must be two int32 arrays of %d synapses (one per weight of %s.weight)", proj, proj, n, proj)
		}
		return pre, post, nil
	}
	// Check everything first, then change net: an error leaves it as it was.
	var apply []func()
	for _, name := range slices.Sorted(maps.Keys(m)) {
		owner, what, _ := strings.Cut(name, ".")
		pr, pop := net.Projection(owner), net.Population(owner)
		switch {
		case pr != nil && (what == "pre" || what == "post"):
			if _, ok := m[owner+".weight"]; !ok {
				return bad("%s without %s.weight", name, owner)
			}
		case pr != nil && what == "weight":
			v, err := floats(name)
			if err != nil {
				return err
			}
			if shape := m[name].Shape; len(shape) == 0 {
				if pr.WeightDist != nil || pr.Conn.Rule == ir.ConnFromFile {
					return bad("%s is one weight, but projection %s has a weight per synapse: the file was written for another network", name, owner)
				}
				apply = append(apply, func() { pr.Weight = v[0] })
				continue
			} else if len(shape) != 1 {
				return bad("%s has shape %v: a projection's weights are one value or one per synapse", name, shape)
			}
			pre, post, err := lists(owner, len(v))
			if err != nil {
				return err
			}
			given := &ir.Given{Values: v, Pre: pre, Post: post}
			apply = append(apply, func() { pr.Weight, pr.WeightDist = 1, &ir.Init{Kind: ir.InitValues, Given: given} })
		case pop != nil && what == "input":
			v, err := floats(name)
			if err != nil {
				return err
			}
			if pop.Input.Kind != "constant" {
				return bad("%s: population %s has no constant input (the file was written for another network)", name, owner)
			}
			if shape := m[name].Shape; !slices.Equal(shape, []int{pop.Size}) {
				return bad("%s has shape %v, expected [%d] (one input per neuron of %s)", name, shape, pop.Size, owner)
			}
			apply = append(apply, func() {
				pop.Input.PerNeuron = &ir.Init{Kind: ir.InitValues, Given: &ir.Given{Values: v}}
			})
		case pop != nil && hasParam(pop, what):
			v, err := floats(name)
			if err != nil {
				return err
			}
			if shape := m[name].Shape; !slices.Equal(shape, []int{pop.Size}) {
				return bad("%s has shape %v, expected [%d] (one %s per neuron of %s)", name, shape, pop.Size, what, owner)
			}
			apply = append(apply, func() {
				if pop.Vary == nil {
					pop.Vary = map[string]ir.Init{}
				}
				pop.Vary[what] = ir.Init{Kind: ir.InitValues, Given: &ir.Given{Values: v}}
				pop.Params[what] = v[0]
			})
		case pr == nil && pop == nil:
			return bad("%q: network %s has no projection or population %q (the file was written for another network)", name, net.Name, owner)
		default:
			return bad("%q is not a value brainc run takes from a training (expected <projection>.weight with <projection>.pre and .post, <population>.input or <population>.<parameter>)", name)
		}
	}
	if len(apply) == 0 {
		return bad("no trained values in it")
	}
	for _, f := range apply {
		f()
	}
	return nil
}

// hasParam reports whether the population's model has the parameter.
func hasParam(pop *ir.Population, name string) bool {
	_, ok := pop.Params[name]
	return ok
}

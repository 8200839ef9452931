// Package sweep runs a network over a grid of parameter values and seeds:
// every combination is one instance; instances run in batches, a batch
// being one network with a copy of the network per instance (Batch), so
// one program advances them all, and batches of the same shapes share the
// compiled programs (package jit's cache: weights, per-neuron parameters
// and initial values are inputs of the executable); each instance's
// summary statistics go to one table.
package sweep

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/brainc/brainc/catalog"
	"github.com/brainc/brainc/eqs"
	"github.com/brainc/brainc/ir"
)

// Axis is one swept quantity: a population's parameter ("E.tau"), its
// constant input ("E.input") or a projection's weight ("I2E.weight"), and
// its values in base units.
type Axis struct {
	// Target is the population or projection, Key the parameter.
	Target, Key string
	// Values are the values, in base units (coherent units for equation
	// models), Unit their unit for labels ("ms", "mV", "" for none).
	Values []float64
	Unit   string
}

// Name is "Target.Key".
func (a Axis) Name() string { return a.Target + "." + a.Key }

// Grid is the values an instance may take: every combination of the axes'
// values and the seeds (no seeds: the network's own).
type Grid struct {
	Axes  []Axis
	Seeds []uint64
}

// Instance is one combination of a grid.
type Instance struct {
	// Index is the instance's position in Grid.Instances.
	Index int
	// Values holds one value per axis, Seed the network's seed.
	Values []float64
	Seed   uint64
}

// MaxInstances bounds the instances of a grid.
const MaxInstances = 100000

// Instances lists every combination, the last axis fastest, then the
// seeds.
func (g Grid) Instances(defaultSeed uint64) ([]Instance, error) {
	seen := map[string]bool{}
	for _, a := range g.Axes {
		if seen[a.Name()] {
			return nil, fmt.Errorf("sweep: %s is swept twice: give all its values in one --set", a.Name())
		}
		seen[a.Name()] = true
		if len(a.Values) == 0 {
			return nil, fmt.Errorf("sweep: %s has no values", a.Name())
		}
	}
	n := 1
	for _, a := range g.Axes {
		n *= len(a.Values)
		if n > MaxInstances {
			return nil, fmt.Errorf("sweep: --set: more than %d instances", MaxInstances)
		}
	}
	seeds := g.Seeds
	if len(seeds) == 0 {
		seeds = []uint64{defaultSeed}
	}
	if n*len(seeds) > MaxInstances {
		return nil, fmt.Errorf("sweep: --set and --seeds: %d instances, over the limit of %d", n*len(seeds), MaxInstances)
	}
	var out []Instance
	idx := make([]int, len(g.Axes))
	for k := 0; k < n; k++ {
		rest := k
		for j := len(g.Axes) - 1; j >= 0; j-- {
			idx[j] = rest % len(g.Axes[j].Values)
			rest /= len(g.Axes[j].Values)
		}
		for _, s := range seeds {
			v := make([]float64, len(g.Axes))
			for j, a := range g.Axes {
				v[j] = a.Values[idx[j]]
			}
			out = append(out, Instance{Index: len(out), Values: v, Seed: s})
		}
	}
	return out, nil
}

// ParseSet reads one --set: "E.tau=10ms..30ms/11" (11 values evenly from
// 10 to 30 ms, both ends included) or "I2E.weight=[4, 6, 8]", checked
// against the network: the target must exist, the key be one of its
// parameters (or input, weight), the values of the parameter's dimension.
func ParseSet(text string, net *ir.Network) (Axis, error) {
	lhs, rhs, ok := strings.Cut(text, "=")
	target, key, ok2 := strings.Cut(strings.TrimSpace(lhs), ".")
	if !ok || !ok2 || target == "" || key == "" {
		return Axis{}, fmt.Errorf("--set %q: expected Target.key=values (e.g. E.tau=10ms..30ms/11 or I2E.weight=[4,6,8])", text)
	}
	a := Axis{Target: target, Key: key}
	conv, unit, err := converter(net, target, key)
	a.Unit = unit
	if err != nil {
		return a, fmt.Errorf("--set %q: %v", text, err)
	}
	rhs = strings.TrimSpace(rhs)
	if strings.HasPrefix(rhs, "[") && strings.HasSuffix(rhs, "]") {
		for _, item := range strings.Split(rhs[1:len(rhs)-1], ",") {
			v, err := conv(strings.TrimSpace(item))
			if err != nil {
				return a, fmt.Errorf("--set %q: %v", text, err)
			}
			a.Values = append(a.Values, v)
		}
	} else {
		span, count, ok := strings.Cut(rhs, "/")
		from, to, ok2 := strings.Cut(span, "..")
		n, err := strconv.Atoi(strings.TrimSpace(count))
		if !ok || !ok2 || err != nil || n < 1 || n > MaxInstances {
			return a, fmt.Errorf("--set %q: expected a list [a, b, …] or a range from..to/count with 1 ≤ count ≤ %d", text, MaxInstances)
		}
		lo, err := conv(strings.TrimSpace(from))
		if err != nil {
			return a, fmt.Errorf("--set %q: %v", text, err)
		}
		hi, err := conv(strings.TrimSpace(to))
		if err != nil {
			return a, fmt.Errorf("--set %q: %v", text, err)
		}
		for i := range n {
			v := lo
			if n > 1 {
				v = lo + (hi-lo)*float64(i)/float64(n-1)
			}
			a.Values = append(a.Values, v)
		}
	}
	if len(a.Values) == 0 {
		return a, fmt.Errorf("--set %q: no values", text)
	}
	for _, v := range a.Values {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return a, fmt.Errorf("--set %q: values must be finite", text)
		}
	}
	return a, nil
}

// converter reads values of target.key in base units, and names the unit.
func converter(net *ir.Network, target, key string) (conv func(string) (float64, error), unit string, err error) {
	if pop := net.Population(target); pop != nil {
		if key == "input" {
			if pop.Input.PerNeuron != nil {
				return nil, "", fmt.Errorf("%s.input is drawn per neuron (%s): a sweep would give every neuron one value; give it one value in the spec, or sweep the spec's distribution by hand", target, pop.Input.PerNeuron.Kind)
			}
			return func(s string) (float64, error) { return ir.ParseQuantity(s, ir.Dimensionless) }, "", nil
		}
		if in, ok := pop.Vary[key]; ok && in.PerNeuron() {
			return nil, "", fmt.Errorf("%s.%s is drawn per neuron (%s): a sweep would give every neuron one value; give it one value in the spec, or sweep the spec's distribution by hand", target, key, in.Kind)
		}
		if eq := pop.Equations; eq != nil {
			d, ok := eq.Dims[key]
			if !ok {
				return nil, "", fmt.Errorf("population %s's equations have no parameter %q (parameters: %s)", target, key, strings.Join(eq.Params, ", "))
			}
			unit := d.CoherentUnit()
			if unit == "" && !d.IsDimensionless() {
				unit = "coherent units of " + d.String()
			}
			return func(s string) (float64, error) { return eqs.ParseQuantityOf(s, d) }, unit, nil
		}
		m, ok := catalog.LookupModel(catalog.KindNeuron, pop.Model)
		if !ok {
			return nil, "", fmt.Errorf("population %s has no catalogue model", target)
		}
		ps, ok := m.Param(key)
		if !ok {
			return nil, "", fmt.Errorf("%s (population %s) has no parameter %q (parameters: %s; or input)", m.Name, target, key, m.ParamNames())
		}
		return func(s string) (float64, error) { return ir.ParseQuantity(s, ps.Dim) }, ps.Dim.BaseUnit(), nil
	}
	for _, pr := range net.Projections {
		if pr.Name == target {
			if key != "weight" {
				return nil, "", fmt.Errorf("projection %s: only its weight can be swept, got %q", target, key)
			}
			return func(s string) (float64, error) { return ir.ParseQuantity(s, ir.Dimensionless) }, "", nil
		}
	}
	return nil, "", fmt.Errorf("no population or projection %q", target)
}

// ParseSeeds reads --seeds: "1..10" (both ends) or "1,4,9".
func ParseSeeds(text string) ([]uint64, error) {
	bad := fmt.Errorf("--seeds %q: expected a range a..b or a list a,b,c of seeds ≥ 0", text)
	if from, to, ok := strings.Cut(text, ".."); ok {
		a, err1 := strconv.ParseUint(strings.TrimSpace(from), 10, 64)
		b, err2 := strconv.ParseUint(strings.TrimSpace(to), 10, 64)
		if err1 != nil || err2 != nil || b < a {
			return nil, bad
		}
		if b-a >= MaxInstances {
			return nil, fmt.Errorf("--seeds %q: more than %d seeds, over the limit of %d instances", text, MaxInstances, MaxInstances)
		}
		// Counted from a, not compared with b: a range ending at the
		// largest uint64 would otherwise wrap and never end.
		out := make([]uint64, 0, b-a+1)
		for k := uint64(0); k <= b-a; k++ {
			out = append(out, a+k)
		}
		return out, nil
	}
	items := strings.Split(text, ",")
	if len(items) > MaxInstances {
		return nil, fmt.Errorf("--seeds: %d seeds, over the limit of %d instances", len(items), MaxInstances)
	}
	var out []uint64
	for _, item := range items {
		s, err := strconv.ParseUint(strings.TrimSpace(item), 10, 64)
		if err != nil {
			return nil, bad
		}
		out = append(out, s)
	}
	return out, nil
}

// Apply sets an instance's values on a copy of net: a population's
// parameter becomes one value per neuron (an input array of the program
// where the model takes per-neuron values, so that every instance runs the
// same compiled program; the population's value otherwise);
// an input its constant; a weight the projection's weight.
func Apply(net *ir.Network, g Grid, inst Instance) *ir.Network {
	out := *net
	out.Seed = inst.Seed
	out.Populations = make([]*ir.Population, len(net.Populations))
	for i, p := range net.Populations {
		c := *p
		c.Params = copyMap(p.Params)
		c.Vary = map[string]ir.Init{}
		for k, v := range p.Vary {
			c.Vary[k] = v
		}
		out.Populations[i] = &c
	}
	out.Projections = make([]*ir.Projection, len(net.Projections))
	for i, pr := range net.Projections {
		c := *pr
		out.Projections[i] = &c
	}
	for j, a := range g.Axes {
		v := inst.Values[j]
		if pop := out.Population(a.Target); pop != nil {
			if a.Key == "input" { // one value per neuron: an input array of the program
				pop.Input = ir.Input{Kind: "constant", Value: v, PerNeuron: &ir.Init{Kind: ir.InitConst, A: v}}
				continue
			}
			// One value per neuron where the model takes them (lower keeps a
			// constant as the population's value otherwise).
			pop.Params[a.Key] = v
			pop.Vary[a.Key] = ir.Init{Kind: ir.InitConst, A: v}
			continue
		}
		for _, pr := range out.Projections {
			if pr.Name == a.Target {
				pr.Weight = v
			}
		}
	}
	return &out
}

func copyMap(m map[string]float64) map[string]float64 {
	out := make(map[string]float64, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

package lower

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/tensors"

	"github.com/brainc/brainc/dynamics"
	"github.com/brainc/brainc/ir"
)

// Block is populations packed side by side into one set of state arrays:
// one array per state variable over all their neurons, one spike-flag
// array, one compaction per step, one fan-out table for the event-driven
// projections out of it and one synaptic state per (synapse, output) into
// it. Populations share a block when they have the same neuron model,
// integrator and parameters (or a model whose parameters may differ from
// neuron to neuron, dynamics.PerNeuron: then Varying holds them) and
// nothing that needs them apart (gap junctions, spike sources); a spec's
// names and every output stay per population.
type Block struct {
	// Name is the population's name for a block of one, else the names
	// joined by "+".
	Name string
	// Index is the block's position in Program.Blocks.
	Index int
	// Pops are the populations, in order; population k starts at neuron
	// Pops[k].Offset.
	Pops []*Population
	// Size is the number of neurons of all the populations.
	Size   int
	Neuron dynamics.Neuron
	// Integrator integrates the neuron's state variables.
	Integrator dynamics.Method
	// States are the neuron's variables by name, each [Size].
	States map[string]*Var
	// StateNames lists the neuron's variables in declaration order.
	StateNames []string
	// Spike is the spike flags of the last step, Bool [Size].
	Spike *Var
	// Compact is true when the block's spikes are compacted each step
	// (event-driven source or spike monitor).
	Compact bool
	// Groups are the synaptic states onto the block.
	Groups []*Group
	// Fan is the block's fan-out table (nil without event-driven
	// projections out of it).
	Fan *Fanout
	// Split, when not nil, is the fan-out table split by target across
	// the devices the program is laid out for (Options.PadTo): Fan's
	// tables then hold one table per device.
	Split *SplitFanout
	// Events lists the event-driven projections of the fan-out table, in
	// table order.
	Events []*Projection
	// Varying holds the neuron parameters that differ between the block's
	// populations or neurons, one value per neuron (dynamics.PerNeuron);
	// Neuron has the first population's parameters. VaryArrays are their
	// arrays (ParamArray), constants: inputs of the step, so that other
	// values give the same program.
	Varying    map[string][]float64
	VaryArrays map[string]*Var
}

// Fanout is a block's fan-out table in CSR form: every event-driven
// projection out of the block's populations, rows concatenated by block
// neuron, targets offset into one concatenated postsynaptic space of
// Slots slots (Segment). One gather and one scatter per step then serve
// all of them, and nothing is padded: 4 bytes per synapse.
type Fanout struct {
	// Ptr is the row pointers, Int32 [Size+2] (row Size is empty);
	// Targets the slots, Int32 [synapses+1] (a trailing pad entry Slots).
	Ptr, Targets *Var
	// Weight is the table's weight: a scalar when the projections'
	// weights are equal, else one weight per slot, [Slots+1], or, with
	// PerSynapse, one per stored synapse aligned with Targets.
	Weight     *Var
	PerSynapse bool
	// Slots is the size of the postsynaptic space; Width the longest row.
	Slots, Width int
}

// Tables are the table's constants in the order the propagation takes
// them: row pointers, targets, weight.
func (f *Fanout) Tables() []*Var { return []*Var{f.Ptr, f.Targets, f.Weight} }

// Capacity returns the event capacity used for a block: the requested
// capacity, at most the block's size.
func Capacity(b *Block, capacity int) int { return min(capacity, b.Size) }

// Local returns the indices of a sorted list of block neurons (idx, as the
// events output gives them, without padding) that belong to pop, as
// indices within pop. It shares idx's storage.
func (pop *Population) Local(idx []int32) []int32 {
	lo, hi := int32(pop.Offset), int32(pop.Offset+pop.Size)
	from, _ := slices.BinarySearch(idx, lo)
	to, _ := slices.BinarySearch(idx, hi)
	out := idx[from:to]
	if lo != 0 {
		for k := range out {
			out[k] -= lo
		}
	}
	return out
}

// packKey is what populations must share to be packed into one block; ""
// means the population keeps a block of its own.
func packKey(pop *Population, gaps map[string]bool) string {
	switch pop.Neuron.(type) {
	case *dynamics.Poisson, *dynamics.SpikeTimes: // sources with their own streams and tables
		return ""
	}
	if gaps[pop.Name] {
		return ""
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "%s|%s|", pop.Model, pop.Population.Integrator)
	if eq := pop.Population.Equations; eq != nil {
		fmt.Fprintf(&sb, "%q|", eq.Key)
	}
	vary, ok := pop.Neuron.(dynamics.PerNeuron)
	for _, k := range slices.Sorted(maps.Keys(pop.Params)) {
		if !ok || !vary.Varies(k) {
			fmt.Fprintf(&sb, "%s=%v;", k, pop.Params[k])
		}
	}
	if nz := pop.Noise; nz != nil {
		fmt.Fprintf(&sb, "|noise %s %v", nz.Var, nz.Multiplicative)
	}
	return sb.String()
}

// planBlocks packs the populations into blocks (each in a block of its own
// with noPack) and lays out the blocks' state.
func (p *Program) planBlocks(noPack bool, padTo int, copiesTogether bool) error {
	gaps := map[string]bool{}
	for _, pr := range p.Net.Projections {
		if pr.Synapse.Model == dynamics.GapJunctionModel {
			gaps[pr.Pre], gaps[pr.Post] = true, true
		}
	}
	order := p.Pops
	if copiesTogether && len(p.Net.Replicas) > 0 { // each original's copies side by side, in copy order
		first := map[string]int{}
		for i, pop := range p.Pops {
			if _, ok := first[originOf(p.Net, pop.Name)]; !ok {
				first[originOf(p.Net, pop.Name)] = i
			}
		}
		order = slices.Clone(p.Pops)
		slices.SortStableFunc(order, func(a, b *Population) int {
			return first[originOf(p.Net, a.Name)] - first[originOf(p.Net, b.Name)]
		})
	}
	byKey := map[string]*Block{}
	for _, pop := range order {
		key := packKey(pop, gaps)
		b := byKey[key]
		if b == nil || key == "" || noPack {
			integ, _ := dynamics.MethodByName(pop.Population.Integrator) // checked by lowerPopulation
			b = &Block{Index: len(p.Blocks), Neuron: pop.Neuron, Integrator: integ, States: map[string]*Var{}}
			p.Blocks = append(p.Blocks, b)
			byKey[key] = b
		}
		pop.Block, pop.Offset = b, b.Size
		b.Pops = append(b.Pops, pop)
		b.Size += pop.Size
	}
	for _, b := range p.Blocks {
		if padTo < 2 || noPack || packKey(b.Pops[0], gaps) == "" {
			continue
		}
		if n := (b.Size+padTo-1)/padTo*padTo - b.Size; n > 0 {
			pad, err := p.padPopulation(b.Pops[len(b.Pops)-1], n)
			if err != nil {
				return err
			}
			pad.Block, pad.Offset = b, b.Size
			b.Pops = append(b.Pops, pad)
			b.Size += n
		}
	}
	for _, b := range p.Blocks {
		var names []string
		for _, pop := range b.Pops {
			if !pop.Pad {
				names = append(names, pop.Name)
			}
		}
		b.Name = strings.Join(names, "+")
		for _, name := range slices.Sorted(maps.Keys(b.Pops[0].Params)) {
			if !slices.ContainsFunc(b.Pops, func(q *Population) bool {
				return q.Params[name] != b.Pops[0].Params[name] || q.Values[name] != nil
			}) {
				continue
			}
			if b.Varying == nil {
				b.Varying = map[string][]float64{}
			}
			for _, pop := range b.Pops {
				v := pop.Values[name]
				if v == nil {
					v = slices.Repeat([]float64{pop.Params[name]}, pop.Size)
				}
				b.Varying[name] = append(b.Varying[name], v...)
			}
		}
		if len(b.Varying) > 0 {
			b.VaryArrays = map[string]*Var{}
			vn := b.Neuron.(dynamics.PerNeuron)
			for _, name := range slices.Sorted(maps.Keys(b.Varying)) {
				b.VaryArrays[name] = p.addConst(b.Name+".param."+name, vn.ParamArray(name, b.Varying[name], p.DType, p.Net.Dt)).over(b, 0)
			}
		}
		for _, sv := range b.Neuron.States(p.DType) {
			b.States[sv.Name] = p.addState(b.Name+"."+sv.Name, sv.DType, b.Size).over(b, 0)
			b.StateNames = append(b.StateNames, sv.Name)
		}
		b.Spike = p.addState(b.Name+".spike", dtypes.Bool, b.Size).over(b, 0)
	}
	return nil
}

// packGroups gathers the synaptic parts of each block's populations into
// the block's groups: a part joins the first group of its key after the
// group its population's previous part joined (so every population sums its
// synaptic currents in the order it would alone), else starts one.
func (p *Program) packGroups() {
	for _, b := range p.Blocks {
		for _, pop := range b.Pops {
			last := -1
			for _, part := range pop.Parts {
				at := -1
				for j := last + 1; j < len(b.Groups); j++ {
					g := b.Groups[j]
					if g.Parts[0].key == part.key && !slices.ContainsFunc(g.Parts, func(q *Part) bool { return q.Pop == pop }) {
						at = j
						break
					}
				}
				if at < 0 {
					at = len(b.Groups)
					b.Groups = append(b.Groups, &Group{Post: b, Synapse: part.synapse, Output: part.output,
						PreSide: part.preSide, Vars: map[string]*Var{}})
				}
				g := b.Groups[at]
				g.Parts = append(g.Parts, part)
				part.Group = g
				last = at
			}
		}
		for _, g := range b.Groups {
			names := make([]string, len(g.Parts))
			for k, part := range g.Parts {
				names[k] = part.Name
			}
			g.Name = strings.Join(names, "+")
			if g.Synapse != nil {
				for _, name := range g.Synapse.States() {
					g.Vars[name] = p.addState(g.Name+"."+name, p.DType, b.Size).over(b, 0)
				}
				g.G = g.Vars["g"]
			}
			p.Groups = append(p.Groups, g)
		}
	}
}

// roundUp rounds n ≥ 1 up to a multiple of its largest power of two
// divided by frac (a power of two): at most n·2/frac larger.
func roundUp(n, frac int) int {
	step := 1
	for step*4*frac <= n { // the next power still has step·2·frac ≤ n
		step *= 2
	}
	return (n + step - 1) / step * step
}

// buildFanout lays the event-driven projections out of a block into one
// CSR table (see Fanout). A projection's targets go to the slots of
// its synaptic group at its target's offset, so that one slice of the
// table's output is a whole group's input; a second projection from the
// block into the same part gets slots of its own (the part sums them in
// projection order, as it would without packing).
func (p *Program) buildFanout(b *Block) {
	if len(b.Events) == 0 {
		return
	}
	size, synapses := 0, 0
	sameWeight, perSynapse := true, false
	base := map[*Group]int{}
	taken := map[*Part]bool{}
	for _, pr := range b.Events {
		part := pr.Part
		start, ok := base[part.Group]
		if !ok {
			start, base[part.Group] = size, size
			size += part.Group.Post.Size
		}
		if taken[part] {
			start = size
			size += pr.Target.Size
		} else {
			start += pr.Target.Offset
			taken[part] = true
		}
		pr.Segment = Segment{Start: start, Size: pr.Target.Size}
		synapses += pr.Matrix.NumSynapses()
		sameWeight = sameWeight && pr.Projection.Weight == b.Events[0].Projection.Weight
		perSynapse = perSynapse || pr.SynWeights != nil
	}
	indptr := make([]int32, b.Size+2)
	indices := make([]int32, 0, synapses+1)
	var weights []float64 // per synapse, when any projection has its own
	width := 1
	for _, pop := range b.Pops {
		for i := 0; i < pop.Size; i++ {
			for _, pr := range b.Events {
				if pr.Pre != pop {
					continue
				}
				m, off := pr.Matrix, int32(pr.Segment.Start)
				for k := m.Indptr[i]; k < m.Indptr[i+1]; k++ {
					indices = append(indices, m.Indices[k]+off)
					if perSynapse {
						w := pr.Projection.Weight
						if pr.SynWeights != nil {
							w *= pr.SynWeights[k]
						}
						weights = append(weights, w)
					}
				}
			}
			row := pop.Offset + i
			indptr[row+1] = int32(len(indices))
			width = max(width, int(indptr[row+1]-indptr[row]))
		}
	}
	indptr[b.Size+1] = indptr[b.Size]
	synapses = len(indices)
	// The table's length and its longest row are shapes of the program:
	// rounded up (by at most 1/32 and 1/16), networks that draw other
	// connectivity of about the same size (another seed) share compiled
	// programs. The pad entries are never read: slots stop at each row's
	// end, and padding slots point past the table.
	n := roundUp(synapses+1, 16)
	for len(indices) < n {
		indices = append(indices, int32(size))
	}
	width = roundUp(width, 8)
	f := &Fanout{Slots: size, Width: width}
	b.Fan = f
	f.Targets = p.addConst(b.Name+".fanout", tensors.FromFlatDataAndDimensions(indices, len(indices)))
	f.Ptr = p.addConst(b.Name+".fanout_ptr", tensors.FromFlatDataAndDimensions(indptr, len(indptr)))
	var slotWeight []float64
	switch {
	case perSynapse:
		f.PerSynapse = true
		f.Weight = p.addConst(b.Name+".fanout_weight", p.floats(append(slices.Clone(weights), make([]float64, n-synapses)...), n))
	case sameWeight:
		f.Weight = b.Events[0].Weight
	default:
		slotWeight = make([]float64, size+1)
		for _, pr := range b.Events {
			for j := range pr.Segment.Size {
				slotWeight[pr.Segment.Start+j] = pr.Projection.Weight
			}
		}
		f.Weight = p.addConst(b.Name+".fanout_weight", p.floats(slotWeight, size+1))
	}
	f.describe(b, slotWeight != nil)
	if splittable(b, p.Devices) {
		p.splitFanout(b, p.Devices, indptr, indices[:synapses], weights, slotWeight)
	}
}

// describe sets what the table's constants hold, for the artifact
// manifest; perSlot says the table has a weight per slot of its own (a
// weight shared with the projections is theirs to describe).
func (f *Fanout) describe(b *Block, perSlot bool) {
	var names []string
	for _, pr := range b.Events {
		names = append(names, fmt.Sprintf("%s (targets offset %d)", pr.Name, pr.Segment.Start))
	}
	f.Targets.Holds = fmt.Sprintf("fan-out targets of %s for event-driven propagation (CSR indices, one trailing pad %d): %s",
		b.Name, f.Slots, strings.Join(names, "; "))
	f.Ptr.Holds = fmt.Sprintf("fan-out row pointers of %s (CSR; row %d is empty)", b.Name, b.Size)
	switch {
	case f.PerSynapse:
		f.Weight.Holds = fmt.Sprintf("synaptic weight per stored synapse of %s's fan-out (aligned with its targets): %s", b.Name, strings.Join(names, "; "))
	case perSlot:
		f.Weight.Holds = fmt.Sprintf("synaptic weight per postsynaptic slot of %s's fan-out: %s", b.Name, strings.Join(names, "; "))
	}
}

// originOf is the original a copy of a batch was made from (its own name
// when it is no copy).
func originOf(net *ir.Network, name string) string {
	if r, ok := net.Replicas[name]; ok {
		return r.Of
	}
	return name
}

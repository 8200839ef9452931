package lower

import (
	"github.com/brainc/brainc/plan"

	"fmt"
	"maps"
	"slices"
)

// Layout of a chunk's outputs, after the new state (len(Program.State)):
//
//   - events, Int32 [K, W]: for each block with Compact set (in
//     Program.Blocks order), its firing count in the step followed by its
//     firing indices (capacity slots, padded with the block size); see
//     EventLayout; Population.Local splits them by population;
//   - traces, Float [K, Σ len(indices)], only when the program has traces:
//     every trace's neurons side by side, in Program.Traces order.
//
// One array of each kind per chunk keeps the host's reads to one or two.

// EventLayout returns, for each compacted block (CompactBlocks order), the
// column of its count in the events output (its indices follow), and the
// row width W.
func (p *Program) EventLayout(capacity int) (offsets []int, width int) {
	for _, b := range p.CompactBlocks() {
		offsets = append(offsets, width)
		width += 1 + Capacity(b, capacity)
	}
	return offsets, width
}

// CompactBlocks lists the blocks whose spikes a step compacts, in output
// order.
func (p *Program) CompactBlocks() []*Block {
	var out []*Block
	for _, b := range p.Blocks {
		if b.Compact {
			out = append(out, b)
		}
	}
	return out
}

// DelayedEvents lists the event-driven projections with per-synapse
// delays whose propagation is their own table's rows times a weight
// (scalar or per synapse): no short-term plasticity scaling the rows, no
// plastic weights; in Program.Projs order.
func (p *Program) DelayedEvents() []*Projection {
	var out []*Projection
	for _, pr := range p.Projs {
		if pr.Kernel == plan.KernelEvent && pr.Delay != nil && pr.Delay.PerSynapse != nil && pr.Own != nil && pr.STP == nil && pr.Plastic == nil {
			out = append(out, pr)
		}
	}
	return out
}

// FanBlocks lists the blocks with a fan-out table (Block.Fan), in
// Program.Blocks order: every one is compacted.
func (p *Program) FanBlocks() []*Block {
	var out []*Block
	for _, b := range p.Blocks {
		if b.Fan != nil {
			out = append(out, b)
		}
	}
	return out
}

// PlasticVar is a plasticity state array the non-finite guard watches.
type PlasticVar struct {
	// Proj is the projection, Var the variable's name ("w", a trace such as
	// "x_pre", or STP's "u" and "x").
	Proj *Projection
	Var  string
	// State is the array; Size is the number of entries that hold values
	// (the event kernel's weights have a pad entry after them).
	State *Var
	Size  int
	// Synapses is set for per-synapse arrays (entries in Matrix order);
	// otherwise there is one entry per neuron of Pre (PreSide) or of the
	// target.
	Synapses, PreSide bool
}

// PlasticFloats lists the plasticity state of every projection, in Projs
// order: the weights, then a rule's variables kept per synapse and the
// traces of each side (each in name order for a rule given by equations),
// and STP's u and x.
func (p *Program) PlasticFloats() []PlasticVar {
	var out []PlasticVar
	for _, pr := range p.Projs {
		if pr.STP != nil {
			n := pr.Pre.Size
			out = append(out, PlasticVar{Proj: pr, Var: "u", State: pr.STPU, Size: n, PreSide: true},
				PlasticVar{Proj: pr, Var: "x", State: pr.STPX, Size: n, PreSide: true})
		}
		pl := pr.Plastic
		if pl == nil {
			continue
		}
		nPre, nPost := pr.Pre.Size, pr.Target.Size
		out = append(out, PlasticVar{Proj: pr, Var: "w", State: pl.W, Size: pr.Matrix.NumSynapses(), Synapses: true})
		if pl.Eq == nil {
			out = append(out, PlasticVar{Proj: pr, Var: "x_pre", State: pl.XPre, Size: nPre, PreSide: true},
				PlasticVar{Proj: pr, Var: "x_post", State: pl.XPost, Size: nPost})
			continue
		}
		for _, name := range slices.Sorted(maps.Keys(pl.SynVars)) {
			out = append(out, PlasticVar{Proj: pr, Var: name, State: pl.SynVars[name], Size: pr.Matrix.NumSynapses(), Synapses: true})
		}
		for _, name := range slices.Sorted(maps.Keys(pl.PreVars)) {
			out = append(out, PlasticVar{Proj: pr, Var: name, State: pl.PreVars[name], Size: nPre, PreSide: true})
		}
		for _, name := range slices.Sorted(maps.Keys(pl.PostVars)) {
			out = append(out, PlasticVar{Proj: pr, Var: name, State: pl.PostVars[name], Size: nPost})
		}
	}
	return out
}

// NeuronFloats lists every float state variable of every block (of the
// blocks not compacted, without compacted), in Blocks and declaration
// order: the values the non-finite guard watches.
func (p *Program) NeuronFloats(compacted bool) []*Var {
	var out []*Var
	for _, b := range p.Blocks {
		if b.Compact && !compacted {
			continue
		}
		for _, name := range b.StateNames {
			if v := b.States[name]; v.DType == p.DType {
				out = append(out, v)
			}
		}
	}
	return out
}

// SplitCovers reports whether the split propagation covers every fan-out
// table and every delayed own table (DelayedEvents): what brainc's CPU
// custom calls would propagate, so that they can run each device's share
// (signature.Step.Pre), none being left whole in a partitioned step.
func (p *Program) SplitCovers() bool {
	return slices.Equal(p.FanBlocks(), p.SplitBlocks()) && slices.Equal(p.DelayedEvents(), p.SplitDelayed())
}

// RowAt is where block b's indices start in the events row of the given
// capacity (after its count); an error when b is not compacted.
func (p *Program) RowAt(b *Block, capacity int) (int, error) {
	offsets, _ := p.EventLayout(capacity)
	for j, c := range p.CompactBlocks() {
		if c == b {
			return offsets[j] + 1, nil
		}
	}
	return 0, fmt.Errorf("lower: block %s propagates events but is not compacted", b.Name)
}

package lower

import (
	"fmt"
	"slices"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // graph DSL

	"github.com/brainc/brainc/ops"
)

// splitOps lists the program's propagations split by target (each
// device runs its share before each step, package loop's Manual), in the
// order the step takes their results: the blocks of SplitBlocks, then the
// projections of SplitProcedural, then those of SplitDelayed, then those
// of SplitScaled. Their arguments are positions in s.Args.
func (p *Program) splitOps(s *Signature) ([]PreOp, error) {
	row, consts, capacity, D := s.Row, s.Consts, s.Capacity, p.Devices
	var out []PreOp
	for _, b := range p.SplitBlocks() {
		at, err := p.rowAt(b, capacity)
		if err != nil {
			return nil, err
		}
		ws := -1
		if len(p.Consts[b.FanoutWeight].Shape) == 2 {
			ws = 0
		}
		out = append(out, PreOp{Name: "fan " + b.Name, Kind: PreFan, Block: b, Devices: D, Fn: p.fanPropagation(b, at, capacity),
			Args:  []int{row, consts + b.FanoutPtr, consts + b.Fanout, consts + b.FanoutWeight},
			Split: []int{-1, 0, 0, ws}})
	}
	for _, pr := range p.SplitProcedural() {
		at, err := p.rowAt(pr.Pre.Block, capacity)
		if err != nil {
			return nil, err
		}
		out = append(out, PreOp{Name: "procedural " + pr.Name, Kind: PreProcedural, Proj: pr, Devices: D, Fn: p.procPropagation(pr, at, capacity),
			Args:  []int{row, consts + p.DeviceIDs, consts + pr.Weight},
			Split: []int{-1, 0, -1}})
	}
	for _, pr := range p.SplitDelayed() {
		at, err := p.rowAt(pr.Pre.Block, capacity)
		if err != nil {
			return nil, err
		}
		o := pr.Own
		weight, ws := ownWeight(pr)
		out = append(out, PreOp{Name: "delayed " + pr.Name, Kind: PreDelayed, Proj: pr, Devices: D, Fn: p.delayPropagation(pr, at, capacity),
			Args:       []int{row, 0, consts + o.Ptr, consts + o.Indices, consts + pr.Delay.StepsTable, consts + weight, pr.Delay.Buf},
			Split:      []int{-1, -1, 0, 0, 0, ws, 1},
			ResultAxis: 1})
	}
	for _, pr := range p.SplitScaled() {
		at, err := p.rowAt(pr.Pre.Block, capacity)
		if err != nil {
			return nil, err
		}
		o := pr.Own
		weight, ws := ownWeight(pr)
		out = append(out, PreOp{Name: "scaled " + pr.Name, Kind: PreScaled, Proj: pr, Devices: D, Fn: p.scaledPropagation(pr, at, capacity),
			Args:  []int{row, pr.STPU, pr.STPX, pr.Pre.Block.Spike, consts + o.Ptr, consts + o.Indices, consts + weight},
			Split: []int{-1, -1, -1, -1, 0, 0, ws}})
	}
	return out, nil
}

// ownWeight is the constant holding a split own table's weight and the
// axis it splits along: its per-synapse weights (split with the table),
// else the projection's scalar (whole).
func ownWeight(pr *Projection) (weight, split int) {
	if pr.Own.Weights >= 0 {
		return pr.Own.Weights, 0
	}
	return pr.Weight, -1
}

// SplitCovers reports whether the split propagation covers every fan-out
// table and every delayed own table (DelayedEvents): what brainc's CPU
// custom calls would propagate, so that they can run each device's share
// (Signature.Pre), none being left whole in a partitioned step.
func (p *Program) SplitCovers() bool {
	return slices.Equal(p.FanBlocks(), p.SplitBlocks()) && slices.Equal(p.DelayedEvents(), p.SplitDelayed())
}

// firing is the firing indices of pop in the events row (from at, its
// block's indices), within pop.
func firing(row *Node, pop *Population, at, capacity int) *Node {
	return popLocal(Slice(row, AxisRange(at, at+Capacity(pop.Block, capacity))), pop)
}

// unstack drops the leading device axis of one device's share of a table,
// [1, n] → [n]; a scalar stays one.
func unstack(x *Node) *Node {
	if x.Rank() == 2 {
		return Reshape(x, x.Shape().Dimensions[1])
	}
	return x
}

// fanPropagation is one device's share of block b's split fan-out
// propagation: from the events row and the device's table (row pointers,
// targets, weight), the input this step gives its own targets, [1, Cols].
func (p *Program) fanPropagation(b *Block, at, capacity int) func([]*Node) []*Node {
	sp := b.Split
	return func(in []*Node) []*Node {
		idx := Slice(in[0], AxisRange(at, at+Capacity(b, capacity)))
		var x *Node
		if b.FanoutPerSynapse {
			x = ops.EventPropagateCSRWeighted(idx, unstack(in[1]), unstack(in[2]), sp.Width, unstack(in[3]), sp.Cols)
		} else {
			x = ops.EventPropagateCSR(idx, unstack(in[1]), unstack(in[2]), sp.Width, unstack(in[3]), sp.Cols)
		}
		return []*Node{Reshape(x, 1, sp.Cols)}
	}
}

// procPropagation is one device's share of a split procedural projection:
// from the events row, the device's index and the weight, it regenerates
// the rows of the firing neurons and sums the synapses onto the device's
// share of the target block (ops.ProceduralEventWindow), [1, SplitShare],
// the block's neurons the target population does not hold getting 0.
func (p *Program) procPropagation(pr *Projection, at, capacity int) func([]*Node) []*Node {
	share := p.SplitShare(pr)
	return func(in []*Node) []*Node {
		first := AddScalar(MulScalar(Reshape(in[1]), share), float64(-pr.Target.Offset))
		x := ops.ProceduralEventWindow(firing(in[0], pr.Pre, at, capacity), *pr.Proc, in[2], first, share)
		return []*Node{Reshape(x, 1, share)}
	}
}

// delayPropagation is one device's share of a split delayed projection:
// from the events row, the step counter, the device's table (row
// pointers, targets, delays), the weight and the device's share of the
// ring buffer [Len, Target.Size/Devices], the buffer with this step's
// events onto the device's targets added (ops.EventPropagateCSRDelayed).
func (p *Program) delayPropagation(pr *Projection, at, capacity int) func([]*Node) []*Node {
	return func(in []*Node) []*Node {
		idx := firing(in[0], pr.Pre, at, capacity)
		return []*Node{ops.EventPropagateCSRDelayed(idx, unstack(in[2]), unstack(in[3]), unstack(in[4]), pr.SplitOwn.Width,
			unstack(in[5]), nil, in[6], in[1])}
	}
}

// scaledPropagation is one device's share of a split STP-scaled
// projection: from the events row, the STP state u and x and the spike
// flags of the presynaptic block (all whole), it computes each spike's
// efficacy as the step does (dynamics.STP.Step, whose state update the
// step makes) and sums the firing rows of the device's table (row
// pointers, targets, weight), scaled by it, onto the device's share of
// the target block, [1, SplitShare].
func (p *Program) scaledPropagation(pr *Projection, at, capacity int) func([]*Node) []*Node {
	share := p.SplitShare(pr)
	return func(in []*Node) []*Node {
		spikes := ops.SpikesAsFloat(popSlice(in[3], pr.Pre), p.DType)
		eff, _, _ := pr.STP.Step(in[1], in[2], spikes, p.Net.Dt)
		x := ops.EventPropagateCSRScaled(firing(in[0], pr.Pre, at, capacity), unstack(in[4]), unstack(in[5]), pr.SplitOwn.Width,
			unstack(in[6]), eff, share)
		return []*Node{Reshape(x, 1, share)}
	}
}

// rowAt is where block b's indices start in the events row.
func (p *Program) rowAt(b *Block, capacity int) (int, error) {
	offsets, _ := p.EventLayout(capacity)
	for j, c := range p.CompactBlocks() {
		if c == b {
			return offsets[j] + 1, nil
		}
	}
	return 0, fmt.Errorf("lower: block %s propagates events but is not compacted", b.Name)
}

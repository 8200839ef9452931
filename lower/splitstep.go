package lower

import (
	"fmt"
	"slices"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // graph DSL
	"github.com/gomlx/gomlx/pkg/core/shapes"

	"github.com/brainc/brainc/ops"
)

// SplitStep is one propagation split by target (a fan-out table, a
// procedural projection or a delayed own table) as the time loop runs it
// on every device apart, before each step (package loop's Manual): a
// function of each device's share of some of the step's inputs that gives
// the device's share of one input of the step (BodyOptions.SplitInputs).
type SplitStep struct {
	// Name says what it propagates ("fan E+I", "procedural E2E", "delayed
	// EE", "scaled EA").
	Name string
	// Block is the fan-out table's block, for a fan-out table (nil
	// otherwise).
	Block *Block
	// Proj is the projection, for the others (nil for a fan-out table).
	Proj *Projection
	// Fn is the function on one device.
	Fn func(inputs []*Node) []*Node
	// Inputs are the shapes Fn takes on one device.
	Inputs []shapes.Shape
	// Args are the step inputs it takes: indices into the carried values
	// (Program.State, then the events row at len(State)), then, from
	// len(State)+1 on, Program.Consts.
	Args []int
	// Split is the axis each of Args is split along across the devices
	// (-1: whole on each).
	Split []int
	// Result is the shape of the whole result, the step's input.
	Result shapes.Shape
	// ResultAxis is the axis Result is split along.
	ResultAxis int
}

// SplitSteps lists the program's propagations split by target, in the
// order the step takes their results (BodyOptions.SplitInputs): the
// blocks of SplitBlocks, then the projections of SplitProcedural, then
// those of SplitDelayed, then those of SplitScaled.
func (p *Program) SplitSteps(capacity int) ([]SplitStep, error) {
	row, consts := len(p.State), len(p.State)+1
	var out []SplitStep
	for _, b := range p.SplitBlocks() {
		at, err := p.rowAt(b, capacity)
		if err != nil {
			return nil, err
		}
		ws := -1
		if len(p.Consts[b.FanoutWeight].Shape) == 2 {
			ws = 0
		}
		out = append(out, SplitStep{Name: "fan " + b.Name, Block: b, Fn: p.fanPropagation(b, at, capacity),
			Args:   []int{row, consts + b.FanoutPtr, consts + b.Fanout, consts + b.FanoutWeight},
			Split:  []int{-1, 0, 0, ws},
			Result: shapes.Make(p.DType, p.Devices, b.Split.Cols)})
	}
	for _, pr := range p.SplitProcedural() {
		at, err := p.rowAt(pr.Pre.Block, capacity)
		if err != nil {
			return nil, err
		}
		out = append(out, SplitStep{Name: "procedural " + pr.Name, Proj: pr, Fn: p.procPropagation(pr, at, capacity),
			Args:   []int{row, consts + p.DeviceIDs, consts + pr.Weight},
			Split:  []int{-1, 0, -1},
			Result: shapes.Make(p.DType, p.Devices, p.SplitShare(pr))})
	}
	for _, pr := range p.SplitDelayed() {
		at, err := p.rowAt(pr.Pre.Block, capacity)
		if err != nil {
			return nil, err
		}
		o := pr.Own
		weight, ws := ownWeight(pr)
		buf := p.State[pr.Delay.Buf]
		out = append(out, SplitStep{Name: "delayed " + pr.Name, Proj: pr, Fn: p.delayPropagation(pr, at, capacity),
			Args:   []int{row, 0, consts + o.Ptr, consts + o.Indices, consts + pr.Delay.StepsTable, consts + weight, pr.Delay.Buf},
			Split:  []int{-1, -1, 0, 0, 0, ws, 1},
			Result: shapes.Make(buf.DType, buf.Shape...), ResultAxis: 1})
	}
	for _, pr := range p.SplitScaled() {
		at, err := p.rowAt(pr.Pre.Block, capacity)
		if err != nil {
			return nil, err
		}
		o := pr.Own
		weight, ws := ownWeight(pr)
		out = append(out, SplitStep{Name: "scaled " + pr.Name, Proj: pr, Fn: p.scaledPropagation(pr, at, capacity),
			Args:   []int{row, pr.STPU, pr.STPX, pr.Pre.Block.Spike, consts + o.Ptr, consts + o.Indices, consts + weight},
			Split:  []int{-1, -1, -1, -1, 0, 0, ws},
			Result: shapes.Make(p.DType, p.Devices, p.SplitShare(pr))})
	}
	for i := range out {
		out[i].Inputs = p.shares(out[i].Args, out[i].Split, capacity)
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
// (SplitSteps), none being left whole in a partitioned step.
func (p *Program) SplitCovers() bool {
	return slices.Equal(p.FanBlocks(), p.SplitBlocks()) && slices.Equal(p.DelayedEvents(), p.SplitDelayed())
}

// shares are the shapes on one device of the step inputs args (as
// SplitStep.Args), each split along its axis in split (-1: whole).
func (p *Program) shares(args, split []int, capacity int) []shapes.Shape {
	_, width := p.EventLayout(capacity)
	out := make([]shapes.Shape, len(args))
	for i, a := range args {
		var v Var
		switch {
		case a < len(p.State):
			v = p.State[a]
		case a == len(p.State):
			v = Var{DType: dtypes.Int32, Shape: []int{width}}
		default:
			v = p.Consts[a-len(p.State)-1]
		}
		dims := slices.Clone(v.Shape)
		if split[i] >= 0 {
			dims[split[i]] /= p.Devices
		}
		out[i] = shapes.Make(v.DType, dims...)
	}
	return out
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

package lower

import (
	"github.com/brainc/brainc/plan"

	"fmt"
	"slices"

	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// SplitFanout is a block's fan-out table split by target across the
// devices a program is laid out for (Options.PadTo): device d holds the
// synapses onto its own share of every target block, each stored once, so
// that the table's bytes per device fall as 1/Devices and each device
// propagates the whole network's spikes into its own neurons only.
//
// The block's Fanout tables (its weight when not a scalar) then hold one
// table per device, stacked: Int32 [Devices, Size+2], Int32
// [Devices, Synapses'] (each device's targets, padded with Cols, the
// length rounded up as the whole table's is) and the weights per column
// [Devices, Cols+1] or per synapse [Devices, Synapses']. A device's table
// keeps every row's synapses in the whole table's order, so each target
// sums its inputs in the order it would on one device.
//
// A device's propagation gives [Cols]: its share of every Window side by
// side. The whole output over all devices, [Devices, Cols], is sharded
// along its first axis: device d's row is its own.
type SplitFanout struct {
	// Devices is the number of devices, each with a table.
	Devices int
	// Cols is the length of one device's output.
	Cols int
	// Width is the longest row of any device's table, rounded up as
	// FanoutWidth is: the slots read per firing neuron.
	Width int
	// Synapses is the most synapses one device's table holds (before its
	// padding).
	Synapses int
	// Windows are the target blocks' ranges of the slot space, in the
	// order projections first use them.
	Windows []Window
	// window maps each projection of Block.Events to its window.
	window map[*Projection]int
}

// Window is the slots of a fan-out table (Segment) that feed one target
// block, from its neuron 0 on: slot Base+n feeds neuron n of Block. With
// the table split, device d's output column Col+j is neuron
// d·(Block.Size/Devices)+j: every device holds Block.Size/Devices columns
// of each window.
type Window struct {
	// Block is the target block.
	Block *Block
	// Base is the slot of the block's neuron 0 (it may lie outside the
	// slot space, for a window whose first slots are another's).
	Base int
	// Col is the window's first column in each device's output.
	Col int
}

// splittable reports whether every target of b's fan-out table lies in a
// block that splits evenly across devices: only then can each device's
// table hold its own targets alone.
func splittable(b *Block, devices int) bool {
	for _, pr := range b.Events {
		if pr.Part.Group.Post.Size%devices != 0 {
			return false
		}
	}
	return devices > 1 && len(b.Events) > 0
}

// splitFanout replaces the whole fan-out table of b (buildFanout's
// indptr, its unpadded target slots indices, and the weights per synapse,
// or nil) with one table per device (see SplitFanout). slotWeight is the
// weight of each slot when the table has one per slot (nil otherwise).
func (p *Program) splitFanout(b *Block, devices int, indptr, indices []int32, weights, slotWeight []float64) {
	sp := &SplitFanout{Devices: devices, window: map[*Projection]int{}}
	type key struct {
		block *Block
		base  int
	}
	at := map[key]int{}
	slotWin := make([]int32, b.Fan.Slots) // the window of every slot
	for _, pr := range b.Events {
		post := pr.Part.Group.Post
		k := key{post, pr.Segment.Start - pr.Target.Offset}
		w, ok := at[k]
		if !ok {
			w, at[k] = len(sp.Windows), len(sp.Windows)
			sp.Windows = append(sp.Windows, Window{Block: post, Base: k.base, Col: sp.Cols})
			sp.Cols += post.Size / devices
		}
		sp.window[pr] = w
		for j := range pr.Segment.Size {
			slotWin[pr.Segment.Start+j] = int32(w)
		}
	}
	// place is the device and column of slot s.
	place := func(s int32) (int, int32) {
		w := sp.Windows[slotWin[s]]
		n := int(s) - w.Base
		share := w.Block.Size / devices
		return n / share, int32(w.Col + n%share)
	}
	dt := distribute(indptr[:b.Size+1], devices, func(k int32) int { d, _ := place(indices[k]); return d })
	sp.Synapses = dt.most
	n := roundUp(sp.Synapses+1, 16) // as the whole table: shapes shared across seeds
	flatCols := stacked(dt, n, int32(sp.Cols), func(k int32) int32 { _, c := place(indices[k]); return c })
	var flatW []float64
	if weights != nil {
		flatW = stacked(dt, n, 0, func(k int32) float64 { return weights[k] })
	}
	flatPtr, width := dt.flatPtr(), dt.width
	sp.Width = roundUp(width, 8)
	f := b.Fan
	p.setConst(f.Ptr, tensors.FromFlatDataAndDimensions(flatPtr, devices, b.Size+2))
	p.setConst(f.Targets, tensors.FromFlatDataAndDimensions(flatCols, devices, n))
	switch {
	case weights != nil:
		p.setConst(f.Weight, p.floats(flatW, devices, n))
	case slotWeight != nil:
		per := make([]float64, devices*(sp.Cols+1))
		for _, pr := range b.Events { // slots outside every segment feed nothing
			for s := pr.Segment.Start; s < pr.Segment.Start+pr.Segment.Size; s++ {
				d, col := place(int32(s))
				per[d*(sp.Cols+1)+int(col)] = slotWeight[s]
			}
		}
		p.setConst(f.Weight, p.floats(per, devices, sp.Cols+1))
	}
	b.Split = sp
}

// deviceRows is a CSR table's synapses distributed over devices, each
// device keeping every row's synapses in the table's order.
type deviceRows struct {
	// ptr are each device's row pointers (rows+2 each: the last row empty);
	// syn each device's synapses, as positions in the whole table.
	ptr, syn [][]int32
	// width is the longest row on any device (at least 1), most the most
	// synapses on one device.
	width, most int
}

// distribute splits the table whose row pointers are indptr (rows+1 of
// them) over devices: synapse k goes to device(k).
func distribute(indptr []int32, devices int, device func(k int32) int) deviceRows {
	rows := len(indptr) - 1
	dr := deviceRows{ptr: make([][]int32, devices), syn: make([][]int32, devices), width: 1}
	for d := range dr.ptr {
		dr.ptr[d] = make([]int32, rows+2)
	}
	for row := range rows {
		for k := indptr[row]; k < indptr[row+1]; k++ {
			d := device(k)
			dr.syn[d] = append(dr.syn[d], k)
		}
		for d := range dr.ptr {
			dr.ptr[d][row+1] = int32(len(dr.syn[d]))
			dr.width = max(dr.width, int(dr.ptr[d][row+1]-dr.ptr[d][row]))
		}
	}
	for d := range dr.ptr {
		dr.ptr[d][rows+1] = dr.ptr[d][rows]
		dr.most = max(dr.most, len(dr.syn[d]))
	}
	return dr
}

// flatPtr is every device's row pointers, device after device.
func (dr deviceRows) flatPtr() []int32 { return slices.Concat(dr.ptr...) }

// stacked is value(k) of every device's synapses k, device after device,
// each device's padded with pad to n entries: a [devices, n] table.
func stacked[T any](dr deviceRows, n int, pad T, value func(k int32) T) []T {
	out := make([]T, 0, len(dr.syn)*n)
	for _, syn := range dr.syn {
		for _, k := range syn {
			out = append(out, value(k))
		}
		out = append(out, slices.Repeat([]T{pad}, n-len(syn))...)
	}
	return out
}

// setConst replaces constant v's value by one table per device, stacked
// along axis 0 (and so its shape).
func (p *Program) setConst(v *Var, t *tensors.Tensor) {
	v.Shape, v.Value, v.ByDevice, v.Axis = t.Shape().Dimensions, t, true, 0
}

// SplitBlocks lists the blocks whose fan-out table is split by target
// (Block.Split), in block order.
func (p *Program) SplitBlocks() []*Block {
	var out []*Block
	for _, b := range p.Blocks {
		if b.Split != nil {
			out = append(out, b)
		}
	}
	return out
}

// splitProcedural marks the procedural projections into blocks that split
// across the program's devices (Projection.Split) and adds the constant
// that tells each device its index (Program.DeviceIDs).
func (p *Program) splitProcedural() {
	for _, pr := range p.Projs {
		if p.Devices > 1 && pr.Kernel == plan.KernelProcedural && pr.Target.Block.Size%p.Devices == 0 {
			pr.Split = true
		}
	}
	if len(p.SplitProcedural()) > 0 {
		ids := make([]int32, p.Devices)
		for d := range ids {
			ids[d] = int32(d)
		}
		p.DeviceIDs = p.addConst("device_ids", tensors.FromFlatDataAndDimensions(ids, p.Devices))
		p.DeviceIDs.ByDevice = true
	}
}

// SplitTable is a projection's own table (per-synapse delays, or rows
// scaled by STP) split by target across the program's devices: Table.Ptr,
// Table.Indices, Table.Weights (when per synapse) and Delay.StepsTable
// (with delays) then hold one table per device, stacked ([Devices,
// N_pre+2] row pointers, then [Devices, Synapses+1] targets numbered
// within the device's share of the target's block (padded with that
// share's size), weights and delays), each device keeping every row's
// synapses in the whole table's order.
type SplitTable struct {
	// Width is the longest row of any device's table.
	Width int
	// Synapses is the most synapses one device's table holds.
	Synapses int
}

// splitOwnTables splits the own tables of the projections of
// DelayedEvents whose target fills a block that splits across the
// program's devices (whose ring buffer is then split by target too,
// ShardAxes), and those of ScaledEvents whose target lies in a block that
// splits.
func (p *Program) splitOwnTables() {
	if p.Devices < 2 {
		return
	}
	for _, pr := range p.DelayedEvents() {
		if t := pr.Target; t.Offset == 0 && t.Size == t.Block.Size && t.Size%p.Devices == 0 {
			p.splitOwn(pr)
		}
	}
	for _, pr := range p.ScaledEvents() {
		if pr.Target.Block.Size%p.Devices == 0 {
			p.splitOwn(pr)
		}
	}
}

// ScaledEvents lists the event-driven projections whose own table's rows
// are scaled by short-term plasticity (no delay, no STDP).
func (p *Program) ScaledEvents() []*Projection {
	var out []*Projection
	for _, pr := range p.Projs {
		if pr.Kernel == plan.KernelEvent && pr.Own != nil && pr.STP != nil && pr.Delay == nil && pr.Plastic == nil && pr.PreState == nil {
			out = append(out, pr)
		}
	}
	return out
}

// splitOwn replaces pr's own table, its weights and its delays (when it
// has them) with one per device (SplitTable): device d keeps the synapses
// onto neurons [d·share, (d+1)·share) of the target's block, numbered from
// there.
func (p *Program) splitOwn(pr *Projection) {
	o, devices := pr.Own, p.Devices
	share, offset := pr.Target.Block.Size/devices, pr.Target.Offset
	ptr := o.Ptr.Value.Value().([]int32)
	targets := o.Indices.Value.Value().([]int32)
	var delays []int32
	if pr.Delay != nil {
		delays = pr.Delay.StepsTable.Value.Value().([]int32)
	}
	var weights []float64
	if o.Weights != nil {
		weights = floatValues(o.Weights.Value.Value())
	}
	nPre := len(ptr) - 2
	dt := distribute(ptr[:nPre+1], devices, func(k int32) int { return (int(targets[k]) + offset) / share })
	st := &SplitTable{Width: dt.width, Synapses: dt.most}
	n := st.Synapses + 1
	flatPtr := dt.flatPtr()
	flatCols := stacked(dt, n, int32(share), func(k int32) int32 { return int32((int(targets[k]) + offset) % share) })
	var flatSteps []int32
	if delays != nil {
		flatSteps = stacked(dt, n, 0, func(k int32) int32 { return delays[k] })
	}
	var flatW []float64
	if weights != nil {
		flatW = stacked(dt, n, 0, func(k int32) float64 { return weights[k] })
	}
	p.setConst(o.Ptr, tensors.FromFlatDataAndDimensions(flatPtr, devices, nPre+2))
	p.setConst(o.Indices, tensors.FromFlatDataAndDimensions(flatCols, devices, n))
	if delays != nil {
		p.setConst(pr.Delay.StepsTable, tensors.FromFlatDataAndDimensions(flatSteps, devices, n))
	}
	if weights != nil {
		p.setConst(o.Weights, p.floats(flatW, devices, n))
	}
	pr.SplitOwn = st
}

// floatValues reads a float32 or float64 vector as float64.
func floatValues(v any) []float64 {
	switch x := v.(type) {
	case []float64:
		return x
	case []float32:
		out := make([]float64, len(x))
		for i, f := range x {
			out[i] = float64(f)
		}
		return out
	}
	panic(fmt.Sprintf("lower: weights of type %T", v))
}

// SplitDelayed lists the projections whose own delayed table is split by
// target (Projection.SplitOwn), in DelayedEvents order.
func (p *Program) SplitDelayed() []*Projection { return splitOwners(p.DelayedEvents()) }

// SplitScaled lists the projections whose own STP-scaled table is split
// by target (Projection.SplitOwn), in ScaledEvents order.
func (p *Program) SplitScaled() []*Projection { return splitOwners(p.ScaledEvents()) }

// splitOwners keeps the projections of prs whose own table is split.
func splitOwners(prs []*Projection) []*Projection {
	var out []*Projection
	for _, pr := range prs {
		if pr.SplitOwn != nil {
			out = append(out, pr)
		}
	}
	return out
}

// SplitByTarget reports whether any propagation is split by target (a
// fan-out table, a procedural projection or an own table): the program then runs split
// across exactly Devices devices.
func (p *Program) SplitByTarget() bool {
	return len(p.SplitBlocks()) > 0 || len(p.SplitProcedural()) > 0 || len(p.SplitDelayed()) > 0 || len(p.SplitScaled()) > 0
}

// SplitProcedural lists the procedural projections split by target
// (Projection.Split), in projection order.
func (p *Program) SplitProcedural() []*Projection {
	var out []*Projection
	for _, pr := range p.Projs {
		if pr.Split {
			out = append(out, pr)
		}
	}
	return out
}

// SplitShare is the length of one device's output of a procedural
// projection split by target: its share of the target block.
func (p *Program) SplitShare(pr *Projection) int { return pr.Target.Block.Size / p.Devices }

// WindowOf is the window of pr, a projection of the block's Events.
func (s *SplitFanout) WindowOf(pr *Projection) Window { return s.Windows[s.window[pr]] }

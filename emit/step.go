// Package emit traces a lowered program (package lower) into GoMLX graph
// functions: one step of the time loop laid out by its signature (Body),
// the K-step unrolled chunk (Chunk), and each
// propagation the loop runs before the step on one device (PreFn). It
// holds the graph code only: every decision (blocks, kernels, layout,
// tables) was made by lower, whose lower.Program it reads.
package emit

import (
	"fmt"
	"maps"
	"reflect"
	"slices"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // graph DSL
	"github.com/gomlx/gomlx/pkg/core/shapes"

	"github.com/brainc/brainc/dynamics"
	"github.com/brainc/brainc/ir"
	"github.com/brainc/brainc/lower"
	"github.com/brainc/brainc/ops"
	"github.com/brainc/brainc/plan"
	"github.com/brainc/brainc/signature"
)

// stepper holds what one traced step carries to the next, beyond the state.
type stepper struct {
	p        *lower.Program
	capacity int
	consts   []*Node
	// idx holds the compacted firing indices of the spike state, per block
	// index (nil where not compacted yet or not needed).
	idx []*Node
	// local holds, per population index, its firing indices within the
	// population (nil until needed).
	local []*Node
	// fan holds, per block index, this step's event-driven input to every
	// target of its fan-out table (nil until computed); fanIn the ones the
	// step is given (signature.Step.Pre).
	fan, fanIn []*Node
	// procIn holds the inputs of the split procedural projections and
	// STP-scaled tables the step is given (signature.Step.Pre).
	procIn map[*lower.Projection]*Node
	// delayIn holds the ring buffers of DelayedEvents with this step's
	// events added, when the step is given them (signature.Step.Pre).
	delayIn map[*lower.Projection]*Node
	// next is the state being built for the next step (STP, STDP and delay
	// lines write their variables there).
	next []*Node
	// preG holds this step's transmitted g of every kinetic state.
	preG map[*lower.PreState]*Node
	// sums is this step's product of the all_to_all sums (see lower.SourceSums),
	// [kinds, pops], nil until needed.
	sums *Node
	// values caches what sourceValues returns, per projection.
	values map[*lower.Projection]*Node
	// gval holds what each group's output read in this step (its new g,
	// or a kinetic group's transmitted sum), for current traces.
	gval map[*lower.Group]*Node
	// surrogate, when set (training, TrainStep), makes spikes floats with
	// this surrogate gradient.
	surrogate *ops.Surrogate
	// batched holds, in training, each dense copy's input computed with
	// its copies' (copiesDense; nil for a projection without copies);
	// famSums the families' sums by their first member (familySums).
	batched map[*lower.Projection]*Node
	famSums map[*lower.Projection]*Node
	// constOf, in training, gives each constant's argument
	// (signature.Train.ConstOf): tied constants share one.
	constOf []int
	// touched holds, per per-synapse array of an event-kernel plastic
	// projection written only where neurons fired (by state index),
	// whether any value this step wrote is not finite (Bool scalar): the only entries
	// that can have become so (see nonFinite).
	touched map[*lower.Var]*Node
}

// Chunk returns the graph function of K unrolled steps laid out by sig
// (signature.ForChunk, of this program): from the state and the
// constants, the new state and the events and traces of the K steps.
func Chunk(p *lower.Program, sig *signature.Step) func(inputs []*Node) []*Node {
	if sig.Program() != p || sig.Row >= 0 {
		panic("emit: Chunk: the signature is not a chunk signature of this program")
	}
	return func(inputs []*Node) []*Node {
		if len(inputs) != len(sig.Args) {
			panic(fmt.Sprintf("emit: Chunk: %d inputs, the signature has %d arguments", len(inputs), len(sig.Args)))
		}
		state := append([]*Node(nil), inputs[:sig.State()]...)
		st := &stepper{p: p, capacity: sig.Capacity, consts: inputs[sig.Consts:], idx: make([]*Node, len(p.Blocks))}
		var events, traces []*Node // one row per step
		for range sig.Steps {
			state = st.step(state)
			if row, _ := st.eventRow(state); row != nil {
				events = append(events, row)
			}
			if tr := st.traceRow(state); tr != nil {
				traces = append(traces, tr)
			}
		}
		out := state
		if len(events) > 0 {
			out = append(out, Stack(events, 0))
		}
		if len(traces) > 0 {
			out = append(out, Stack(traces, 0))
		}
		return out
	}
}

// Body returns the graph function of one step of the time loop (package
// loop) laid out by sig (signature.ForLoop, of this program): the firing
// indices of the previous step come in, compacted, as the events row
// instead of being compacted again, and the new step's row goes out to
// the next iteration. The propagations of sig.Pre come in computed.
//
// Stop (Bool scalar) is set when some block fired more neurons than its
// capacity, so that the row is truncated and the next step must not use
// it, or a state went non-finite. With Lowering.Keys, the step leaves
// compaction to the loop (loop.Compaction): it passes the events row it
// was given through, sets stop for the blocks not compacted only, and
// returns one key per compacted block.
func Body(p *lower.Program, sig *signature.Step) func(inputs []*Node) []*Node {
	if sig.Program() != p {
		panic("emit: Body: the signature lays out another program")
	}
	return func(inputs []*Node) []*Node {
		if len(inputs) != len(sig.Args) {
			panic(fmt.Sprintf("emit: Body: %d inputs, the signature has %d arguments", len(inputs), len(sig.Args)))
		}
		compact := p.CompactBlocks()
		st := &stepper{p: p, capacity: sig.Capacity, consts: inputs[sig.Consts : sig.Consts+len(p.Consts)], idx: make([]*Node, len(p.Blocks))}
		if sig.Row >= 0 {
			offsets, _ := p.EventLayout(sig.Capacity)
			for j, b := range compact {
				at := offsets[j] + 1
				st.idx[b.Index] = Slice(inputs[sig.Row], AxisRange(at, at+lower.Capacity(b, sig.Capacity)))
			}
		}
		if len(sig.Pre) > 0 {
			st.fanIn, st.procIn, st.delayIn = make([]*Node, len(p.Blocks)), map[*lower.Projection]*Node{}, map[*lower.Projection]*Node{}
		}
		for _, op := range sig.Pre {
			switch op.Kind {
			case signature.PreFan:
				st.fanIn[op.Block.Index] = inputs[op.Result]
			case signature.PreDelayed:
				st.delayIn[op.Proj] = inputs[op.Result]
			default: // procedural rows, STP-scaled tables
				st.procIn[op.Proj] = inputs[op.Result]
			}
		}
		state := st.step(append([]*Node(nil), inputs[:sig.State()]...))
		out := state
		if sig.Lowering.Keys {
			if sig.Row >= 0 {
				out = append(out, inputs[sig.Row])
			}
			out = append(out, nonFinite(p, state, false, st.touched))
			for _, b := range compact {
				out = append(out, key(p, b, state, sig.Lowering.ByteKeys))
			}
		} else {
			row, stop := st.eventRow(state)
			if bad := nonFinite(p, state, true, st.touched); stop == nil {
				stop = bad
			} else {
				stop = Or(stop, bad)
			}
			if row != nil {
				out = append(out, row)
			}
			out = append(out, stop)
			if row != nil {
				out = append(out, row)
			}
		}
		if tr := st.traceRow(state); tr != nil {
			out = append(out, tr)
		}
		return out
	}
}

// key is a compacted block's key for the loop's top-k compaction,
// Float32 [block size]: 1 where the neuron fired in this step, 0 where not,
// 2 where one of its float state variables is not finite (their sum is
// not: a NaN or an infinity anywhere makes it so).
func key(p *lower.Program, b *lower.Block, state []*Node, bytes bool) *Node {
	dtype := dtypes.Float32
	if bytes {
		dtype = dtypes.Uint8
	}
	spiked := ConvertDType(state[b.Spike.Index], dtype)
	var sum *Node
	for _, name := range b.StateNames {
		if v := b.States[name]; v.DType == p.DType {
			sum = plus(sum, state[v.Index])
		}
	}
	if sum == nil {
		return spiked
	}
	return Where(IsFinite(sum), spiked, Scalar(spiked.Graph(), dtype, 2))
}

// nonFinite is true (Bool scalar) when any float state variable of any
// neuron, or any plasticity state (PlasticFloats), is NaN or infinite: the
// integration or a learning rule diverged. Without compacted, the blocks
// that are compacted are left out (their keys say it). The weights of an
// event-kernel plastic projection are checked where this step wrote them
// (touched, from the stepper that built state; nil: every weight): the
// others were finite a step before. A network without plasticity gets the
// neuron checks only.
func nonFinite(p *lower.Program, state []*Node, compacted bool, touched map[*lower.Var]*Node) *Node {
	var bad *Node
	or := func(b *Node) {
		if bad == nil {
			bad = b
		} else {
			bad = Or(bad, b)
		}
	}
	all := func(x *Node) { or(LogicalNot(ReduceLogicalAnd(IsFinite(x)))) }
	for _, v := range p.NeuronFloats(compacted) {
		all(state[v.Index])
	}
	for _, v := range p.PlasticFloats() {
		if t, ok := touched[v.State]; ok && v.Synapses {
			or(t)
			continue
		}
		x := state[v.State.Index]
		if n := x.Shape().Dimensions[0]; v.Size < n { // the event table's pad entry is not a synapse
			x = Slice(x, AxisRange(0, v.Size))
		}
		all(x)
	}
	if bad == nil {
		return Const(state[0].Graph(), false)
	}
	return bad
}

// eventRow compacts the spikes of every compacted block in state, keeps
// their indices for the next step, and returns the events row (nil when
// nothing is compacted) and whether any count exceeds its capacity.
func (st *stepper) eventRow(state []*Node) (row, overflow *Node) {
	var parts []*Node
	for _, b := range st.p.CompactBlocks() {
		i, c := b.Index, lower.Capacity(b, st.capacity)
		var count *Node
		st.idx[i], count = ops.Compact(state[b.Spike.Index], c)
		parts = append(parts, Reshape(count, 1), st.idx[i])
		over := GreaterThan(count, Scalar(count.Graph(), count.DType(), c))
		if overflow == nil {
			overflow = over
		} else {
			overflow = Or(overflow, over)
		}
	}
	if len(parts) == 0 {
		return nil, nil
	}
	return Concatenate(parts, 0), overflow
}

// traceRow gathers the traced neurons of every trace from state, side by
// side (nil without traces): consecutive traces of one state array in one
// gather (a batch's copies of a trace are consecutive). A current trace
// sums its groups' output currents at the block's new potential first.
func (st *stepper) traceRow(state []*Node) *Node {
	var tr []*Node
	traces := st.p.Traces
	for k := 0; k < len(traces); {
		t := traces[k]
		src := state[t.State.Index]
		rows := toInt32(t.Rows)
		k++
		if t.Current != nil {
			v := src
			src = ZerosLike(v)
			for _, grp := range t.Current {
				src = Add(src, grp.Output.Current(st.gval[grp], v))
			}
		} else {
			for ; k < len(traces) && traces[k].Current == nil && traces[k].State == t.State; k++ {
				rows = append(rows, toInt32(traces[k].Rows)...)
			}
		}
		sel := Const(src.Graph(), rows)
		tr = append(tr, Gather(src, ExpandAxes(sel, -1)))
	}
	if len(tr) == 0 {
		return nil
	}
	return Concatenate(tr, 0)
}

func toInt32(v []int) []int32 {
	out := make([]int32, len(v))
	for i, x := range v {
		out[i] = int32(x)
	}
	return out
}

// step advances the network by one dt: synapses first (driven by the spikes
// of the previous step), then neurons (driven by the synaptic currents), as
// BrainPy's DSRunner orders an E/I network.
func (st *stepper) step(state []*Node) []*Node {
	p := st.p
	next := append([]*Node(nil), state...)
	st.next = next
	st.fan = make([]*Node, len(p.Blocks))
	copy(st.fan, st.fanIn)
	st.local = make([]*Node, len(p.Pops))
	st.sums, st.values, st.touched = nil, map[*lower.Projection]*Node{}, map[*lower.Var]*Node{}
	stepIdx := state[0]
	g := stepIdx.Graph()
	st.preG = map[*lower.PreState]*Node{}
	for _, ps := range p.PreStates {
		updated := ps.Synapse.Update(varsAt(state, ps.Vars), ops.SpikesAsFloat(state[ps.Block.Spike.Index], p.DType), p.Net.Dt)
		storeAt(next, ps.Vars, updated)
		st.preG[ps] = updated["g"]
	}
	gval := map[*lower.Group]*Node{} // what each group's output reads
	st.gval = gval
	for _, grp := range p.Groups {
		x := st.groupInput(grp, state)
		if grp.PreSide {
			gval[grp] = x
			continue
		}
		storeAt(next, grp.Vars, grp.Synapse.Update(varsAt(state, grp.Vars), x, p.Net.Dt))
		gval[grp] = next[grp.G.Index]
	}
	for _, b := range p.Blocks {
		vars := varsAt(state, b.States)
		var gaps [][2]*Node // per gap projection onto the block: Σ_j w·V_j and Σ_j w
		for _, gp := range p.Gaps {
			if gp.Pop.Block == b {
				v0 := state[b.States[b.Neuron.Potential()].Index]
				a := ops.DensePropagate(v0, st.consts[gp.Proj.PreList.Index], st.consts[gp.Proj.PostList.Index], st.consts[gp.Proj.Weight.Index], b.Size)
				gaps = append(gaps, [2]*Node{a, st.consts[gp.Cond.Index]})
			}
		}
		ext := st.external(b, state)
		method := b.Integrator
		var jump *Node // the Delta outputs' voltage jumps
		for _, grp := range b.Groups {
			if _, ok := grp.Output.(dynamics.Delta); ok {
				if jump == nil {
					jump = gval[grp]
				} else {
					jump = Add(jump, gval[grp])
				}
			}
		}
		if jump != nil {
			method = dynamics.JumpAfter(method, b.Neuron.Potential(), jump)
		}
		input := func(v *Node) *Node {
			i := Add(ZerosLike(v), ext)
			for _, grp := range b.Groups {
				if _, ok := grp.Output.(dynamics.Delta); ok {
					continue
				}
				i = Add(i, grp.Output.Current(gval[grp], v))
			}
			for _, gp := range gaps {
				i = Add(i, dynamics.GapCurrent(gp[0], gp[1], v))
			}
			return i
		}
		normal := func(v string) *Node { return blockNormal(b, "xi:", v, stepIdx, p.HashKey, p.DType) }
		newVars, spike := blockNeuron(b, st.consts).Update(vars, input, dynamics.Step{Index: stepIdx, Dt: p.Net.Dt, Normal: normal, Surrogate: st.surrogate}, method)
		if st.surrogate != nil && spike.DType() == dtypes.Bool { // a source's or a rate model's: no gradient to carry
			spike = ConvertDType(spike, p.DType)
		}
		if nz := b.Pops[0].Noise; nz != nil {
			newVars[nz.Var] = stochasticTerm(b, vars[nz.Var], newVars[nz.Var], spike, stepIdx, p.HashKey, p.Net.Dt)
		}
		storeAt(next, b.States, newVars)
		next[b.Spike.Index] = spike
	}
	next[0] = Add(stepIdx, Scalar(g, dtypes.Int32, 1))
	return next
}

// groupInput is what a group's synaptic state takes in this step, [block
// size]: each part's projections summed in order, at its population's
// neurons, zero at the neurons of populations without a part.
func (st *stepper) groupInput(grp *lower.Group, state []*Node) *Node {
	b := grp.Post
	if x := st.wholeSegment(grp, state); x != nil {
		return x
	}
	if x := st.batchedGroup(grp, state); x != nil {
		return x
	}
	byPop := map[*lower.Population]*Node{}
	for _, part := range grp.Parts {
		var x *Node
		for _, pr := range part.Projs {
			x = plus(x, st.transmit(pr, state))
		}
		byPop[part.Pop] = x
	}
	if len(b.Pops) == 1 {
		return byPop[b.Pops[0]]
	}
	pieces := make([]*Node, len(b.Pops))
	for k, pop := range b.Pops {
		if x := byPop[pop]; x != nil {
			pieces[k] = x
		} else {
			pieces[k] = Zeros(state[0].Graph(), shapes.Make(st.p.DType, pop.Size))
		}
	}
	return Concatenate(pieces, 0)
}

// wholeSegment is a group's input in one slice of its source block's
// fan-out output when every population of its block has one part of one
// plain event projection from that block and their segments lie side by
// side as the populations do (a batch's copies, or COBA's E→E and E→I);
// nil otherwise.
func (st *stepper) wholeSegment(grp *lower.Group, state []*Node) *Node {
	b := grp.Post
	if len(b.Pops) == 1 || len(grp.Parts) != len(b.Pops) {
		return nil
	}
	var first *lower.Projection
	for _, part := range grp.Parts {
		if len(part.Projs) != 1 {
			return nil
		}
		pr := part.Projs[0]
		if pr.Kernel != plan.KernelEvent || pr.Own != nil || pr.Delay != nil || pr.Target != part.Pop {
			return nil
		}
		if first == nil {
			first = pr
		}
		if pr.Pre.Block != first.Pre.Block || pr.Segment.Start-pr.Target.Offset != first.Segment.Start-first.Target.Offset {
			return nil
		}
	}
	start := first.Segment.Start - first.Target.Offset
	st.propagate(first, state) // the source block's fan-out output
	return st.fanSlice(first, start, b.Size)
}

// external is a block's external input this step: one scalar when its
// populations' inputs are one constant, else one value per neuron, each
// population's input (noise and Ornstein–Uhlenbeck currents advancing into
// the next state) at its neurons.
func (st *stepper) external(b *lower.Block, state []*Node) *Node {
	p, stepIdx := st.p, state[0]
	uniform := true
	for _, pop := range b.Pops {
		in := pop.Input
		uniform = uniform && in.Kind != "noise" && in.Kind != "ou" && in.PerNeuron == nil && reflect.DeepEqual(in, b.Pops[0].Input)
	}
	if uniform {
		return inputCurrent(b.Pops[0].Input, stepIdx, p.Net.Dt, p.DType)
	}
	pieces := make([]*Node, len(b.Pops))
	for k, pop := range b.Pops {
		var ext *Node
		if pop.Input.PerNeuron != nil { // (no scalar traced: the text holds no value of it)
			ext = st.consts[pop.InputArray.Index]
		} else {
			ext = inputCurrent(pop.Input, stepIdx, p.Net.Dt, p.DType)
		}
		switch pop.Input.Kind {
		case "noise":
			ext = Add(ext, whiteNoise(pop, stepIdx, p.HashKey, p.Net.Dt, p.DType))
		case "ou":
			ext = state[pop.OU.Index]
			st.next[pop.OU.Index] = ouStep(pop, ext, stepIdx, p.HashKey, p.Net.Dt)
		}
		pieces[k] = BroadcastToDims(ext, pop.Size)
	}
	if len(pieces) == 1 {
		return pieces[0]
	}
	return Concatenate(pieces, 0)
}

// popSlice is the part of a block array [block size] that holds pop's
// neurons.
func popSlice(x *Node, pop *lower.Population) *Node {
	if pop.Size == pop.Block.Size {
		return x
	}
	return Slice(x, AxisRange(pop.Offset, pop.Offset+pop.Size))
}

// varsAt reads the variables whose state indices idx gives.
func varsAt(state []*Node, arrays map[string]*lower.Var) dynamics.Vars {
	v := make(dynamics.Vars, len(arrays))
	for name, a := range arrays {
		v[name] = state[a.Index]
	}
	return v
}

// storeAt writes the variables of v that have a state array in arrays to
// next.
func storeAt(next []*Node, arrays map[string]*lower.Var, v dynamics.Vars) {
	for _, name := range v.Names() {
		if a, ok := arrays[name]; ok {
			next[a.Index] = v[name]
		}
	}
}

// transmit is a projection's input to its synaptic group in this step:
// what its synapses deliver, less, under difference coupling, each
// target's own value times its summed weight.
func (st *stepper) transmit(pr *lower.Projection, state []*Node) *Node {
	x := st.delivered(pr, state)
	if pr.RowSums != nil { // difference coupling: Σ_j w_ij·x_j − (Σ_j w_ij)·x_i, x_i the target's now
		own := popSlice(state[pr.Target.Block.States[pr.Carries].Index], pr.Target)
		x = Sub(x, Mul(st.consts[pr.RowSums.Index], own))
	}
	return x
}

// delivered is what a projection's synapses deliver this step: what
// propagate computes, or, through a delay line, what is due now.
func (st *stepper) delivered(pr *lower.Projection, state []*Node) *Node {
	d := pr.Delay
	if d == nil {
		return st.propagate(pr, state)
	}
	step, buf := state[0], state[d.Buf.Index]
	switch {
	case d.PerSynapse == nil:
		buf = ops.DelayRow(buf, step, st.propagate(pr, state), d.Steps)
	case pr.Kernel == plan.KernelEvent && st.delayIn[pr] != nil:
		buf = st.delayIn[pr]
	case pr.Kernel == plan.KernelEvent:
		if pr.SplitOwn != nil {
			panic(fmt.Sprintf("lower: projection %s's table is split across %d devices: the loop must give the step its ring buffer (signature.Step.Pre)", pr.Name, st.p.Devices))
		}
		o := pr.Own
		buf = ops.EventPropagateCSRDelayed(st.localIdx(pr.Pre, state), st.consts[o.Ptr.Index], st.consts[o.Indices.Index],
			st.consts[d.StepsTable.Index], o.Width, st.ownWeight(pr, state), st.rowScale(pr, state), buf, step)
	default:
		values, w := st.denseInputs(pr, state)
		buf = ops.DensePropagateDelayed(values, st.consts[pr.PreList.Index], st.consts[pr.PostList.Index], st.consts[d.StepsTable.Index], w, buf, step)
	}
	due, rest := ops.Delivered(buf, step)
	st.next[d.Buf.Index] = rest
	return due
}

// compacted returns the firing indices of a block's spikes in state,
// compacting them on the first step of a chunk (they were counted, and
// checked against the capacity, by the chunk before).
func (st *stepper) compacted(b *lower.Block, state []*Node) *Node {
	if st.idx[b.Index] == nil {
		st.idx[b.Index], _ = ops.Compact(state[b.Spike.Index], lower.Capacity(b, st.capacity))
	}
	return st.idx[b.Index]
}

// localIdx returns the firing indices of pop within pop (padded with
// pop.Size, in the block's capacity), for the tables that have a row per
// neuron of pop.
func (st *stepper) localIdx(pop *lower.Population, state []*Node) *Node {
	idx := st.compacted(pop.Block, state)
	if pop.Size == pop.Block.Size {
		return idx
	}
	if st.local[pop.Index] == nil {
		st.local[pop.Index] = popLocal(idx, pop)
	}
	return st.local[pop.Index]
}

// popLocal turns firing indices of pop's block (idx, padded with the
// block's size) into indices within pop, padded with pop.Size.
func popLocal(idx *Node, pop *lower.Population) *Node {
	if pop.Size == pop.Block.Size {
		return idx
	}
	g := idx.Graph()
	lo, hi := Scalar(g, dtypes.Int32, pop.Offset), Scalar(g, dtypes.Int32, pop.Offset+pop.Size)
	in := And(GreaterOrEqual(idx, lo), LessThan(idx, hi))
	return Where(in, Sub(idx, lo), Scalar(g, dtypes.Int32, pop.Size))
}

// ownWeight is the weight of a projection with its own event table: the
// plastic weights (applying this step's STDP to the next state; the
// weights returned are the ones before it), per-synapse weights when the
// table has them, else the projection's scalar.
func (st *stepper) ownWeight(pr *lower.Projection, state []*Node) *Node {
	if pl := pr.Plastic; pl != nil {
		o, dt := pr.Own, st.p.DType
		tables := dynamics.EventTables{Ptr: st.consts[o.Ptr.Index], Targets: st.consts[o.Indices.Index], Width: o.Width,
			ColPtr: st.consts[pl.ColPtr.Index], Sources: st.consts[pl.Sources.Index], Perm: st.consts[pl.Perm.Index], ColWidth: pl.ColWidth}
		w := state[pl.W.Index]
		preSp, postSp := ops.SpikesAsFloat(st.spikes(pr.Pre, state), dt), ops.SpikesAsFloat(st.spikes(pr.Target, state), dt)
		preIdx, postIdx := st.localIdx(pr.Pre, state), st.localIdx(pr.Target, state)
		if pl.Eq != nil {
			var synPre, synPost *Node
			if pl.SynPre != nil {
				synPre, synPost = st.consts[pl.SynPre.Index], st.consts[pl.SynPost.Index]
			}
			st.storePlastic(pl, pl.Eq.EventStep(st.plasticState(pl, state), preSp, postSp, preIdx, postIdx, synPre, synPost, tables, st.plasticEnv(pl, state)))
			// The arrays written only at the firing rows and columns are
			// checked there; the clock-driven ones, written everywhere,
			// whole.
			clock := map[string]bool{}
			for _, eq := range pl.Eq.Rule.ClockDrivenVars() {
				clock[eq.Var] = true
			}
			if !clock["w"] {
				st.touched[pl.W] = touchedNonFinite(st.next[pl.W.Index], preIdx, postIdx, tables, pr.Matrix.NumSynapses())
			}
			for _, name := range slices.Sorted(maps.Keys(pl.SynVars)) {
				if i := pl.SynVars[name]; !clock[name] {
					st.touched[i] = touchedNonFinite(st.next[i.Index], preIdx, postIdx, tables, pr.Matrix.NumSynapses())
				}
			}
			return w
		}
		st.next[pl.W.Index], st.next[pl.XPre.Index], st.next[pl.XPost.Index] = pl.Rule.EventStep(w, state[pl.XPre.Index], state[pl.XPost.Index],
			preSp, postSp, preIdx, postIdx, tables, st.p.Net.Dt)
		st.touched[pl.W] = touchedNonFinite(st.next[pl.W.Index], preIdx, postIdx, tables, pr.Matrix.NumSynapses())
		return w
	}
	if pr.Own.Weights != nil {
		return st.consts[pr.Own.Weights.Index]
	}
	return st.consts[pr.Weight.Index]
}

// plasticState reads a rule's state (dynamics.PlasticState) from state.
func (st *stepper) plasticState(pl *lower.Plastic, state []*Node) dynamics.PlasticState {
	s := dynamics.PlasticState{W: state[pl.W.Index], Pre: varsAt(state, pl.PreVars), Post: varsAt(state, pl.PostVars), Syn: varsAt(state, pl.SynVars)}
	if pl.LastUpdate != nil {
		s.Last = state[pl.LastUpdate.Index]
	}
	return s
}

// plasticEnv is what a rule reads from the network this step: the step's
// index and each modulator's mean over its population at the step's
// start.
func (st *stepper) plasticEnv(pl *lower.Plastic, state []*Node) dynamics.PlasticEnv {
	env := dynamics.PlasticEnv{Step: state[0], Dt: st.p.Net.Dt}
	if len(pl.Mods) > 0 {
		env.Mods = dynamics.Vars{}
		for _, m := range pl.Mods {
			env.Mods[m.Name] = ReduceAllMean(popSlice(state[m.State.Index], m.Pop))
		}
	}
	return env
}

// storePlastic writes a rule's new state into the next state.
func (st *stepper) storePlastic(pl *lower.Plastic, s dynamics.PlasticState) {
	st.next[pl.W.Index] = s.W
	storeAt(st.next, pl.PreVars, s.Pre)
	storeAt(st.next, pl.PostVars, s.Post)
	storeAt(st.next, pl.SynVars, s.Syn)
	if pl.LastUpdate != nil {
		st.next[pl.LastUpdate.Index] = s.Last
	}
}

// touchedNonFinite is true (Bool scalar) when a weight of w [S+1] that
// the event kernel's plasticity step may have written (the rows of the
// presynaptic neurons that fired, preIdx, and the columns of the
// postsynaptic ones, postIdx: the slots STDP.EventStep and
// EquationPlasticity.EventStep update) is not finite. The padding slots,
// which point at or past the pad entry, are left out: O(spikes × fan-out),
// where checking every weight would cost O(S) a step.
func touchedNonFinite(w, preIdx, postIdx *Node, t dynamics.EventTables, synapses int) *Node {
	rows := ops.CSRSlots(preIdx, t.Ptr, t.Targets, t.Width)
	cols := ExpandAxes(Gather(t.Perm, ops.CSRSlots(postIdx, t.ColPtr, t.Sources, t.ColWidth)), -1)
	pos := Concatenate([]*Node{rows, cols}, 0)
	inTable := LessThan(Reshape(pos, pos.Shape().Dimensions[0]), Scalar(w.Graph(), dtypes.Int32, synapses))
	return ReduceLogicalOr(And(LogicalNot(IsFinite(Gather(w, pos))), inTable))
}

// rowScale is the factor of each presynaptic row of an event-driven
// projection this step: the short-term plasticity efficacies (advancing
// (u, x) into the next state), or nil without STP.
func (st *stepper) rowScale(pr *lower.Projection, state []*Node) *Node {
	if pr.STP == nil {
		return nil
	}
	return st.sourceValues(pr, state)
}

// sourceValues is what a dense or all-to-all projection transmits from each
// presynaptic neuron this step: the kinetic state's g, or the spikes as
// floats, scaled by their short-term plasticity efficacy when it has one.
func (st *stepper) sourceValues(pr *lower.Projection, state []*Node) *Node {
	if v, ok := st.values[pr]; ok {
		return v
	}
	v := st.transmitted(pr, state)
	st.values[pr] = v
	return v
}

// transmitted computes sourceValues.
func (st *stepper) transmitted(pr *lower.Projection, state []*Node) *Node {
	if pr.Carries != "" { // rate coupling: the source's variable at the step's start
		x := popSlice(state[pr.Pre.Block.States[pr.Carries].Index], pr.Pre)
		if c := pr.Coupling; c.Kind == ir.CouplingSigmoid { // Max/(1 + e^{Slope·(Midpoint − x)})
			x = MulScalar(Sigmoid(MulScalar(AddScalar(x, -c.Midpoint), c.Slope)), c.Max)
		}
		return x
	}
	if pr.PreState != nil {
		return popSlice(st.preG[pr.PreState], pr.Pre)
	}
	s := ops.SpikesAsFloat(st.spikes(pr.Pre, state), st.p.DType)
	if pr.STP != nil { // each spike carries its efficacy
		var u, x *Node
		s, u, x = pr.STP.Step(state[pr.STPU.Index], state[pr.STPX.Index], s, st.p.Net.Dt)
		st.next[pr.STPU.Index], st.next[pr.STPX.Index] = u, x
	}
	return s
}

// denseInputs returns a dense projection's source values and weights,
// applying this step's STDP to the next state (the weights returned are the
// ones before it, which carry this step's spikes).
func (st *stepper) denseInputs(pr *lower.Projection, state []*Node) (values, w *Node) {
	values, w = st.sourceValues(pr, state), st.consts[pr.Weight.Index]
	if pl := pr.Plastic; pl != nil {
		w = state[pl.W.Index]
		post := ops.SpikesAsFloat(st.spikes(pr.Target, state), st.p.DType)
		if pl.Eq != nil {
			st.storePlastic(pl, pl.Eq.Step(st.plasticState(pl, state), values, post, st.consts[pr.PreList.Index], st.consts[pr.PostList.Index], st.plasticEnv(pl, state)))
			return values, w
		}
		st.next[pl.W.Index], st.next[pl.XPre.Index], st.next[pl.XPost.Index] = pl.Rule.Step(w, state[pl.XPre.Index], state[pl.XPost.Index], values, post,
			st.consts[pr.PreList.Index], st.consts[pr.PostList.Index], st.p.Net.Dt)
	}
	return values, w
}

// propagate computes a projection's weighted presynaptic input for this step.
func (st *stepper) propagate(pr *lower.Projection, state []*Node) *Node {
	w := st.consts[pr.Weight.Index]
	nPost := pr.Target.Size
	switch pr.Kernel {
	case plan.KernelPoisson:
		return st.poissonInput(pr, state[0], w)
	case plan.KernelDense:
		if st.batched != nil {
			if x := st.copiesDense(pr, state); x != nil {
				return x
			}
		}
		values, w := st.denseInputs(pr, state)
		return ops.DensePropagate(values, st.consts[pr.PreList.Index], st.consts[pr.PostList.Index], w, nPost)
	case plan.KernelAllToAll:
		values := st.sourceValues(pr, state)
		x := BroadcastToDims(Mul(st.sourceSum(pr, state), w), nPost)
		if pr.Pre == pr.Target && !pr.Conn.AllowSelf {
			x = Sub(x, Mul(values, w))
		}
		return x
	}
	if pr.SplitOwn != nil && pr.Delay == nil { // STP-scaled, split by target: given
		st.sourceValues(pr, state) // this step's STP update
		return procSlice(pr, st.splitInput(pr))
	}
	if o := pr.Own; o != nil {
		return ops.EventPropagateCSRScaled(st.localIdx(pr.Pre, state), st.consts[o.Ptr.Index], st.consts[o.Indices.Index], o.Width,
			st.ownWeight(pr, state), st.rowScale(pr, state), nPost)
	}
	if pr.Kernel == plan.KernelProcedural {
		if pr.Split {
			return procSlice(pr, st.splitInput(pr))
		}
		return ops.ProceduralEvent(st.localIdx(pr.Pre, state), *pr.Proc, w)
	}
	b := pr.Pre.Block
	if st.fan[b.Index] == nil {
		if b.Split != nil {
			panic(fmt.Sprintf("lower: block %s's fan-out table is split across %d devices: the loop must give the step its propagation (signature.Step.Pre)", b.Name, b.Split.Devices))
		}
		idx := st.compacted(b, state)
		f := b.Fan
		t := f.Tables() // row pointers, targets, weight
		ptr, targets, weight := st.consts[t[0].Index], st.consts[t[1].Index], st.consts[t[2].Index]
		if f.PerSynapse {
			st.fan[b.Index] = ops.EventPropagateCSRWeighted(idx, ptr, targets, f.Width, weight, f.Slots)
		} else {
			st.fan[b.Index] = ops.EventPropagateCSR(idx, ptr, targets, f.Width, weight, f.Slots)
		}
	}
	return st.fanSlice(pr, pr.Segment.Start, pr.Segment.Size)
}

// splitInput is the propagation of pr split by target that the step is
// given (a procedural projection or an STP-scaled table); without it the
// step cannot be traced.
func (st *stepper) splitInput(pr *lower.Projection) *Node {
	in := st.procIn[pr]
	if in == nil {
		panic(fmt.Sprintf("lower: projection %s is split across %d devices: the loop must give the step its propagation (signature.Step.Pre)", pr.Name, st.p.Devices))
	}
	return in
}

// fanSlice is slots [start, start+size) of this step's output of pr's
// source block's fan-out table (whole, or split by target: splitSlice).
func (st *stepper) fanSlice(pr *lower.Projection, start, size int) *Node {
	fan := st.fan[pr.Pre.Block.Index]
	if pr.Pre.Block.Split != nil {
		return splitSlice(pr, fan, start, size)
	}
	return Slice(fan, AxisRange(start, start+size))
}

// spikes is pop's spike flags in state.
func (st *stepper) spikes(pop *lower.Population, state []*Node) *Node {
	return popSlice(state[pop.Block.Spike.Index], pop)
}

// poissonInput draws a Poisson input's weighted counts for step idx, zero
// outside its [start, stop) window.
func (st *stepper) poissonInput(pr *lower.Projection, idx, w *Node) *Node {
	in, dt, dtype := pr.Poisson, st.p.Net.Dt, st.p.DType
	counts := ops.HashPoisson(pr.PoissonKey, idx, pr.Target.Size, float64(in.Num)*in.Rate*dt/1000, dtype)
	x := Mul(counts, w)
	if in.Start > 0 || in.Stop > 0 {
		t := MulScalar(ConvertDType(idx, dtype), dt)
		on := GreaterOrEqual(t, Scalar(idx.Graph(), dtype, in.Start-dt/2))
		if in.Stop > 0 {
			on = And(on, LessThan(t, Scalar(idx.Graph(), dtype, in.Stop-dt/2)))
		}
		x = Where(on, x, ZerosLike(x))
	}
	return x
}

// plus is sum + t, or t when sum is nil: a sum built term after term,
// ((t0 + t1) + t2) + …, the order that fixes its floats.
func plus(sum, t *Node) *Node {
	if sum == nil {
		return t
	}
	return Add(sum, t)
}

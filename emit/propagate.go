package emit

import (
	"fmt"
	"slices"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // graph DSL

	"github.com/brainc/brainc/dynamics"
	"github.com/brainc/brainc/lower"
	"github.com/brainc/brainc/ops"
	"github.com/brainc/brainc/plan"
	"github.com/brainc/brainc/signature"
)

// PreFn is op's composed graph function on one device (op from sig.Pre,
// split across op.Devices): from the device's share of op.Args (shapes
// op.Inputs) to its share of the result. A whole table (op.Devices 1) has
// none: only a custom call precomputes it, and composed the step computes
// it itself.
func PreFn(p *lower.Program, sig *signature.Step, op signature.PreOp) (func([]*Node) []*Node, error) {
	if op.Devices < 2 {
		return nil, fmt.Errorf("emit: %s is a whole table: a custom call precomputes it, not a composed function", op.Name)
	}
	src := op.Block
	if src == nil {
		src = op.Proj.Pre.Block
	}
	at, err := p.RowAt(src, sig.Capacity)
	if err != nil {
		return nil, err
	}
	switch op.Kind {
	case signature.PreFan:
		return fanPropagation(op.Block, at, sig.Capacity), nil
	case signature.PreProcedural:
		return procPropagation(p, op.Proj, at, sig.Capacity), nil
	case signature.PreDelayed:
		return delayPropagation(op.Proj, at, sig.Capacity), nil
	}
	return scaledPropagation(p, op.Proj, at, sig.Capacity), nil
}

// firing is the firing indices of pop in the events row (from at, its
// block's indices), within pop.
func firing(row *Node, pop *lower.Population, at, capacity int) *Node {
	return popLocal(Slice(row, AxisRange(at, at+lower.Capacity(pop.Block, capacity))), pop)
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
func fanPropagation(b *lower.Block, at, capacity int) func([]*Node) []*Node {
	sp := b.Split
	return func(in []*Node) []*Node {
		idx := Slice(in[0], AxisRange(at, at+lower.Capacity(b, capacity)))
		var x *Node
		if b.Fan.PerSynapse {
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
func procPropagation(p *lower.Program, pr *lower.Projection, at, capacity int) func([]*Node) []*Node {
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
func delayPropagation(pr *lower.Projection, at, capacity int) func([]*Node) []*Node {
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
func scaledPropagation(p *lower.Program, pr *lower.Projection, at, capacity int) func([]*Node) []*Node {
	share := p.SplitShare(pr)
	return func(in []*Node) []*Node {
		spikes := ops.SpikesAsFloat(popSlice(in[3], pr.Pre), p.DType)
		eff, _, _ := pr.STP.Step(in[1], in[2], spikes, p.Net.Dt)
		x := ops.EventPropagateCSRScaled(firing(in[0], pr.Pre, at, capacity), unstack(in[4]), unstack(in[5]), pr.SplitOwn.Width,
			unstack(in[6]), eff, share)
		return []*Node{Reshape(x, 1, share)}
	}
}

// sourceSum is Σ_j of what an all_to_all projection transmits from each of
// its presynaptic neurons this step (a scalar), from the step's one product
// of all such sums.
func (st *stepper) sourceSum(pr *lower.Projection, state []*Node) *Node {
	s := st.p.Sums
	if st.sums == nil {
		rows := make([]*Node, len(s.Kinds))
		for k, kind := range s.Kinds {
			pieces := make([]*Node, len(s.Pops))
			for j, pop := range s.Pops {
				pieces[j] = st.kindValues(kind, pop, state)
				if pieces[j] == nil {
					pieces[j] = ZerosLike(ops.SpikesAsFloat(st.spikes(pop, state), st.p.DType))
				}
			}
			rows[k] = Concatenate(pieces, 0)
		}
		st.sums = Dot(Stack(rows, 0), st.consts[s.Indicator.Index]) // [kinds, pops]
	}
	k, j := slices.Index(s.Kinds, lower.KindOf(pr)), slices.Index(s.Pops, pr.Pre)
	return Reshape(Slice(st.sums, AxisElem(k), AxisElem(j)))
}

// kindValues is a kind of value of pop's neurons this step, nil where the
// kind is not taken over pop.
func (st *stepper) kindValues(kind string, pop *lower.Population, state []*Node) *Node {
	for _, pr := range st.p.Projs {
		if pr.Kernel == plan.KernelAllToAll && pr.Pre == pop && lower.KindOf(pr) == kind {
			return st.sourceValues(pr, state)
		}
	}
	return nil
}

// blockNeuron is the block's model in a step: Neuron, reading its varying
// parameters from their arrays among the program's constant inputs.
func blockNeuron(b *lower.Block, consts []*Node) dynamics.Neuron {
	if len(b.VaryArrays) == 0 {
		return b.Neuron
	}
	arrays := make(map[string]*Node, len(b.VaryArrays))
	for name, v := range b.VaryArrays {
		arrays[name] = consts[v.Index]
	}
	return b.Neuron.(dynamics.PerNeuron).PerNeuron(arrays)
}

// procSlice is a split procedural projection's input to its target
// population, out of every device's share [Devices, SplitShare] (proc).
func procSlice(pr *lower.Projection, proc *Node) *Node {
	whole := Reshape(proc, pr.Target.Block.Size)
	return Slice(whole, AxisRange(pr.Target.Offset, pr.Target.Offset+pr.Target.Size))
}

// splitSlice is slots [start, start+size) of the output of pr's source
// block's split fan-out table, out of the whole [Devices, Cols] (fan):
// the columns of pr's window on every device, one value per neuron of the
// target block in order, sliced to the slots asked for. When they are a
// whole target block (the usual case: one group's input), the result is
// split across the devices as the block is, with nothing to exchange.
func splitSlice(pr *lower.Projection, fan *Node, start, size int) *Node {
	sp := pr.Pre.Block.Split
	w := sp.WindowOf(pr)
	share := w.Block.Size / sp.Devices
	whole := Reshape(Slice(fan, AxisRange(), AxisRange(w.Col, w.Col+share)), w.Block.Size)
	return Slice(whole, AxisRange(start-w.Base, start-w.Base+size))
}

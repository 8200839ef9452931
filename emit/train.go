package emit

import (
	"fmt"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // graph DSL

	"github.com/brainc/brainc/lower"
	"github.com/brainc/brainc/ops"
	"github.com/brainc/brainc/signature"
)

// TrainStep returns the graph function of one differentiable step laid out
// by sig (signature.ForTraining): from the carried values (the
// state, spikes as floats, then the readout accumulators) and the
// constants, the carried values after the step. Spikes are the
// simulation's (H(V − θ) forward) with the surrogate's derivative
// backward; resets are written so that gradients pass them
// (dynamics.Pick). The step is the simulation's otherwise: the same
// blocks, groups, kernels, inputs and noise.
func TrainStep(sig *signature.Train, s ops.Surrogate) func(inputs []*Node) []*Node {
	p := sig.Program()
	nc := len(sig.Carried)
	return func(inputs []*Node) []*Node {
		if len(inputs) != nc+len(sig.Consts) {
			panic(fmt.Sprintf("emit: TrainStep: %d inputs, the signature has %d carried and %d constants", len(inputs), nc, len(sig.Consts)))
		}
		consts := make([]*Node, len(p.Consts))
		for i := range consts {
			consts[i] = inputs[nc+sig.ConstOf[i]]
		}
		for _, sp := range sig.Spreads { // trained per-neuron parameters into their blocks' arrays
			consts[sp.Const] = spread(sp, inputs[nc+sp.At], consts[sp.Const])
		}
		st := &stepper{p: p, consts: consts, idx: make([]*Node, len(p.Blocks)), surrogate: &s, batched: map[*lower.Projection]*Node{},
			famSums: map[*lower.Projection]*Node{}, constOf: sig.ConstOf}
		step := inputs[0]
		next := st.step(append([]*Node(nil), inputs[:sig.State()]...))
		for j, in := range sig.Inputs { // the data's spikes replace the model's
			data := inputs[nc+sig.DataAt+j]
			row := Reshape(DynamicSlice(data, []*Node{step, ZerosLike(step)}, []int{1, in.Width}), in.Width)
			next[in.Block.Spike.Index] = dataSpikes(in, row, next[in.Block.Spike.Index])
		}
		for j, r := range sig.Readouts {
			x := readoutValues(r, next)
			acc := inputs[sig.ReadoutAt(j)]
			switch r.Reduce {
			case signature.ReduceSum, signature.ReduceMean:
				x = Add(acc, x)
			case signature.ReduceMax:
				x = Max(acc, x)
			}
			next = append(next, x)
		}
		return next
	}
}

// TrainVJP returns the graph function of the step's vector–Jacobian
// product (the vjp of package loop's BPTT): its inputs are the step's, then
// the adjoints of the new carried values listed in sig.Adjoint; its
// results are the adjoints of the carried values at the step's start
// (sig.Adjoint order), then the step's contribution to the gradient of
// each trained argument (sig.Trained order). GoMLX's autodiff of the
// traced step gives it: the gradient of Σ⟨step(x), adj'⟩.
func TrainVJP(sig *signature.Train, s ops.Surrogate) func(inputs []*Node) []*Node {
	step := TrainStep(sig, s)
	nc, nk := len(sig.Carried), len(sig.Consts)
	return func(inputs []*Node) []*Node {
		if len(inputs) != nc+nk+len(sig.Adjoint) {
			panic(fmt.Sprintf("emit: TrainVJP: %d inputs, expected %d carried, %d constants and %d adjoints", len(inputs), nc, nk, len(sig.Adjoint)))
		}
		next := step(inputs[:nc+nk])
		var sum *Node
		for j, at := range sig.Adjoint {
			sum = plus(sum, ReduceAllSum(Mul(next[at], inputs[nc+nk+j])))
		}
		wrt := make([]*Node, 0, len(sig.Adjoint)+len(sig.Params))
		for _, at := range sig.Adjoint {
			wrt = append(wrt, inputs[at])
		}
		for _, at := range sig.Trained() {
			wrt = append(wrt, inputs[nc+at])
		}
		return Gradient(sum, wrt...)
	}
}

// spread is a block's parameter array [block size] with the elements sp
// maps read from the trained parameter theta [population size]: a gather,
// whose gradient sums the elements that read each value.
func spread(sp signature.Spread, theta, array *Node) *Node {
	g := theta.Graph()
	n := len(sp.Index)
	idx := Const(g, sp.Index)
	read := GreaterOrEqual(idx, ScalarZero(g, idx.DType()))
	at := Reshape(Max(idx, ScalarZero(g, idx.DType())), n, 1)
	return Where(read, Gather(theta, at), array)
}

// LossKind names a loss over the readouts.
type LossKind string

// Losses.
const (
	// LossMSE is the mean over the readouts of the mean squared difference
	// between each readout's value and its target.
	LossMSE LossKind = "mse"
	// LossCE is the softmax cross-entropy of each readout's value, read as
	// Groups rows of logits (one per sample), against its target's rows
	// (class probabilities, one-hot for a label), averaged over the rows
	// and over the readouts (a batch's samples, one readout each).
	LossCE LossKind = "ce"
)

// Loss describes the loss a training takes of its readouts.
type Loss struct {
	// Kind is the loss.
	Kind LossKind
	// Groups is the number of rows (samples) a readout holds for LossCE
	// (≥ 1; each readout's size must be a multiple of it).
	Groups int
	// Rates are firing-rate regularisers, each over a readout of spike
	// counts, added to the loss of the other readouts.
	Rates []RateTerm
}

// RateTerm regularises the firing rates of one readout of spike counts
// (reduce sum): Weight · mean((r − target)²), r = count/(steps·Dt) in Hz
// and target the readout's target (Hz, per neuron).
type RateTerm struct {
	// Readout is the readout's index; Weight the term's weight; Dt the
	// step in seconds.
	Readout    int
	Weight, Dt float64
}

// TrainLoss returns the graph function of the loss (the loss of package
// loop's BPTT): from the readout accumulators, one target per readout of
// its shape and the number of steps run (a scalar of the simulation type),
// the loss and its gradient with respect to each readout: the mean over
// the readouts of their loss, plus l.Rates' regularisers (whose readouts
// are theirs alone). A mean readout is its sum divided by the steps.
func TrainLoss(sig *signature.Train, l Loss) func(inputs []*Node) []*Node {
	r := len(sig.Readouts)
	return func(inputs []*Node) []*Node {
		if len(inputs) != 2*r+1 {
			panic(fmt.Sprintf("emit: TrainLoss: %d inputs, expected %d readouts, %d targets and the steps", len(inputs), r, r))
		}
		steps := inputs[2*r]
		var total, reg *Node
		rated := map[int]RateTerm{}
		for _, rt := range l.Rates {
			rated[rt.Readout] = rt
		}
		for j, ro := range sig.Readouts {
			x, target := inputs[j], inputs[r+j]
			if rt, ok := rated[j]; ok {
				d := Sub(DivScalar(Div(x, steps), rt.Dt), target)
				reg = plus(reg, MulScalar(ReduceAllMean(Mul(d, d)), rt.Weight))
				continue
			}
			if ro.Reduce == signature.ReduceMean {
				x = Div(x, steps)
			}
			var term *Node
			switch l.Kind {
			case LossCE:
				groups := max(l.Groups, 1)
				logits := Reshape(x, groups, x.Shape().Size()/groups)
				t := Reshape(target, groups, x.Shape().Size()/groups)
				term = Neg(ReduceAllMean(ReduceSum(Mul(t, LogSoftmax(logits, -1)), -1)))
			default:
				d := Sub(x, target)
				term = ReduceAllMean(Mul(d, d))
			}
			total = plus(total, term)
		}
		if total != nil {
			total = DivScalar(total, float64(r-len(rated)))
		}
		if reg != nil {
			total = plus(total, reg)
		}
		return append([]*Node{total}, Gradient(total, inputs[:r]...)...)
	}
}

// dataSpikes is a block's spikes with its input populations' replaced by
// the data row (in.Pops side by side): the row itself when they fill the
// block, else one gather and one select over the block.
func dataSpikes(in signature.InputBlock, row, spikes *Node) *Node {
	b := in.Block
	if in.Width == b.Size {
		return row
	}
	if base, ok := adjacent(in.Pops); ok { // the inputs side by side: the row replaces one slice
		parts := []*Node{row}
		if base > 0 {
			parts = append([]*Node{Slice(spikes, AxisRange(0, base))}, parts...)
		}
		if end := base + in.Width; end < b.Size {
			parts = append(parts, Slice(spikes, AxisRange(end, b.Size)))
		}
		return Concatenate(parts, 0)
	}
	at := make([]int32, b.Size) // block neuron → data column
	mask := make([]bool, b.Size)
	col := 0
	for _, q := range in.Pops {
		for i := range q.Size {
			at[q.Offset+i], mask[q.Offset+i] = int32(col), true
			col++
		}
	}
	g := row.Graph()
	fromData := Gather(row, ExpandAxes(Const(g, at), -1))
	return Where(Const(g, mask), fromData, spikes)
}

// readoutValues is what a readout reads after a step, its populations'
// values side by side: one gather when they share a block, else their
// slices concatenated.
func readoutValues(r signature.Readout, state []*Node) *Node {
	arr := func(q *lower.Population) *Node {
		if r.Var == "" {
			return state[q.Block.Spike.Index]
		}
		return state[q.Block.States[r.Var].Index]
	}
	b := r.Pops[0].Block
	if base, ok := adjacent(r.Pops); ok && len(r.Pops) > 1 {
		return Slice(arr(r.Pops[0]), AxisRange(base, base+r.Size()))
	}
	shared := len(r.Pops) > 1
	for _, q := range r.Pops {
		shared = shared && q.Block == b
	}
	if shared {
		at := make([]int32, 0, r.Size())
		for _, q := range r.Pops {
			for i := range q.Size {
				at = append(at, int32(q.Offset+i))
			}
		}
		x := arr(r.Pops[0])
		return Gather(x, Reshape(Const(x.Graph(), at), len(at), 1))
	}
	parts := make([]*Node, len(r.Pops))
	for k, q := range r.Pops {
		parts[k] = popSlice(arr(q), q)
	}
	if len(parts) == 1 {
		return parts[0]
	}
	return Concatenate(parts, 0)
}

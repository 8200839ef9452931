package ops

import (
	"fmt"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // graph DSL
	"github.com/gomlx/gomlx/pkg/core/shapes"
)

// EventPropagate sums, for each postsynaptic neuron, weight × (number of its
// presynaptic partners among the firing neurons).
//
//   - idx: Int32 [C], firing presynaptic indices padded with nPre (see Compact);
//   - ell: Int32 [nPre+1, D], the targets of each presynaptic neuron padded
//     with nPost; row nPre is all padding (see connect.Matrix.ELL);
//   - weight: scalar of the float type, or [D]: one weight per table column
//     (several projections side by side in one table, each with its weight).
//
// It returns a [nPost] node of weight's dtype. Work is O(C·D): only rows of
// neurons that fired are touched.
func EventPropagate(idx, ell, weight *Node, nPost int) *Node {
	c := idx.Shape().Dimensions[0]
	d := ell.Shape().Dimensions[1]
	rows := Gather(ell, ExpandAxes(idx, -1)) // [C, D] target indices
	targets := Reshape(rows, c*d, 1)
	if weight.Rank() == 1 {
		weight = ExpandAxes(weight, 0) // [1, D]
	}
	return scatterAdd(targets, Reshape(BroadcastToDims(weight, c, d), c*d), nPost)
}

// DensePropagate is the float form of EventPropagate: every synapse k carries
// weight × spikes[pre[k]] to post[k].
//
//   - spikes: [nPre], float (0/1, or a surrogate value during training);
//   - pre, post: Int32 [S], the synapse list (connect.Matrix.COO);
//   - weight: scalar of spikes' dtype, or [S]: one weight per synapse
//     (stored weights, e.g. trained or plastic).
//
// It returns [nPost]. It is differentiable with respect to spikes and weight.
func DensePropagate(spikes, pre, post, weight *Node, nPost int) *Node {
	if spikes.DType() != weight.DType() {
		panic(fmt.Sprintf("DensePropagate: spikes dtype %s != weight dtype %s", spikes.DType(), weight.DType()))
	}
	vals := Mul(Gather(spikes, ExpandAxes(pre, -1)), weight)
	acc := Zeros(spikes.Graph(), shapes.Make(spikes.DType(), nPost))
	return ScatterSum(acc, ExpandAxes(post, -1), vals, false, false)
}

// SpikesAsFloat converts a Bool spike vector to 0/1 of the given float
// dtype; spikes that are floats already (training's) are returned as they
// are, so that their surrogate gradient passes.
func SpikesAsFloat(spikes *Node, dtype dtypes.DType) *Node {
	if spikes.DType() == dtype {
		return spikes
	}
	return ConvertDType(spikes, dtype)
}

// EventPropagateCSR is EventPropagate over a compressed sparse row table,
// which stores no padding: 4 bytes per synapse plus 4 per neuron.
//
//   - idx: Int32 [C], firing presynaptic indices padded with nPre (Compact);
//   - indptr: Int32 [nPre+2], row i's targets are indices[indptr[i]:indptr[i+1]];
//     the extra row nPre is empty (indptr[nPre] = indptr[nPre+1]);
//   - indices: Int32 [S+1], targets, with one trailing pad entry nPost;
//   - width: the longest row (the slots read per firing neuron);
//   - weight: a scalar of the float type, or [nPost+1], one weight per
//     target slot (several projections side by side in one postsynaptic
//     space, each with its weight; the last, padding slot's weight is
//     never used).
//
// It returns [nPost]. Work is O(C·width), as for the ELL form.
func EventPropagateCSR(idx, indptr, indices *Node, width int, weight *Node, nPost int) *Node {
	slots := CSRSlots(idx, indptr, indices, width)
	targets := ExpandAxes(Gather(indices, slots), -1)
	if weight.Rank() == 0 {
		return scatterAdd(targets, BroadcastToDims(weight, slots.Shape().Dimensions[0]), nPost)
	}
	return scatterAdd(targets, Gather(weight, targets), nPost)
}

// EventPropagateCSRWeighted is EventPropagateCSR with one weight per stored
// synapse: weights [S+1] is aligned with indices (the pad entry's weight is
// never used), for explicit or trained per-synapse weights.
func EventPropagateCSRWeighted(idx, indptr, indices *Node, width int, weights *Node, nPost int) *Node {
	slots := CSRSlots(idx, indptr, indices, width)
	return scatterAdd(ExpandAxes(Gather(indices, slots), -1), Gather(weights, slots), nPost)
}

// CSRSlots returns the positions in indices of the synapses of the firing
// rows idx (Int32 [C]): Int32 [C·width, 1], width slots per row. The slots
// past a row's end point one past indices' trailing pad entry: a gather
// there reads the pad entry (XLA clamps gather indices) and a scatter there
// is dropped, so padding never piles onto one in-bounds element. Distinct
// rows give distinct positions, but for the padding.
func CSRSlots(idx, indptr, indices *Node, width int) *Node {
	g := idx.Graph()
	c := idx.Shape().Dimensions[0]
	// Both ends of each row in one gather (one kernel instead of two).
	bounds := Reshape(Gather(indptr, Reshape(Stack([]*Node{idx, AddScalar(idx, 1)}, -1), 2*c, 1)), c, 2)
	start := Reshape(Slice(bounds, AxisRange(), AxisRange(0, 1)), c)
	end := Reshape(Slice(bounds, AxisRange(), AxisRange(1, 2)), c)
	pos := Add(ExpandAxes(start, -1), Iota(g, shapes.Make(dtypes.Int32, 1, width), 1)) // [C, width]
	pad := indices.Shape().Dimensions[0]                                               // one past the pad entry: dropped by scatters
	if !DropsOutOfBounds(g) {
		pad-- // the pad entry itself
	}
	pos = Where(LessThan(pos, ExpandAxes(end, -1)), pos, Scalar(g, dtypes.Int32, pad))
	return Reshape(pos, c*width, 1)
}

// scatterAdd sums updates [M] into their targets (Int32 [M, 1], in
// [0, nPost], nPost meaning discard) and returns [nPost]. The discarded
// updates fall outside the accumulator, where XLA's scatter skips them: a
// discard slot inside it would take every padding update, one after the
// other (on a GPU, C·width atomic adds on one address). Not for
// differentiation: see scatterRowsDiff.
func scatterAdd(targets, updates *Node, nPost int) *Node {
	g := targets.Graph()
	if !DropsOutOfBounds(g) { // a discard slot inside, sliced off
		acc := Zeros(g, shapes.Make(updates.DType(), nPost+1))
		return Slice(ScatterSum(acc, targets, updates, false, false), AxisRange(0, nPost))
	}
	acc := Zeros(g, shapes.Make(updates.DType(), nPost))
	return ScatterSum(acc, targets, updates, false, false)
}

// DropsOutOfBounds reports whether the graph's backend skips scatter
// updates whose index is out of bounds: XLA does; GoMLX's pure-Go backend
// does not (it panics), so there padding goes to an in-bounds discard slot
// instead.
func DropsOutOfBounds(g *Graph) bool {
	return g.Backend().Name() == "xla" // GoMLX's xla.BackendName (not imported: ops stays backend-free)
}

// EventPropagateCSRDelayed is EventPropagateCSR for synapses with their own
// delays: the events of the firing rows idx are added to a ring buffer of
// future inputs instead of being returned.
//
//   - idx, indptr, indices, width: as for EventPropagateCSR;
//   - delays: Int32 [S+1], each synapse's delay in steps, aligned with
//     indices (the pad entry's is never used); every delay < L;
//   - weight: a scalar, or [S+1], one weight per synapse aligned with indices;
//   - scale: nil, or [nPre], a factor per presynaptic row (see
//     EventPropagateCSRScaled);
//   - buf: [L, nPost], row r holding the input due at steps ≡ r (mod L);
//   - step: scalar Int32, the current step s.
//
// A synapse of delay d delivers into row (s + d) mod L. It returns the new
// buffer; Delivered reads and clears the current row.
func EventPropagateCSRDelayed(idx, indptr, indices, delays *Node, width int, weight, scale, buf, step *Node) *Node {
	slots := CSRSlots(idx, indptr, indices, width)
	return delayScatter(buf, step, Gather(indices, slots), Gather(delays, slots), slotWeights(idx, slots, width, weight, scale))
}

// EventPropagateCSRScaled is EventPropagateCSR over a projection's own
// table, with weight a scalar or one per synapse aligned with indices
// ([S+1]), and each firing row's synapses multiplied by scale[row] (scale
// [nPre], e.g. the short-term plasticity efficacy of each presynaptic
// neuron's spike; nil for none). It returns [nPost].
func EventPropagateCSRScaled(idx, indptr, indices *Node, width int, weight, scale *Node, nPost int) *Node {
	slots := CSRSlots(idx, indptr, indices, width)
	return scatterAdd(ExpandAxes(Gather(indices, slots), -1), slotWeights(idx, slots, width, weight, scale), nPost)
}

// AppendZero returns v [n] with a zero appended, [n+1]: the value read at
// the padding index n of compacted indices or table entries.
func AppendZero(v *Node) *Node {
	return Concatenate([]*Node{v, ZerosLike(Slice(v, AxisRange(0, 1)))}, 0)
}

// slotWeights is the weight of each slot of the firing rows idx: weight
// (scalar, or per synapse gathered at slots), times scale of the slot's row
// when scale is not nil (the pad row nPre gets 0).
func slotWeights(idx, slots *Node, width int, weight, scale *Node) *Node {
	c := idx.Shape().Dimensions[0]
	var w *Node
	if weight.Rank() == 0 {
		w = BroadcastToDims(weight, c*width)
	} else {
		w = Gather(weight, slots)
	}
	if scale == nil {
		return w
	}
	rows := Gather(AppendZero(scale), ExpandAxes(idx, -1)) // [C]
	return Mul(w, Reshape(BroadcastToDims(ExpandAxes(rows, -1), c, width), c*width))
}

// DensePropagateDelayed is DensePropagate for synapses with their own
// delays: synapse k adds weight × values[pre[k]] to row (s + delays[k]) mod L
// of the ring buffer buf [L, nPost] (see EventPropagateCSRDelayed), which it
// returns. delays is Int32 [S], aligned with pre and post.
func DensePropagateDelayed(values, pre, post, delays, weight, buf, step *Node) *Node {
	vals := Mul(Gather(values, ExpandAxes(pre, -1)), weight)
	return delayScatter(buf, step, post, delays, vals)
}

// delayScatter adds updates [M] to buf [L, nPost] at rows (step + delays)
// mod L and columns targets (Int32 [M], nPost meaning discard).
func delayScatter(buf, step, targets, delays, updates *Node) *Node {
	l, nPost := buf.Shape().Dimensions[0], buf.Shape().Dimensions[1]
	row := ModScalar(Add(delays, step), l)
	flat := Add(MulScalar(row, nPost), targets)
	flat = Where(Equal(targets, Scalar(buf.Graph(), dtypes.Int32, nPost)), Scalar(buf.Graph(), dtypes.Int32, l*nPost), flat)
	add := scatterAdd(Reshape(flat, flat.Shape().Dimensions[0], 1), updates, l*nPost)
	return Add(buf, Reshape(add, l, nPost))
}

// DelayRow adds x [nPost] to row (step + d) mod L of the ring buffer buf
// [L, nPost], for a projection whose synapses share the delay d (steps).
func DelayRow(buf, step, x *Node, d int) *Node {
	l := buf.Shape().Dimensions[0]
	row := ModScalar(AddScalar(step, float64(d)), l)
	zero := ScalarZero(buf.Graph(), dtypes.Int32)
	cur := DynamicSlice(buf, []*Node{row, zero}, []int{1, buf.Shape().Dimensions[1]})
	return DynamicUpdateSlice(buf, Add(cur, Reshape(x, 1, -1)), []*Node{row, zero})
}

// Delivered returns row step mod L of the ring buffer buf [L, nPost], the
// input due now, and the buffer with that row cleared for reuse.
func Delivered(buf, step *Node) (due, rest *Node) {
	l, nPost := buf.Shape().Dimensions[0], buf.Shape().Dimensions[1]
	row := ModScalar(step, l)
	zero := ScalarZero(buf.Graph(), dtypes.Int32)
	due = DynamicSlice(buf, []*Node{row, zero}, []int{1, nPost})
	rest = DynamicUpdateSlice(buf, ZerosLike(due), []*Node{row, zero})
	return Reshape(due, nPost), rest
}

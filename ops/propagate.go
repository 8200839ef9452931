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
	updates := Reshape(BroadcastToDims(weight, c, d), c*d)
	acc := Zeros(idx.Graph(), shapes.Make(weight.DType(), nPost+1))
	acc = ScatterSum(acc, targets, updates, false, false)
	return Slice(acc, AxisRange(0, nPost))
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

// SpikesAsFloat converts a Bool spike vector to 0/1 of the given float dtype.
func SpikesAsFloat(spikes *Node, dtype dtypes.DType) *Node { return ConvertDType(spikes, dtype) }

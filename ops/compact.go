package ops

import (
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // graph DSL
)

// Compact gathers the indices of the true entries of spikes (Bool, shape
// [N]) into a fixed-capacity list.
//
// It returns idx (Int32, shape [capacity]) holding the firing indices in
// increasing order, padded with N, and count (Int32 scalar), the number of
// true entries. When count > capacity only the first capacity indices are
// kept: callers must check count and re-run with a larger capacity — brainc's
// runner does, so no spike is ever dropped from a result.
func Compact(spikes *Node, capacity int) (idx, count *Node) {
	g := spikes.Graph()
	n := spikes.Shape().Dimensions[0]
	ones := ConvertDType(spikes, dtypes.Int32)
	pos := Sub(CumSum(ones, 0), OnesLike(ones)) // slot of each firing neuron
	// Non-firing neurons, and firing ones past capacity, write to a discard slot.
	keep := LogicalAnd(spikes, LessThan(pos, Scalar(g, dtypes.Int32, capacity)))
	pos = Where(keep, pos, Scalar(g, dtypes.Int32, capacity))
	iota := Iota(g, ones.Shape(), 0)
	slots := BroadcastToDims(Scalar(g, dtypes.Int32, n), capacity+1)
	slots = ScatterMin(slots, ExpandAxes(pos, -1), iota, false, false)
	idx = Slice(slots, AxisRange(0, capacity))
	count = ReduceAllSum(ones)
	return idx, count
}

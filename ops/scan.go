package ops

import (
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // graph DSL
)

// PrefixSum is the inclusive cumulative sum of a 1-D node, computed as a
// log-step (Hillis–Steele) scan: ⌈log₂ N⌉ rounds of shift-and-add, O(N log N)
// work in a few fusible element-wise ops.
//
// GoMLX's CumSum lowers to a reduce_window whose window spans the whole axis;
// XLA's CPU backend evaluates that in O(N²), which dominates a step at a few
// thousand neurons. The scan's integer sums are exact, so both give equal
// results.
func PrefixSum(x *Node) *Node {
	n := x.Shape().Dimensions[0]
	for shift := 1; shift < n; shift *= 2 {
		shifted := Concatenate([]*Node{ZerosLike(Slice(x, AxisRange(0, shift))), Slice(x, AxisRange(0, n-shift))}, 0)
		x = Add(x, shifted)
	}
	return x
}

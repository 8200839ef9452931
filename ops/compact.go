package ops

import (
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // graph DSL
	"github.com/gomlx/gomlx/pkg/core/shapes"
)

// compactBlock is the block size of the two-level compaction, and
// blockedFrom the population size from which Compact uses it.
const (
	compactBlock = 32
	blockedFrom  = 8192
)

// Compact gathers the indices of the true entries of spikes (Bool, shape
// [N]) into a fixed-capacity list.
//
// It returns idx (Int32, shape [capacity]) holding the firing indices in
// increasing order, padded with N, and count (Int32 scalar), the number of
// true entries. When count > capacity only the first capacity indices are
// kept: callers must check count and re-run with a larger capacity — brainc's
// runner does, so no spike is ever dropped from a result.
//
// From blockedFrom neurons up it works in two levels (CompactBlocked), so
// that its scans and scatters touch N/32 + 32·capacity elements instead of N.
func Compact(spikes *Node, capacity int) (idx, count *Node) {
	if spikes.Shape().Dimensions[0] >= blockedFrom {
		return CompactBlocked(spikes, capacity)
	}
	return CompactFlat(spikes, capacity)
}

// CompactFlat is Compact in one level: a prefix sum over all N flags gives
// each firing neuron its slot, and a scatter over all N writes the indices.
func CompactFlat(spikes *Node, capacity int) (idx, count *Node) {
	g := spikes.Graph()
	n := spikes.Shape().Dimensions[0]
	ones := ConvertDType(spikes, dtypes.Int32)
	pos := Sub(CumSum(ones, 0), ones) // slot of each firing neuron
	idx = scatterSlots(g, pos, spikes, Iota(g, ones.Shape(), 0), capacity, n)
	return idx, ReduceAllSum(ones)
}

// CompactBlocked is Compact in two levels. The flags are cut into blocks of
// 32; a prefix sum over the blocks' spike counts gives each block its first
// slot, at most capacity non-empty blocks are compacted (a block holds at
// least one spike, so no block that holds one of the first capacity spikes
// is lost), and only those blocks' flags are scanned and scattered. The
// result equals CompactFlat's.
func CompactBlocked(spikes *Node, capacity int) (idx, count *Node) {
	g := spikes.Graph()
	n := spikes.Shape().Dimensions[0]
	nb := (n + compactBlock - 1) / compactBlock
	flags := ConvertDType(spikes, dtypes.Int32)
	// One extra, empty block (index nb) is what padding slots gather.
	flags = Concatenate([]*Node{flags, Zeros(g, shapes.Make(dtypes.Int32, (nb+1)*compactBlock-n))}, 0)
	blocks := Reshape(flags, nb+1, compactBlock) // [nb+1, B]
	perBlock := ReduceSum(blocks, 1)             // [nb+1]
	count = ReduceAllSum(perBlock)
	first := Sub(CumSum(perBlock, 0), perBlock) // slot of each block's first spike
	nonEmpty := GreaterThan(perBlock, ZerosLike(perBlock))
	ne := ConvertDType(nonEmpty, dtypes.Int32)
	blockPos := Sub(CumSum(ne, 0), ne)
	// Up to capacity non-empty blocks, in order, padded with the empty block nb.
	bidx := scatterSlots(g, blockPos, nonEmpty, Iota(g, perBlock.Shape(), 0), capacity, nb)
	rows := Gather(blocks, ExpandAxes(bidx, -1))                   // [C, B]
	offsets := Gather(first, ExpandAxes(bidx, -1))                 // [C]
	pos := Add(Sub(CumSum(rows, 1), rows), ExpandAxes(offsets, 1)) // [C, B] slots
	iota := Iota(g, rows.Shape(), 1)
	neurons := Add(MulScalar(ExpandAxes(bidx, 1), compactBlock), iota)
	idx = scatterSlots(g, Reshape(pos, -1), Reshape(ConvertDType(rows, dtypes.Bool), -1), Reshape(neurons, -1), capacity, n)
	return idx, count
}

// scatterSlots writes values[i] into slot pos[i] for every i with keep[i] and
// pos[i] < capacity, into a [capacity] list initialised to pad. The others
// are sent past the list's end, where XLA's scatter skips them (one discard
// slot inside it would serialise them).
func scatterSlots(g *Graph, pos, keep, values *Node, capacity, pad int) *Node {
	c := Scalar(g, dtypes.Int32, capacity)
	keep = LogicalAnd(keep, LessThan(pos, c))
	pos = Where(keep, pos, c)
	if !DropsOutOfBounds(g) { // a discard slot inside, sliced off
		slots := BroadcastToDims(Scalar(g, dtypes.Int32, pad), capacity+1)
		return Slice(ScatterMin(slots, ExpandAxes(pos, -1), values, false, false), AxisRange(0, capacity))
	}
	slots := BroadcastToDims(Scalar(g, dtypes.Int32, pad), capacity)
	return ScatterMin(slots, ExpandAxes(pos, -1), values, false, false)
}

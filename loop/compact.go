package loop

import (
	"fmt"
	"strings"
)

// Compaction has the loop compact each step's spikes itself, with XLA's
// top-k (one kernel per block, a partial sort on the CPU) instead of the
// prefix sum and scatter a traced step would use (a dozen kernels).
//
// The step then returns, right after stop, one key vector per block
// (tensor<Sizexf32>): 1 where the neuron fired, 0 where not, 2 where its
// state is not finite. The loop builds the events row from them: for each
// block its count then Capacity indices in increasing order, padded with
// Size; it carries the row to the next step as carried value Row
// (replacing what the step returned there) and records it as the first
// recorded row, before the step's own. A step stops the loop when a count
// exceeds its capacity (the count is then Capacity+1: the row is
// truncated) or a key is 2 (the count is then past Capacity+1 too).
type Compaction struct {
	// Row is the index of the events row among the carried values.
	Row int
	// Blocks are the compacted blocks, in row order.
	Blocks []CompactBlock
	// Target, when set, names a typed-FFI custom call that builds the row
	// instead of the top-k ops: its operands are the capacities
	// (tensor<blocks x i32>) then the keys, its result the row, the same
	// row the top-k ops build (package cpuops).
	Target string
	// KeyType is the keys' element type: "f32" (the default, what top-k
	// takes) or, with a Target, "ui8".
	KeyType string
}

// keyType is the keys' element type.
func (c *Compaction) keyType() string {
	if c.KeyType == "" {
		return "f32"
	}
	return c.KeyType
}

// CompactBlock is one block's share of the events row.
type CompactBlock struct {
	// Size is the number of neurons (the key's length, the padding index);
	// Capacity the number of index slots, 1 ≤ Capacity ≤ Size.
	Size, Capacity int
}

// Width is the events row's length: a count and Capacity slots per block.
func (c *Compaction) Width() int {
	w := 0
	for _, b := range c.Blocks {
		w += 1 + b.Capacity
	}
	return w
}

// writeCompaction writes the ops turning the step's keys (SSA names) into
// the events row and returns the row's name. Names are prefixed with %k.
func writeCompaction(w func(string, ...any), c *Compaction, keys []string) string {
	if c.Target != "" {
		caps := make([]string, len(c.Blocks))
		types := []string{fmt.Sprintf("tensor<%dxi32>", len(c.Blocks))}
		for j, b := range c.Blocks {
			caps[j] = fmt.Sprint(b.Capacity)
			types = append(types, fmt.Sprintf("tensor<%dx%s>", b.Size, c.keyType()))
		}
		w("      %%k_caps = \"stablehlo.constant\"() { value = dense<[%s]> : %s } : () -> %s\n", strings.Join(caps, ", "), types[0], types[0])
		writeCustomCall(w, "%k_row", c.Target, append([]string{"%k_caps"}, keys...), types, fmt.Sprintf("tensor<%dxi32>", c.Width()))
		return "%k_row"
	}
	w("      %%k_zero = \"stablehlo.constant\"() { value = dense<0> : tensor<i32> } : () -> tensor<i32>\n")
	var parts []string
	for j, b := range c.Blocks {
		k := min(b.Capacity+1, b.Size)
		kf, ki := fmt.Sprintf("tensor<%dxf32>", k), fmt.Sprintf("tensor<%dxi32>", k)
		ci := fmt.Sprintf("tensor<%dxi32>", b.Capacity)
		p := fmt.Sprintf("%%k%d_", j)
		w("      %stop:2 = \"chlo.top_k\"(%s) { k = %d : i64 } : (tensor<%dxf32>) -> (%s, %s)\n", p, keys[j], k, b.Size, kf, ki)
		// Count the fired (key 1) among the k largest, a non-finite state
		// (key 2) counting past any capacity. Both top-k outputs are read
		// whole (XLA keeps a top-k only while its outputs are).
		w("      %sone = \"stablehlo.constant\"() { value = dense<1.0> : %s } : () -> %s\n", p, kf, kf)
		w("      %shalf = \"stablehlo.constant\"() { value = dense<1.5> : %s } : () -> %s\n", p, kf, kf)
		w("      %sfired = \"stablehlo.compare\"(%stop#0, %sone) { comparison_direction = #stablehlo<comparison_direction EQ> } : (%s, %s) -> tensor<%dxi1>\n",
			p, p, p, kf, kf, k)
		w("      %sbad = \"stablehlo.compare\"(%stop#0, %shalf) { comparison_direction = #stablehlo<comparison_direction GT> } : (%s, %s) -> tensor<%dxi1>\n",
			p, p, p, kf, kf, k)
		w("      %sones = \"stablehlo.convert\"(%sfired) : (tensor<%dxi1>) -> %s\n", p, p, k, ki)
		w("      %sbig = \"stablehlo.constant\"() { value = dense<%d> : %s } : () -> %s\n", p, b.Capacity+2, ki, ki)
		w("      %sscore = \"stablehlo.select\"(%sbad, %sbig, %sones) : (tensor<%dxi1>, %s, %s) -> %s\n", p, p, p, p, k, ki, ki, ki)
		w("      %scount = \"stablehlo.reduce\"(%sscore, %%k_zero) ({\n", p, p)
		w("      ^bb0(%sa: tensor<i32>, %sb: tensor<i32>):\n", p, p)
		w("        %ssum = \"stablehlo.add\"(%sa, %sb) : (tensor<i32>, tensor<i32>) -> tensor<i32>\n", p, p, p)
		w("        \"stablehlo.return\"(%ssum) : (tensor<i32>) -> ()\n", p)
		w("      }) { dimensions = array<i64: 0> } : (%s, tensor<i32>) -> tensor<i32>\n", ki)
		// The first Capacity indices, the unfired ones replaced by the padding index.
		w("      %spad = \"stablehlo.constant\"() { value = dense<%d> : %s } : () -> %s\n", p, b.Size, ki, ki)
		w("      %sall = \"stablehlo.select\"(%sfired, %stop#1, %spad) : (tensor<%dxi1>, %s, %s) -> %s\n", p, p, p, p, k, ki, ki, ki)
		idx := p + "all"
		if k > b.Capacity {
			w("      %sidx = \"stablehlo.slice\"(%sall) { start_indices = array<i64: 0>, limit_indices = array<i64: %d>, strides = array<i64: 1> } : (%s) -> %s\n",
				p, p, b.Capacity, ki, ci)
			idx = p + "idx"
		}
		w("      %scount1 = \"stablehlo.reshape\"(%scount) : (tensor<i32>) -> tensor<1xi32>\n", p, p)
		parts = append(parts, p+"count1", idx)
	}
	width := c.Width()
	types := make([]string, len(parts))
	for i := range parts {
		if i%2 == 0 {
			types[i] = "tensor<1xi32>"
		} else {
			types[i] = fmt.Sprintf("tensor<%dxi32>", c.Blocks[i/2].Capacity)
		}
	}
	w("      %%k_row = \"stablehlo.concatenate\"(%s) { dimension = 0 : i64 } : (%s) -> tensor<%dxi32>\n",
		strings.Join(parts, ", "), strings.Join(types, ", "), width)
	return "%k_row"
}

// writeWithin writes, in the loop's condition, whether every count of the
// carried events row row is within its block's capacity (a tensor<i1>
// named %k_within): the step that overflowed, or whose state went
// non-finite, is the last one run.
func writeWithin(w func(string, ...any), c *Compaction, row string) string {
	const i1 = "tensor<i1>"
	within, at := "", 0
	rowType := fmt.Sprintf("tensor<%dxi32>", c.Width())
	for j, b := range c.Blocks {
		p := fmt.Sprintf("%%kc%d_", j)
		w("      %scount1 = \"stablehlo.slice\"(%s) { start_indices = array<i64: %d>, limit_indices = array<i64: %d>, strides = array<i64: 1> } : (%s) -> tensor<1xi32>\n",
			p, row, at, at+1, rowType)
		w("      %scount = \"stablehlo.reshape\"(%scount1) : (tensor<1xi32>) -> tensor<i32>\n", p, p)
		w("      %scap = \"stablehlo.constant\"() { value = dense<%d> : tensor<i32> } : () -> tensor<i32>\n", p, b.Capacity)
		w("      %sok = \"stablehlo.compare\"(%scount, %scap) { comparison_direction = #stablehlo<comparison_direction LE> } : (tensor<i32>, tensor<i32>) -> %s\n",
			p, p, p, i1)
		if within == "" {
			within = p + "ok"
		} else {
			w("      %sall = \"stablehlo.and\"(%s, %sok) : (%s, %s) -> %s\n", p, within, p, i1, i1, i1)
			within = p + "all"
		}
		at += 1 + b.Capacity
	}
	return within
}

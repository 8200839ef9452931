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
	// Devices, when > 1, has each of that many devices compact its own
	// share of the block's keys (split along the neurons, Size/Devices
	// each): a manual computation returns every device's count and
	// indices, and only those are gathered and merged into the row, not
	// the keys. The module then runs only sharded (Shard).
	Devices int
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
	split := false
	for _, b := range c.Blocks {
		split = split || b.Devices > 1
	}
	if c.Target != "" && !split {
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
	var parts []string
	for j, b := range c.Blocks {
		if b.Devices > 1 {
			parts = append(parts, writeSplitCompaction(w, j, b, keys[j], c.Target, c.keyType())...)
			continue
		}
		p := fmt.Sprintf("%%k%d_", j)
		if c.Target != "" { // beside split blocks: whole on every device
			kt, rt := fmt.Sprintf("tensor<%dx%s>", b.Size, c.keyType()), fmt.Sprintf("tensor<%dxi32>", 1+b.Capacity)
			w("      %sm = sdy.manual_computation(%s) in_shardings=[<@brainc_mesh, [{}]>] out_shardings=[<@brainc_mesh, [{}]>] manual_axes={\"x\"} (%slocal: %s) {\n",
				p, keys[j], p, kt)
			w("      %scaps = \"stablehlo.constant\"() { value = dense<[%d]> : tensor<1xi32> } : () -> tensor<1xi32>\n", p, b.Capacity)
			writeCustomCall(w, p+"row", c.Target, []string{p + "caps", p + "local"}, []string{"tensor<1xi32>", kt}, rt)
			w("      sdy.return %srow : %s\n", p, rt)
			w("      } : (%s) -> %s\n", kt, rt)
			writeSlice(w, p+"count1", p+"m", rt, 0, 1)
			writeSlice(w, p+"idx", p+"m", rt, 1, 1+b.Capacity)
			parts = append(parts, p+"count1", p+"idx")
			continue
		}
		// Count the fired (key 1) among the k largest, a non-finite state
		// (key 2) counting past any capacity. Both top-k outputs are read
		// whole (XLA keeps a top-k only while its outputs are).
		idx, _ := writeTopK(w, p, keys[j], b.Size, b.Capacity, "", b.Size)
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

// writeTopK writes, with prefix p, the top-k compaction of the key vector
// key (tensor<n x f32>) of a block of size n: its count (%<p>count,
// tensor<i32>: the fired among the k = min(capacity+1, n) largest keys,
// capacity+2 for each non-finite one) and its first min(capacity, n)
// indices plus offset (%<p>idx), the unfired ones replaced by pad. It
// returns the indices' name and length.
func writeTopK(w func(string, ...any), p, key string, n, capacity int, offset string, pad int) (string, int) {
	k := min(capacity+1, n)
	kf, ki := fmt.Sprintf("tensor<%dxf32>", k), fmt.Sprintf("tensor<%dxi32>", k)
	w("      %stop:2 = \"chlo.top_k\"(%s) { k = %d : i64 } : (tensor<%dxf32>) -> (%s, %s)\n", p, key, k, n, kf, ki)
	w("      %sone = \"stablehlo.constant\"() { value = dense<1.0> : %s } : () -> %s\n", p, kf, kf)
	w("      %shalf = \"stablehlo.constant\"() { value = dense<1.5> : %s } : () -> %s\n", p, kf, kf)
	w("      %sfired = \"stablehlo.compare\"(%stop#0, %sone) { comparison_direction = #stablehlo<comparison_direction EQ> } : (%s, %s) -> tensor<%dxi1>\n",
		p, p, p, kf, kf, k)
	w("      %sbad = \"stablehlo.compare\"(%stop#0, %shalf) { comparison_direction = #stablehlo<comparison_direction GT> } : (%s, %s) -> tensor<%dxi1>\n",
		p, p, p, kf, kf, k)
	w("      %sones = \"stablehlo.convert\"(%sfired) : (tensor<%dxi1>) -> %s\n", p, p, k, ki)
	w("      %sbig = \"stablehlo.constant\"() { value = dense<%d> : %s } : () -> %s\n", p, capacity+2, ki, ki)
	w("      %sscore = \"stablehlo.select\"(%sbad, %sbig, %sones) : (tensor<%dxi1>, %s, %s) -> %s\n", p, p, p, p, k, ki, ki, ki)
	w("      %szero = \"stablehlo.constant\"() { value = dense<0> : tensor<i32> } : () -> tensor<i32>\n", p)
	writeReduce(w, p+"count", p+"score", p+"zero", ki, "add")
	at := p + "top#1"
	if offset != "" {
		w("      %soff = \"stablehlo.broadcast_in_dim\"(%s) { broadcast_dimensions = array<i64> } : (tensor<i32>) -> %s\n", p, offset, ki)
		w("      %sshift = \"stablehlo.add\"(%stop#1, %soff) : (%s, %s) -> %s\n", p, p, p, ki, ki, ki)
		at = p + "shift"
	}
	w("      %spad = \"stablehlo.constant\"() { value = dense<%d> : %s } : () -> %s\n", p, pad, ki, ki)
	w("      %sall = \"stablehlo.select\"(%sfired, %s, %spad) : (tensor<%dxi1>, %s, %s) -> %s\n", p, p, at, p, k, ki, ki, ki)
	idx, m := p+"all", min(capacity, n)
	if k > m {
		w("      %sidx = \"stablehlo.slice\"(%sall) { start_indices = array<i64: 0>, limit_indices = array<i64: %d>, strides = array<i64: 1> } : (%s) -> tensor<%dxi32>\n",
			p, p, m, ki, m)
		idx = p + "idx"
	}
	return idx, m
}

// writeCustomShare is writeTopK with the custom compaction target, on one
// device's share of the keys (n of them, of keyType): the count
// (%<p>count) and the first min(capacity, n) indices plus offset, the
// padding replaced by pad, whose name and length it returns.
func writeCustomShare(w func(string, ...any), p, key string, n, capacity int, offset string, pad int, target, keyType string) (string, int) {
	m := min(capacity, n)
	rt := fmt.Sprintf("tensor<%dxi32>", 1+m)
	mt := fmt.Sprintf("tensor<%dxi32>", m)
	w("      %scaps = \"stablehlo.constant\"() { value = dense<[%d]> : tensor<1xi32> } : () -> tensor<1xi32>\n", p, m)
	writeCustomCall(w, p+"crow", target, []string{p + "caps", key}, []string{"tensor<1xi32>", fmt.Sprintf("tensor<%dx%s>", n, keyType)}, rt)
	writeSlice(w, p+"count1c", p+"crow", rt, 0, 1)
	w("      %scount = \"stablehlo.reshape\"(%scount1c) : (tensor<1xi32>) -> tensor<i32>\n", p, p)
	writeSlice(w, p+"cidx", p+"crow", rt, 1, 1+m)
	w("      %soff = \"stablehlo.broadcast_in_dim\"(%s) { broadcast_dimensions = array<i64> } : (tensor<i32>) -> %s\n", p, offset, mt)
	w("      %sshift = \"stablehlo.add\"(%scidx, %soff) : (%s, %s) -> %s\n", p, p, p, mt, mt, mt)
	w("      %sn = \"stablehlo.constant\"() { value = dense<%d> : %s } : () -> %s\n", p, n, mt, mt)
	w("      %svalid = \"stablehlo.compare\"(%scidx, %sn) { comparison_direction = #stablehlo<comparison_direction LT> } : (%s, %s) -> tensor<%dxi1>\n", p, p, p, mt, mt, m)
	w("      %spad = \"stablehlo.constant\"() { value = dense<%d> : %s } : () -> %s\n", p, pad, mt, mt)
	w("      %sidx = \"stablehlo.select\"(%svalid, %sshift, %spad) : (tensor<%dxi1>, %s, %s) -> %s\n", p, p, p, p, m, mt, mt, mt)
	return p + "idx", m
}

// writeSlice writes name = x[from:to] of the rank-1 x of type typ.
func writeSlice(w func(string, ...any), name, x, typ string, from, to int) {
	w("      %s = \"stablehlo.slice\"(%s) { start_indices = array<i64: %d>, limit_indices = array<i64: %d>, strides = array<i64: 1> } : (%s) -> tensor<%dxi32>\n",
		name, x, from, to, typ, to-from)
}

// writeReduce writes name = the reduction (add, maximum) of x (of type typ,
// rank 1) from init, a tensor<i32>.
func writeReduce(w func(string, ...any), name, x, init, typ, op string) {
	writeReduceAxis(w, name, x, init, typ, "tensor<i32>", 0, op)
}

// writeReduceAxis writes name = the reduction (add, maximum) of x (of
// type typ) along axis from init (a tensor<i32>), of type out.
func writeReduceAxis(w func(string, ...any), name, x, init, typ, out string, axis int, op string) {
	w("      %s = \"stablehlo.reduce\"(%s, %s) ({\n", name, x, init)
	w("      ^bb0(%s_a: tensor<i32>, %s_b: tensor<i32>):\n", name, name)
	w("        %s_r = \"stablehlo.%s\"(%s_a, %s_b) : (tensor<i32>, tensor<i32>) -> tensor<i32>\n", name, op, name, name)
	w("        \"stablehlo.return\"(%s_r) : (tensor<i32>) -> ()\n", name)
	w("      }) { dimensions = array<i64: %d> } : (%s, tensor<i32>) -> %s\n", axis, typ, out)
}

// writeGather writes name = from[at] elementwise: from tensor<n x i32>,
// at tensor<m x i32> (in range), name tensor<m x i32>.
func writeGather(w func(string, ...any), name, from, at string, n, m int) {
	w("      %s_i = \"stablehlo.reshape\"(%s) : (tensor<%dxi32>) -> tensor<%dx1xi32>\n", name, at, m, m)
	w("      %s = \"stablehlo.gather\"(%s, %s_i) { dimension_numbers = #stablehlo.gather<collapsed_slice_dims = [0], start_index_map = [0], index_vector_dim = 1>, slice_sizes = array<i64: 1>, indices_are_sorted = false } : (tensor<%dxi32>, tensor<%dx1xi32>) -> tensor<%dxi32>\n",
		name, from, name, n, m, m)
}

// writeSplitCompaction writes block j's share of the events row when each
// device compacts its own keys (CompactBlock.Devices): in a manual
// computation every device top-k's its Size/Devices keys into its count
// and Capacity indices (offset to the block's numbering, padded with
// Size), then the devices' rows [Devices, 1+Capacity], which alone cross
// between devices (one all-gather), merge: the count is the sum of the
// counts (at most capacity+1, as one top-k gives; a non-finite key's
// larger count passes through), the indices every device's valid ones in
// device order (each device's are below the next device's), gathered by
// prefix sums of the counts, then the padding. It returns the count's and the indices' names
// (tensor<1xi32>, tensor<Capacity x i32>).
func writeSplitCompaction(w func(string, ...any), j int, b CompactBlock, key, target, keyType string) []string {
	d, c := b.Devices, b.Capacity
	share := b.Size / d
	p := fmt.Sprintf("%%k%d_", j)
	rowT := fmt.Sprintf("tensor<1x%dxi32>", 1+c)
	allT := fmt.Sprintf("tensor<%dx%dxi32>", d, 1+c)
	w("      %sm = sdy.manual_computation(%s) in_shardings=[<@brainc_mesh, [{\"x\"}]>] out_shardings=[<@brainc_mesh, [{}, {}]>] manual_axes={\"x\"} (%slocal: tensor<%dx%s>) {\n",
		p, key, p, share, keyType)
	o, l := p, p+"l_" // names outside and inside the manual computation
	p = l
	w("      %sdev = \"stablehlo.partition_id\"() : () -> tensor<ui32>\n", p)
	w("      %sdevi = \"stablehlo.convert\"(%sdev) : (tensor<ui32>) -> tensor<i32>\n", p, p)
	w("      %sshare = \"stablehlo.constant\"() { value = dense<%d> : tensor<i32> } : () -> tensor<i32>\n", p, share)
	w("      %sfirst = \"stablehlo.multiply\"(%sdevi, %sshare) : (tensor<i32>, tensor<i32>) -> tensor<i32>\n", p, p, p)
	var idx string
	var m int
	if target != "" {
		idx, m = writeCustomShare(w, p, o+"local", share, c, p+"first", b.Size, target, keyType)
	} else {
		idx, m = writeTopK(w, p, o+"local", share, c, p+"first", b.Size)
	}
	if m < c { // a share smaller than the capacity: padded to it
		w("      %sfill = \"stablehlo.constant\"() { value = dense<%d> : tensor<%dxi32> } : () -> tensor<%dxi32>\n", p, b.Size, c-m, c-m)
		w("      %sfull = \"stablehlo.concatenate\"(%s, %sfill) { dimension = 0 : i64 } : (tensor<%dxi32>, tensor<%dxi32>) -> tensor<%dxi32>\n",
			p, idx, p, m, c-m, c)
		idx = p + "full"
	}
	w("      %scount1 = \"stablehlo.reshape\"(%scount) : (tensor<i32>) -> tensor<1xi32>\n", p, p)
	w("      %srow = \"stablehlo.concatenate\"(%scount1, %s) { dimension = 0 : i64 } : (tensor<1xi32>, tensor<%dxi32>) -> tensor<%dxi32>\n", p, p, idx, c, 1+c)
	w("      %srow2 = \"stablehlo.reshape\"(%srow) : (tensor<%dxi32>) -> %s\n", p, p, 1+c, rowT)
	// One all-gather of the rows, so that the merge needs nothing more
	// from the other devices (left to the partitioner, the sums and the
	// indices would cross in three collectives).
	groups := make([]string, d)
	for i := range groups {
		groups[i] = fmt.Sprint(i)
	}
	w("      %sgathered = \"stablehlo.all_gather\"(%srow2) { all_gather_dim = 0 : i64, replica_groups = dense<[[%s]]> : tensor<1x%dxi64>, channel_handle = #stablehlo.channel_handle<handle = %d, type = 1>, use_global_device_ids } : (%s) -> %s\n",
		p, p, strings.Join(groups, ", "), d, 1000+j, rowT, allT)
	w("      sdy.return %sgathered : %s\n", p, allT)
	w("      } : (tensor<%dx%s>) -> %s\n", b.Size, keyType, allT)
	p = o
	// The merge, on the gathered rows.
	dT := fmt.Sprintf("tensor<%dxi32>", d)
	w("      %scounts2 = \"stablehlo.slice\"(%sm) { start_indices = array<i64: 0, 0>, limit_indices = array<i64: %d, 1>, strides = array<i64: 1, 1> } : (%s) -> tensor<%dx1xi32>\n",
		p, p, d, allT, d)
	w("      %scounts = \"stablehlo.reshape\"(%scounts2) : (tensor<%dx1xi32>) -> %s\n", p, p, d, dT)
	w("      %scap1 = \"stablehlo.constant\"() { value = dense<%d> : %s } : () -> %s\n", p, c+1, dT, dT)
	w("      %sclipped = \"stablehlo.minimum\"(%scounts, %scap1) : (%s, %s) -> %s\n", p, p, p, dT, dT, dT)
	w("      %szero = \"stablehlo.constant\"() { value = dense<0> : tensor<i32> } : () -> tensor<i32>\n", p)
	writeReduce(w, p+"sum", p+"clipped", p+"zero", dT, "add")
	writeReduce(w, p+"most", p+"counts", p+"zero", dT, "maximum")
	w("      %sover = \"stablehlo.constant\"() { value = dense<%d> : tensor<i32> } : () -> tensor<i32>\n", p, c+1)
	w("      %stotal = \"stablehlo.minimum\"(%ssum, %sover) : (tensor<i32>, tensor<i32>) -> tensor<i32>\n", p, p, p)
	w("      %sbadany = \"stablehlo.compare\"(%smost, %sover) { comparison_direction = #stablehlo<comparison_direction GT> } : (tensor<i32>, tensor<i32>) -> tensor<i1>\n", p, p, p)
	w("      %scount = \"stablehlo.select\"(%sbadany, %smost, %stotal) : (tensor<i1>, tensor<i32>, tensor<i32>) -> tensor<i32>\n", p, p, p, p)
	w("      %scount1 = \"stablehlo.reshape\"(%scount) : (tensor<i32>) -> tensor<1xi32>\n", p, p)
	// Output slot q holds entry q − start[e] of the device e whose valid
	// entries cover q (start and end: prefix sums of the counts, at most
	// Capacity each); past all of them, the padding.
	ddT, cdT, cT := fmt.Sprintf("tensor<%dx%dxi32>", d, d), fmt.Sprintf("tensor<%dx%dxi32>", c, d), fmt.Sprintf("tensor<%dxi32>", c)
	ddB, cdB := fmt.Sprintf("tensor<%dx%dxi1>", d, d), fmt.Sprintf("tensor<%dx%dxi1>", c, d)
	w("      %scapd = \"stablehlo.constant\"() { value = dense<%d> : %s } : () -> %s\n", p, c, dT, dT)
	w("      %svalid = \"stablehlo.minimum\"(%scounts, %scapd) : (%s, %s) -> %s\n", p, p, p, dT, dT, dT)
	w("      %svalidB = \"stablehlo.broadcast_in_dim\"(%svalid) { broadcast_dimensions = array<i64: 1> } : (%s) -> %s\n", p, p, dT, ddT)
	w("      %srows = \"stablehlo.iota\"() { iota_dimension = 0 : i64 } : () -> %s\n", p, ddT)
	w("      %scols = \"stablehlo.iota\"() { iota_dimension = 1 : i64 } : () -> %s\n", p, ddT)
	w("      %supto = \"stablehlo.compare\"(%scols, %srows) { comparison_direction = #stablehlo<comparison_direction LE> } : (%s, %s) -> %s\n", p, p, p, ddT, ddT, ddB)
	w("      %szeros = \"stablehlo.constant\"() { value = dense<0> : %s } : () -> %s\n", p, ddT, ddT)
	w("      %sbefore = \"stablehlo.select\"(%supto, %svalidB, %szeros) : (%s, %s, %s) -> %s\n", p, p, p, p, ddB, ddT, ddT, ddT)
	writeReduceAxis(w, p+"end", p+"before", p+"zero", ddT, dT, 1, "add")
	w("      %sstart = \"stablehlo.subtract\"(%send, %svalid) : (%s, %s) -> %s\n", p, p, p, dT, dT, dT)
	w("      %sq = \"stablehlo.iota\"() { iota_dimension = 0 : i64 } : () -> %s\n", p, cdT)
	w("      %sendB = \"stablehlo.broadcast_in_dim\"(%send) { broadcast_dimensions = array<i64: 1> } : (%s) -> %s\n", p, p, dT, cdT)
	w("      %spast = \"stablehlo.compare\"(%sendB, %sq) { comparison_direction = #stablehlo<comparison_direction LE> } : (%s, %s) -> %s\n", p, p, p, cdT, cdT, cdB)
	w("      %spast1 = \"stablehlo.convert\"(%spast) : (%s) -> %s\n", p, p, cdB, cdT)
	writeReduceAxis(w, p+"dev", p+"past1", p+"zero", cdT, cT, 1, "add")
	w("      %slastd = \"stablehlo.constant\"() { value = dense<%d> : %s } : () -> %s\n", p, d-1, cT, cT)
	w("      %sdevc = \"stablehlo.minimum\"(%sdev, %slastd) : (%s, %s) -> %s\n", p, p, p, cT, cT, cT)
	writeGather(w, p+"from", p+"start", p+"devc", d, c)
	w("      %sslot = \"stablehlo.iota\"() { iota_dimension = 0 : i64 } : () -> %s\n", p, cT)
	w("      %sstride = \"stablehlo.constant\"() { value = dense<%d> : %s } : () -> %s\n", p, 1+c, cT, cT)
	w("      %sone = \"stablehlo.constant\"() { value = dense<1> : %s } : () -> %s\n", p, cT, cT)
	w("      %sat0 = \"stablehlo.multiply\"(%sdevc, %sstride) : (%s, %s) -> %s\n", p, p, p, cT, cT, cT)
	w("      %sat1 = \"stablehlo.add\"(%sat0, %sone) : (%s, %s) -> %s\n", p, p, p, cT, cT, cT)
	w("      %sat2 = \"stablehlo.add\"(%sat1, %sslot) : (%s, %s) -> %s\n", p, p, p, cT, cT, cT)
	w("      %sat = \"stablehlo.subtract\"(%sat2, %sfrom) : (%s, %s) -> %s\n", p, p, p, cT, cT, cT)
	w("      %sflat = \"stablehlo.reshape\"(%sm) : (%s) -> tensor<%dxi32>\n", p, p, allT, d*(1+c))
	writeGather(w, p+"picked", p+"flat", p+"at", d*(1+c), c)
	w("      %sndev = \"stablehlo.constant\"() { value = dense<%d> : %s } : () -> %s\n", p, d, cT, cT)
	w("      %sin = \"stablehlo.compare\"(%sdev, %sndev) { comparison_direction = #stablehlo<comparison_direction LT> } : (%s, %s) -> tensor<%dxi1>\n", p, p, p, cT, cT, c)
	w("      %sfill = \"stablehlo.constant\"() { value = dense<%d> : %s } : () -> %s\n", p, b.Size, cT, cT)
	w("      %sidx = \"stablehlo.select\"(%sin, %spicked, %sfill) : (tensor<%dxi1>, %s, %s) -> %s\n", p, p, p, p, c, cT, cT, cT)
	return []string{p + "count1", p + "idx"}
}

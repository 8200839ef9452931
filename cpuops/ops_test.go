package cpuops_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	xlapjrt "github.com/gomlx/go-xla/pkg/pjrt"
	"github.com/gomlx/gomlx/backends"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // graph DSL
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/cpuops"
	"github.com/brainc/brainc/internal/tier"
	"github.com/brainc/brainc/ops"
	"github.com/brainc/brainc/pjrt"
)

// table is a random CSR fan-out table of npre rows into nout targets, laid
// out as lower builds them: row pointers [npre+2] (row npre empty), the
// targets with a trailing pad entry nout.
type table struct {
	npre, nout, width int
	ptr, idx          []int32
}

func randomTable(r *rand.Rand, npre, nout, maxRow int) table {
	t := table{npre: npre, nout: nout, ptr: make([]int32, npre+2)}
	for i := range npre {
		n := r.IntN(maxRow + 1)
		if i%7 == 3 {
			n = 0 // empty rows
		}
		for range n {
			t.idx = append(t.idx, int32(r.IntN(nout)))
		}
		t.ptr[i+1] = int32(len(t.idx))
		t.width = max(t.width, n)
	}
	t.ptr[npre+1] = t.ptr[npre]
	t.idx = append(t.idx, int32(nout))
	t.width = max(t.width, 1)
	return t
}

// eventsRow is a block's share of an events row: the count and cap
// indices, as the loop builds it (count cap+1 and the first cap indices
// when more fired).
func eventsRow(fired []int32, npre, cap int) []int32 {
	row := make([]int32, 1+cap)
	row[0] = int32(min(len(fired), cap+1))
	for k := range cap {
		row[1+k] = int32(npre)
		if k < len(fired) {
			row[1+k] = fired[k]
		}
	}
	return row
}

func backendAndClient(t *testing.T) (backends.Backend, *xlapjrt.Client) {
	b, err := pjrt.Open(pjrt.Options{Backend: "cpu"})
	require.NoError(t, err, "the CPU PJRT plugin must be installed: run `make setup`")
	c, err := pjrt.Client(b)
	require.NoError(t, err)
	require.NoError(t, cpuops.Register(c))
	return b, c
}

// customCSR runs brainc_csr on a row placed at offset off of a longer row.
func customCSR(t *testing.T, c *xlapjrt.Client, row []int32, off, cap int, tb table, w []float32, mode int) []float32 {
	wType := fmt.Sprintf("tensor<%dxf32>", len(w))
	if mode == cpuops.WeightScalar {
		wType = "tensor<f32>"
	}
	text := fmt.Sprintf(`module @csr {
  func.func @main(%%row: tensor<%dxi32>, %%ptr: tensor<%dxi32>, %%idx: tensor<%dxi32>, %%w: %s) -> tensor<%dxf32> {
    %%meta = "stablehlo.constant"() { value = dense<[%d, %d, %d, %d]> : tensor<4xi32> } : () -> tensor<4xi32>
    %%out = "stablehlo.custom_call"(%%meta, %%row, %%ptr, %%idx, %%w) { call_target_name = "brainc_csr", api_version = 4 : i32 } : (tensor<4xi32>, tensor<%dxi32>, tensor<%dxi32>, tensor<%dxi32>, %s) -> tensor<%dxf32>
    "func.return"(%%out) : (tensor<%dxf32>) -> ()
  }
}`, len(row), len(tb.ptr), len(tb.idx), wType, tb.nout, off, cap, tb.npre, mode, len(row), len(tb.ptr), len(tb.idx), wType, tb.nout, tb.nout)
	exe, err := c.Compile().WithStableHLO([]byte(text)).Done()
	require.NoError(t, err)
	defer func() { _ = exe.Destroy() }()
	var args []*xlapjrt.Buffer
	for _, a := range [][]int32{row, tb.ptr, tb.idx} {
		buf, err := xlapjrt.ArrayToBuffer(c, a, len(a))
		require.NoError(t, err)
		args = append(args, buf)
	}
	var wb *xlapjrt.Buffer
	if mode == cpuops.WeightScalar {
		wb, err = xlapjrt.ScalarToBuffer(c, w[0])
	} else {
		wb, err = xlapjrt.ArrayToBuffer(c, w, len(w))
	}
	require.NoError(t, err)
	outs, err := exe.Execute(append(args, wb)...).DonateNone().Done()
	require.NoError(t, err)
	v, _, err := xlapjrt.BufferToArray[float32](outs[0])
	require.NoError(t, err)
	return v
}

// composedCSR is the same propagation by the composed XLA operators the
// step uses without custom calls.
func composedCSR(t *testing.T, b backends.Backend, row []int32, off, cap int, tb table, w []float32, mode int) []float32 {
	exec, err := NewExec(b, func(row, ptr, idx, w *Node) *Node {
		fired := Slice(row, AxisRange(off+1, off+1+cap))
		if mode == cpuops.WeightSynapse {
			return ops.EventPropagateCSRWeighted(fired, ptr, idx, tb.width, w, tb.nout)
		}
		return ops.EventPropagateCSR(fired, ptr, idx, tb.width, w, tb.nout)
	})
	require.NoError(t, err)
	var wt *tensors.Tensor
	if mode == cpuops.WeightScalar {
		wt = tensors.FromValue(w[0])
	} else {
		wt = tensors.FromValue(w)
	}
	out, err := exec.Exec(tensors.FromValue(row), tensors.FromValue(tb.ptr), tensors.FromValue(tb.idx), wt)
	require.NoError(t, err)
	v, err := tensors.CopyFlatData[float32](out[0])
	require.NoError(t, err)
	return v
}

// brainc_csr equals ops.EventPropagateCSR (and its per-synapse form) to the
// bit, in every weight mode, on random tables and firing: none, some, all
// (capacity = size), more than the capacity (the first capacity rows), a
// row placed after another block's share of the events row.
func TestCSREqualsComposed(t *testing.T) {
	tier.Slow(t)
	b, c := backendAndClient(t)
	r := rand.New(rand.NewPCG(7, 11))
	for _, tc := range []struct {
		name             string
		npre, nout, maxw int
		fire             float64 // fraction firing
		cap, off         int
	}{
		{"none", 50, 40, 9, 0, 8, 0},
		{"some", 300, 200, 30, 0.05, 32, 0},
		{"all", 60, 45, 12, 1, 60, 0},
		{"overflow", 100, 80, 15, 0.5, 16, 0},
		{"offset", 200, 500, 40, 0.1, 24, 9},
		{"one row", 1, 3, 5, 1, 1, 0},
	} {
		tb := randomTable(r, tc.npre, tc.nout, tc.maxw)
		var fired []int32
		for i := range tc.npre {
			if r.Float64() < tc.fire {
				fired = append(fired, int32(i))
			}
		}
		row := append(make([]int32, tc.off), eventsRow(fired, tc.npre, tc.cap)...)
		for i := range tc.off {
			row[i] = int32(r.IntN(tc.npre)) // another block's share: not read
		}
		for mode, n := range map[int]int{cpuops.WeightScalar: 1, cpuops.WeightSlot: tc.nout + 1, cpuops.WeightSynapse: len(tb.idx)} {
			w := make([]float32, n)
			for i := range w {
				w[i] = float32(r.NormFloat64())
			}
			got := customCSR(t, c, row, tc.off, tc.cap, tb, w, mode)
			want := composedCSR(t, b, row, tc.off, tc.cap, tb, w, mode)
			assert.Equal(t, want, got, "%s, weight mode %d", tc.name, mode)
			if tc.fire > 0 {
				assert.NotEqual(t, make([]float32, tc.nout), got, "%s: something arrives", tc.name)
			}
		}
	}
}

// customCompact runs brainc_compact on keys of blocks with capacities.
func customCompact(t *testing.T, c *xlapjrt.Client, keys [][]float32, caps []int) []int32 {
	var params, ops, types []string
	width := 0
	for j, k := range keys {
		params = append(params, fmt.Sprintf("%%k%d: tensor<%dxf32>", j, len(k)))
		ops = append(ops, fmt.Sprintf("%%k%d", j))
		types = append(types, fmt.Sprintf("tensor<%dxf32>", len(k)))
		width += 1 + caps[j]
	}
	capText := fmt.Sprint(caps)
	capText = capText[1 : len(capText)-1]
	text := fmt.Sprintf(`module @compact {
  func.func @main(%s) -> tensor<%dxi32> {
    %%caps = "stablehlo.constant"() { value = dense<[%s]> : tensor<%dxi32> } : () -> tensor<%dxi32>
    %%row = "stablehlo.custom_call"(%%caps, %s) { call_target_name = "brainc_compact", api_version = 4 : i32 } : (tensor<%dxi32>, %s) -> tensor<%dxi32>
    "func.return"(%%row) : (tensor<%dxi32>) -> ()
  }
}`, strings.Join(params, ", "), width, strings.ReplaceAll(capText, " ", ","), len(caps), len(caps), strings.Join(ops, ", "), len(caps), strings.Join(types, ", "), width, width)
	exe, err := c.Compile().WithStableHLO([]byte(text)).Done()
	require.NoError(t, err)
	defer func() { _ = exe.Destroy() }()
	var args []*xlapjrt.Buffer
	for _, k := range keys {
		buf, err := xlapjrt.ArrayToBuffer(c, k, len(k))
		require.NoError(t, err)
		args = append(args, buf)
	}
	outs, err := exe.Execute(args...).DonateNone().Done()
	require.NoError(t, err)
	v, _, err := xlapjrt.BufferToArray[int32](outs[0])
	require.NoError(t, err)
	return v
}

// brainc_compact's rows, block by block, in the cases the loop's top-k
// compaction defines (its equality with top-k on random keys is
// loop/TestCustomCompactionEqualsTopK): some firing, none, all with the
// whole block as capacity, more than the capacity (count cap+1, the first
// cap), a non-finite state (key 2: first in top-k's order, counted cap+2,
// its slot padded).
func TestCompactRows(t *testing.T) {
	_, c := backendAndClient(t)
	keys := [][]float32{{0, 1, 0, 1, 1, 0}, {0, 0, 0}, {1, 1}, {1, 1, 1, 1}, {0, 1, 2, 1}}
	caps := []int{3, 2, 2, 2, 3}
	assert.Equal(t, []int32{3, 1, 3, 4, 0, 3, 3, 2, 0, 1, 3, 0, 1, 7, 4, 1, 3}, customCompact(t, c, keys, caps))
}

// customDelayed runs brainc_csr_delayed.
func customDelayed(t *testing.T, c *xlapjrt.Client, row []int32, off, cap, popOff int, tb table, delays []int32, w []float32, mode int, buf []float32, l, step int) []float32 {
	wType := fmt.Sprintf("tensor<%dxf32>", len(w))
	if mode == cpuops.WeightScalar {
		wType = "tensor<f32>"
	}
	bt := fmt.Sprintf("tensor<%dx%dxf32>", l, tb.nout)
	text := fmt.Sprintf(`module @delayed {
  func.func @main(%%row: tensor<%dxi32>, %%step: tensor<i32>, %%ptr: tensor<%dxi32>, %%idx: tensor<%dxi32>, %%d: tensor<%dxi32>, %%w: %s, %%buf: %s) -> %s {
    %%meta = "stablehlo.constant"() { value = dense<[%d, %d, %d, %d, %d]> : tensor<5xi32> } : () -> tensor<5xi32>
    %%out = "stablehlo.custom_call"(%%meta, %%row, %%step, %%ptr, %%idx, %%d, %%w, %%buf) { call_target_name = "brainc_csr_delayed", api_version = 4 : i32 } : (tensor<5xi32>, tensor<%dxi32>, tensor<i32>, tensor<%dxi32>, tensor<%dxi32>, tensor<%dxi32>, %s, %s) -> %s
    "func.return"(%%out) : (%s) -> ()
  }
}`, len(row), len(tb.ptr), len(tb.idx), len(delays), wType, bt, bt, off, cap, popOff, tb.npre, mode,
		len(row), len(tb.ptr), len(tb.idx), len(delays), wType, bt, bt, bt)
	exe, err := c.Compile().WithStableHLO([]byte(text)).Done()
	require.NoError(t, err)
	defer func() { _ = exe.Destroy() }()
	var args []*xlapjrt.Buffer
	add := func(b *xlapjrt.Buffer, err error) {
		require.NoError(t, err)
		args = append(args, b)
	}
	add(xlapjrt.ArrayToBuffer(c, row, len(row)))
	add(xlapjrt.ScalarToBuffer(c, int32(step)))
	add(xlapjrt.ArrayToBuffer(c, tb.ptr, len(tb.ptr)))
	add(xlapjrt.ArrayToBuffer(c, tb.idx, len(tb.idx)))
	add(xlapjrt.ArrayToBuffer(c, delays, len(delays)))
	if mode == cpuops.WeightScalar {
		add(xlapjrt.ScalarToBuffer(c, w[0]))
	} else {
		add(xlapjrt.ArrayToBuffer(c, w, len(w)))
	}
	add(xlapjrt.ArrayToBuffer(c, buf, l, tb.nout))
	outs, err := exe.Execute(args...).DonateNone().Done()
	require.NoError(t, err)
	v, _, err := xlapjrt.BufferToArray[float32](outs[0])
	require.NoError(t, err)
	return v
}

// brainc_csr_delayed equals ops.EventPropagateCSRDelayed to the bit: a
// population's own table inside a larger block (block indices outside it
// are skipped, as localIdx pads them), scalar and per-synapse weights,
// every delay of the ring, firing past the capacity.
func TestCSRDelayedEqualsComposed(t *testing.T) {
	tier.Slow(t)
	b, c := backendAndClient(t)
	r := rand.New(rand.NewPCG(9, 4))
	const l, popOff, blockSize = 5, 30, 200
	for _, tc := range []struct {
		name       string
		npre, nout int
		fire       float64
		cap, step  int
	}{
		{"some", 120, 90, 0.1, 40, 7},
		{"overflow", 120, 90, 0.6, 24, 3},
		{"none", 50, 20, 0, 8, 0},
	} {
		tb := randomTable(r, tc.npre, tc.nout, 20)
		delays := make([]int32, len(tb.idx))
		for i := range delays {
			delays[i] = int32(r.IntN(l))
		}
		var fired []int32 // block indices: some before and after the population
		for i := range blockSize {
			if r.Float64() < tc.fire {
				fired = append(fired, int32(i))
			}
		}
		row := eventsRow(fired, blockSize, tc.cap)
		buf := make([]float32, l*tc.nout)
		for i := range buf {
			buf[i] = float32(r.NormFloat64())
		}
		for mode, n := range map[int]int{cpuops.WeightScalar: 1, cpuops.WeightSynapse: len(tb.idx)} {
			w := make([]float32, n)
			for i := range w {
				w[i] = float32(r.NormFloat64())
			}
			got := customDelayed(t, c, row, 0, tc.cap, popOff, tb, delays, w, mode, buf, l, tc.step)
			exec, err := NewExec(b, func(row, ptr, idx, d, w, buf *Node) *Node {
				g := row.Graph()
				blk := Slice(row, AxisRange(1, 1+tc.cap))
				lo, hi := Scalar(g, blk.DType(), popOff), Scalar(g, blk.DType(), popOff+tc.npre)
				local := Where(And(GreaterOrEqual(blk, lo), LessThan(blk, hi)), Sub(blk, lo), Scalar(g, blk.DType(), tc.npre))
				return ops.EventPropagateCSRDelayed(local, ptr, idx, d, tb.width, w, nil, buf, Scalar(g, blk.DType(), tc.step))
			})
			require.NoError(t, err)
			wt := tensors.FromValue(w)
			if mode == cpuops.WeightScalar {
				wt = tensors.FromValue(w[0])
			}
			bt := tensors.FromFlatDataAndDimensions(buf, l, tc.nout)
			out, err := exec.Exec(tensors.FromValue(row), tensors.FromValue(tb.ptr), tensors.FromValue(tb.idx), tensors.FromValue(delays), wt, bt)
			require.NoError(t, err)
			want, err := tensors.CopyFlatData[float32](out[0])
			require.NoError(t, err)
			assert.Equal(t, want, got, "%s, weight mode %d", tc.name, mode)
			if tc.fire > 0 {
				assert.NotEqual(t, buf, got, "%s: something arrives", tc.name)
			}
		}
	}
}

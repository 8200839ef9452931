package ops

import (
	"math/rand/v2"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // graph DSL
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/connect"
	"github.com/brainc/brainc/internal/tier"
	"github.com/brainc/brainc/pjrt"
)

func cpu(t *testing.T) *pjrt.Backend {
	t.Helper()
	b, err := pjrt.Open(pjrt.Options{Backend: "cpu"})
	require.NoError(t, err, "the XLA CPU plugin must be installed: run `make setup`")
	return b
}

func randomSpikes(r *rand.Rand, n int, p float64) []bool {
	s := make([]bool, n)
	for i := range s {
		s[i] = r.Float64() < p
	}
	return s
}

func TestCompact(t *testing.T) {
	tier.Slow(t)
	b := cpu(t)
	tests := []struct {
		name     string
		spikes   []bool
		capacity int
		idx      []int32
		count    int32
	}{
		{"none", []bool{false, false, false, false}, 3, []int32{4, 4, 4}, 0},
		{"some", []bool{false, true, false, true, true}, 4, []int32{1, 3, 4, 5}, 3},
		{"exactly full", []bool{true, false, true}, 2, []int32{0, 2}, 2},
		{"overflow keeps the first and reports the count", []bool{true, true, true, false, true}, 2, []int32{0, 1}, 4},
		{"all", []bool{true, true, true}, 3, []int32{0, 1, 2}, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, err := NewExec(b, func(s *Node) (*Node, *Node) { return Compact(s, tc.capacity) })
			require.NoError(t, err)
			out, err := e.Exec(tensors.FromFlatDataAndDimensions(tc.spikes, len(tc.spikes)))
			require.NoError(t, err)
			assert.Equal(t, tc.idx, tensors.MustCopyFlatData[int32](out[0]))
			assert.Equal(t, tc.count, out[1].Value())
		})
	}
}

// The event-driven kernel and the dense kernel give the same synaptic input
// for the same spikes, and both equal a plain host loop over the CSR matrix.
func TestEventPropagateEqualsDense(t *testing.T) {
	tier.Slow(t)
	b := cpu(t)
	r := rand.New(rand.NewPCG(1, 2))
	for _, tc := range []struct {
		npre, npost int
		p, rate     float64
		w           float32
	}{
		{300, 200, 0.05, 0.02, 0.6},
		{1000, 1000, 0.02, 0.01, -6.7},
		{50, 70, 0.5, 0.5, 1.25},
	} {
		m, err := connect.FixedProb(tc.npre, tc.npost, tc.p, connect.Options{Seed: 9, Stream: 1})
		require.NoError(t, err)
		table, width := m.ELL()
		pre, post := m.COO()
		spikes := randomSpikes(r, tc.npre, tc.rate)
		want := make([]float64, tc.npost)
		nSpikes := 0
		for i, s := range spikes {
			if !s {
				continue
			}
			nSpikes++
			for _, j := range m.Indices[m.Indptr[i]:m.Indptr[i+1]] {
				want[j] += float64(tc.w)
			}
		}
		e, err := NewExec(b, func(s, ell, pre, post, w *Node) (*Node, *Node) {
			idx, _ := Compact(s, nSpikes)
			ev := EventPropagate(idx, ell, w, tc.npost)
			de := DensePropagate(SpikesAsFloat(s, dtypes.Float32), pre, post, w, tc.npost)
			return ev, de
		})
		require.NoError(t, err)
		out, err := e.Exec(tensors.FromFlatDataAndDimensions(spikes, tc.npre),
			tensors.FromFlatDataAndDimensions(table, tc.npre+1, width),
			tensors.FromFlatDataAndDimensions(pre, len(pre)), tensors.FromFlatDataAndDimensions(post, len(post)),
			tc.w)
		require.NoError(t, err)
		ev, de := tensors.MustCopyFlatData[float32](out[0]), tensors.MustCopyFlatData[float32](out[1])
		for j := range want {
			assert.InDelta(t, want[j], float64(ev[j]), 1e-6*max(1, abs(want[j])), "event, post %d", j)
			assert.InDelta(t, float64(de[j]), float64(ev[j]), 1e-6*max(1, abs(float64(de[j]))), "event vs dense, post %d", j)
		}
	}
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

// The dense kernel is differentiable: d(sum of input)/d(weight) is the
// number of synapses of the firing neurons.
func TestDensePropagateGradient(t *testing.T) {
	b := cpu(t)
	m, err := connect.FixedProb(40, 30, 0.3, connect.Options{Seed: 1})
	require.NoError(t, err)
	pre, post := m.COO()
	spikes := make([]float32, 40)
	want := 0.0
	for _, i := range []int{3, 17, 22} {
		spikes[i] = 1
		want += float64(m.Indptr[i+1] - m.Indptr[i])
	}
	e, err := NewExec(b, func(s, pre, post, w *Node) *Node {
		return Gradient(ReduceAllSum(DensePropagate(s, pre, post, w, 30)), w)[0]
	})
	require.NoError(t, err)
	out, err := e.Exec(spikes, pre, post, float32(0.5))
	require.NoError(t, err)
	assert.Equal(t, float32(want), out[0].Value())
}

// Two connectivities side by side in one table, each with its own weight per
// column, give the sum of propagating them one by one.
func TestEventPropagateColumnWeights(t *testing.T) {
	b := cpu(t)
	// pre 0 → {1, 2} (w 0.5) and → {4} (w -2, target offset 3); pre 1 → {0} and → {3, 5}.
	table := []int32{1, 2, 4, 6, 0, 6, 3, 5, 6, 6, 6, 6}
	e, err := NewExec(b, func(idx, ell, w *Node) *Node { return EventPropagate(idx, ell, w, 6) })
	require.NoError(t, err)
	out, err := e.Exec([]int32{0, 1, 2}, tensors.FromFlatDataAndDimensions(table, 3, 4),
		[]float32{0.5, 0.5, -2, -2})
	require.NoError(t, err)
	assert.Equal(t, []float32{0.5, 0.5, 0.5, -2, -2, -2}, tensors.MustCopyFlatData[float32](out[0]))
}

// The two-level compaction equals the one-level one, truncation included,
// for sizes that do and do not fill their last block.
func TestCompactBlockedEqualsFlat(t *testing.T) {
	tier.Slow(t)
	b := cpu(t)
	r := rand.New(rand.NewPCG(3, 4))
	for _, tc := range []struct {
		n, capacity int
		rate        float64
	}{
		{1000, 16, 0.005}, {1000, 16, 0.05}, {33, 4, 0.3}, {64, 64, 1}, {4096, 64, 0.01}, {9000, 8, 0.002}, {100, 3, 0},
	} {
		e, err := NewExec(b, func(s *Node) []*Node {
			i1, c1 := CompactFlat(s, tc.capacity)
			i2, c2 := CompactBlocked(s, tc.capacity)
			return []*Node{i1, c1, i2, c2}
		})
		require.NoError(t, err)
		for rep := 0; rep < 3; rep++ {
			out, err := e.Exec(tensors.FromFlatDataAndDimensions(randomSpikes(r, tc.n, tc.rate), tc.n))
			require.NoError(t, err)
			assert.Equal(t, tensors.MustCopyFlatData[int32](out[0]), tensors.MustCopyFlatData[int32](out[2]), "n=%d c=%d", tc.n, tc.capacity)
			assert.Equal(t, out[1].Value(), out[3].Value())
		}
	}
}

// The CSR event kernel equals the ELL one on the same matrix, with a scalar
// weight and with per-slot weights.
func TestEventPropagateCSR(t *testing.T) {
	b := cpu(t)
	r := rand.New(rand.NewPCG(5, 6))
	m, err := connect.FixedProb(300, 200, 0.1, connect.Options{Seed: 3})
	require.NoError(t, err)
	ell, width := m.ELL()
	indptr := append(append([]int32(nil), m.Indptr...), m.Indptr[m.NPre])
	indices := append(append([]int32(nil), m.Indices...), int32(m.NPost))
	var idx []int32
	for i, s := range randomSpikes(r, 300, 0.1) {
		if s {
			idx = append(idx, int32(i))
		}
	}
	idx = append(idx, 300, 300)
	slotW := make([]float32, 201)
	for j := range slotW {
		slotW[j] = float32(j%7) * 0.25
	}
	e, err := NewExec(b, func(idx, ell, indptr, indices, slotW *Node) []*Node {
		w := Scalar(idx.Graph(), dtypes.Float32, 0.6)
		// Per-slot weights through ELL: gather them by target afterwards.
		return []*Node{EventPropagate(idx, ell, w, 200), EventPropagateCSR(idx, indptr, indices, width, w, 200),
			EventPropagateCSR(idx, indptr, indices, width, slotW, 200)}
	})
	require.NoError(t, err)
	ellT := make([][]int32, 301)
	for i := range ellT {
		ellT[i] = ell[i*width : (i+1)*width]
	}
	out, err := e.Exec(idx, ellT, indptr, indices, slotW)
	require.NoError(t, err)
	assert.Equal(t, out[0].Value(), out[1].Value())
	// Per-slot weights: every synapse onto j carries slotW[j].
	want := make([]float32, 200)
	for _, i := range idx {
		if i < 300 {
			for _, j := range m.Indices[m.Indptr[i]:m.Indptr[i+1]] {
				want[j] += slotW[j]
			}
		}
	}
	assert.InDeltaSlice(t, want, out[2].Value(), 1e-5)
}

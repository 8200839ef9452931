package ops

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // graph DSL
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/internal/tier"
)

func TestHash32MatchesGraph(t *testing.T) {
	b := cpu(t)
	in := []uint32{0, 1, 2, 12345, 0x7fffffff, 0x80000000, 0xffffffff, 0xdeadbeef}
	out := MustExecOnce(b, func(x *Node) *Node { return hash32(x) }, in)
	got := out.Value().([]uint32)
	for i, x := range in {
		assert.Equal(t, Hash32(x), got[i], "hash of %#x", x)
	}
}

// Rows are FixedProb rows: increasing, distinct, in range, no self
// connections, and the mean row length and its spread match Binomial(N, p).
func TestProceduralRows(t *testing.T) {
	tier.Slow(t)
	b := cpu(t)
	const n, p = 3000, 0.02
	pr, err := NewProcedural(n, n, p, 77, true)
	require.NoError(t, err)
	m, err := ProceduralMatrix(b, pr)
	require.NoError(t, err)
	var sum, sq float64
	for i := 0; i < n; i++ {
		row := m.Indices[m.Indptr[i]:m.Indptr[i+1]]
		require.Less(t, len(row), pr.Width, "row %d fills its width", i)
		for k, j := range row {
			require.True(t, j >= 0 && int(j) < n && int(j) != i, "row %d target %d", i, j)
			if k > 0 {
				require.Greater(t, j, row[k-1], "row %d not increasing", i)
			}
		}
		l := float64(len(row))
		sum, sq = sum+l, sq+l*l
	}
	mean := sum / n
	sd := math.Sqrt(sq/n - mean*mean)
	wantMean := (n - 1) * p
	assert.InDelta(t, wantMean, mean, 0.5, "mean row length")
	assert.InDelta(t, math.Sqrt(wantMean*(1-p)), sd, 0.6, "row length sd")
	// In-degrees too: every column is hit about as often.
	in := make([]int, n)
	for _, j := range m.Indices {
		in[j]++
	}
	var s float64
	for _, c := range in {
		s += float64(c)
	}
	assert.InDelta(t, wantMean, s/n, 0.5)
	// Another key gives another matrix; the same key the same one.
	pr2 := pr
	pr2.Key = 78
	m2, err := ProceduralMatrix(b, pr2)
	require.NoError(t, err)
	assert.NotEqual(t, m.Indices[:50], m2.Indices[:50])
	m3, err := ProceduralMatrix(b, pr)
	require.NoError(t, err)
	assert.Equal(t, m.Indices, m3.Indices)

	_, err = NewProcedural(10, 10, 1, 0, false)
	assert.EqualError(t, err, "procedural connectivity: probability must be in (0, 1), got 1")
}

// The event-driven procedural operator equals stored event propagation over
// the matrix it regenerates, and the float path equals the event path; the
// transpose is the adjoint; the gradient with respect to the weight scale
// is the number of synapses leaving the firing neurons.
func TestProceduralPropagation(t *testing.T) {
	tier.Slow(t)
	b := cpu(t)
	const nPre, nPost, p = 700, 500, 0.05
	pr, err := NewProcedural(nPre, nPost, p, 9, false)
	require.NoError(t, err)
	m, err := ProceduralMatrix(b, pr)
	require.NoError(t, err)
	ell, width := m.ELL()
	r := rand.New(rand.NewPCG(1, 2))
	spikes := randomSpikes(r, nPre, 0.08)
	var firing []int32
	for i, s := range spikes {
		if s {
			firing = append(firing, int32(i))
		}
	}
	idx := append(append([]int32(nil), firing...), nPre, nPre, nPre) // padded like Compact
	sf := make([]float32, nPre)
	for _, i := range firing {
		sf[i] = 1
	}
	v := make([]float32, nPost)
	for j := range v {
		v[j] = float32(r.NormFloat64())
	}
	e, err := NewExec(b, func(idx, ellT, sp, v *Node) []*Node {
		w := Scalar(idx.Graph(), dtypes.Float32, 0.6)
		stored := EventPropagate(idx, ellT, w, nPost)
		event := ProceduralEvent(idx, pr, w)
		dense := ProceduralDense(sp, pr, w)
		tr := ProceduralTranspose(v, pr, w)
		dw := Gradient(ReduceAllSum(ProceduralDense(sp, pr, w)), w)[0]
		return []*Node{stored, event, dense, ReduceAllSum(Mul(v, dense)), ReduceAllSum(Mul(tr, sp)), dw}
	})
	require.NoError(t, err)
	out, err := e.Exec(idx, rows2D(ell, nPre+1, width), sf, v)
	require.NoError(t, err)
	stored, event, dense := out[0].Value().([]float32), out[1].Value().([]float32), out[2].Value().([]float32)
	assert.InDeltaSlice(t, stored, event, 1e-5)
	assert.InDeltaSlice(t, event, dense, 1e-5)
	assert.InDelta(t, out[3].Value().(float32), out[4].Value().(float32), 1e-3)
	var syn float32
	for _, i := range firing {
		syn += float32(m.Indptr[i+1] - m.Indptr[i])
	}
	assert.Equal(t, syn, out[5].Value().(float32))
	assert.Greater(t, syn, float32(100))
}

// rows2D shapes a flat table for Exec.
func rows2D(flat []int32, rows, cols int) [][]int32 {
	out := make([][]int32, rows)
	for i := range out {
		out[i] = flat[i*cols : (i+1)*cols]
	}
	return out
}

// Uniform and normal procedural weights have the requested moments.
func TestProceduralWeights(t *testing.T) {
	b := cpu(t)
	pr, err := NewProcedural(400, 400, 0.1, 3, false)
	require.NoError(t, err)
	for _, tc := range []struct {
		dist     string
		a, bb    float64
		mean, sd float64
	}{
		{"uniform", 1, 3, 2, 2 / math.Sqrt(12)},
		{"normal", 0.5, 0.2, 0.5, 0.2},
	} {
		q := pr
		q.Dist, q.A, q.B = tc.dist, tc.a, tc.bb
		out := MustExecOnce(b, func(g *Graph) *Node {
			pre := Iota(g, shapesInt32(400), 0)
			return q.Weights(pre, Scalar(g, dtypes.Float64, 2))
		})
		w := out.Value().([][]float64)
		var s, s2, n float64
		for _, row := range w {
			for _, x := range row {
				s, s2, n = s+x/2, s2+x*x/4, n+1
			}
		}
		mean := s / n
		assert.InDelta(t, tc.mean, mean, 0.01, tc.dist)
		assert.InDelta(t, tc.sd, math.Sqrt(s2/n-mean*mean), 0.01, tc.dist)
	}
}

func shapesInt32(n int) shapes.Shape { return shapes.Make(dtypes.Int32, n) }

// Windows of ProceduralEventWindow side by side (one from below zero, one
// past NPost, as a target population inside a larger block gives) are
// ProceduralEvent bit for bit, with normal weights.
func TestProceduralEventWindow(t *testing.T) {
	b := cpu(t)
	const nPre, nPost = 400, 300
	pr, err := NewProcedural(nPre, nPost, 0.1, 5, false)
	require.NoError(t, err)
	pr.Dist, pr.A, pr.B = "normal", 1, 0.3
	r := rand.New(rand.NewPCG(3, 4))
	var idx []int32
	for i, s := range randomSpikes(r, nPre, 0.1) {
		if s {
			idx = append(idx, int32(i))
		}
	}
	idx = append(idx, nPre, nPre)
	// Windows of 120 from -60: [-60, 60), [60, 180), [180, 300), [300, 420).
	const first, n, windows = -60, 120, 4
	out := MustExecOnce(b, func(idx *Node) *Node {
		w := Scalar(idx.Graph(), dtypes.Float32, 0.7)
		res := []*Node{ProceduralEvent(idx, pr, w)}
		for k := range windows {
			res = append(res, ProceduralEventWindow(idx, pr, w, Const(idx.Graph(), int32(first+k*n)), n))
		}
		return Concatenate(res, 0)
	}, idx).Value().([]float32)
	whole, joined := out[:nPost], out[nPost:]
	assert.Equal(t, make([]float32, -first), joined[:-first], "no target below 0")
	assert.Equal(t, whole, joined[-first:-first+nPost])
	assert.Equal(t, make([]float32, len(joined)+first-nPost), joined[-first+nPost:], "none past NPost")
	assert.Greater(t, len(idx), 30)
}

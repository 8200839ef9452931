package connect

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFixedProb(t *testing.T) {
	o := Options{Seed: 42, Stream: Stream("E2E"), SamePopulation: true}
	m, err := FixedProb(2000, 2000, 0.02, o)
	require.NoError(t, err)
	// Expected 2000·1999·0.02 = 79,960 synapses; 5 standard deviations ≈ 1,400.
	mean := 2000 * 1999 * 0.02
	assert.InDelta(t, mean, float64(m.NumSynapses()), 5*math.Sqrt(mean))
	for i := 0; i < m.NPre; i++ {
		row := m.Indices[m.Indptr[i]:m.Indptr[i+1]]
		for k, j := range row {
			require.NotEqual(t, int32(i), j, "self-connection at %d", i)
			if k > 0 {
				require.Less(t, row[k-1], j, "row %d not strictly increasing", i)
			}
		}
	}
	again, err := FixedProb(2000, 2000, 0.02, o)
	require.NoError(t, err)
	assert.Equal(t, m, again, "same seed and stream, same matrix")
	o.Stream = Stream("E2I")
	other, err := FixedProb(2000, 2000, 0.02, o)
	require.NoError(t, err)
	assert.NotEqual(t, m.Indices, other.Indices)

	full, err := FixedProb(5, 4, 1, Options{})
	require.NoError(t, err)
	assert.Equal(t, 20, full.NumSynapses())
	empty, err := FixedProb(5, 4, 0, Options{})
	require.NoError(t, err)
	assert.Equal(t, 0, empty.NumSynapses())
}

func TestFixedInDegree(t *testing.T) {
	m, err := FixedInDegree(300, 200, 80, Options{Seed: 1, Stream: 2})
	require.NoError(t, err)
	assert.Equal(t, 200*80, m.NumSynapses())
	in := make([]map[int32]bool, 200)
	for i := range in {
		in[i] = map[int32]bool{}
	}
	for i := 0; i < m.NPre; i++ {
		for _, j := range m.Indices[m.Indptr[i]:m.Indptr[i+1]] {
			require.False(t, in[j][int32(i)], "duplicate synapse %d→%d", i, j)
			in[j][int32(i)] = true
		}
	}
	for j := range in {
		assert.Len(t, in[j], 80, "in-degree of %d", j)
	}
	// Without self-connections every neuron but itself is available.
	self, err := FixedInDegree(10, 10, 9, Options{SamePopulation: true})
	require.NoError(t, err)
	pre, post := self.COO()
	for k := range pre {
		assert.NotEqual(t, pre[k], post[k])
	}
	assert.Equal(t, 90, len(pre))
}

func TestErrors(t *testing.T) {
	_, err := FixedProb(10, 10, 1.5, Options{})
	assert.EqualError(t, err, "connection probability must be in [0, 1], got 1.5")
	_, err = FixedProb(0, 10, 0.5, Options{})
	assert.EqualError(t, err, "population sizes must be positive, got pre=0 post=10")
	_, err = FixedInDegree(10, 10, 10, Options{SamePopulation: true})
	assert.EqualError(t, err, "in-degree must be in [0, 9], got 10")
}

func TestELLAndCOO(t *testing.T) {
	m := &Matrix{NPre: 3, NPost: 4, Indptr: []int32{0, 2, 2, 3}, Indices: []int32{1, 3, 0}}
	table, width := m.ELL()
	assert.Equal(t, 2, width)
	assert.Equal(t, []int32{1, 3, 4, 4, 0, 4, 4, 4}, table)
	pre, post := m.COO()
	assert.Equal(t, []int32{0, 0, 2}, pre)
	assert.Equal(t, []int32{1, 3, 0}, post)
	assert.Equal(t, 2, m.MaxRow())
}

// The deterministic and fixed-out-degree rules give exactly the rows they
// promise.
func TestMoreRules(t *testing.T) {
	m, err := OneToOne(4, 4)
	require.NoError(t, err)
	assert.Equal(t, []int32{0, 1, 2, 3, 4}, m.Indptr)
	assert.Equal(t, []int32{0, 1, 2, 3}, m.Indices)
	_, err = OneToOne(3, 4)
	assert.EqualError(t, err, "one-to-one needs populations of the same size, got 3 and 4")

	m, err = AllToAll(3, 3, Options{SamePopulation: true})
	require.NoError(t, err)
	assert.Equal(t, []int32{1, 2, 0, 2, 0, 1}, m.Indices)
	m, err = AllToAll(2, 3, Options{})
	require.NoError(t, err)
	assert.Equal(t, 6, m.NumSynapses())

	m, err = FixedOutDegree(200, 150, 12, Options{Seed: 4, SamePopulation: false})
	require.NoError(t, err)
	in := make([]int, 150)
	for i := 0; i < 200; i++ {
		row := m.Indices[m.Indptr[i]:m.Indptr[i+1]]
		require.Len(t, row, 12)
		for k := 1; k < len(row); k++ {
			require.Greater(t, row[k], row[k-1], "row %d sorted and distinct", i)
		}
		for _, j := range row {
			in[j]++
		}
	}
	var mean float64
	for _, c := range in {
		mean += float64(c)
	}
	assert.InDelta(t, 200*12/150.0, mean/150, 1e-9)
	m, err = FixedOutDegree(50, 50, 49, Options{Seed: 1, SamePopulation: true})
	require.NoError(t, err)
	for i := 0; i < 50; i++ {
		for _, j := range m.Indices[m.Indptr[i]:m.Indptr[i+1]] {
			require.NotEqual(t, int32(i), j, "no self-connection")
		}
	}
	_, err = FixedOutDegree(50, 50, 50, Options{SamePopulation: true})
	assert.EqualError(t, err, "out-degree must be in [0, 49], got 50")
}

// Gaussian connectivity: near pairs connect with p_max, the connection
// probability falls with distance as exp(−d²/2σ²).
func TestGaussian(t *testing.T) {
	const n, sigma = 900, 0.1
	m, err := Gaussian(n, n, sigma, 0.8, Options{Seed: 2, SamePopulation: true})
	require.NoError(t, err)
	// Bin pairs by distance and compare the connected fraction with the law.
	type bin struct{ pairs, conn float64 }
	bins := make([]bin, 4)
	connected := map[[2]int]bool{}
	for i := 0; i < n; i++ {
		for _, j := range m.Indices[m.Indptr[i]:m.Indptr[i+1]] {
			require.NotEqual(t, int32(i), j)
			connected[[2]int{i, int(j)}] = true
		}
	}
	for i := 0; i < n; i++ {
		xi, yi := GridPosition(i, n)
		for j := 0; j < n; j++ {
			if i == j {
				continue
			}
			xj, yj := GridPosition(j, n)
			d := math.Hypot(xi-xj, yi-yj)
			k := int(d / (sigma / 2))
			if k < len(bins) {
				bins[k].pairs++
				if connected[[2]int{i, j}] {
					bins[k].conn++
				}
			}
		}
	}
	for k, b := range bins {
		mid := (float64(k) + 0.5) * sigma / 2
		want := 0.8 * math.Exp(-mid*mid/(2*sigma*sigma))
		assert.InDelta(t, want, b.conn/b.pairs, 0.06, "distance bin %d", k)
	}
	_, err = Gaussian(10, 10, 0, 1, Options{})
	assert.EqualError(t, err, "gaussian connectivity needs sigma > 0 and p_max in (0, 1], got 0 and 1")
}

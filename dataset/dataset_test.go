package dataset

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// handSet has two samples over 3 units; with dt = 0.5 every time is exact.
func handSet() *Set {
	return &Set{Units: 3, Duration: 1.5, Classes: 2, Samples: []Sample{
		{Times: []float64{0, 0.75, 0.9, 1.25, 1.5, 2}, Units: []int32{0, 1, 1, 2, 0, 1}, Label: 1},
		{Times: []float64{0.4, 0.1}, Units: []int32{2, 2}, Label: 0},
	}}
}

func TestDense(t *testing.T) {
	s := handSet()
	x, labels := s.Dense([]int{1, 0}, 3, 0.5)
	// [steps=3, batch=2, units=3]; times 1.5 and 2 fall at or after 3×0.5.
	assert.Equal(t, []float32{
		0, 0, 2 /* b0 */, 1, 0, 0, /* b1 */ // t=0
		0, 0, 0, 0, 2, 0, // t=1
		0, 0, 0, 0, 0, 1, // t=2
	}, x)
	assert.Equal(t, []int32{0, 1}, labels)

	x, labels = s.Dense([]int{0}, 1, 1)
	assert.Equal(t, []float32{1, 2, 0}, x) // only times 0, 0.75 and 0.9 are in [0, 1)
	assert.Equal(t, []int32{1}, labels)

	for _, bad := range []struct {
		idx   []int
		steps int
		dt    float64
	}{{[]int{0}, 0, 1}, {[]int{0}, 3, 0}, {[]int{0}, 3, -1}, {[]int{2}, 3, 1}, {[]int{-1}, 3, 1}} {
		x, labels := s.Dense(bad.idx, bad.steps, bad.dt)
		assert.Nil(t, x, "%+v", bad)
		assert.Nil(t, labels, "%+v", bad)
	}
}

// indexSet has n empty samples whose labels are their indices.
func indexSet(n int) *Set {
	s := &Set{Units: 1, Duration: 2, Classes: n}
	for i := range n {
		s.Samples = append(s.Samples, Sample{Label: int32(i)})
	}
	return s
}

func labelsOf(s *Set) []int {
	out := []int{}
	for _, smp := range s.Samples {
		out = append(out, int(smp.Label))
	}
	return out
}

func TestSplit(t *testing.T) {
	s := indexSet(10)
	for _, c := range []struct {
		frac       float64
		train, all int
	}{{0.7, 7, 10}, {0.25, 3, 10}, {0, 0, 10}, {-1, 0, 10}, {1, 10, 10}, {2, 10, 10}} {
		train, test := s.Split(c.frac, 5)
		assert.Len(t, train.Samples, c.train, "frac %g", c.frac)
		assert.Len(t, test.Samples, c.all-c.train, "frac %g", c.frac)
		all := append(labelsOf(train), labelsOf(test)...)
		slices.Sort(all)
		assert.Equal(t, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, all, "frac %g", c.frac)
		assert.Equal(t, []any{1, 2.0, 10}, []any{train.Units, train.Duration, train.Classes})
		assert.Equal(t, []any{1, 2.0, 10}, []any{test.Units, test.Duration, test.Classes})
	}
	a, _ := s.Split(0.5, 5)
	b, _ := s.Split(0.5, 5)
	c, _ := s.Split(0.5, 6)
	assert.Equal(t, labelsOf(a), labelsOf(b))
	assert.NotEqual(t, labelsOf(a), labelsOf(c))
	assert.NotEqual(t, []int{0, 1, 2, 3, 4}, labelsOf(a), "not shuffled")
}

func TestBatches(t *testing.T) {
	s := indexSet(10)
	assert.Equal(t, [][]int{{0, 1, 2}, {3, 4, 5}, {6, 7, 8}}, s.Batches(3, false, 1, 0))
	assert.Equal(t, [][]int{{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}}, s.Batches(10, false, 1, 0))
	assert.Nil(t, s.Batches(11, false, 1, 0))
	assert.Nil(t, s.Batches(0, true, 1, 0))
	assert.Nil(t, s.Batches(-2, true, 1, 0))

	e0 := s.Batches(4, true, 1, 0)
	require.Len(t, e0, 2)
	seen := map[int]bool{}
	for _, b := range e0 {
		assert.Len(t, b, 4)
		assert.Equal(t, 4, cap(b), "appending to a batch must not clobber the next")
		for _, i := range b {
			assert.False(t, seen[i], "index %d repeated", i)
			seen[i] = true
		}
	}
	assert.Equal(t, e0, s.Batches(4, true, 1, 0))
	assert.NotEqual(t, e0, s.Batches(4, true, 1, 1), "epochs must differ")
	assert.NotEqual(t, e0, s.Batches(4, true, 2, 0), "seeds must differ")
}

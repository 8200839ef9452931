package dataset

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func smallRandman() RandmanOptions {
	o := DefaultRandman()
	o.Classes, o.Units, o.SamplesPerClass = 4, 20, 30
	return o
}

func TestDefaultRandman(t *testing.T) {
	assert.Equal(t, RandmanOptions{Classes: 10, Units: 100, SamplesPerClass: 1000, ManifoldDim: 1,
		Alpha: 2, Steps: 100, Dt: 1e-3, SpikesPerUnit: 1, Seed: 42}, DefaultRandman())
}

func TestRandmanShapes(t *testing.T) {
	for _, c := range []struct{ dim, spikes, steps int }{{1, 1, 100}, {2, 1, 50}, {1, 3, 100}, {3, 2, 7}} {
		o := smallRandman()
		o.ManifoldDim, o.SpikesPerUnit, o.Steps = c.dim, c.spikes, c.steps
		s, err := Randman(o)
		require.NoError(t, err)
		span := float64(c.steps) * o.Dt
		assert.Equal(t, []any{20, span, 4}, []any{s.Units, s.Duration, s.Classes})
		require.Len(t, s.Samples, 120)
		perClass := make([]int, 4)
		lo, hi := make([]float64, 4*20), make([]float64, 4*20) // [class, unit] over all spikes
		for i := range lo {
			lo[i], hi[i] = math.Inf(1), math.Inf(-1)
		}
		for _, smp := range s.Samples {
			perClass[smp.Label]++
			require.Len(t, smp.Times, 20*c.spikes)
			perUnit := make([]int, 20)
			for e, u := range smp.Units {
				perUnit[u]++
				tm := smp.Times[e]
				assert.True(t, tm >= 0 && tm < span, "time %g outside [0, %g)", tm, span)
				k := int(smp.Label)*20 + int(u)
				lo[k], hi[k] = min(lo[k], tm), max(hi[k], tm)
			}
			for _, n := range perUnit {
				assert.Equal(t, c.spikes, n)
			}
		}
		assert.Equal(t, []int{30, 30, 30, 30}, perClass)
		for k := range lo { // normalisation stretches every unit over [0, span)
			assert.Equal(t, 0.0, lo[k])
			assert.Equal(t, maxFrac*span, hi[k])
		}
		x, _ := s.Dense([]int{0, 1, 2}, c.steps, o.Dt)
		var total float32
		for _, v := range x {
			total += v
		}
		assert.Equal(t, float32(3*20*c.spikes), total, "every spike lands in a bin")
	}
}

func TestRandmanDeterminism(t *testing.T) {
	o := smallRandman()
	a, err := Randman(o)
	require.NoError(t, err)
	b, err := Randman(o)
	require.NoError(t, err)
	assert.Equal(t, a, b)
	o.Seed++
	c, err := Randman(o)
	require.NoError(t, err)
	assert.NotEqual(t, a.Samples[0].Times, c.Samples[0].Times)
}

// TestRandmanClassStructure checks that samples of one class lie closer
// together, as spike-time vectors, than samples of different classes: on
// average, and much more so for nearest neighbours, since each class is a
// curve. (Mean distances differ only modestly: one coordinate of a random
// point on a curve is distributed much like one of a point on another.)
func TestRandmanClassStructure(t *testing.T) {
	for seed := range uint64(3) {
		o := smallRandman()
		o.Units, o.Classes, o.Seed = 50, 5, seed
		s, err := Randman(o)
		require.NoError(t, err)
		var sum [2]float64 // [same class, different class]
		var n [2]int
		nnSame := 0
		for i, a := range s.Samples {
			best, bestLabel := math.Inf(1), int32(-1)
			for j, b := range s.Samples {
				if i == j {
					continue
				}
				d := 0.0
				for e := range a.Times { // one spike per unit, in unit order
					d += (a.Times[e] - b.Times[e]) * (a.Times[e] - b.Times[e])
				}
				d = math.Sqrt(d)
				if d < best {
					best, bestLabel = d, b.Label
				}
				k := 1
				if a.Label == b.Label {
					k = 0
				}
				sum[k] += d
				n[k]++
			}
			if bestLabel == a.Label {
				nnSame++
			}
		}
		within, between := sum[0]/float64(n[0]), sum[1]/float64(n[1])
		nn := float64(nnSame) / float64(len(s.Samples))
		t.Logf("seed %d: mean distance within class %.4f s, between %.4f s; nearest neighbour same class %.3f",
			seed, within, between, nn)
		assert.Less(t, within, 0.95*between)
		assert.Greater(t, nn, 0.9)
	}
}

func TestRandmanValidation(t *testing.T) {
	for _, c := range []struct {
		edit func(*RandmanOptions)
		want string
	}{
		{func(o *RandmanOptions) { o.Classes = 0 }, "RandmanOptions.Classes must be > 0, got 0"},
		{func(o *RandmanOptions) { o.Units = -3 }, "RandmanOptions.Units must be > 0, got -3"},
		{func(o *RandmanOptions) { o.SamplesPerClass = 0 }, "RandmanOptions.SamplesPerClass must be > 0"},
		{func(o *RandmanOptions) { o.ManifoldDim = 0 }, "RandmanOptions.ManifoldDim must be > 0"},
		{func(o *RandmanOptions) { o.Steps = 0 }, "RandmanOptions.Steps must be > 0"},
		{func(o *RandmanOptions) { o.SpikesPerUnit = 0 }, "RandmanOptions.SpikesPerUnit must be > 0"},
		{func(o *RandmanOptions) { o.Alpha = math.NaN() }, "RandmanOptions.Alpha must be positive and finite, got NaN"},
		{func(o *RandmanOptions) { o.Dt = 0 }, "RandmanOptions.Dt must be positive with Steps×Dt finite, got Dt=0"},
		{func(o *RandmanOptions) { o.Units = 1 << 30 }, "must be ≤ 2147483648 spikes"},
	} {
		o := DefaultRandman()
		c.edit(&o)
		s, err := Randman(o)
		assert.Nil(t, s)
		assert.ErrorContains(t, err, c.want)
	}
}

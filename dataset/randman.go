package dataset

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// RandmanOptions configures [Randman].
type RandmanOptions struct {
	Classes         int     // number of classes (manifolds)
	Units           int     // input units: the embedding dimension
	SamplesPerClass int     // samples drawn from each class
	ManifoldDim     int     // intrinsic dimension of every manifold
	Alpha           float64 // spectral fall-off exponent; larger is smoother
	Steps           int     // time steps; spikes lie in [0, Steps×Dt)
	Dt              float64 // seconds per step
	SpikesPerUnit   int     // spikes every unit fires in every sample
	Seed            uint64  // equal options give identical sets
}

// DefaultRandman returns the options of the standard randman task: 10
// classes, 100 units, 1000 samples per class, 1-D manifolds with Alpha 2,
// 100 steps of 1 ms, one spike per unit, seed 42.
func DefaultRandman() RandmanOptions {
	return RandmanOptions{Classes: 10, Units: 100, SamplesPerClass: 1000, ManifoldDim: 1,
		Alpha: 2, Steps: 100, Dt: 1e-3, SpikesPerUnit: 1, Seed: 42}
}

const (
	maxRandmanEvents = 1 << 31 // bound on the spikes Randman generates
	randmanPrec      = 1e-3    // spectral terms with a smaller scale are dropped
	maxTerms         = 1000    // and at most this many kept, as in the reference
	// maxFrac is the largest normalised coordinate, so that every spike
	// time t satisfies floor(t/Dt) < Steps despite rounding.
	maxFrac = 1 - 1e-9
)

func (o RandmanOptions) validate() error {
	for _, f := range []struct {
		name string
		v    int
	}{{"Classes", o.Classes}, {"Units", o.Units}, {"SamplesPerClass", o.SamplesPerClass},
		{"ManifoldDim", o.ManifoldDim}, {"Steps", o.Steps}, {"SpikesPerUnit", o.SpikesPerUnit}} {
		if f.v <= 0 {
			return fmt.Errorf("dataset: RandmanOptions.%s must be > 0, got %d", f.name, f.v)
		}
	}
	if !(o.Alpha > 0) || math.IsInf(o.Alpha, 1) {
		return fmt.Errorf("dataset: RandmanOptions.Alpha must be positive and finite, got %g", o.Alpha)
	}
	if !(o.Dt > 0) || math.IsInf(o.Dt*float64(o.Steps), 1) {
		return fmt.Errorf("dataset: RandmanOptions.Dt must be positive with Steps×Dt finite, got Dt=%g", o.Dt)
	}
	if n := float64(o.Classes) * float64(o.SamplesPerClass) * float64(o.Units) * float64(o.SpikesPerUnit); n > maxRandmanEvents {
		return fmt.Errorf("dataset: RandmanOptions: Classes×SamplesPerClass×Units×SpikesPerUnit must be ≤ %d spikes, got %g",
			maxRandmanEvents, n)
	}
	return nil
}

// manifold is a random smooth map [0,1]^dim → R^units. Coordinate u is the
// product over axes d of Σ_k amp·sin(2π(freq·x_d + phase)) over terms
// k = 1..terms; the parameters are stored as [units, dim, terms].
type manifold struct {
	dim, terms       int
	amp, freq, phase []float64
}

// newManifold draws a manifold whose term k has amplitude U[0,1)/(k+1)^alpha,
// frequency k·U[0,1) and phase U[0,1), keeping terms while the scale
// 1/(k+1)^alpha is at least randmanPrec, like the reference implementation
// (whose constant k=0 term is zero without its bias option).
func newManifold(r *rand.Rand, units, dim int, alpha float64) *manifold {
	terms := max(int(min(math.Ceil(math.Pow(randmanPrec, -1/alpha)), maxTerms))-1, 1)
	n := units * dim * terms
	m := &manifold{dim: dim, terms: terms, amp: make([]float64, n), freq: make([]float64, n), phase: make([]float64, n)}
	for i := range n {
		k := float64(i%terms + 1)
		m.amp[i] = r.Float64() * math.Pow(k+1, -alpha)
		m.freq[i] = k * r.Float64()
		m.phase[i] = r.Float64()
	}
	return m
}

// eval returns coordinate u of the manifold at x, [dim].
func (m *manifold) eval(u int, x []float64) float64 {
	y := 1.0
	for d, xd := range x {
		sum, base := 0.0, (u*m.dim+d)*m.terms
		for k := base; k < base+m.terms; k++ {
			sum += m.amp[k] * math.Sin(2*math.Pi*(m.freq[k]*xd+m.phase[k]))
		}
		y *= sum
	}
	return y
}

// Randman generates the Random Manifold spike data set (see the package
// documentation): Classes×SamplesPerClass samples in shuffled order, each
// with Units×SpikesPerUnit events. Every class has SpikesPerUnit random
// manifolds; a sample draws one point x ∈ [0,1)^ManifoldDim and, for each
// manifold j, unit u spikes at time y_ju(x)×Steps×Dt, where y_ju is the
// manifold's coordinate u min-max normalised over the class's samples to
// [0, 1). Events are ordered by manifold, then unit. Duration is Steps×Dt.
// The result depends only on o.
func Randman(o RandmanOptions) (*Set, error) {
	if err := o.validate(); err != nil {
		return nil, err
	}
	r := rand.New(rand.NewPCG(o.Seed, streamRandman))
	span := float64(o.Steps) * o.Dt
	ev, ns := o.Units*o.SpikesPerUnit, o.SamplesPerClass
	set := &Set{Units: o.Units, Duration: span, Classes: o.Classes, Samples: make([]Sample, 0, o.Classes*ns)}
	for c := range o.Classes {
		mans := make([]*manifold, o.SpikesPerUnit)
		for j := range mans {
			mans[j] = newManifold(r, o.Units, o.ManifoldDim, o.Alpha)
		}
		x, y := make([]float64, o.ManifoldDim), make([]float64, ns*ev) // y is [sample, manifold, unit]
		for s := range ns {
			for d := range x {
				x[d] = r.Float64()
			}
			for j, m := range mans {
				for u := range o.Units {
					y[s*ev+j*o.Units+u] = m.eval(u, x)
				}
			}
		}
		for e := range ev { // normalise each coordinate over the class
			lo, hi := math.Inf(1), math.Inf(-1)
			for s := range ns {
				lo, hi = min(lo, y[s*ev+e]), max(hi, y[s*ev+e])
			}
			for s := range ns {
				y[s*ev+e] = (y[s*ev+e] - lo) / max(hi-lo, math.SmallestNonzeroFloat64) * maxFrac
			}
		}
		for s := range ns {
			smp := Sample{Times: make([]float64, ev), Units: make([]int32, ev), Label: int32(c)}
			for e := range ev {
				smp.Times[e], smp.Units[e] = y[s*ev+e]*span, int32(e%o.Units)
			}
			set.Samples = append(set.Samples, smp)
		}
	}
	r.Shuffle(len(set.Samples), func(i, j int) { set.Samples[i], set.Samples[j] = set.Samples[j], set.Samples[i] })
	return set, nil
}

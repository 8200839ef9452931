package dataset

import (
	"math"
	"math/rand/v2"
)

// Sample is one labelled spike-train sample: event i is a spike of input unit
// Units[i] at time Times[i]. Events need not be sorted.
type Sample struct {
	// Times holds the spike times in seconds, [events].
	Times []float64
	// Units holds the spiking unit of each event, [events], in [0, Set.Units).
	Units []int32
	// Label is the sample's class, in [0, Set.Classes).
	Label int32
}

// Set is a labelled set of spike-train samples over a common input layer.
type Set struct {
	// Units is the number of input channels.
	Units int
	// Duration is the nominal length of every sample in seconds.
	Duration float64
	// Classes is the number of classes; labels lie in [0, Classes).
	Classes int
	// Samples holds the samples.
	Samples []Sample
}

// Random-stream selectors, so that the same user seed gives independent
// streams for different purposes.
const (
	streamRandman = 0x72616e646d616e // "randman"
	streamSplit   = 0x73706c6974     // "split"
	streamBatches = 0x62617463686573 // "batches"
)

// Dense bins the samples idx into a row-major float32 array x of shape
// [steps, len(idx), s.Units] (time-major): x[t,b,u] counts the spikes of unit
// u of sample idx[b] with floor(time/dt) == t. Events at or after steps*dt
// (or with a negative time) are dropped. labels, [len(idx)], holds the
// samples' labels.
//
// Dense returns nil, nil if steps ≤ 0, dt is not positive and finite, or an
// index lies outside [0, len(s.Samples)).
func (s *Set) Dense(idx []int, steps int, dt float64) (x []float32, labels []int32) {
	if steps <= 0 || !(dt > 0) || math.IsInf(dt, 1) {
		return nil, nil
	}
	for _, i := range idx {
		if i < 0 || i >= len(s.Samples) {
			return nil, nil
		}
	}
	nb, nu := len(idx), s.Units
	x = make([]float32, steps*nb*nu)
	labels = make([]int32, nb)
	for b, i := range idx {
		smp := &s.Samples[i]
		labels[b] = smp.Label
		for e := range min(len(smp.Times), len(smp.Units)) {
			u := int(smp.Units[e])
			t := math.Floor(smp.Times[e] / dt)
			if u < 0 || u >= nu || !(t >= 0 && t < float64(steps)) {
				continue
			}
			x[(int(t)*nb+b)*nu+u]++
		}
	}
	return x, labels
}

// Split shuffles the samples with seed and puts the first round(frac × N) of
// them, in shuffled order, into train and the rest into test (frac is clamped
// to [0, 1]). Both sets share Units, Duration and Classes with s, and share
// the samples' event slices with s. The result depends only on N, frac and
// seed.
func (s *Set) Split(frac float64, seed uint64) (train, test *Set) {
	n := len(s.Samples)
	perm := rand.New(rand.NewPCG(seed, streamSplit)).Perm(n)
	k := 0
	if frac > 0 {
		k = int(math.Round(min(frac, 1) * float64(n)))
	}
	return s.subset(perm[:k]), s.subset(perm[k:])
}

// subset returns a set with s's metadata and the samples idx, in that order.
func (s *Set) subset(idx []int) *Set {
	out := &Set{Units: s.Units, Duration: s.Duration, Classes: s.Classes, Samples: make([]Sample, len(idx))}
	for j, i := range idx {
		out.Samples[j] = s.Samples[i]
	}
	return out
}

// Batches returns the sample indices of each batch of one epoch, [N/batch]
// lists of exactly batch indices. The last partial batch is always dropped,
// so every batch has the same static shape. With shuffle the order is a
// permutation drawn from (seed, epoch), different for each epoch; without it
// the indices run 0, 1, 2, ... Batches returns nil if batch ≤ 0 or batch
// exceeds the number of samples; callers should treat that as an error.
func (s *Set) Batches(batch int, shuffle bool, seed uint64, epoch int) [][]int {
	n := len(s.Samples)
	if batch <= 0 || batch > n {
		return nil
	}
	var order []int
	if shuffle {
		order = rand.New(rand.NewPCG(seed^streamBatches, uint64(epoch))).Perm(n)
	} else {
		order = make([]int, n)
		for i := range order {
			order[i] = i
		}
	}
	out := make([][]int, n/batch)
	for i := range out {
		out[i] = order[i*batch : (i+1)*batch : (i+1)*batch]
	}
	return out
}

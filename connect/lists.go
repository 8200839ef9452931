package connect

import (
	"fmt"
	"math"
	"path/filepath"
	"sort"

	"github.com/brainc/brainc/ir"
	"github.com/brainc/brainc/npyio"
)

// Limits on the values of a conn file: past them a run cannot be
// meaningful (a weight of 1e300 overflows float32 at the first spike; a delay
// longer than a day of model time cannot be buffered).
const (
	// MaxWeight bounds the magnitude of a per-synapse weight (the bound of
	// every weight, ir.MaxWeight).
	MaxWeight = ir.MaxWeight
	// MaxDelayMS bounds a per-synapse delay (ms): one day of model time.
	MaxDelayMS = 86_400_000.0
)

// Lists are explicit synapses: Pre[k] → Post[k], with optional per-synapse
// Weight and Delay (ms) arrays (nil when absent). They are the IR's
// SynapseList, which a network holds once its conn file is read.
type Lists = ir.SynapseList

// FromLists builds the matrix of explicit synapses, returning their
// weights and delays in the matrix's order (rows by pre, each by post;
// duplicates are kept as separate synapses).
func FromLists(npre, npost int, l Lists) (*Matrix, Lists, error) {
	if err := checkSizes(npre, npost); err != nil {
		return nil, Lists{}, err
	}
	if len(l.Pre) != len(l.Post) {
		return nil, Lists{}, fmt.Errorf("pre has %d entries but post has %d", len(l.Pre), len(l.Post))
	}
	for _, a := range []struct {
		name string
		v    []float64
	}{{"weight", l.Weight}, {"delay", l.Delay}} {
		if a.v != nil && len(a.v) != len(l.Pre) {
			return nil, Lists{}, fmt.Errorf("%s has %d entries, expected %d (one per synapse)", a.name, len(a.v), len(l.Pre))
		}
	}
	for k := range l.Pre {
		switch {
		case l.Pre[k] < 0 || l.Pre[k] >= int64(npre):
			return nil, Lists{}, fmt.Errorf("pre[%d] is %d, outside the pre population [0, %d)", k, l.Pre[k], npre)
		case l.Post[k] < 0 || l.Post[k] >= int64(npost):
			return nil, Lists{}, fmt.Errorf("post[%d] is %d, outside the post population [0, %d)", k, l.Post[k], npost)
		case l.Delay != nil && !(l.Delay[k] >= 0 && l.Delay[k] <= MaxDelayMS):
			return nil, Lists{}, fmt.Errorf("delay[%d] is %g ms, expected a finite delay in [0, %g] ms", k, l.Delay[k], MaxDelayMS)
		case l.Weight != nil && (math.IsNaN(l.Weight[k]) || math.Abs(l.Weight[k]) > MaxWeight):
			return nil, Lists{}, fmt.Errorf("weight[%d] is %g, expected a finite weight of magnitude ≤ %g", k, l.Weight[k], MaxWeight)
		}
	}
	order := make([]int, len(l.Pre))
	for k := range order {
		order[k] = k
	}
	sort.SliceStable(order, func(a, b int) bool {
		ka, kb := order[a], order[b]
		if l.Pre[ka] != l.Pre[kb] {
			return l.Pre[ka] < l.Pre[kb]
		}
		return l.Post[ka] < l.Post[kb]
	})
	m := &Matrix{NPre: npre, NPost: npost, Indptr: make([]int32, npre+1), Indices: make([]int32, len(l.Pre))}
	permute := func(v []float64) []float64 {
		if v == nil {
			return nil
		}
		out := make([]float64, len(v))
		for i, k := range order {
			out[i] = v[k]
		}
		return out
	}
	for i, k := range order {
		m.Indices[i] = int32(l.Post[k])
		m.Indptr[l.Pre[k]+1]++
	}
	for i := 0; i < npre; i++ {
		m.Indptr[i+1] += m.Indptr[i]
	}
	return m, Lists{Weight: permute(l.Weight), Delay: permute(l.Delay)}, nil
}

// ReadLists reads explicit synapses from a file:
//
//   - .npz: integer arrays "pre" and "post" and optional float arrays
//     "weight" and "delay" (ms), all of one length;
//   - .npy: one 2-D array [S, 2…4] whose columns are pre, post, and
//     optionally weight and delay (ms); pre and post must be whole numbers.
func ReadLists(path string) (Lists, error) {
	if filepath.Ext(path) == ".npy" {
		return readListsNPY(path)
	}
	byName, err := npyio.ReadNPZMap(path)
	if err != nil {
		return Lists{}, err
	}
	ints := func(name string) ([]int64, error) {
		a, ok := byName[name]
		if !ok {
			return nil, fmt.Errorf("%s: no array %q (expected pre, post and optionally weight, delay)", path, name)
		}
		switch d := a.Data.(type) {
		case []int64:
			return d, nil
		case []int32:
			out := make([]int64, len(d))
			for i, x := range d {
				out[i] = int64(x)
			}
			return out, nil
		}
		return nil, fmt.Errorf("%s: %s must hold integers, got %T", path, name, a.Data)
	}
	floats := func(name string) ([]float64, error) {
		a, ok := byName[name]
		if !ok {
			return nil, nil
		}
		v, err := npyio.Float64s(a)
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %w", path, name, err)
		}
		return v, nil
	}
	var l Lists
	if l.Pre, err = ints("pre"); err != nil {
		return Lists{}, err
	}
	if l.Post, err = ints("post"); err != nil {
		return Lists{}, err
	}
	if l.Weight, err = floats("weight"); err != nil {
		return Lists{}, err
	}
	if l.Delay, err = floats("delay"); err != nil {
		return Lists{}, err
	}
	return l, nil
}

// readListsNPY reads the [S, 2…4] table form of ReadLists.
func readListsNPY(path string) (Lists, error) {
	a, err := npyio.ReadNPYFile(path)
	if err != nil {
		return Lists{}, err
	}
	if len(a.Shape) != 2 || a.Shape[1] < 2 || a.Shape[1] > 4 {
		return Lists{}, fmt.Errorf("%s: expected a 2-D array [synapses, 2…4] (pre, post[, weight[, delay]]), got shape %v", path, a.Shape)
	}
	v, err := npyio.Float64s(a)
	if err != nil {
		return Lists{}, fmt.Errorf("%s: %w", path, err)
	}
	s, cols := a.Shape[0], a.Shape[1]
	l := Lists{Pre: make([]int64, s), Post: make([]int64, s)}
	if cols > 2 {
		l.Weight = make([]float64, s)
	}
	if cols > 3 {
		l.Delay = make([]float64, s)
	}
	for k := range s {
		row := v[k*cols : (k+1)*cols]
		for c, dst := range []*int64{&l.Pre[k], &l.Post[k]} {
			if row[c] != float64(int64(row[c])) {
				return Lists{}, fmt.Errorf("%s: row %d: %s index %g is not a whole number", path, k, [2]string{"pre", "post"}[c], row[c])
			}
			*dst = int64(row[c])
		}
		if cols > 2 {
			l.Weight[k] = row[2]
		}
		if cols > 3 {
			l.Delay[k] = row[3]
		}
	}
	return l, nil
}

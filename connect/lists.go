package connect

import (
	"fmt"
	"sort"

	"github.com/brainc/brainc/npyio"
)

// FromLists builds the matrix of explicit synapses pre[k] → post[k], with
// optional per-synapse weights (nil for none), returning the weights in the
// matrix's order (rows by pre, each by post; duplicates are kept as
// separate synapses).
func FromLists(npre, npost int, pre, post []int64, weight []float64) (*Matrix, []float64, error) {
	if err := checkSizes(npre, npost); err != nil {
		return nil, nil, err
	}
	if len(pre) != len(post) {
		return nil, nil, fmt.Errorf("pre has %d entries but post has %d", len(pre), len(post))
	}
	if weight != nil && len(weight) != len(pre) {
		return nil, nil, fmt.Errorf("weight has %d entries, expected %d (one per synapse)", len(weight), len(pre))
	}
	for k := range pre {
		switch {
		case pre[k] < 0 || pre[k] >= int64(npre):
			return nil, nil, fmt.Errorf("pre[%d] is %d, outside the pre population [0, %d)", k, pre[k], npre)
		case post[k] < 0 || post[k] >= int64(npost):
			return nil, nil, fmt.Errorf("post[%d] is %d, outside the post population [0, %d)", k, post[k], npost)
		}
	}
	order := make([]int, len(pre))
	for k := range order {
		order[k] = k
	}
	sort.SliceStable(order, func(a, b int) bool {
		ka, kb := order[a], order[b]
		if pre[ka] != pre[kb] {
			return pre[ka] < pre[kb]
		}
		return post[ka] < post[kb]
	})
	m := &Matrix{NPre: npre, NPost: npost, Indptr: make([]int32, npre+1), Indices: make([]int32, len(pre))}
	var w []float64
	if weight != nil {
		w = make([]float64, len(pre))
	}
	for i, k := range order {
		m.Indices[i] = int32(post[k])
		m.Indptr[pre[k]+1]++
		if w != nil {
			w[i] = weight[k]
		}
	}
	for i := 0; i < npre; i++ {
		m.Indptr[i+1] += m.Indptr[i]
	}
	return m, w, nil
}

// ReadLists reads explicit synapses from an .npz: integer arrays "pre" and
// "post" and an optional float array "weight", all of one length.
func ReadLists(path string) (pre, post []int64, weight []float64, err error) {
	names, arrays, err := npyio.ReadNPZ(path)
	if err != nil {
		return nil, nil, nil, err
	}
	get := func(name string) (npyio.Array, bool) {
		for i, n := range names {
			if n == name {
				return arrays[i], true
			}
		}
		return npyio.Array{}, false
	}
	ints := func(name string) ([]int64, error) {
		a, ok := get(name)
		if !ok {
			return nil, fmt.Errorf("%s: no array %q (expected pre, post and optionally weight)", path, name)
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
	if pre, err = ints("pre"); err != nil {
		return nil, nil, nil, err
	}
	if post, err = ints("post"); err != nil {
		return nil, nil, nil, err
	}
	if a, ok := get("weight"); ok {
		switch d := a.Data.(type) {
		case []float64:
			weight = d
		case []float32:
			weight = make([]float64, len(d))
			for i, x := range d {
				weight[i] = float64(x)
			}
		default:
			return nil, nil, nil, fmt.Errorf("%s: weight must hold floats, got %T", path, a.Data)
		}
	}
	return pre, post, weight, nil
}

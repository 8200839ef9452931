package emit

import (
	"slices"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // graph DSL
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"

	"github.com/brainc/brainc/lower"
)

// copiesDense is a dense projection's input computed for every copy of it
// at once (training's batch, ir.Network.Replicas): when the copies share
// their synapse lists, one gather of the copies' source values side by
// side, [N_pre, copies], and one scatter of [S, copies] rows replace a
// gather and a scatter per copy. It returns pr's slice (its column), or nil
// when pr has no such copies.
func (st *stepper) copiesDense(pr *lower.Projection, state []*Node) *Node {
	if x, ok := st.batched[pr]; ok {
		return x
	}
	fam := st.family(pr)
	if fam == nil {
		st.batched[pr] = nil
		return nil
	}
	values := make([]*Node, len(fam))
	weights := make([]*Node, len(fam))
	for k, q := range fam {
		values[k], weights[k] = st.denseInputs(q, state)
	}
	n := len(fam)
	pre, post := st.consts[pr.PreList], st.consts[pr.PostList]
	s := pre.Shape().Dimensions[0]
	w := Stack(weights, -1) // [copies] or [S, copies]
	if w.Rank() == 1 {
		w = BroadcastToDims(Reshape(w, 1, n), s, n)
	}
	rows := Mul(Gather(Stack(values, -1), ExpandAxes(pre, -1)), w)
	acc := Zeros(pre.Graph(), shapes.Make(st.p.DType, pr.Target.Size, n))
	sums := ScatterSum(acc, ExpandAxes(post, -1), rows, false, false)
	for k, q := range fam {
		st.batched[q] = Reshape(Slice(sums, AxisRange(), AxisRange(k, k+1)), pr.Target.Size)
	}
	return st.batched[pr]
}

// family lists the copies of pr's original in copy order when they are
// all dense without plasticity, with equal sizes and equal synapse lists
// (nil otherwise, or for a projection that is no copy).
func (st *stepper) family(pr *lower.Projection) []*lower.Projection {
	r, ok := st.p.Net.Replicas[pr.Name]
	if !ok {
		return nil
	}
	var fam []*lower.Projection
	for _, q := range st.p.Projs {
		if qr, ok := st.p.Net.Replicas[q.Name]; ok && qr.Of == r.Of {
			fam = append(fam, q)
		}
	}
	first := fam[0]
	for _, q := range fam {
		if q.Kernel != lower.KernelDense || q.Plastic != nil || q.Pre.Size != first.Pre.Size || q.Target.Size != first.Target.Size ||
			st.p.Consts[q.Weight].DType != st.p.DType || !slices.Equal(st.p.Consts[q.Weight].Shape, st.p.Consts[first.Weight].Shape) ||
			!sameValues(st.p.Consts[q.PreList].Value, st.p.Consts[first.PreList].Value) ||
			!sameValues(st.p.Consts[q.PostList].Value, st.p.Consts[first.PostList].Value) {
			return nil
		}
	}
	if len(fam) < 2 {
		return nil
	}
	return fam
}

// sameValues reports whether two Int32 host tensors hold the same values.
func sameValues(a, b *tensors.Tensor) bool {
	if a == nil || b == nil || !a.Shape().Equal(b.Shape()) {
		return false
	}
	var x, y []int32
	a.ConstFlatData(func(v any) { x, _ = v.([]int32) })
	b.ConstFlatData(func(v any) { y, _ = v.([]int32) })
	return x != nil && slices.Equal(x, y)
}

package emit

import (
	"slices"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // graph DSL
	"github.com/gomlx/gomlx/pkg/core/shapes"

	"github.com/brainc/brainc/lower"
	"github.com/brainc/brainc/ops"
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
	if st.tiedMatrix(fam) {
		// One matrix for every copy: W [N_pre, N_post] from the first's
		// per-synapse weights, then one product with the copies' values.
		w := weights[0]
		at := Concatenate([]*Node{ExpandAxes(pre, -1), ExpandAxes(post, -1)}, -1)
		m := ScatterSum(Zeros(w.Graph(), shapes.Make(st.p.DType, pr.Pre.Size, pr.Target.Size)), at, w, false, false)
		sums := ops.Linear(Transpose(m, 0, 1), Stack(values, -1)) // [N_post, copies]
		for k, q := range fam {
			st.batched[q] = Reshape(Slice(sums, AxisRange(), AxisRange(k, k+1)), pr.Target.Size)
		}
		return st.batched[pr]
	}
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
// all dense without plasticity, with equal sizes and one synapse list
// (equal tables share an argument, lower.TrainSignature.ConstOf; nil
// otherwise, or for a projection that is no copy).
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
			st.constOf[q.PreList] != st.constOf[first.PreList] || st.constOf[q.PostList] != st.constOf[first.PostList] {
			return nil
		}
	}
	if len(fam) < 2 {
		return nil
	}
	return fam
}

// tiedMatrix reports whether a family's copies propagate through one
// weight matrix: they read one tied per-synapse weight (one argument,
// lower.TrainSignature.ConstOf), and the synapses fill at least
// matrixMinDensity of the matrix (a product then beats a gather and a
// scatter per copy).
func (st *stepper) tiedMatrix(fam []*lower.Projection) bool {
	pr := fam[0]
	if st.constOf == nil || len(st.p.Consts[pr.Weight].Shape) != 1 {
		return false
	}
	for _, q := range fam {
		if st.constOf[q.Weight] != st.constOf[pr.Weight] {
			return false
		}
	}
	return float64(st.p.Consts[pr.Weight].Shape[0]) >= matrixMinDensity*float64(pr.Pre.Size)*float64(pr.Target.Size)
}

// matrixMinDensity is the fraction of a projection's possible synapses
// from which tied copies propagate through a dense matrix.
const matrixMinDensity = 0.25

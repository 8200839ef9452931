package emit

import (
	"slices"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // graph DSL
	"github.com/gomlx/gomlx/pkg/core/shapes"

	"github.com/brainc/brainc/lower"
	"github.com/brainc/brainc/ops"
	"github.com/brainc/brainc/plan"
)

// copiesDense is a dense projection's input computed for every copy of it
// at once (training's batch, ir.Network.Replicas): pr's column of
// familySums, or nil when pr has no such copies.
func (st *stepper) copiesDense(pr *lower.Projection, state []*Node) *Node {
	if x, ok := st.batched[pr]; ok {
		return x
	}
	fam := st.family(pr)
	if fam == nil {
		st.batched[pr] = nil
		return nil
	}
	sums := st.familySums(fam, state)
	for k, q := range fam {
		st.batched[q] = Reshape(Slice(sums, AxisRange(), AxisRange(k, k+1)), pr.Target.Size)
	}
	return st.batched[pr]
}

// familySums is the input of every copy of a family (see family) side by
// side, [N_post, copies]: when the copies share their synapse lists, one
// gather of the copies' source values, [N_pre, copies], and one scatter of
// [S, copies] rows (or, for one tied weight filling enough of the matrix,
// one matrix product) replace a gather and a scatter per copy.
func (st *stepper) familySums(fam []*lower.Projection, state []*Node) *Node {
	if x, ok := st.famSums[fam[0]]; ok {
		return x
	}
	pr, n := fam[0], len(fam)
	values := st.familyValues(fam, state)
	weights := make([]*Node, n)
	for k, q := range fam {
		weights[k] = st.consts[q.Weight.Index]
	}
	pre, post := st.consts[pr.PreList.Index], st.consts[pr.PostList.Index]
	s := pre.Shape().Dimensions[0]
	var sums *Node
	if st.tiedMatrix(fam) {
		// One matrix for every copy: W [N_pre, N_post] from the first's
		// per-synapse weights, then one product with the copies' values.
		w := weights[0]
		at := Concatenate([]*Node{ExpandAxes(pre, -1), ExpandAxes(post, -1)}, -1)
		m := ScatterSum(Zeros(w.Graph(), shapes.Make(st.p.DType, pr.Pre.Size, pr.Target.Size)), at, w, false, false)
		sums = ops.Linear(Transpose(m, 0, 1), values)
	} else {
		w := Stack(weights, -1) // [copies] or [S, copies]
		if w.Rank() == 1 {
			w = BroadcastToDims(Reshape(w, 1, n), s, n)
		}
		rows := Mul(Gather(values, ExpandAxes(pre, -1)), w)
		acc := Zeros(pre.Graph(), shapes.Make(st.p.DType, pr.Target.Size, n))
		sums = ScatterSum(acc, ExpandAxes(post, -1), rows, false, false)
	}
	st.famSums[fam[0]] = sums
	return sums
}

// familyValues is what every copy of a family transmits, [N_pre, copies]:
// one gather from the block's spikes when the copies' sources share a
// block and transmit plain spikes, else each copy's values stacked.
func (st *stepper) familyValues(fam []*lower.Projection, state []*Node) *Node {
	b := fam[0].Pre.Block
	plain := true
	for _, q := range fam {
		plain = plain && q.PreState == nil && q.STP == nil && q.Pre.Block == b
	}
	if !plain {
		values := make([]*Node, len(fam))
		for k, q := range fam {
			values[k] = st.sourceValues(q, state)
		}
		return Stack(values, -1)
	}
	n, size := len(fam), fam[0].Pre.Size
	spikes := ops.SpikesAsFloat(state[b.Spike.Index], st.p.DType)
	pres := make([]*lower.Population, n)
	for k, q := range fam {
		pres[k] = q.Pre
	}
	if base, ok := adjacent(pres); ok { // the copies side by side: one slice, [copies, size] transposed
		return Transpose(Reshape(Slice(spikes, AxisRange(base, base+n*size)), n, size), 0, 1)
	}
	at := make([]int32, size*n)
	for k, q := range fam {
		for i := range size {
			at[i*n+k] = int32(q.Pre.Offset + i)
		}
	}
	return Gather(spikes, Reshape(Const(spikes.Graph(), at), size, n, 1))
}

// class is a set of a group's parts that are the copies of the same
// projections (see batchedGroup).
type class struct {
	// fams are the families each part takes a member of, in order.
	fams [][]*lower.Projection
	// col is the population each column of the families' sums feeds.
	col []*lower.Population
}

// batchedGroup is a group's input in one scatter per class of its parts,
// when each class is the copies of the same projections: its parts each
// hold, in order, one member of each of the same families (none
// delayed), every member once. A class's families' sums, added in that
// order ([N_post, copies]), are scattered to its parts' neurons (zero at
// the group's other neurons): the sums per neuron are the ones
// groupInput would add. Nil when the group is not so.
func (st *stepper) batchedGroup(grp *lower.Group, state []*Node) *Node {
	if st.batched == nil || grp.PreSide || len(grp.Parts) < 2 {
		return nil
	}
	var classes []*class
	for _, part := range grp.Parts {
		var fams [][]*lower.Projection
		for _, pr := range part.Projs {
			fam := st.family(pr)
			if fam == nil || pr.Delay != nil || pr.Target != part.Pop {
				return nil
			}
			fams = append(fams, fam)
		}
		var cls *class
		for _, c := range classes {
			if c.fams[0][0] == fams[0][0] {
				cls = c
			}
		}
		if cls == nil {
			cls = &class{fams: fams, col: make([]*lower.Population, len(fams[0]))}
			classes = append(classes, cls)
		}
		if len(fams) != len(cls.fams) {
			return nil
		}
		k := slices.Index(fams[0], part.Projs[0])
		for j, pr := range part.Projs {
			if fams[j][0] != cls.fams[j][0] || slices.Index(fams[j], pr) != k {
				return nil
			}
		}
		if cls.col[k] != nil {
			return nil
		}
		cls.col[k] = part.Pop
	}
	g := state[0].Graph()
	for _, c := range classes {
		if slices.Contains(c.col, nil) {
			return nil
		}
	}
	if x := st.adjacentClasses(grp, classes, state); x != nil {
		return x
	}
	x := Zeros(g, shapes.Make(st.p.DType, grp.Post.Size))
	for _, c := range classes {
		sum := st.classSum(c, state)
		n, size := len(c.col), c.col[0].Size
		at := make([]int32, size*n)
		for k, pop := range c.col {
			for i := range size {
				at[i*n+k] = int32(pop.Offset + i)
			}
		}
		x = ScatterSum(x, Reshape(Const(g, at), size*n, 1), Reshape(sum, size*n), false, true)
	}
	return x
}

// family lists the copies of pr's original in copy order when they are
// all dense without plasticity, with equal sizes and one synapse list
// (equal tables share an argument, signature.Train.ConstOf; nil
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
		if q.Kernel != plan.KernelDense || q.Plastic != nil || q.Pre.Size != first.Pre.Size || q.Target.Size != first.Target.Size ||
			q.Weight.DType != st.p.DType || !slices.Equal(q.Weight.Shape, first.Weight.Shape) ||
			st.constOf[q.PreList.Index] != st.constOf[first.PreList.Index] || st.constOf[q.PostList.Index] != st.constOf[first.PostList.Index] {
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
// signature.Train.ConstOf), and the synapses fill at least
// matrixMinDensity of the matrix (a product then beats a gather and a
// scatter per copy).
func (st *stepper) tiedMatrix(fam []*lower.Projection) bool {
	pr := fam[0]
	if st.constOf == nil || len(pr.Weight.Shape) != 1 {
		return false
	}
	for _, q := range fam {
		if st.constOf[q.Weight.Index] != st.constOf[pr.Weight.Index] {
			return false
		}
	}
	return float64(pr.Weight.Shape[0]) >= matrixMinDensity*float64(pr.Pre.Size)*float64(pr.Target.Size)
}

// matrixMinDensity is the fraction of a projection's possible synapses
// from which tied copies propagate through a dense matrix.
const matrixMinDensity = 0.25

// adjacentClasses is batchedGroup's input when every class's populations
// lie side by side in copy order (lower.Options.Differentiable lays a
// batch out so): each class's sums, transposed to [copies, size], are one
// slice of the block, the block's other neurons zero. Nil otherwise.
func (st *stepper) adjacentClasses(grp *lower.Group, classes []*class, state []*Node) *Node {
	type piece struct {
		at int
		x  *Node
	}
	var pieces []piece
	for _, c := range classes {
		base, ok := adjacent(c.col)
		if !ok {
			return nil
		}
		sum := st.classSum(c, state)
		n, size := len(c.col), c.col[0].Size
		pieces = append(pieces, piece{base, Reshape(Transpose(sum, 0, 1), n*size)})
	}
	slices.SortFunc(pieces, func(a, b piece) int { return a.at - b.at })
	g := state[0].Graph()
	var parts []*Node
	at := 0
	for _, p := range pieces {
		if p.at > at {
			parts = append(parts, Zeros(g, shapes.Make(st.p.DType, p.at-at)))
		}
		parts = append(parts, p.x)
		at = p.at + p.x.Shape().Dimensions[0]
	}
	if at < grp.Post.Size {
		parts = append(parts, Zeros(g, shapes.Make(st.p.DType, grp.Post.Size-at)))
	}
	if len(parts) == 1 {
		return parts[0]
	}
	return Concatenate(parts, 0)
}

// adjacent returns the offset of the first of pops when they lie side by
// side in one block in this order, with no other neurons between them.
func adjacent(pops []*lower.Population) (int, bool) {
	for k := 1; k < len(pops); k++ {
		if pops[k].Block != pops[0].Block || pops[k].Offset != pops[k-1].Offset+pops[k-1].Size {
			return 0, false
		}
	}
	return pops[0].Offset, true
}

// classSum is a class's families' sums added in their order, [N_post,
// copies].
func (st *stepper) classSum(c *class, state []*Node) *Node {
	var sum *Node
	for _, fam := range c.fams {
		sum = plus(sum, st.familySums(fam, state))
	}
	return sum
}

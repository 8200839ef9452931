package ops

import (
	"fmt"
	"math"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // graph DSL
	"github.com/gomlx/gomlx/pkg/core/shapes"

	"github.com/brainc/brainc/connect"
)

// Procedural is connectivity that is never stored: the targets (and
// weights) of a presynaptic neuron are regenerated inside the graph, each
// time they are needed, from a counter-based hash of (Key, pre, slot). It
// holds O(1) memory per projection instead of O(synapses).
//
// The rule is FixedProb: every (pre, post) pair is connected independently
// with probability Prob. Row i is drawn by geometric skipping, like
// connect.FixedProb: slot k's gap to the next target is
// ⌊log u_k / log(1−Prob)⌋ with u_k uniform from hash(hash(i + Key) + k·φ),
// so targets come out increasing and distinct. A row has Width slots;
// targets past NPost pad it (with NPost). Width is the mean row length plus
// 7 standard deviations, so a row is cut short with probability below 1e-11
// (the same row is cut identically every time, and in ProceduralMatrix).
type Procedural struct {
	NPre, NPost int
	// Prob is the connection probability, in (0, 1).
	Prob float64
	// Key selects the connectivity (derive it from the seed and projection).
	Key uint32
	// NoSelf drops i → i (a projection onto its own population).
	NoSelf bool
	// Width is the number of slots per row (ProceduralWidth).
	Width int
	// Dist is the weight distribution, scaled by the weight passed to the
	// operators: "const" (every synapse 1), "uniform" (in [A, B)) or
	// "normal" (mean A, standard deviation B).
	Dist string
	A, B float64
}

// NewProcedural checks the sizes and probability and sets Width; weights
// are constant (Dist "const").
func NewProcedural(nPre, nPost int, p float64, key uint32, noSelf bool) (Procedural, error) {
	if nPre <= 0 || nPost <= 0 || nPre >= math.MaxInt32 || nPost >= math.MaxInt32 {
		return Procedural{}, fmt.Errorf("procedural connectivity: sizes must be in [1, 2³¹−1), got %d × %d", nPre, nPost)
	}
	if !(p > 0 && p < 1) {
		return Procedural{}, fmt.Errorf("procedural connectivity: probability must be in (0, 1), got %g", p)
	}
	return Procedural{NPre: nPre, NPost: nPost, Prob: p, Key: key, NoSelf: noSelf,
		Width: ProceduralWidth(nPost, p), Dist: "const"}, nil
}

// ProceduralWidth is the row width for nPost candidates at probability p:
// ⌈mean + 7·sd⌉ + 4 of the Binomial(nPost, p) row length, at most nPost.
func ProceduralWidth(nPost int, p float64) int {
	mean := float64(nPost) * p
	w := int(math.Ceil(mean+7*math.Sqrt(mean*(1-p)))) + 4
	return min(w, nPost)
}

// Synapses is the expected number of synapses.
func (pr Procedural) Synapses() float64 {
	n := float64(pr.NPre) * float64(pr.NPost)
	if pr.NoSelf {
		n -= float64(min(pr.NPre, pr.NPost))
	}
	return n * pr.Prob
}

// Hash32 is the 32-bit integer hash the graph computes (an xorshift-multiply
// finaliser), for host code that must agree with it bit for bit.
func Hash32(x uint32) uint32 {
	x ^= x >> 16
	x *= 0x7feb352d
	x ^= x >> 15
	x *= 0x846ca68b
	x ^= x >> 16
	return x
}

// golden is the slot multiplier φ·2³² that spreads slot counters.
const golden = 0x9E3779B9

// hash32 is Hash32 on a Uint32 node.
func hash32(x *Node) *Node {
	g := x.Graph()
	u := func(v uint32) *Node { return Scalar(g, dtypes.Uint32, v) }
	x = BitwiseXor(x, BitwiseShiftRightLogicalScalar(x, 16))
	x = Mul(x, u(0x7feb352d))
	x = BitwiseXor(x, BitwiseShiftRightLogicalScalar(x, 15))
	x = Mul(x, u(0x846ca68b))
	return BitwiseXor(x, BitwiseShiftRightLogicalScalar(x, 16))
}

// uniform maps hashes to floats in (0, 1): (h>>8 + ½)/2²⁴.
func uniform(h *Node, dt dtypes.DType) *Node {
	return MulScalar(AddScalar(ConvertDType(BitwiseShiftRightLogicalScalar(h, 8), dt), 0.5), 1.0/(1<<24))
}

// slotHashes returns hash(hash(pre + Key) + k·φ) for pre Int32 [R] and
// k < Width: Uint32 [R, Width].
func (pr Procedural) slotHashes(pre *Node) *Node {
	g := pre.Graph()
	row := hash32(Add(ConvertDType(pre, dtypes.Uint32), Scalar(g, dtypes.Uint32, pr.Key)))
	k := Mul(Iota(g, shapes.Make(dtypes.Uint32, 1, pr.Width), 1), Scalar(g, dtypes.Uint32, uint32(golden)))
	return hash32(Add(ExpandAxes(row, -1), k))
}

// Rows returns the targets of the presynaptic neurons pre (Int32 [R]; values
// ≥ NPre, e.g. Compact's padding, give empty rows): Int32 [R, Width],
// increasing, padded with NPost.
func (pr Procedural) Rows(pre *Node) *Node {
	g := pre.Graph()
	u := uniform(pr.slotHashes(pre), dtypes.Float32)
	gap := Floor(DivScalar(Log(u), math.Log1p(-pr.Prob)))
	// Clamp before converting: a gap beyond NPost ends the row anyway.
	gap = ConvertDType(Min(gap, Scalar(g, dtypes.Float32, float32(pr.NPost))), dtypes.Int32)
	pos := AddScalar(CumSum(AddScalar(gap, 1), 1), -1)
	nPost := Scalar(g, dtypes.Int32, int32(pr.NPost))
	valid := And(LessThan(pos, nPost), ExpandAxes(LessThan(pre, Scalar(g, dtypes.Int32, int32(pr.NPre))), -1))
	if pr.NoSelf {
		valid = And(valid, NotEqual(pos, ExpandAxes(pre, -1)))
	}
	return Where(valid, pos, BroadcastToShape(nPost, pos.Shape()))
}

// Weights returns the synaptic weights of Rows(pre), [R, Width] of scale's
// dtype: scale times 1, a uniform draw in [A, B) or a normal draw (mean A,
// sd B), each from its own hash stream. Padded slots get arbitrary values
// (they are discarded by the targets' padding).
func (pr Procedural) Weights(pre, scale *Node) *Node {
	dt := scale.DType()
	switch pr.Dist {
	case "uniform", "normal":
		h := hash32(BitwiseXor(pr.slotHashes(pre), Scalar(pre.Graph(), dtypes.Uint32, 0x5bd1e995)))
		u := uniform(h, dt)
		var w *Node
		if pr.Dist == "uniform" {
			w = AddScalar(MulScalar(u, pr.B-pr.A), pr.A)
		} else { // Box–Muller with a second stream
			w = AddScalar(MulScalar(boxMuller(u, uniform(hash32(h), dt)), pr.B), pr.A)
		}
		return Mul(w, scale)
	}
	return BroadcastToShape(scale, shapes.Make(dt, pre.Shape().Dimensions[0], pr.Width))
}

// ProceduralEvent is the event-driven form: the summed weights onto every
// postsynaptic neuron from the firing neurons idx (Int32 [C], padded with
// NPre, as Compact returns). Returns [NPost] of scale's dtype. Work is
// O(C·Width): only rows of neurons that fired are generated.
func ProceduralEvent(idx *Node, pr Procedural, scale *Node) *Node {
	return scatterRows(pr, pr.Rows(idx), pr.Weights(idx, scale))
}

// ProceduralEventWindow is ProceduralEvent onto n consecutive targets
// only, from first (an Int32 scalar node, which may be negative or run
// past NPost): every firing row is regenerated whole (geometric skipping
// runs along the row) and its targets outside the window dropped.
// Returns [n]; target first+j sums its inputs in the order
// ProceduralEvent's target does (one device's share of a projection
// split by target).
func ProceduralEventWindow(idx *Node, pr Procedural, scale, first *Node, n int) *Node {
	targets := Sub(pr.Rows(idx), first)
	g := idx.Graph()
	inside := And(GreaterOrEqual(targets, ScalarZero(g, dtypes.Int32)), LessThan(targets, Scalar(g, dtypes.Int32, n)))
	inside = And(inside, LessThan(Add(targets, first), Scalar(g, dtypes.Int32, pr.NPost))) // not the padding
	targets = Where(inside, targets, Scalar(g, dtypes.Int32, n))
	r := targets.Shape().Dimensions[0]
	return scatterAdd(Reshape(targets, r*pr.Width, 1), Reshape(pr.Weights(idx, scale), r*pr.Width), n)
}

// ProceduralDense is the float form (every row, differentiable with respect
// to spikes and scale): spikes [NPre] float → [NPost].
func ProceduralDense(spikes *Node, pr Procedural, scale *Node) *Node {
	pre := Iota(spikes.Graph(), shapes.Make(dtypes.Int32, pr.NPre), 0)
	w := Mul(pr.Weights(pre, scale), ExpandAxes(spikes, -1))
	return scatterRowsDiff(pr, pr.Rows(pre), w)
}

// ProceduralTranspose is the transposed product: out[i] = Σ_k w_ik·v[t_ik]
// over row i's targets, v [NPost] → [NPre]; the backward pass of
// ProceduralDense with respect to its spikes.
func ProceduralTranspose(v *Node, pr Procedural, scale *Node) *Node {
	g := v.Graph()
	pre := Iota(g, shapes.Make(dtypes.Int32, pr.NPre), 0)
	vp := Concatenate([]*Node{v, Zeros(g, shapes.Make(v.DType(), 1))}, 0) // slot NPost reads 0
	gathered := Reshape(Gather(vp, Reshape(pr.Rows(pre), pr.NPre*pr.Width, 1)), pr.NPre, pr.Width)
	return ReduceSum(Mul(gathered, pr.Weights(pre, scale)), 1)
}

// scatterRows adds weights w [R, Width] into their targets [R, Width]
// (padding targets NPost are dropped).
func scatterRows(pr Procedural, targets, w *Node) *Node {
	r := targets.Shape().Dimensions[0]
	return scatterAdd(Reshape(targets, r*pr.Width, 1), Reshape(w, r*pr.Width), pr.NPost)
}

// scatterRowsDiff is scatterRows with the padding summed into a discard
// slot inside the accumulator, for differentiation: GoMLX differentiates a
// scatter by gathering at its targets, and a gather clamps an index past
// the end onto the last neuron, which would hand the padding a gradient.
func scatterRowsDiff(pr Procedural, targets, w *Node) *Node {
	r := targets.Shape().Dimensions[0]
	acc := Zeros(targets.Graph(), shapes.Make(w.DType(), pr.NPost+1))
	acc = ScatterSum(acc, Reshape(targets, r*pr.Width, 1), Reshape(w, r*pr.Width), false, false)
	return Slice(acc, AxisRange(0, pr.NPost))
}

// ProceduralMatrix builds, on the backend, the stored matrix that pr
// regenerates: the same synapses, for stored propagation or inspection.
// Rows are generated in blocks, so memory stays O(block·Width + synapses).
func ProceduralMatrix(b backends.Backend, pr Procedural) (*connect.Matrix, error) {
	const block = 4096
	exec, err := NewExec(b, func(pre *Node) *Node { return pr.Rows(pre) })
	if err != nil {
		return nil, err
	}
	m := &connect.Matrix{NPre: pr.NPre, NPost: pr.NPost, Indptr: make([]int32, pr.NPre+1)}
	pre := make([]int32, block)
	for start := 0; start < pr.NPre; start += block {
		for i := range pre {
			pre[i] = int32(start + i) // rows past NPre come back empty
		}
		out, err := exec.Exec(pre)
		if err != nil {
			return nil, err
		}
		rows := out[0].Value().([][]int32)
		for i := 0; i < block && start+i < pr.NPre; i++ {
			for _, j := range rows[i] {
				if int(j) < pr.NPost {
					m.Indices = append(m.Indices, j)
				}
			}
			m.Indptr[start+i+1] = int32(len(m.Indices))
		}
	}
	return m, nil
}

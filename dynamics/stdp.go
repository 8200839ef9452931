package dynamics

import (
	"math"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // graph DSL

	"github.com/brainc/brainc/ops"
)

// STDP is pair-based spike-timing-dependent plasticity in the all-to-all
// trace form of Song, Miller & Abbott (2000), with hard bounds:
//
//	dx_pre/dt = −x_pre/τ₊,   x_pre += 1 per presynaptic spike
//	dx_post/dt = −x_post/τ₋, x_post += 1 per postsynaptic spike
//	pre spike:  w ← w − A₋·x_post     post spike: w ← w + A₊·x_pre
//	w clipped to [w_min, w_max]
//
// so a pre/post pair Δt = t_post − t_pre apart changes w by A₊·e^{−Δt/τ₊}
// for Δt ≥ 0 and by −A₋·e^{Δt/τ₋} for Δt < 0 (within the bounds).
type STDP struct {
	TauPlus, TauMinus float64 // ms
	APlus, AMinus     float64
	WMin, WMax        float64
}

// Step advances the traces over dt and applies this step's spikes (float
// 0/1: pre [N_pre], post [N_post]) to the weights w [S] of the synapses
// pre[k] → post[k] (Int32 [S] each). Depression reads the post trace before
// this step's post spikes are added; potentiation reads the pre trace after
// this step's pre spikes are, so a simultaneous pair counts as Δt = 0.
// Returns the new w, x_pre and x_post.
func (r STDP) Step(w, xPre, xPost, pre, post, preList, postList *Node, dt float64) (w2, xPre2, xPost2 *Node) {
	xPre = MulScalar(xPre, math.Exp(-dt/r.TauPlus))
	xPost = MulScalar(xPost, math.Exp(-dt/r.TauMinus))
	at := func(v, list *Node) *Node { return Gather(v, ExpandAxes(list, -1)) }
	w = Sub(w, MulScalar(Mul(at(pre, preList), at(xPost, postList)), r.AMinus))
	xPre = Add(xPre, pre)
	w = Add(w, MulScalar(Mul(at(post, postList), at(xPre, preList)), r.APlus))
	w = MinScalar(MaxScalar(w, r.WMin), r.WMax)
	return w, xPre, Add(xPost, post)
}

// EventTables are a plastic projection's synapses in both orientations, as
// Program constants: the CSR table by presynaptic row (Ptr [N_pre+2],
// Targets [S+1] with a trailing pad entry N_post; Width the longest row),
// and its transpose by postsynaptic column (ColPtr [N_post+2], Sources
// [S+1], the presynaptic neuron of each entry, pad N_pre; Perm [S+1], each
// entry's position in the CSR table, pad S+1 (past the weights: dropped); ColWidth the longest column).
type EventTables struct {
	Ptr, Targets, ColPtr, Sources, Perm *Node
	Width, ColWidth                     int
}

// EventStep is Step for the event-driven kernel: only the synapses of the
// presynaptic neurons that fired (preIdx, compacted, padded with N_pre) and
// of the postsynaptic neurons that fired (postIdx, padded with N_post) are
// touched, O(spikes × fan-out) instead of O(S). w is [S+1], aligned with
// the CSR table (its pad entry is never transmitted; the padding slots'
// changes fall past it and are dropped); pre and post are the spikes as
// floats, for the traces.
// The order of the updates is Step's, so both give the same weights.
func (r STDP) EventStep(w, xPre, xPost, pre, post, preIdx, postIdx *Node, t EventTables, dt float64) (w2, xPre2, xPost2 *Node) {
	xPre = MulScalar(xPre, math.Exp(-dt/r.TauPlus))
	xPost = MulScalar(xPost, math.Exp(-dt/r.TauMinus))
	// update adds a bounded change to the weights at positions pos (Int32 [M, 1]).
	update := func(w, pos, dw *Node) *Node {
		if !ops.DropsOutOfBounds(w.Graph()) { // padding onto the pad entry instead
			pos = MinScalar(pos, float64(w.Shape().Dimensions[0]-1))
		}
		old := Gather(w, pos)
		return ScatterSum(w, pos, Sub(MinScalar(MaxScalar(Add(old, dw), r.WMin), r.WMax), old), false, false)
	}
	slots := ops.CSRSlots(preIdx, t.Ptr, t.Targets, t.Width) // depression on the rows that fired
	targets := ExpandAxes(Gather(t.Targets, slots), -1)
	w = update(w, slots, MulScalar(Gather(ops.AppendZero(xPost), targets), -r.AMinus))
	xPre = Add(xPre, pre)
	cols := ops.CSRSlots(postIdx, t.ColPtr, t.Sources, t.ColWidth) // potentiation on the columns that fired
	sources := ExpandAxes(Gather(t.Sources, cols), -1)
	w = update(w, ExpandAxes(Gather(t.Perm, cols), -1), MulScalar(Gather(ops.AppendZero(xPre), sources), r.APlus))
	return w, xPre, Add(xPost, post)
}

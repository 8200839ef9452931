package dynamics

import (
	"math"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // graph DSL
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

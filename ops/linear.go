package ops

import (
	"fmt"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // graph DSL
)

// Linear is the matrix product a·b, a [M, K] by b [K, N] → [M, N], whose
// gradients are matrix products too: ∂/∂a = v·bᵀ and ∂/∂b = aᵀ·v for the
// adjoint v of the result.
//
// GoMLX v0.26 differentiates Dot and DotGeneral by broadcasting both
// operands to [M, K, N], multiplying and reducing, and XLA's CPU backend
// keeps that form: a backward pass through T unrolled steps then moves
// O(T·M·K·N) bytes instead of doing T small GEMMs. Linear routes the
// adjoint around the Dot: the product itself is taken of gradient-stopped
// operands, and identity nodes with custom gradients on a and b compute the
// two products from the adjoint recorded by a third identity on the result
// (reverse mode reaches the result before its operands).
func Linear(a, b *Node) *Node {
	if a.Rank() != 2 || b.Rank() != 2 || a.Shape().Dimensions[1] != b.Shape().Dimensions[0] {
		panic(fmt.Sprintf("ops.Linear: expected a [M, K] and b [K, N], got a %s and b %s", a.Shape(), b.Shape()))
	}
	var adj *Node // the adjoint of the result, set during the backward pass
	ga := IdentityWithCustomGradient(a, func(_, _ *Node) *Node {
		return Dot(adj, Transpose(StopGradient(b), 0, 1))
	})
	gb := IdentityWithCustomGradient(b, func(_, _ *Node) *Node {
		return Dot(Transpose(StopGradient(a), 0, 1), adj)
	})
	// The adjoints that reach ga and gb through this Dot's own VJP are
	// ignored (and pruned as dead code): the products above replace them.
	y := Dot(ga, gb)
	return IdentityWithCustomGradient(y, func(_, v *Node) *Node {
		adj = v
		return v
	})
}

package dynamics

import (
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // graph DSL
	"github.com/gomlx/gomlx/pkg/core/shapes"
)

// GoMLX (v0.26) defines no gradient for Expm1, which exponential Euler
// computes exp(A·dt) − 1 with: training a parameter that A depends on (a
// time constant) needs it. d/dx (eˣ − 1) = eˣ. Registered only when
// absent, so that a later GoMLX's own rule is kept.
func init() {
	if _, ok := VJPRegistration[NodeTypeExpm1]; !ok {
		VJPRegistration[NodeTypeExpm1] = func(node *Node, v []*Node, _ shapes.Shape) []*Node {
			return []*Node{Mul(v[0], Exp(node.Inputs()[0]))}
		}
	}
}

package ops

import (
	"testing"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // graph DSL
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Linear's value and gradients equal Dot's, in a chain where the product is
// read twice and the operand a feeds another term too.
func TestLinearGradients(t *testing.T) {
	b := cpu(t)
	a := [][]float64{{1, -2, 0.5}, {3, 0.25, -1}}
	w := [][]float64{{0.5, 1}, {-1, 2}, {0.75, -0.5}}
	run := func(mul func(a, b *Node) *Node) [][]float64 {
		e, err := NewExec(b, func(a, w *Node) []*Node {
			y := mul(a, w)
			l := Add(ReduceAllSum(Mul(y, y)), ReduceAllSum(Sin(y)))
			l = Add(l, ReduceAllSum(Square(a)))
			return append([]*Node{y, l}, Gradient(l, a, w)...)
		})
		require.NoError(t, err)
		out, err := e.Exec(a, w)
		require.NoError(t, err)
		var flat [][]float64
		for _, o := range out {
			switch v := o.Value().(type) {
			case float64:
				flat = append(flat, []float64{v})
			case [][]float64:
				var f []float64
				for _, r := range v {
					f = append(f, r...)
				}
				flat = append(flat, f)
			}
		}
		return flat
	}
	want, got := run(Dot), run(Linear)
	require.Len(t, got, 4)
	for i := range want {
		assert.InDeltaSlice(t, want[i], got[i], 1e-12, "output %d", i)
	}
}

package dynamics

import (
	"fmt"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // graph DSL
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/eqs"
)

// longSum is a model whose equation sums n terms, each reading the state
// and a parameter.
func longSum(tb testing.TB, n int) *eqs.Neuron {
	tb.Helper()
	terms := make([]string, n)
	for i := range terms {
		terms[i] = fmt.Sprintf("%d*v/tau", i%7+1)
	}
	m, err := eqs.ParseNeuron(eqs.Source{Equations: "dv/dt = -(" + strings.Join(terms, " + ") + ")/1000 : 1",
		Params: []eqs.ParamSource{{Name: "tau", Text: "10 ms"}}})
	require.NoError(tb, err)
	return m
}

// lowerOnce builds one step of the model's graph (without compiling it).
func lowerOnce(tb testing.TB, g *Graph, m *eqs.Neuron, method Method) {
	n := NewEquations(m)
	v := Parameter(g, "v", shapes.Make(dtypes.Float64, 4))
	next, _ := n.Update(Vars{"v": v}, nil, Step{Index: Const(g, int32(0)), Dt: 0.1}, method)
	require.NotNil(tb, next["v"])
}

// BenchmarkLowerLongSum: lowering (exp_euler, which differentiates the
// equations, without compiling) is linear in an expression's length
// (each constant subtree folded once, not re-walked at every node).
func BenchmarkLowerLongSum(b *testing.B) {
	be := cpu(b)
	for _, n := range []int{4000, 6000, 10000} {
		m := longSum(b, n)
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			for range b.N {
				lowerOnce(b, NewGraph(be, "sum"), m, ExpEulerMethod)
			}
		})
	}
}

// TestFoldEqualsEval: the memoised fold gives, for every constant subtree,
// what eqs.Eval gives for the whole subtree; subtrees reading a state do
// not fold.
func TestFoldEqualsEval(t *testing.T) {
	g := NewGraph(cpu(t), "fold")
	like := Parameter(g, "v", shapes.Make(dtypes.Float64, 2))
	values := map[string]float64{"a": 0.3, "b": -2.5, "tau": 10}
	for _, tt := range []struct {
		text  string
		folds bool
	}{
		{"exp(a)*b/tau + 3 mV/ms - sqrt(abs(b))**3", true},
		{"where(a > b and not (b > 0), a, -b) + clip(a, b, 1)*exprel(a*1e-7)", true},
		{"log10(tau) - sinh(a)/cosh(b) + tan(a) + floor(b) + ceil(a) + sign(b) + min(a, b)*max(a, b)", true},
		{"1/dt + xi*a + pi", true},
		{"a + v", false},
		{"exp(a*t/ms)", false},
	} {
		e, err := eqs.ParseExpr(tt.text)
		require.NoError(t, err)
		for _, xi := range []float64{0, 1} {
			en := &env{values: values, like: like, vals: map[string]*Node{"v": like}, dt: 0.1, xi: xi}
			got, ok := en.fold(e)
			if ok != tt.folds {
				t.Fatalf("%s: folded %v, want %v", tt.text, ok, tt.folds)
			}
			if !ok {
				continue
			}
			vars := map[string]float64{"dt": 0.1, "xi": xi}
			for k, v := range values {
				vars[k] = v
			}
			if want := eqs.Eval(e, vars); got != want {
				t.Errorf("%s (xi %g): fold %v, Eval %v", tt.text, xi, got, want)
			}
		}
	}
}

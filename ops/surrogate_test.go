package ops

import (
	"math"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // graph DSL
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/internal/tier"
)

// hostSmooth is each family's g(x), written with Go's math package.
func hostSmooth(name string, a, x float64) float64 {
	phi := func(z float64) float64 { return 0.5 * (1 + math.Erf(z/math.Sqrt2)) }
	switch name {
	case "sigmoid":
		return 1 / (1 + math.Exp(-a*x))
	case "arctan":
		return math.Atan(math.Pi*a*x/2)/math.Pi + 0.5
	case "piecewise_quadratic":
		switch {
		case x < -1/a:
			return 0
		case x > 1/a:
			return 1
		}
		return 0.5 + a*x - a*a*x*math.Abs(x)/2
	case "fast_sigmoid":
		return 0.5*a*x/(1+a*math.Abs(x)) + 0.5
	case "gaussian":
		return phi(x / a)
	case "multi_gaussian":
		return 1.15*phi(x/a) - 0.15*(phi((x-a)/(6*a))+phi((x+a)/(6*a)))
	case "inv_square":
		return x / (1 + a*math.Abs(x))
	case "erf":
		return math.Erfc(-a*x) / 2
	case "slayer":
		s := 1.0
		if x < 0 {
			s = -1
		}
		return s * (1 - math.Exp(-a*math.Abs(x))) / a
	}
	panic(name)
}

// Each surrogate: the forward pass is exactly H(x); its backward pass is
// SurrogateGrad; SurrogateGrad is the autodiff derivative of SurrogateSmooth;
// and SurrogateSmooth is the documented g(x).
func TestSurrogates(t *testing.T) {
	tier.Slow(t)
	b := cpu(t)
	xs := []float64{-2.3, -0.61, -0.3, -0.05, -1e-4, 0, 1e-4, 0.02, 0.33, 0.7, 1.9}
	for _, name := range SurrogateNames() {
		for _, alpha := range []float64{0, 2.5} {
			s, err := NewSurrogate(name, alpha)
			require.NoError(t, err)
			e, err := NewExec(b, func(x *Node) []*Node {
				spike := Spike(x, s)
				smooth := SurrogateSmooth(x, s)
				g := Gradient(ReduceAllSum(Add(spike, smooth)), x)[0] // = 2·g'(x)
				return []*Node{spike, smooth, SurrogateGrad(x, s), g}
			})
			require.NoError(t, err)
			out, err := e.Exec(xs)
			require.NoError(t, err)
			spike, smooth := out[0].Value().([]float64), out[1].Value().([]float64)
			grad, auto := out[2].Value().([]float64), out[3].Value().([]float64)
			for i, x := range xs {
				h := 0.0
				if x >= 0 {
					h = 1
				}
				assert.Equal(t, h, spike[i], "%s H(%g)", s, x)
				assert.InDelta(t, hostSmooth(name, s.Alpha, x), smooth[i], 1e-9, "%s g(%g)", s, x)
				assert.InDelta(t, grad[i], auto[i]/2, 1e-7*max(1, math.Abs(grad[i])), "%s g'(%g)", s, x)
				if name != "multi_gaussian" { // the only family with negative side lobes
					assert.GreaterOrEqual(t, grad[i], -1e-12, "%s g'(%g) < 0", s, x)
				}
			}
		}
	}
}

// g'(0) in closed form for each family's default α.
func TestSurrogatePeak(t *testing.T) {
	b := cpu(t)
	n := func(x, mu, sd float64) float64 {
		return math.Exp(-(x-mu)*(x-mu)/(2*sd*sd)) / (sd * math.Sqrt(2*math.Pi))
	}
	want := map[string]float64{
		"sigmoid": 1, "arctan": 1, "piecewise_quadratic": 1, "fast_sigmoid": 0.5,
		"gaussian": n(0, 0, 0.5), "multi_gaussian": 1.15*n(0, 0, 0.5) - 0.3*n(0.5, 0, 3),
		"inv_square": 1, "erf": 1 / math.Sqrt(math.Pi), "slayer": 1,
	}
	for name, w := range want {
		s, err := NewSurrogate(name, 0)
		require.NoError(t, err)
		out := MustExecOnce(b, func(g *Graph) *Node { return SurrogateGrad(Scalar(g, dtypes.Float64, 0), s) })
		assert.InDelta(t, w, out.Value().(float64), 1e-12, name)
	}
}

func TestNewSurrogateErrors(t *testing.T) {
	_, err := NewSurrogate("relu", 1)
	assert.EqualError(t, err, `unknown surrogate "relu": expected one of ["arctan" "erf" "fast_sigmoid" "gaussian" "inv_square" "multi_gaussian" "piecewise_quadratic" "sigmoid" "slayer"]`)
	_, err = NewSurrogate("sigmoid", -1)
	assert.EqualError(t, err, "surrogate sigmoid: alpha must be a positive number, got -1")
	s, err := NewSurrogate("sigmoid", 0)
	require.NoError(t, err)
	assert.Equal(t, "sigmoid(alpha=4)", s.String())
}

// Gradients through the float propagation path with stored per-synapse
// weights: for loss = Σ_j c_j·out_j, ∂loss/∂w_k = c[post_k]·spikes[pre_k] and
// ∂loss/∂spikes_i = Σ_{k: pre_k = i} c[post_k]·w_k, exactly.
func TestDensePropagateGradients(t *testing.T) {
	b := cpu(t)
	pre := []int32{0, 0, 1, 2, 2, 2}
	post := []int32{1, 2, 0, 0, 1, 2}
	w := []float64{0.5, -1, 2, 0.25, 3, -0.75}
	spikes := []float64{1, 0, 0.3}
	c := []float64{2, -1, 0.5}
	e, err := NewExec(b, func(s, pre, post, w, c *Node) []*Node {
		out := DensePropagate(s, pre, post, w, 3)
		g := Gradient(ReduceAllSum(Mul(out, c)), w, s)
		return g
	})
	require.NoError(t, err)
	out, err := e.Exec(spikes, pre, post, w, c)
	require.NoError(t, err)
	wantW := make([]float64, len(w))
	wantS := make([]float64, len(spikes))
	for k := range w {
		wantW[k] = c[post[k]] * spikes[pre[k]]
		wantS[pre[k]] += c[post[k]] * w[k]
	}
	assert.Equal(t, wantW, out[0].Value())
	assert.Equal(t, wantS, out[1].Value())
}

package dynamics

import (
	"fmt"
	"sort"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // graph DSL
)

// Derivative is the right-hand side of an element-wise ODE, dx/dt = f(x). The
// returned node has x's shape; element i may depend only on x[i] (and on
// values captured from the surrounding graph, held constant over the step).
type Derivative func(x *Node) *Node

// Integrator advances x by one step of length dt (ms) under f.
type Integrator func(f Derivative, x *Node, dt float64) *Node

// Euler is the explicit (forward) Euler method: x + dt·f(x).
func Euler(f Derivative, x *Node, dt float64) *Node {
	return Add(x, MulScalar(f(x), dt))
}

// ExpEuler is the exponential Euler method. It linearises f around x,
// f(x+δ) ≈ f(x) + A·δ with A = ∂f/∂x found by automatic differentiation (not
// declared per model), and takes the exact step of the linearised system:
//
//	x' = x + (exp(A·dt) − 1)/A · f(x)
//
// For linear ODEs (LIF with a constant input, exponential synapses) this is
// the exact solution. Where A is 0 it reduces to Euler.
//
// A is the derivative of f with respect to its argument only: values f
// captures from the graph (an input current computed from the same state,
// say) are held constant over the step, even when they depend on x.
func ExpEuler(f Derivative, x *Node, dt float64) *Node {
	arg := Identity(x) // a node of its own, so that the gradient sees only f's use of it
	fx := f(arg)
	a := Gradient(ReduceAllSum(fx), arg)[0]
	a = StopGradient(a)
	adt := MulScalar(a, dt)
	// (exp(a·dt) − 1)/a, written as dt·expm1(a·dt)/(a·dt) with the a→0 limit dt.
	small := LessThan(Abs(adt), Scalar(x.Graph(), adt.DType(), 1e-7))
	safe := Where(small, OnesLike(adt), adt)
	phi := Where(small, OnesLike(adt), Div(Expm1(safe), safe))
	return Add(x, Mul(MulScalar(phi, dt), fx))
}

var integrators = map[string]Integrator{
	"euler":     Euler,
	"exp_euler": ExpEuler,
}

// IntegratorByName returns a named integrator ("euler", "exp_euler").
func IntegratorByName(name string) (Integrator, error) {
	if f, ok := integrators[name]; ok {
		return f, nil
	}
	names := make([]string, 0, len(integrators))
	for n := range integrators {
		names = append(names, n)
	}
	sort.Strings(names)
	return nil, fmt.Errorf("unknown integrator %q: expected one of %q", name, names)
}

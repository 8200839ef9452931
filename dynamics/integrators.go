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
	// A node of its own, so that the gradient for A sees only f's use of
	// it; gradients of the step (training) pass it unchanged.
	arg := IdentityWithCustomGradient(x, func(_, v *Node) *Node { return v })
	fx := f(arg)
	// A's own dependence on parameters (−1/tau) is differentiated too, so
	// that training a time constant gets its exact gradient (dynamics'
	// init registers Expm1's derivative).
	a := Gradient(ReduceAllSum(fx), arg)[0]
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

// System is the right-hand side of a system of element-wise ODEs: the time
// derivative of every state variable of s (ms⁻¹ units), each of s's shape.
// Element i of a derivative may depend only on element i of the states
// (and on values captured from the graph, held over the step).
type System func(s Vars) Vars

// Method advances every variable of s by one step of length dt (ms) under f.
type Method func(f System, s Vars, dt float64) Vars

// EulerMethod is the explicit Euler method: s + dt·f(s).
func EulerMethod(f System, s Vars, dt float64) Vars { return axpy(s, dt, f(s)) }

// RK2 is Heun's method (explicit trapezoidal rule), second order:
// k1 = f(s), k2 = f(s + dt·k1), s' = s + dt/2·(k1 + k2).
func RK2(f System, s Vars, dt float64) Vars {
	k1 := f(s)
	k2 := f(axpy(s, dt, k1))
	return axpy(s, dt/2, sum(k1, k2))
}

// RK4 is the classic fourth-order Runge–Kutta method.
func RK4(f System, s Vars, dt float64) Vars {
	k1 := f(s)
	k2 := f(axpy(s, dt/2, k1))
	k3 := f(axpy(s, dt/2, k2))
	k4 := f(axpy(s, dt, k3))
	return axpy(s, dt/6, sum(k1, scale(k2, 2), scale(k3, 2), k4))
}

// ExpEulerMethod is exponential Euler applied to each variable in turn:
// variable x takes the exact step of its own linearisation
// dx/dt ≈ f_x(s) + A·(x' − x), A = ∂f_x/∂x found by automatic
// differentiation with the other variables held at the step's start (as
// BrainPy's exp_euler does). For a single linear ODE this is exact; see
// ExpEuler.
func ExpEulerMethod(f System, s Vars, dt float64) Vars {
	out := Vars{}
	for _, name := range s.Names() {
		x := s[name]
		out[name] = ExpEuler(func(v *Node) *Node {
			held := Vars{}
			for k, y := range s {
				held[k] = y
			}
			held[name] = v
			return f(held)[name]
		}, x, dt)
	}
	return out
}

// axpy returns s + a·d for the variables of s (those d lacks are kept).
func axpy(s Vars, a float64, d Vars) Vars {
	out := Vars{}
	for _, k := range s.Names() {
		x := s[k]
		if dx, ok := d[k]; ok {
			out[k] = Add(x, MulScalar(dx, a))
		} else {
			out[k] = x
		}
	}
	return out
}

func sum(vs ...Vars) Vars {
	out := Vars{}
	for _, k := range vs[0].Names() {
		x := vs[0][k]
		for _, v := range vs[1:] {
			x = Add(x, v[k])
		}
		out[k] = x
	}
	return out
}

func scale(v Vars, a float64) Vars {
	out := Vars{}
	for _, k := range v.Names() {
		out[k] = MulScalar(v[k], a)
	}
	return out
}

var methods = map[string]Method{
	"euler":     EulerMethod,
	"rk2":       RK2,
	"rk4":       RK4,
	"exp_euler": ExpEulerMethod,
}

// MethodNames lists the system integration methods, sorted.
func MethodNames() []string {
	names := make([]string, 0, len(methods))
	for n := range methods {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// MethodByName returns a named method ("euler", "exp_euler", "rk2", "rk4").
func MethodByName(name string) (Method, error) {
	if m, ok := methods[name]; ok {
		return m, nil
	}
	return nil, fmt.Errorf("unknown integrator %q: expected one of %q", name, MethodNames())
}

// Names returns the variable names, sorted: graph code iterates in this
// order so that the traced graph, and the compiled program, are the same
// from run to run.
func (v Vars) Names() []string {
	names := make([]string, 0, len(v))
	for k := range v {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

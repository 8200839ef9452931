package dynamics

import (
	"fmt"
	"math"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // graph DSL
	"github.com/gomlx/gomlx/pkg/core/tensors"

	"github.com/brainc/brainc/eqs"
	"github.com/brainc/brainc/ops"
)

// Equations is a neuron model given by equations (package eqs): its
// differential equations integrated by the population's method, its
// subexpressions recomputed wherever the states are, its threshold, reset
// and refractory period. Values are in eqs' coherent units (ms, mV …).
//
// A step: the input is evaluated once at the step's start (as the
// catalogue models do); the states are integrated; variables marked
// (unless refractory) keep their value while the neuron is refractory (a
// spike at most Refractory ago); a spike is the threshold holding at the
// new state outside the refractory period (without a reset: the threshold
// becoming true in the step); the reset statements then run in order on
// the neurons that spiked. Noise terms (xi) are added by Euler–Maruyama:
// g·√dt·ξ, with g the coefficient of xi at the step's start.
//
// States: the model's, then last_spike (Int32) when it has a threshold.
type Equations struct {
	Model *eqs.Neuron
	// vary holds parameters taking one value per neuron (PerNeuron).
	vary map[string]*Node
}

// NewEquations returns the neuron of a checked equation model.
func NewEquations(m *eqs.Neuron) *Equations { return &Equations{Model: m} }

// States lists the model's state variables and last_spike.
func (n *Equations) States(float dtypes.DType) []StateVar {
	var out []StateVar
	for _, eq := range n.Model.States {
		out = append(out, StateVar{eq.Var, float})
	}
	if n.Model.Threshold != nil {
		out = append(out, StateVar{"last_spike", dtypes.Int32})
	}
	return out
}

// Potential is the model's first state of voltage dimension.
func (n *Equations) Potential() string { return n.Model.Potential }

// Varies reports that every parameter may take one value per neuron.
func (n *Equations) Varies(param string) bool {
	_, ok := n.Model.Values[param]
	return ok
}

// ParamArray is a per-neuron parameter's values in dtype.
func (n *Equations) ParamArray(_ string, v []float64, dtype dtypes.DType, _ float64) *tensors.Tensor {
	return FloatArray(v, dtype)
}

// PerNeuron returns the model reading the parameters named in arrays from
// them.
func (n *Equations) PerNeuron(arrays map[string]*Node) Neuron {
	return &Equations{Model: n.Model, vary: arrays}
}

// env evaluates a model's expressions over one set of values.
type env struct {
	// values are the scalar parameters, vary those with one value per
	// neuron.
	values map[string]float64
	vary   map[string]*Node
	like   *Node // a state: its graph, dtype and shape
	vals   map[string]*Node
	dt     float64
	tNode  *Node
	// xi is the value xi takes: 0 for the deterministic part, 1 for the
	// noise's coefficient (the right side is linear in xi).
	xi float64
	// consts memoises constant: each subtree's value is computed once,
	// from its children's, so lowering is linear in an expression's size.
	// It is tied to vals, vary and xi: a copy changing them drops it.
	consts map[eqs.Expr]folded
}

// folded is a subtree's value on the host, when it reads no state.
type folded struct {
	v  float64
	ok bool
}

// newEnv binds the states s (and the input i) and computes the
// subexpressions.
func (n *Equations) newEnv(s Vars, i *Node, step Step) *env {
	like := s[n.Model.States[0].Var]
	e := &env{values: n.Model.Values, vary: n.vary, like: like, vals: map[string]*Node{}, dt: step.Dt}
	for _, eq := range n.Model.States {
		e.vals[eq.Var] = s[eq.Var]
	}
	if i != nil {
		e.vals[eqs.InputName] = i
	}
	if step.Index != nil {
		e.tNode = MulScalar(ConvertDType(step.Index, like.DType()), step.Dt)
	}
	for _, sub := range n.Model.Subs {
		e.vals[sub.Var] = e.eval(sub.Expr)
	}
	return e
}

// scalar is a constant of the states' dtype.
func (e *env) scalar(v float64) *Node { return Scalar(e.like.Graph(), e.like.DType(), v) }

// fold is the value of a subtree without states (numbers, units, scalar
// parameters, dt, pi, xi's 0 or 1), computed on the host in float64; ok
// is false when it reads anything else. Conditions stay graph booleans.
func (e *env) fold(x eqs.Expr) (float64, bool) {
	switch b := x.(type) {
	case *eqs.Binary:
		switch b.Op {
		case "<", "<=", ">", ">=", "==", "!=", "and", "or":
			return 0, false
		}
	case *eqs.Unary:
		if b.Op == "not" {
			return 0, false
		}
	}
	c := e.constant(x)
	return c.v, c.ok
}

// constant is a subtree's value when it reads no state, per-neuron
// parameter or t (a condition's as 0 or 1): each node is computed once,
// by eqs.Eval over its children's values, so it equals eqs.Eval of the
// whole subtree.
func (e *env) constant(x eqs.Expr) folded {
	if c, ok := e.consts[x]; ok {
		return c
	}
	var c folded
	switch x := x.(type) {
	case *eqs.Num:
		c = folded{x.Value, true}
	case *eqs.Name:
		_, isVal := e.vals[x.Name]
		_, varies := e.vary[x.Name]
		if !isVal && !varies && x.Name != "t" {
			vars := map[string]float64{"dt": e.dt, "xi": e.xi}
			if v, ok := e.values[x.Name]; ok {
				vars[x.Name] = v
			}
			c = folded{eqs.Eval(x, vars), true}
		}
	case *eqs.Unary:
		if a := e.constant(x.X); a.ok {
			c = folded{eqs.Eval(&eqs.Unary{Op: x.Op, X: &eqs.Num{Value: a.v}}, nil), true}
		}
	case *eqs.Binary:
		a := e.constant(x.X)
		if x.Op == "unit" { // a unit's name is a unit, whatever the model names
			if a.ok {
				v, _, _ := eqs.LookupUnit(x.Y.(*eqs.Name).Name)
				c = folded{eqs.Eval(&eqs.Binary{Op: x.Op, X: &eqs.Num{Value: a.v}, Y: &eqs.Num{Value: v}}, nil), true}
			}
			break
		}
		if b := e.constant(x.Y); a.ok && b.ok {
			c = folded{eqs.Eval(&eqs.Binary{Op: x.Op, X: &eqs.Num{Value: a.v}, Y: &eqs.Num{Value: b.v}}, nil), true}
		}
	case *eqs.Call:
		args := make([]eqs.Expr, len(x.Args))
		c.ok = true
		for i, arg := range x.Args {
			a := e.constant(arg)
			c.ok = c.ok && a.ok
			args[i] = &eqs.Num{Value: a.v}
		}
		if c.ok {
			c.v = eqs.Eval(&eqs.Call{Fn: x.Fn, Args: args}, nil)
		}
	}
	if e.consts == nil {
		e.consts = map[eqs.Expr]folded{}
	}
	e.consts[x] = c
	return c
}

// eval is an expression's graph value.
func (e *env) eval(x eqs.Expr) *Node {
	if v, ok := e.fold(x); ok {
		return e.scalar(v)
	}
	switch x := x.(type) {
	case *eqs.Name:
		if v, ok := e.vals[x.Name]; ok {
			return v
		}
		if v, ok := e.vary[x.Name]; ok {
			return v
		}
		if x.Name == "t" {
			return e.tNode
		}
		panic(fmt.Sprintf("dynamics: equations: no value for %q", x.Name)) // eqs checked every name
	case *eqs.Unary:
		v := e.eval(x.X)
		switch x.Op {
		case "-":
			return Neg(v)
		case "not":
			return LogicalNot(v)
		}
		return v
	case *eqs.Binary:
		return e.binary(x)
	case *eqs.Call:
		return e.call(x)
	}
	panic(fmt.Sprintf("dynamics: equations: unknown expression %T", x))
}

// pair broadcasts two values to one shape.
func pair(a, b *Node) (*Node, *Node) {
	if a.Rank() == b.Rank() {
		return a, b
	}
	if a.Rank() < b.Rank() {
		return BroadcastToShape(a, b.Shape()), b
	}
	return a, BroadcastToShape(b, a.Shape())
}

func (e *env) binary(x *eqs.Binary) *Node {
	if x.Op == "**" {
		if n, ok := e.fold(x.Y); ok && n == math.Trunc(n) && math.Abs(n) <= 4 {
			return e.intPow(e.eval(x.X), int(n))
		}
		a, b := pair(e.eval(x.X), e.eval(x.Y))
		return Pow(a, b)
	}
	// A folded factor stays a scalar operand: MulScalar and friends.
	if c, ok := e.fold(x.Y); ok {
		a := e.eval(x.X)
		switch x.Op {
		case "+":
			return AddScalar(a, c)
		case "-":
			return AddScalar(a, -c)
		case "*", "unit":
			return MulScalar(a, c)
		case "/":
			return DivScalar(a, c)
		}
	}
	if c, ok := e.fold(x.X); ok && (x.Op == "*" || x.Op == "+") {
		b := e.eval(x.Y)
		if x.Op == "*" {
			return MulScalar(b, c)
		}
		return AddScalar(b, c)
	}
	a, b := pair(e.eval(x.X), e.eval(x.Y))
	switch x.Op {
	case "+":
		return Add(a, b)
	case "-":
		return Sub(a, b)
	case "*", "unit":
		return Mul(a, b)
	case "/":
		return Div(a, b)
	case "<":
		return LessThan(a, b)
	case "<=":
		return LessOrEqual(a, b)
	case ">":
		return GreaterThan(a, b)
	case ">=":
		return GreaterOrEqual(a, b)
	case "==":
		return Equal(a, b)
	case "!=":
		return NotEqual(a, b)
	case "and":
		return And(a, b)
	case "or":
		return Or(a, b)
	}
	panic(fmt.Sprintf("dynamics: equations: unknown operator %q", x.Op))
}

// intPow is x**n for a small whole n, by products (x² as x·x, as the
// catalogue models write it).
func (e *env) intPow(x *Node, n int) *Node {
	switch {
	case n == 0:
		return OnesLike(x)
	case n < 0:
		return Reciprocal(e.intPow(x, -n))
	case n == 1:
		return x
	case n == 2:
		return Square(x)
	}
	return Mul(e.intPow(x, n-1), x)
}

func (e *env) call(x *eqs.Call) *Node {
	args := make([]*Node, len(x.Args))
	for i, a := range x.Args {
		args[i] = e.eval(a)
	}
	a := args[0]
	switch x.Fn {
	case "exp":
		return Exp(a)
	case "log":
		return Log(a)
	case "log10":
		return MulScalar(Log(a), 1/math.Ln10)
	case "sqrt":
		return Sqrt(a)
	case "sin":
		return Sin(a)
	case "cos":
		return Cos(a)
	case "tan":
		return Div(Sin(a), Cos(a))
	case "tanh":
		return Tanh(a)
	case "sinh":
		return MulScalar(Sub(Exp(a), Exp(Neg(a))), 0.5)
	case "cosh":
		return MulScalar(Add(Exp(a), Exp(Neg(a))), 0.5)
	case "abs":
		return Abs(a)
	case "sign":
		return Sign(a)
	case "floor": // derivative 0 almost everywhere (GoMLX has no gradient for it)
		return StopGradient(Floor(a))
	case "ceil":
		return StopGradient(Ceil(a))
	case "exprel":
		// (exp(x) − 1)/x, 1 at x = 0 (and its series near it).
		small := LessThan(Abs(a), e.scalar(1e-6))
		safe := Where(small, OnesLike(a), a)
		// exp − 1, not Expm1: GoMLX has no gradient for Expm1, and the
		// exponential Euler method differentiates the equations.
		return Where(small, AddScalar(MulScalar(a, 0.5), 1), Div(AddScalar(Exp(safe), -1), safe))
	case "clip":
		lo, v := pair(args[1], a)
		hi, v := pair(args[2], v)
		return Min(Max(v, lo), hi)
	case "min":
		p, q := pair(a, args[1])
		return Min(p, q)
	case "max":
		p, q := pair(a, args[1])
		return Max(p, q)
	case "where":
		p, q := pair(args[1], args[2])
		c := a
		if c.Rank() < p.Rank() {
			c = BroadcastToShape(c, p.Shape())
		} else if p.Rank() < c.Rank() {
			p, q = BroadcastToShape(p, c.Shape()), BroadcastToShape(q, c.Shape())
		}
		return Where(c, p, q)
	}
	panic(fmt.Sprintf("dynamics: equations: unknown function %q", x.Fn))
}

// full is v broadcast to the states' shape.
func (e *env) full(v *Node) *Node {
	if v.Rank() < e.like.Rank() {
		return BroadcastToShape(v, e.like.Shape())
	}
	return v
}

// Update integrates one step (see Equations).
func (n *Equations) Update(s Vars, input Current, step Step, m Method) (Vars, *Node) {
	md := n.Model
	first := s[md.States[0].Var]
	g := first.Graph()
	var i *Node
	if md.UsesInput {
		v := first
		if md.Potential != "" {
			v = s[md.Potential]
		}
		i = input(v)
	}
	start := n.newEnv(s, i, step)
	f := func(vars Vars) Vars {
		e := n.newEnv(vars, i, step)
		out := Vars{}
		for _, eq := range md.States {
			out[eq.Var] = e.full(e.eval(eq.Expr))
		}
		return out
	}
	dyn := Vars{}
	for _, eq := range md.States {
		dyn[eq.Var] = s[eq.Var]
	}
	next := m(f, dyn, step.Dt)
	for _, eq := range md.States {
		if !eq.Noisy {
			continue
		}
		noise := *start
		noise.xi, noise.consts = 1, nil
		coef := Sub(noise.full(noise.eval(eq.Expr)), start.full(start.eval(eq.Expr)))
		if step.Normal == nil {
			panic("dynamics: equations with xi need Step.Normal")
		}
		next[eq.Var] = Add(next[eq.Var], Mul(MulScalar(coef, math.Sqrt(step.Dt)), step.Normal(eq.Var)))
	}
	if md.Threshold == nil {
		return next, ZerosLike(ConvertDType(first, dtypes.Bool))
	}
	last := s["last_spike"]
	refractory := ZerosLike(ConvertDType(first, dtypes.Bool))
	if refSteps := refractorySteps(md.Refractory, step.Dt); md.Refractory > 0 {
		refractory = LessOrEqual(Sub(step.Index, last), Scalar(g, dtypes.Int32, refSteps))
		for _, eq := range md.States {
			if eq.UnlessRefractory {
				next[eq.Var] = Where(refractory, s[eq.Var], next[eq.Var])
			}
		}
	}
	after := n.newEnv(next, i, step)
	fired := And(after.full(after.eval(md.Threshold)), LogicalNot(refractory))
	if len(md.Reset) == 0 {
		fired = And(fired, LogicalNot(start.full(start.eval(md.Threshold))))
	}
	spike := fired
	if step.Surrogate != nil {
		spike = n.surrogateSpike(after, fired, *step.Surrogate)
	}
	for _, st := range md.Reset {
		e := n.newEnv(next, i, step)
		old := next[st.Var]
		next[st.Var] = Pick(spike, apply(st.Op, old, e.full(e.eval(st.Expr))), old)
	}
	next["last_spike"] = Where(fired, BroadcastToShape(step.Index, last.Shape()), last)
	return next, spike
}

// SurrogateReady reports why the model's spikes cannot carry a surrogate
// gradient ("" when they can): its threshold must be one comparison
// (a > b, a >= b, a < b or a <= b), whose sides' difference the
// surrogate is taken of.
func (n *Equations) SurrogateReady() string {
	if n.Model.Threshold == nil {
		return ""
	}
	if _, _, ok := thresholdSides(n.Model.Threshold); !ok {
		return fmt.Sprintf("its threshold %q is not one comparison a > b (or >=, <, <=), whose distance a − b the surrogate gradient is taken of", n.Model.Threshold.String())
	}
	return ""
}

// thresholdSides returns the sides of a threshold comparison ordered so
// that the spike condition is hi ≥ lo.
func thresholdSides(e eqs.Expr) (hi, lo eqs.Expr, ok bool) {
	b, isBin := e.(*eqs.Binary)
	if !isBin {
		return nil, nil, false
	}
	switch b.Op {
	case ">", ">=":
		return b.X, b.Y, true
	case "<", "<=":
		return b.Y, b.X, true
	}
	return nil, nil, false
}

// surrogateSpike is fired as floats, H(hi − lo) forward and the
// surrogate's derivative backward (masked with no gradient where the
// neuron cannot spike: refractory, or already past the threshold without
// a reset).
func (n *Equations) surrogateSpike(after *env, fired *Node, s ops.Surrogate) *Node {
	hi, lo, ok := thresholdSides(n.Model.Threshold)
	if !ok {
		panic(fmt.Sprintf("dynamics: %s", n.SurrogateReady()))
	}
	x := Sub(after.full(after.eval(hi)), after.full(after.eval(lo)))
	below := LessThan(x, ZerosLike(x))
	return Mul(ops.Spike(x, s), StopGradient(ConvertDType(Or(fired, below), x.DType())))
}

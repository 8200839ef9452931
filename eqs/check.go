package eqs

import (
	"fmt"
	"math"
)

// SymbolKind says what a name in an expression stands for.
type SymbolKind int

// Kinds of symbols.
const (
	// State is a variable with a differential equation.
	State SymbolKind = iota
	// Param is a parameter (a number per population, or per neuron).
	Param
	// Sub is a subexpression (name = expression).
	Sub
	// Input is the model's input current (the synaptic outputs and the
	// external input, summed).
	Input
	// Builtin is t (the time at the step's start), dt or pi.
	Builtin
	// Noise is xi, white noise of dimension time^-1/2.
	Noise
)

// Symbol is a name's meaning and dimension.
type Symbol struct {
	// Kind says what the name stands for.
	Kind SymbolKind
	// Dim is its dimension.
	Dim Dim
}

// kind is a checked expression's type: a number of dimension d times the
// input's (still unknown) dimension to the power p, or a boolean.
type kind struct {
	boolean bool
	d       Dim
	p       int
}

// checker infers and checks dimensions over one model's symbols. The
// input's dimension, when not declared, is inferred from the first sum,
// comparison or assignment that fixes it.
type checker struct {
	syms     map[string]Symbol
	input    string
	inputDim *Dim
	// noise counts the uses of xi allowed here (in a differential
	// equation's right side only).
	noiseOK bool
	// values are the parameters' values (coherent units), once read.
	values map[string]float64
}

// fault reports a subexpression of e that cannot have a finite value
// with the parameters' values (see constants).
func (c *checker) fault(e Expr) error {
	return (&constants{syms: c.syms, values: c.values}).fault(e)
}

// resolve substitutes the input's dimension, once known.
func (c *checker) resolve(k kind) kind {
	if k.p != 0 && c.inputDim != nil {
		// |k.p| ≤ MaxExponent (checked where it grows): no wrap; a result
		// out of range is refused by the next range check.
		return kind{d: k.d.Mul(c.inputDim.scaled(k.p))}
	}
	return k
}

// show writes a kind for a message.
func (c *checker) show(k kind) string {
	k = c.resolve(k)
	switch {
	case k.boolean:
		return "a boolean"
	case k.p == 0:
		return k.d.String()
	case k.p == 1 && k.d.IsDimensionless():
		return "the dimension of " + c.input
	}
	return fmt.Sprintf("%s·[%s]^%d", k.d, c.input, k.p)
}

// same makes a and b one dimension, inferring the input's when only one of
// them carries it; ok is false when they cannot agree.
func (c *checker) same(a, b kind) bool {
	a, b = c.resolve(a), c.resolve(b)
	if a.boolean || b.boolean {
		return a.boolean == b.boolean
	}
	if a.p == b.p {
		return a.d == b.d
	}
	if a.p < b.p {
		a, b = b, a
	}
	// a.d·X^(a.p−b.p) = b.d: X = (b.d/a.d)^(1/(a.p−b.p)).
	x, ok := b.d.Div(a.d).Pow(1, a.p-b.p)
	if !ok || (a.p-b.p) > 2 {
		return false
	}
	c.inputDim = &x
	return true
}

// functions are the functions expressions may call: their arity and how
// their result's dimension follows from their arguments'.
var functions = map[string]int{
	"exp": 1, "log": 1, "log10": 1, "sin": 1, "cos": 1, "tan": 1, "tanh": 1, "sinh": 1, "cosh": 1,
	"exprel": 1, "sqrt": 1, "abs": 1, "sign": 1, "floor": 1, "ceil": 1,
	"clip": 3, "where": 3, "min": 2, "max": 2,
}

// dimensionError says two dimensions that had to agree do not.
type dimensionError struct {
	what       string
	have, want string
}

func (e *dimensionError) Error() string {
	return fmt.Sprintf("%s: dimensions disagree: %s is %s, expected %s", e.what, e.what, e.have, e.want)
}

// check infers an expression's kind.
func (c *checker) check(e Expr) (kind, error) {
	switch x := e.(type) {
	case *Num:
		return kind{}, nil
	case *Name:
		s, ok := c.syms[x.Name]
		if ok && s.Kind == Input {
			if c.inputDim == nil {
				return kind{p: 1}, nil
			}
			return kind{d: *c.inputDim}, nil
		}
		if ok && s.Kind == Noise && !c.noiseOK {
			return kind{}, fmt.Errorf("xi (white noise) may appear only in a differential equation")
		}
		if !ok {
			if _, d, ok := LookupUnit(x.Name); ok {
				return kind{d: d}, nil
			}
			return kind{}, fmt.Errorf("unknown name %q (not a variable, parameter, subexpression or unit)", clip(x.Name, 60))
		}
		return kind{d: s.Dim}, nil
	case *Unary:
		k, err := c.check(x.X)
		if err != nil {
			return k, err
		}
		if x.Op == "not" {
			if !k.boolean {
				return k, fmt.Errorf("not %s: expected a condition, got %s", short(x.X), c.show(k))
			}
			return k, nil
		}
		if k.boolean {
			return k, fmt.Errorf("%s%s: a condition is not a number", x.Op, short(x.X))
		}
		return k, nil
	case *Binary:
		return c.binary(x)
	case *Call:
		return c.call(x)
	}
	return kind{}, fmt.Errorf("unknown expression %T", e)
}

func (c *checker) binary(x *Binary) (kind, error) {
	a, err := c.check(x.X)
	if err != nil {
		return a, err
	}
	if x.Op == "unit" {
		if _, ok := c.syms[x.Y.(*Name).Name]; ok {
			return a, fmt.Errorf("%s: %s is a name of the model, not a unit here: write %s*%s for a product", short(x), short(x.Y), short(x.X), short(x.Y))
		}
	}
	b, err := c.check(x.Y)
	if err != nil {
		return b, err
	}
	numbers := func() error {
		for _, k := range []kind{a, b} {
			if k.boolean {
				return fmt.Errorf("%s: a condition cannot take part in %q", short(x), x.Op)
			}
		}
		return nil
	}
	switch x.Op {
	case "and", "or":
		if !a.boolean || !b.boolean {
			return a, fmt.Errorf("%s: %q joins conditions, got %s and %s", short(x), x.Op, c.show(a), c.show(b))
		}
		return a, nil
	case "+", "-", "<", "<=", ">", ">=", "==", "!=":
		if err := numbers(); err != nil {
			return a, err
		}
		if !c.same(a, b) {
			return a, fmt.Errorf("%s: dimensions disagree: %s is %s but %s is %s", short(x), short(x.X), c.show(a), short(x.Y), c.show(b))
		}
		if x.Op == "+" || x.Op == "-" {
			return c.resolve(a), nil
		}
		return kind{boolean: true}, nil
	case "*", "unit":
		if err := numbers(); err != nil {
			return a, err
		}
		return c.inRange(x, kind{d: a.d.Mul(b.d), p: a.p + b.p})
	case "/":
		if err := numbers(); err != nil {
			return a, err
		}
		return c.inRange(x, kind{d: a.d.Div(b.d), p: a.p - b.p})
	case "**":
		if err := numbers(); err != nil {
			return a, err
		}
		b = c.resolve(b)
		if b.p != 0 || !b.d.IsDimensionless() {
			return a, fmt.Errorf("%s: the exponent must be dimensionless, got %s", short(x), c.show(b))
		}
		a = c.resolve(a)
		if a.p == 0 && a.d.IsDimensionless() {
			return a, nil
		}
		n, ok := constant(x.Y)
		if !ok {
			return a, fmt.Errorf("%s: %s has dimension %s, so its exponent must be a constant number", short(x), short(x.X), c.show(a))
		}
		if !(math.Abs(n) <= MaxExponent) {
			return a, fmt.Errorf("%s: %s has dimension %s: its exponent %g is outside ±%d", short(x), short(x.X), c.show(a), n, MaxExponent)
		}
		num, den := int(math.Round(n*2)), 2
		if math.Abs(n*2-float64(num)) > 1e-12 {
			return a, fmt.Errorf("%s: %s has dimension %s: its exponent must be a multiple of 1/2, got %g", short(x), short(x.X), c.show(a), n)
		}
		if a.p != 0 {
			if num%2 != 0 {
				return a, fmt.Errorf("%s: the input %s may be raised only to whole powers", short(x), c.input)
			}
			a.p *= num / 2
		}
		d, ok := a.d.Pow(num, den)
		if !ok {
			return a, fmt.Errorf("%s: %s to the power %g has no dimension of whole or half exponents within ±%d", short(x), a.d, n, MaxExponent)
		}
		return c.inRange(x, kind{d: d, p: a.p})
	}
	return a, fmt.Errorf("unknown operator %q", x.Op)
}

// inRange returns k, or an error naming x when its dimension's exponents
// (or the input's power) pass ±MaxExponent.
func (c *checker) inRange(x Expr, k kind) (kind, error) {
	if !k.d.Valid() || k.p > MaxExponent || k.p < -MaxExponent {
		return k, fmt.Errorf("%s: the dimension's exponents pass ±%d (a product or power of too many units)", short(x), MaxExponent)
	}
	return k, nil
}

func (c *checker) call(x *Call) (kind, error) {
	arity, ok := functions[x.Fn]
	if !ok {
		return kind{}, fmt.Errorf("unknown function %q (known: abs, ceil, clip, cos, cosh, exp, exprel, floor, log, log10, max, min, sign, sin, sinh, sqrt, tan, tanh, where)", clip(x.Fn, 60))
	}
	if len(x.Args) != arity {
		return kind{}, fmt.Errorf("%s: %s takes %d arguments, got %d", short(x), x.Fn, arity, len(x.Args))
	}
	args := make([]kind, len(x.Args))
	for i, a := range x.Args {
		k, err := c.check(a)
		if err != nil {
			return k, err
		}
		args[i] = k
		if k.boolean && !(x.Fn == "where" && i == 0) {
			return k, fmt.Errorf("%s: argument %d of %s is a condition, expected a number", short(x), i+1, x.Fn)
		}
	}
	switch x.Fn {
	case "where":
		if !args[0].boolean {
			return args[0], fmt.Errorf("%s: the first argument of where must be a condition, got %s", short(x), c.show(args[0]))
		}
		if !c.same(args[1], args[2]) {
			return args[1], fmt.Errorf("%s: dimensions disagree: %s is %s but %s is %s", short(x), short(x.Args[1]), c.show(args[1]), short(x.Args[2]), c.show(args[2]))
		}
		return c.resolve(args[1]), nil
	case "clip", "min", "max":
		for i := 1; i < len(args); i++ {
			if !c.same(args[0], args[i]) {
				return args[0], fmt.Errorf("%s: dimensions disagree: %s is %s but %s is %s", short(x), short(x.Args[0]), c.show(args[0]), short(x.Args[i]), c.show(args[i]))
			}
		}
		return c.resolve(args[0]), nil
	case "abs", "floor", "ceil":
		return args[0], nil
	case "sqrt":
		a := c.resolve(args[0])
		if a.p != 0 {
			return a, fmt.Errorf("%s: the square root of the input %s needs its dimension: declare it (%s : unit)", short(x), c.input, c.input)
		}
		d, ok := a.d.Pow(1, 2)
		if !ok {
			return a, fmt.Errorf("%s: the square root of %s has no dimension of whole or half exponents", short(x), a.d)
		}
		return kind{d: d}, nil
	case "sign":
		return kind{}, nil
	}
	a := c.resolve(args[0])
	if a.p != 0 || !a.d.IsDimensionless() {
		return a, fmt.Errorf("%s: %s needs a dimensionless argument, got %s", short(x), x.Fn, c.show(a))
	}
	return kind{}, nil
}

// constant folds an expression of number literals (and unary signs and
// arithmetic between them); ok is false when it holds a name.
func constant(e Expr) (float64, bool) {
	switch x := e.(type) {
	case *Num:
		return x.Value, true
	case *Unary:
		v, ok := constant(x.X)
		if x.Op == "-" {
			v = -v
		}
		return v, ok && x.Op != "not"
	case *Binary:
		a, ok1 := constant(x.X)
		b, ok2 := constant(x.Y)
		if !ok1 || !ok2 {
			return 0, false
		}
		switch x.Op {
		case "+":
			return a + b, true
		case "-":
			return a - b, true
		case "*":
			return a * b, true
		case "/":
			return a / b, true
		case "**":
			return math.Pow(a, b), true
		}
	}
	return 0, false
}

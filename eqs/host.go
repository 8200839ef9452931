package eqs

import (
	"fmt"
	"math"
)

// CheckExpr parses an expression over the given names (each of the given
// dimension; units and numbers besides) and returns it with its
// dimension. It is how a spec's per-neuron values (c: -65 mV + 15 mV*r**2)
// are read.
func CheckExpr(text string, names map[string]Dim) (Expr, Dim, error) {
	e, err := ParseExpr(text)
	if err != nil {
		return nil, Dimensionless, err
	}
	c := &checker{syms: map[string]Symbol{"pi": {Kind: Builtin}}, input: InputName}
	for name, d := range names {
		c.syms[name] = Symbol{Kind: Param, Dim: d}
	}
	k, err := c.check(e)
	if err != nil {
		return nil, Dimensionless, err
	}
	if k.boolean {
		return nil, Dimensionless, fmt.Errorf("%s is a condition, expected a value", clip(text, 80))
	}
	if err := c.fault(e); err != nil {
		return nil, Dimensionless, err
	}
	return e, k.d, nil
}

// Eval computes an expression on the host, in coherent units, with the
// given values of its names (an expression CheckExpr accepted). An
// expression that was not checked never panics: a call of an unknown
// function, or with the wrong number of arguments, is NaN.
func Eval(e Expr, vars map[string]float64) float64 {
	switch x := e.(type) {
	case *Num:
		return x.Value
	case *Name:
		if v, ok := vars[x.Name]; ok {
			return v
		}
		if x.Name == "pi" {
			return math.Pi
		}
		v, _, _ := LookupUnit(x.Name)
		return v
	case *Unary:
		v := Eval(x.X, vars)
		switch x.Op {
		case "-":
			return -v
		case "not":
			return b2f(v == 0)
		}
		return v
	case *Binary:
		a, b := Eval(x.X, vars), Eval(x.Y, vars)
		switch x.Op {
		case "+":
			return a + b
		case "-":
			return a - b
		case "*", "unit":
			return a * b
		case "/":
			return a / b
		case "**":
			return math.Pow(a, b)
		case "<":
			return b2f(a < b)
		case "<=":
			return b2f(a <= b)
		case ">":
			return b2f(a > b)
		case ">=":
			return b2f(a >= b)
		case "==":
			return b2f(a == b)
		case "!=":
			return b2f(a != b)
		case "and":
			return b2f(a != 0 && b != 0)
		case "or":
			return b2f(a != 0 || b != 0)
		}
	case *Call:
		args := make([]float64, len(x.Args))
		for i, a := range x.Args {
			args[i] = Eval(a, vars)
		}
		return hostCall(x.Fn, args)
	}
	return math.NaN()
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func hostCall(fn string, a []float64) float64 {
	if n, ok := functions[fn]; !ok || n != len(a) {
		return math.NaN()
	}
	switch fn {
	case "exp":
		return math.Exp(a[0])
	case "log":
		return math.Log(a[0])
	case "log10":
		return math.Log10(a[0])
	case "sqrt":
		return math.Sqrt(a[0])
	case "sin":
		return math.Sin(a[0])
	case "cos":
		return math.Cos(a[0])
	case "tan":
		return math.Tan(a[0])
	case "tanh":
		return math.Tanh(a[0])
	case "sinh":
		return math.Sinh(a[0])
	case "cosh":
		return math.Cosh(a[0])
	case "abs":
		return math.Abs(a[0])
	case "sign":
		switch {
		case a[0] > 0:
			return 1
		case a[0] < 0:
			return -1
		}
		return 0
	case "floor":
		return math.Floor(a[0])
	case "ceil":
		return math.Ceil(a[0])
	case "exprel":
		if math.Abs(a[0]) < 1e-6 {
			return 1 + a[0]/2
		}
		return math.Expm1(a[0]) / a[0]
	case "clip":
		return math.Min(math.Max(a[0], a[1]), a[2])
	case "min":
		return math.Min(a[0], a[1])
	case "max":
		return math.Max(a[0], a[1])
	case "where":
		if a[0] != 0 {
			return a[1]
		}
		return a[2]
	}
	return math.NaN()
}

// Names lists the names an expression reads (variables, parameters, units
// and built-ins), in order of appearance.
func Names(e Expr) []string { return names(e) }

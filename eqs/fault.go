package eqs

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// constants folds, once and bottom up, the subexpressions of an expression
// that read only numbers, units, pi and parameters with values: what is
// known before a run. It is how a value that can only be wrong (a division
// by a parameter that is 0, the log of a negative constant) is found when
// the model is read instead of as NaN or Inf in a run.
type constants struct {
	syms   map[string]Symbol
	values map[string]float64
}

// folded is a subexpression's value when it is constant.
type folded struct {
	v  float64
	ok bool
}

// fault returns an error naming the first subexpression of e (innermost
// first) whose value, with the parameters' values, is NaN or infinite,
// or that divides by a constant 0. The branches of where(…) are left out:
// a condition may guard them.
func (cs *constants) fault(e Expr) error {
	_, err := cs.walk(e)
	return err
}

func (cs *constants) walk(e Expr) (folded, error) {
	switch x := e.(type) {
	case *Num:
		return folded{x.Value, true}, nil
	case *Name:
		if s, ok := cs.syms[x.Name]; ok {
			if s.Kind == Param {
				v, ok := cs.values[x.Name]
				return folded{v, ok}, nil
			}
			if s.Kind == Builtin && x.Name == "pi" {
				return folded{math.Pi, true}, nil
			}
			return folded{}, nil
		}
		if x.Name == "pi" {
			return folded{math.Pi, true}, nil
		}
		v, _, ok := LookupUnit(x.Name)
		return folded{v, ok}, nil
	case *Unary:
		a, err := cs.walk(x.X)
		if err != nil || !a.ok {
			return folded{}, err
		}
		return cs.check(x, Eval(&Unary{Op: x.Op, X: &Num{a.v}}, nil))
	case *Binary:
		a, err := cs.walk(x.X)
		if err != nil {
			return folded{}, err
		}
		b, err := cs.walk(x.Y)
		if err != nil {
			return folded{}, err
		}
		if x.Op == "/" && b.ok && b.v == 0 {
			return folded{}, fmt.Errorf("%s divides by zero%s", short(x), cs.zero(x.Y))
		}
		if !a.ok || !b.ok {
			return folded{}, nil
		}
		return cs.check(x, Eval(&Binary{Op: x.Op, X: &Num{a.v}, Y: &Num{b.v}}, nil))
	case *Call:
		args := make([]Expr, len(x.Args))
		all := true
		for i, arg := range x.Args {
			if x.Fn == "where" && i > 0 {
				all = false
				continue
			}
			a, err := cs.walk(arg)
			if err != nil {
				return folded{}, err
			}
			all = all && a.ok
			args[i] = &Num{a.v}
		}
		if !all {
			return folded{}, nil
		}
		return cs.check(x, Eval(&Call{Fn: x.Fn, Args: args}, nil))
	}
	return folded{}, nil
}

// check returns v as x's folded value, or an error when it is not finite
// (its operands were).
func (cs *constants) check(x Expr, v float64) (folded, error) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return folded{}, fmt.Errorf("%s is %g%s", short(x), v, cs.with(x))
	}
	return folded{v, true}, nil
}

// zero says why a divisor d is 0 (": tau is 0", ": 2*tau is 0 (tau =
// 0)"), or "" for a number.
func (cs *constants) zero(d Expr) string {
	if _, ok := d.(*Num); ok {
		return ""
	}
	return fmt.Sprintf(": %s is 0%s", short(d), cs.with(d))
}

// with lists the parameters e reads with their values, for a message
// (" (tau = 0)"), or "" when there are none or e is one of them.
func (cs *constants) with(e Expr) string {
	var parts []string
	for _, name := range names(e) {
		if s, ok := cs.syms[name]; ok && s.Kind == Param {
			if v, ok := cs.values[name]; ok {
				p := fmt.Sprintf("%s = %g", name, v)
				if !slices.Contains(parts, p) {
					parts = append(parts, p)
				}
			}
		}
	}
	if len(parts) == 0 {
		return ""
	}
	if _, bare := e.(*Name); bare {
		return ""
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

// CheckValues reports, as an *Error naming the equation, threshold or
// reset statement, a subexpression of the model that cannot have a finite
// value with its parameters taking the values in v (coherent units; the
// model's own where v has none): a division by a parameter that is 0, the
// log of a negative one. Parameters for which perNeuron is true take one
// value per neuron and are left out.
func (n *Neuron) CheckValues(v map[string]float64, perNeuron func(name string) bool) error {
	syms := map[string]Symbol{"pi": {Kind: Builtin}}
	for _, eq := range n.States {
		syms[eq.Var] = Symbol{Kind: State}
	}
	for _, eq := range n.Subs {
		syms[eq.Var] = Symbol{Kind: Sub}
	}
	for _, p := range n.Params {
		syms[p] = Symbol{Kind: Param}
		if perNeuron != nil && perNeuron(p) {
			syms[p] = Symbol{Kind: Sub}
		}
	}
	for _, name := range []string{"t", "dt", "xi", InputName} {
		syms[name] = Symbol{Kind: Builtin}
	}
	c := &checker{syms: syms, values: withValues(n.Values, v)}
	for _, eqs := range [][]Equation{n.Subs, n.States} {
		for _, eq := range eqs {
			if err := c.fault(eq.Expr); err != nil {
				return &Error{Part: "equations", Line: eq.Line, Text: eq.Text, Msg: err.Error()}
			}
		}
	}
	if n.Threshold != nil {
		if err := c.fault(n.Threshold); err != nil {
			return &Error{Part: "threshold", Text: n.Threshold.String(), Msg: err.Error()}
		}
	}
	for _, st := range n.Reset {
		if err := c.statementFault(st); err != nil {
			return &Error{Part: "reset", Line: st.Line, Text: st.Text, Msg: err.Error()}
		}
	}
	return nil
}

// statementFault is fault for a statement's right side, and an error for
// "v /= x" where x is a constant 0.
func (c *checker) statementFault(st Statement) error {
	cs := &constants{syms: c.syms, values: c.values}
	v, err := cs.walk(st.Expr)
	if err != nil {
		return err
	}
	if st.Op == "/=" && v.ok && v.v == 0 {
		return fmt.Errorf("%s /= %s divides %s by zero%s", st.Var, short(st.Expr), st.Var, cs.zero(st.Expr))
	}
	return nil
}

// partial reports whether e holds an operation that may have no finite
// value for some finite operands (a division, a power, exp, log, sqrt,
// tan …) applied to operands that read a name for which dep is true (a
// state, a subexpression, the input: constants were checked when the
// model was read).
func partial(e Expr, dep func(name string) bool) bool {
	_, p := partialReads(e, dep)
	return p
}

// partialReads is partial in one pass: whether e reads a name for which
// dep is true, and whether it is partial.
func partialReads(e Expr, dep func(name string) bool) (reads, isPartial bool) {
	switch x := e.(type) {
	case *Name:
		return dep(x.Name), false
	case *Unary:
		return partialReads(x.X, dep)
	case *Binary:
		rx, px := partialReads(x.X, dep)
		if x.Op == "unit" {
			return rx, px
		}
		ry, py := partialReads(x.Y, dep)
		return rx || ry, px || py || x.Op == "/" && ry || x.Op == "**" && (rx || ry)
	case *Call:
		for _, a := range x.Args {
			r, p := partialReads(a, dep)
			reads, isPartial = reads || r, isPartial || p
		}
		switch x.Fn {
		case "exp", "log", "log10", "sqrt", "tan", "sinh", "cosh", "exprel":
			isPartial = isPartial || reads
		}
	}
	return reads, isPartial
}

// NonFiniteSource names, for a run in which the state variable v went
// NaN or infinite, the reset statements assigning v and then the
// equations defining v (or the subexpressions these read) whose
// expressions may have no finite value: `the reset "v = log(v - 1)"
// (reset line 2)`. It is "" when none may.
func (n *Neuron) NonFiniteSource(v string) string {
	dep := func(name string) bool {
		if name == InputName || name == "t" {
			return true
		}
		return slices.ContainsFunc(n.States, func(eq Equation) bool { return eq.Var == name }) ||
			slices.ContainsFunc(n.Subs, func(eq Equation) bool { return eq.Var == name })
	}
	var out []string
	for _, st := range n.Reset {
		if st.Var == v && (partial(st.Expr, dep) || st.Op == "/=" && slices.ContainsFunc(names(st.Expr), dep)) {
			out = append(out, fmt.Sprintf("the reset %q (reset line %d)", clip(st.Text, 60), st.Line))
		}
	}
	if len(out) == 0 {
		for _, eq := range n.States {
			if eq.Var != v {
				continue
			}
			reads := map[string]bool{}
			for _, name := range names(eq.Expr) {
				reads[name] = true
			}
			if partial(eq.Expr, dep) {
				out = append(out, fmt.Sprintf("the equation %q (line %d)", clip(eq.Text, 60), eq.Line))
			}
			for _, sub := range n.Subs {
				if reads[sub.Var] && partial(sub.Expr, dep) {
					out = append(out, fmt.Sprintf("the subexpression %q (line %d)", clip(sub.Text, 60), sub.Line))
				}
			}
		}
	}
	return strings.Join(out, " or ")
}

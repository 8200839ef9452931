package netspec

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml/ast"

	"github.com/brainc/brainc/eqs"
	"github.com/brainc/brainc/ir"
)

// valueUnits says how the values of one variable read.
type valueUnits struct {
	// conv reads a quantity into base units.
	conv func(string) (float64, error)
	// dim is the variable's dimension and scale the factor from eqs'
	// coherent units to base units, for expressions.
	dim   eqs.Dim
	scale float64
	// expect starts the message for a value of another kind.
	expect string
}

// catalogUnits are the units of a catalogue dimension.
func catalogUnits(d ir.Dim) valueUnits {
	return valueUnits{conv: func(s string) (float64, error) { return ir.ParseQuantity(s, d) },
		dim: d.SI(), scale: d.FromCoherent(), expect: ir.Expectation(d)}
}

// eqUnits are the units of an equation model's variable of dimension d.
func eqUnits(d eqs.Dim) valueUnits {
	return valueUnits{conv: func(s string) (float64, error) { return eqs.ParseQuantityOf(s, d) }, dim: d, scale: 1,
		expect: fmt.Sprintf("expected a value of dimension %s", d)}
}

// currentUnits are the units of a value that the dimension d of a model
// given by equations reads (its input I, or a synaptic weight onto it):
// a plain number in eqs' coherent units, as before, or a quantity of
// dimension d in any units ("250 pA", "10 nS"), converted to them. what
// names it in messages.
func currentUnits(d eqs.Dim, what string) valueUnits {
	conv := func(s string) (float64, error) {
		if x, err := strconv.ParseFloat(strings.TrimSpace(s), 64); err == nil {
			return x, nil
		}
		return eqs.ParseQuantityOf(s, d)
	}
	return valueUnits{conv: conv, dim: d, scale: 1, expect: fmt.Sprintf("expected a number or a value of dimension %s (%s)", d, what)}
}

// plainUnits are the units of a catalogue model's input or weight: plain
// numbers in the model's own current units (a unit is refused with what
// the model reads instead).
func plainUnits(what string) valueUnits {
	u := catalogUnits(ir.Dimensionless)
	conv := u.conv
	u.conv = func(s string) (float64, error) {
		x, err := conv(s)
		if err != nil && strings.Contains(err.Error(), "a dimensionless value takes no unit") {
			return 0, fmt.Errorf("%q has a unit, but %s is a plain number in the model's own units (docs/models.md: R·I in mV for the integrate-and-fire family, with R = 1 as in BrainPy; µA/cm² for Hodgkin–Huxley): convert it (250 pA through 100 MΩ is 25 mV), or give the neuron by equations, whose I declares its unit", s, what)
		}
		return x, err
	}
	return u
}

// indexNames are the names a per-neuron expression may read: the neuron
// index i, the population size N and r, one uniform draw per neuron.
var indexNames = map[string]eqs.Dim{"i": eqs.Dimensionless, "N": eqs.Dimensionless, "r": eqs.Dimensionless}

// value reads a value that may differ from neuron to neuron (perNeuron:
// also files and expressions):
//
//	-65 mV                                one value
//	normal(mean, std)                     drawn per neuron
//	uniform(lo, hi)
//	lognormal(mean, std)                  mean and std of the values (mean > 0)
//	clip(normal(20 ms, 5 ms), 5 ms, 40 ms) a draw bounded to [lo, hi]
//	-65 mV + 15 mV*r**2                   an expression of i, N and r
//	{file: tau.npy}                       one value per neuron
func (p *specParser) value(n ast.Node, line int, field string, u valueUnits, perNeuron bool) (ir.Init, *ir.SpecError) {
	if isMapping(n) && perNeuron {
		m, e := p.mapping(n, field, line, false)
		if e != nil {
			return ir.Init{}, e
		}
		if e := p.checkKeys(m, []string{"file"}); e != nil {
			return ir.Init{}, e
		}
		if e := p.require(m, "file"); e != nil {
			return ir.Init{}, e
		}
		f := m.get("file")
		path, e := p.str(f.value, f.line, field+".file")
		if e != nil {
			return ir.Init{}, e
		}
		if !filepath.IsAbs(path) && p.file != "" {
			path = filepath.Join(filepath.Dir(p.file), path)
		}
		return ir.Init{Kind: ir.InitFile, File: path}, nil
	}
	s, ok := n.(*ast.StringNode)
	if !ok {
		switch n.(type) {
		case *ast.IntegerNode, *ast.FloatNode, *ast.InfinityNode, *ast.NanNode:
			x, e := p.quantity(n, line, field, ir.Dimensionless)
			return ir.Init{Kind: ir.InitConst, A: x}, e
		}
		return ir.Init{}, p.errAt(line, field, "%s, got %s", u.expect, describe(n))
	}
	text := strings.TrimSpace(s.Value)
	in, err := p.valueText(text, u, perNeuron)
	if err != nil {
		msg := err.Error()
		if brian2Random.MatchString(text) { // Brian2's random draws
			msg += "; Brian2's rand() and randn() are written uniform(lo, hi) and normal(mean, std) here, or an expression of r (one uniform draw in [0, 1) per neuron: -60 mV + 5 mV*r)"
		}
		return ir.Init{}, p.errAt(line, field, "%s", msg)
	}
	return in, nil
}

// brian2Random matches Brian2's rand() and randn() in a value.
var brian2Random = regexp.MustCompile(`\brandn?\s*\(`)

// valueText reads a value written as text.
func (p *specParser) valueText(text string, u valueUnits, perNeuron bool) (ir.Init, error) {
	call := callRE.FindStringSubmatch(text)
	known := call != nil && (call[1] == "normal" || call[1] == "uniform" || call[1] == "lognormal" || call[1] == "clip")
	if !known {
		x, err := u.conv(text)
		if err == nil || !perNeuron {
			return ir.Init{Kind: ir.InitConst, A: x}, err
		}
		if call != nil && !eqsFunction(call[1]) {
			return ir.Init{}, fmt.Errorf("unknown distribution %q (valid: normal(mean, std), uniform(lo, hi), lognormal(mean, std), clip(draw, lo, hi))", call[1])
		}
		if !readsIndex(text) {
			return ir.Init{}, err // a quantity, malformed or of another dimension
		}
		e, d, eerr := eqs.CheckExpr(text, indexNames)
		if eerr != nil {
			return ir.Init{}, fmt.Errorf("%v (nor is it an expression of i, N and r: %v)", err, eerr)
		}
		if d != u.dim {
			return ir.Init{}, fmt.Errorf("dimensions disagree: %s is %s, expected %s", text, d, u.dim)
		}
		return ir.Init{Kind: ir.InitExpr, Expr: e, Scale: u.scale}, nil
	}
	args := splitArgs(call[2])
	if call[1] == "clip" {
		if len(args) != 3 {
			return ir.Init{}, fmt.Errorf("clip(value, lo, hi) takes 3 arguments, got %d", len(args))
		}
		in, err := p.valueText(args[0], u, perNeuron)
		if err != nil {
			return in, err
		}
		if in.Kind != ir.InitNormal && in.Kind != ir.InitUniform && in.Kind != ir.InitLognormal {
			return in, fmt.Errorf("clip bounds a normal, uniform or lognormal draw, got %s", args[0])
		}
		in.Clip = true
		for k, dst := range []*float64{&in.Lo, &in.Hi} {
			if *dst, err = u.conv(args[k+1]); err != nil {
				return in, fmt.Errorf("clip() %s: %v", []string{"lo", "hi"}[k], err)
			}
		}
		return in, nil
	}
	var kind ir.InitKind
	var argNames [2]string
	switch call[1] {
	case "normal":
		kind, argNames = ir.InitNormal, [2]string{"mean", "std"}
	case "uniform":
		kind, argNames = ir.InitUniform, [2]string{"lo", "hi"}
	case "lognormal":
		kind, argNames = ir.InitLognormal, [2]string{"mean", "std"}
	}
	if len(args) != 2 {
		return ir.Init{}, fmt.Errorf("%s(%s, %s) takes 2 arguments, got %d", call[1], argNames[0], argNames[1], len(args))
	}
	var vals [2]float64
	for i, a := range args {
		x, err := u.conv(a)
		if err != nil {
			return ir.Init{}, fmt.Errorf("%s() %s: %v", call[1], argNames[i], err)
		}
		vals[i] = x
	}
	return ir.Init{Kind: kind, A: vals[0], B: vals[1]}, nil
}

// readsIndex reports whether text parses as an expression reading i, N
// or r.
func readsIndex(text string) bool {
	e, err := eqs.ParseExpr(text)
	if err != nil {
		return false
	}
	for _, name := range eqs.Names(e) {
		if _, ok := indexNames[name]; ok {
			return true
		}
	}
	return false
}

// eqsFunction reports whether name is a function expressions may call.
func eqsFunction(name string) bool {
	_, _, err := eqs.CheckExpr(name+"(1)", nil)
	return err == nil || !strings.Contains(err.Error(), "unknown function")
}

// splitArgs splits a call's arguments at the commas outside parentheses.
func splitArgs(s string) []string {
	var out []string
	depth, start := 0, 0
	for i, r := range s {
		switch r {
		case '(':
			depth++
		case ')':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, strings.TrimSpace(s[start:i]))
				start = i + 1
			}
		}
	}
	return append(out, strings.TrimSpace(s[start:]))
}

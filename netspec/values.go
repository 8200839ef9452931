package netspec

import (
	"fmt"
	"path/filepath"
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
	u := valueUnits{conv: func(s string) (float64, error) { return ir.ParseQuantity(s, d) }, scale: 1, expect: ir.Expectation(d)}
	switch d {
	case ir.Time:
		u.dim = eqs.Time
	case ir.Voltage:
		u.dim = eqs.Voltage
	case ir.Rate:
		u.dim, u.scale = eqs.Frequency, 1000 // 1/ms in Hz
	}
	return u
}

// eqUnits are the units of an equation model's variable of dimension d.
func eqUnits(d eqs.Dim) valueUnits {
	return valueUnits{conv: func(s string) (float64, error) { return eqs.ParseQuantityOf(s, d) }, dim: d, scale: 1,
		expect: fmt.Sprintf("expected a value of dimension %s", d)}
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
		return ir.Init{}, p.errAt(line, field, "%s", err.Error())
	}
	return in, nil
}

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

package netspec

import (
	"fmt"
	"strings"

	"github.com/goccy/go-yaml/ast"

	"github.com/brainc/brainc/eqs"
	"github.com/brainc/brainc/ir"
)

// equationKeys are the keys of a model given by equations.
var equationKeys = []string{"equations", "threshold", "reset", "refractory", "params"}

// textAt is a string value of a spec and where its text starts: the line
// of its first text line (a block scalar's starts below its key).
type textAt struct {
	text string
	line int
}

// textValue reads a string (a block scalar, a quoted or plain string).
func (p *specParser) textValue(en *mapEntry, field string) (textAt, *ir.SpecError) {
	switch v := en.value.(type) {
	case *ast.LiteralNode:
		return textAt{v.Value.Value, en.keyLine + 1}, nil
	case *ast.StringNode:
		return textAt{v.Value, en.line}, nil
	case *ast.IntegerNode, *ast.FloatNode:
		return textAt{v.GetToken().Value, en.line}, nil
	}
	return textAt{}, p.errAt(en.line, field, "expected a string, got %s", describe(en.value))
}

// equationModel reads a population's model given by equations:
//
//	model:
//	  equations: |
//	    dv/dt = (0.04/ms/mV*v**2 + 5/ms*v + 140*mV/ms - u + I) : mV
//	    du/dt = a*(b*v - u) : mV/ms
//	  threshold: v >= 30 mV
//	  reset: |
//	    v = c
//	    u += d
//	  refractory: 0 ms
//	  params: {a: 0.02/ms, b: 0.2/ms, c: -65 mV, d: 8 mV/ms}
//
// Errors name the line of the equation, statement or parameter at fault.
func (p *specParser) equationModel(f *mapEntry, field string) (*eqs.Neuron, *ir.SpecError) {
	m, e := p.keyed(f, field, equationKeys)
	if e != nil {
		return nil, e
	}
	if e := p.require(m, "equations"); e != nil {
		return nil, e
	}
	parts := map[string]textAt{}
	for _, key := range []string{"equations", "threshold", "reset", "refractory"} {
		if en := m.get(key); en != nil {
			t, e := p.textValue(en, field+"."+key)
			if e != nil {
				return nil, e
			}
			parts[key] = t
		}
	}
	src := eqs.Source{Equations: parts["equations"].text, Threshold: parts["threshold"].text,
		Reset: parts["reset"].text, Refractory: parts["refractory"].text}
	paramLines := map[string]int{}
	if en := m.get("params"); en != nil {
		pm, e := p.mapping(en.value, field+".params", en.keyLine, false)
		if e != nil {
			return nil, e
		}
		for _, pe := range pm.entries {
			t, e := p.textValue(&pe, field+".params."+pe.key)
			if e != nil {
				return nil, e
			}
			src.Params = append(src.Params, eqs.ParamSource{Name: pe.key, Text: t.text})
			paramLines[pe.key] = pe.keyLine
		}
	}
	n, err := eqs.ParseNeuron(src)
	if err == nil {
		return n, nil
	}
	ee, ok := err.(*eqs.Error)
	if !ok {
		return nil, p.errAt(f.keyLine, field, "%v", err)
	}
	line := f.keyLine
	if name, isParam := strings.CutPrefix(ee.Part, "params."); isParam {
		line = paramLines[name]
	} else if t, ok := parts[ee.Part]; ok {
		line = t.line + max(ee.Line, 1) - 1
	}
	return nil, p.errAt(line, field+"."+ee.Part, "%s", ee.Error())
}

// equationParams reads a population's params for an equation model:
// values (one, or one per neuron into vary) of the dimension the model
// gives them (numbers are taken in coherent units).
func (p *specParser) equationParams(en *mapEntry, field string, n *eqs.Neuron, dst map[string]float64, vary map[string]ir.Init) *ir.SpecError {
	pm, e := p.mapping(en.value, field, en.keyLine, true)
	if e != nil {
		return e
	}
	for _, pe := range pm.entries {
		d, ok := n.Dims[pe.key]
		if !ok {
			return p.errAt(pe.keyLine, field, "unknown parameter %q of the equations (parameters: %s)", pe.key, strings.Join(n.Params, ", "))
		}
		in, e := p.value(pe.value, pe.line, joinPath(field, pe.key), eqUnits(d), true)
		if e != nil {
			return e
		}
		dst[pe.key] = in.A
		if in.PerNeuron() {
			vary[pe.key] = in
		}
	}
	return nil
}

// eqQuantity reads a quantity of dimension d.
func eqQuantity(s string, d eqs.Dim) (float64, error) {
	x, got, err := eqs.ParseQuantity(s)
	if err != nil {
		return 0, err
	}
	if got != d {
		return 0, fmt.Errorf("dimensions disagree: %q is %s, expected %s", s, got, d)
	}
	return x, nil
}

// equationInits reads the initial values of an equation model's states.
func (p *specParser) equationInits(f *mapEntry, field string, n *eqs.Neuron) (map[string]ir.Init, *ir.SpecError) {
	im, e := p.mapping(f.value, field, f.keyLine, true)
	if e != nil {
		return nil, e
	}
	dims := map[string]eqs.Dim{}
	var names []string
	for _, eq := range n.States {
		dims[eq.Var] = eq.Dim
		names = append(names, eq.Var)
	}
	out := map[string]ir.Init{}
	for _, ie := range im.entries {
		d, ok := dims[ie.key]
		if !ok {
			return nil, p.errAt(ie.keyLine, field, "unknown state variable %q of the equations (states: %s)", ie.key, strings.Join(names, ", "))
		}
		in, e := p.value(ie.value, ie.line, field+"."+ie.key, eqUnits(d), true)
		if e != nil {
			return nil, e
		}
		out[ie.key] = in
	}
	return out, nil
}

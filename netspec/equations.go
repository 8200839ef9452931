package netspec

import (
	"strings"

	"github.com/goccy/go-yaml/ast"

	"github.com/brainc/brainc/catalog"
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

// textParts reads the text values of keys in m (those present).
func (p *specParser) textParts(m *specMap, field string, keys ...string) (map[string]textAt, *ir.SpecError) {
	parts := map[string]textAt{}
	for _, key := range keys {
		if en := m.get(key); en != nil {
			t, e := p.textValue(en, field+"."+key)
			if e != nil {
				return nil, e
			}
			parts[key] = t
		}
	}
	return parts, nil
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
	parts, e := p.textParts(m, field, "equations", "threshold", "reset", "refractory")
	if e != nil {
		return nil, e
	}
	params, paramLines, e := p.eqParamSources(m, field)
	if e != nil {
		return nil, e
	}
	n, err := eqs.ParseNeuron(eqs.Source{Equations: parts["equations"].text, Threshold: parts["threshold"].text,
		Reset: parts["reset"].text, Refractory: parts["refractory"].text, Params: params})
	if err != nil {
		return nil, p.eqError(err, f, field, parts, paramLines)
	}
	return n, nil
}

// eqParamSources reads the params mapping of an equation model as text,
// with the line of each parameter.
func (p *specParser) eqParamSources(m *specMap, field string) ([]eqs.ParamSource, map[string]int, *ir.SpecError) {
	var params []eqs.ParamSource
	lines := map[string]int{}
	en := m.get("params")
	if en == nil {
		return nil, lines, nil
	}
	pm, e := p.mapping(en.value, field+".params", en.keyLine, true) // v0: uniform(a, b) in a flow mapping
	if e != nil {
		return nil, nil, e
	}
	for _, pe := range pm.entries {
		t, e := p.textValue(&pe, field+".params."+pe.key)
		if e != nil {
			return nil, nil, e
		}
		params = append(params, eqs.ParamSource{Name: pe.key, Text: t.text})
		lines[pe.key] = pe.keyLine
	}
	return params, lines, nil
}

// eqError places an eqs error at the line of the equation, statement or
// parameter at fault.
func (p *specParser) eqError(err error, f *mapEntry, field string, parts map[string]textAt, paramLines map[string]int) *ir.SpecError {
	ee, ok := err.(*eqs.Error)
	if !ok {
		return p.errAt(f.keyLine, field, "%v", err)
	}
	line := f.keyLine
	if name, isParam := strings.CutPrefix(ee.Part, "params."); isParam {
		line = paramLines[name]
	} else if l, ok := paramLines[ee.Part]; ok { // modulators.<name>
		line = l
	} else if t, ok := parts[ee.Part]; ok {
		line = t.line + max(ee.Line, 1) - 1
	}
	return p.errAt(line, field+"."+ee.Part, "%s", ee.Error())
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
	perNeuron := func(name string) bool { _, ok := vary[name]; return ok }
	if err := n.CheckValues(dst, perNeuron); err != nil {
		return p.errAt(en.keyLine, field, "%v", err)
	}
	return nil
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

// equationComponent reads a synapse given by equations,
//
//	synapse:
//	  equations: |
//	    dg/dt = -g/tau : 1
//	  on_pre: g += w
//	  params: {tau: 5 ms}
//
// or an output given by an expression of g and V,
//
//	output:
//	  current: g*(E - V)
//	  params: {E: 0 mV}
func (p *specParser) equationComponent(en *mapEntry, field string, kind catalog.ModelKind, gDim eqs.Dim) (ir.Component, *ir.SpecError) {
	keys := []string{"equations", "on_pre", "params"}
	if kind == catalog.KindOutput {
		keys = []string{"current", "params"}
	}
	m, e := p.keyed(en, field, keys)
	if e != nil {
		return ir.Component{}, e
	}
	if e := p.require(m, keys[0]); e != nil {
		return ir.Component{}, e
	}
	parts, e := p.textParts(m, field, keys[:len(keys)-1]...)
	if e != nil {
		return ir.Component{}, e
	}
	params, paramLines, e := p.eqParamSources(m, field)
	if e != nil {
		return ir.Component{}, e
	}
	c := ir.Component{Model: ir.EquationsModel, Params: map[string]float64{}}
	var err error
	if kind == catalog.KindSynapse {
		c.Synapse, err = eqs.ParseSynapse(eqs.SynapseSource{Equations: parts["equations"].text, OnPre: parts["on_pre"].text, Params: params})
		if err == nil {
			for name, v := range c.Synapse.Values {
				c.Params[name] = v
			}
			return c, nil
		}
	} else {
		c.Output, err = eqs.ParseOutput(eqs.OutputSource{Current: parts["current"].text, Params: params}, gDim)
		if err == nil {
			for name, v := range c.Output.Values {
				c.Params[name] = v
			}
			return c, nil
		}
	}
	return c, p.eqError(err, en, field, parts, paramLines)
}

// plasticity reads a projection's plasticity rule given by equations:
//
//	plasticity:
//	  equations: |
//	    dx_pre/dt = -x_pre/tau_plus : 1 (pre)
//	    dx_post/dt = -x_post/tau_minus : 1 (post)
//	  on_pre: |
//	    w = clip(w - A_minus*x_post, w_min, w_max)
//	    x_pre += 1
//	  on_post: |
//	    w = clip(w + A_plus*x_pre, w_min, w_max)
//	    x_post += 1
//	  params: {tau_plus: 20 ms, tau_minus: 20 ms, A_plus: 0.01, A_minus: 0.0105, w_min: 0, w_max: 1}
//	  modulators: {DA: Dopamine.d}   # names read from a population's variable
//	  integrator: euler              # of the clock-driven variables (default exp_euler)
func (p *specParser) plasticity(f *mapEntry, field string) (*eqs.Plasticity, []ir.Modulator, *ir.SpecError) {
	m, e := p.keyed(f, field, []string{"equations", "on_pre", "on_post", "params", "modulators", "integrator"})
	if e != nil {
		return nil, nil, e
	}
	if e := p.require(m, "equations"); e != nil {
		return nil, nil, e
	}
	parts, e := p.textParts(m, field, "equations", "on_pre", "on_post")
	if e != nil {
		return nil, nil, e
	}
	params, paramLines, e := p.eqParamSources(m, field)
	if e != nil {
		return nil, nil, e
	}
	var mods []ir.Modulator
	if en := m.get("modulators"); en != nil {
		mm, e := p.mapping(en.value, field+".modulators", en.keyLine, false)
		if e != nil {
			return nil, nil, e
		}
		for _, me := range mm.entries {
			at := field + ".modulators." + me.key
			ref, e := p.str(me.value, me.line, at)
			if e != nil {
				return nil, nil, e
			}
			pop, v, ok := strings.Cut(strings.TrimSpace(ref), ".")
			if !ok || pop == "" || v == "" {
				return nil, nil, p.errAt(me.line, at, "expected population.variable (e.g. Dopamine.d), got %q", ref)
			}
			mods = append(mods, ir.Modulator{Name: me.key, Pop: pop, Var: v, Line: me.line})
			paramLines["modulators."+me.key] = me.line
		}
	}
	names := make([]string, len(mods))
	for k, md := range mods {
		names[k] = md.Name
	}
	integrator := ""
	if en := m.get("integrator"); en != nil {
		if integrator, e = p.str(en.value, en.line, field+".integrator"); e != nil {
			return nil, nil, e
		}
		paramLines["integrator"] = en.line
	}
	r, err := eqs.ParsePlasticity(eqs.PlasticitySource{Equations: parts["equations"].text, OnPre: parts["on_pre"].text,
		OnPost: parts["on_post"].text, Params: params, Modulators: names, Integrator: integrator})
	if err != nil {
		return nil, nil, p.eqError(err, f, field, parts, paramLines)
	}
	return r, mods, nil
}

package eqs

import (
	"fmt"
	"strings"
)

// SynapseSource is a synapse model given by equations: its variables are
// kept per postsynaptic neuron, so its dynamics must be linear in the
// arriving weights (as Expon's), and projections with equal models share
// them.
type SynapseSource struct {
	// Equations holds the variables' differential equations (and
	// subexpressions, declarations), e.g. "dg/dt = -g/tau : 1". Outputs
	// read the variable g.
	Equations string
	// OnPre holds what a presynaptic spike does: statements "x += w" or
	// "x += w*k" (k an expression of parameters and numbers), w being the
	// projection's weight.
	OnPre string
	// Params gives the parameters' values, in order.
	Params []ParamSource
}

// Synapse is a checked synapse model.
type Synapse struct {
	// States are the differential equations, Subs the subexpressions in
	// dependency order.
	States, Subs []Equation
	// Params, Values and Dims are the parameters, their values in coherent
	// units and their dimensions.
	Params []string
	Values map[string]float64
	Dims   map[string]Dim
	// OnPre are the spike's effects: OnPre[k].Var += w·Factor[k].
	OnPre  []Statement
	Factor []Expr
	// WeightDim is the weight's dimension (the variables' it adds to, over
	// their factors').
	WeightDim Dim
	// Key identifies the equations and effects (not the parameters).
	Key string
}

// WeightName is the name of a projection's weight in on_pre statements.
const WeightName = "w"

// ParseSynapse reads and checks a synapse model. Errors are *Error.
func ParseSynapse(src SynapseSource) (*Synapse, error) {
	sys, err := parseSystem(src.Equations, src.Params, map[string]Symbol{
		"dt": {Kind: Builtin, Dim: Time}, "pi": {Kind: Builtin},
		WeightName: {Kind: Input},
	}, WeightName)
	if err != nil {
		return nil, err
	}
	if err := noSides(sys); err != nil {
		return nil, err
	}
	if sys.used[WeightName] {
		return nil, &Error{Part: "equations", Msg: fmt.Sprintf("the weight %s enters through on_pre only (e.g. g += %s)", WeightName, WeightName)}
	}
	s := &Synapse{States: sys.states, Subs: sys.subs, Params: sys.params, Values: sys.values, Dims: sys.dims}
	if len(s.States) == 0 || s.States[0].Var != "g" && !hasState(s.States, "g") {
		return nil, &Error{Part: "equations", Msg: "a synapse needs a variable g (dg/dt = … : unit), which outputs read"}
	}
	// g first: outputs read the first state.
	for k, eq := range s.States {
		if eq.Var == "g" {
			s.States[0], s.States[k] = s.States[k], s.States[0]
		}
	}
	if strings.TrimSpace(src.OnPre) == "" {
		return nil, &Error{Part: "on_pre", Msg: "missing: what a presynaptic spike does (e.g. g += w)"}
	}
	if s.OnPre, err = parseReset(src.OnPre, sys.c); err != nil {
		if e, ok := err.(*Error); ok {
			e.Part = "on_pre"
		}
		return nil, err
	}
	for _, st := range s.OnPre {
		factor, ok := weightFactor(st.Expr)
		if ok {
			for _, name := range names(factor) {
				if sym, known := sys.c.syms[name]; known && (sym.Kind == State || sym.Kind == Sub) {
					ok = false
				}
			}
		}
		if st.Op != "+=" || !ok {
			return nil, &Error{Part: "on_pre", Line: st.Line, Text: st.Text, Msg: fmt.Sprintf("a synapse kept per postsynaptic neuron adds the weight: write %s += %s or %s += %s*k (k of parameters and numbers); effects that read the synapse's own state need one state per synapse", st.Var, WeightName, st.Var, WeightName)}
		}
		for _, name := range names(factor) {
			sys.used[name] = true
		}
		s.Factor = append(s.Factor, factor)
	}
	for _, p := range s.Params {
		if !sys.used[p] {
			return nil, &Error{Part: "params." + p, Msg: fmt.Sprintf("parameter %s is not used by the equations or on_pre", p)}
		}
	}
	s.WeightDim = *sys.c.inputDim
	var key strings.Builder
	for _, eq := range sys.eqs {
		fmt.Fprintf(&key, "%s;", eq.Text)
	}
	for _, st := range s.OnPre {
		fmt.Fprintf(&key, "|%s", st.Text)
	}
	s.Key = key.String()
	return s, nil
}

func hasState(states []Equation, name string) bool {
	for _, eq := range states {
		if eq.Var == name {
			return true
		}
	}
	return false
}

// weightFactor is k in an effect w or w*k or k*w (k free of states); ok is
// false for other forms.
func weightFactor(e Expr) (Expr, bool) {
	isW := func(x Expr) bool { n, ok := x.(*Name); return ok && n.Name == WeightName }
	if isW(e) {
		return &Num{Value: 1}, true
	}
	b, ok := e.(*Binary)
	if !ok || b.Op != "*" {
		return nil, false
	}
	switch {
	case isW(b.X) && !reads(b.Y, WeightName):
		return b.Y, true
	case isW(b.Y) && !reads(b.X, WeightName):
		return b.X, true
	}
	return nil, false
}

// reads reports whether e reads name.
func reads(e Expr, name string) bool {
	for _, n := range names(e) {
		if n == name {
			return true
		}
	}
	return false
}

// OutputSource is a synaptic output given by an expression: the current
// it drives from the synapse's g and the postsynaptic potential V.
type OutputSource struct {
	// Current is the expression, e.g. "g*(E - V)".
	Current string
	// Params gives the parameters' values.
	Params []ParamSource
}

// Output is a checked output.
type Output struct {
	// Current is the checked expression of g, V and the parameters, Dim
	// its dimension.
	Current Expr
	Dim     Dim
	// Params, Values and Dims are the parameters.
	Params []string
	Values map[string]float64
	Dims   map[string]Dim
	// Key identifies the expression and the parameters' values.
	Key string
}

// ParseOutput reads an output; g has dimension gDim (Dimensionless for a
// catalogue synapse), V is a voltage.
func ParseOutput(src OutputSource, gDim Dim) (*Output, error) {
	o := &Output{Values: map[string]float64{}, Dims: map[string]Dim{}}
	syms := map[string]Dim{"g": gDim, "V": Voltage}
	for _, ps := range src.Params {
		if _, taken := syms[ps.Name]; taken {
			return nil, &Error{Part: "params." + ps.Name, Msg: fmt.Sprintf("%s is the synapse's g or the potential V, not a parameter", ps.Name)}
		}
		v, d, err := ParseQuantity(ps.Text)
		if err != nil {
			return nil, &Error{Part: "params." + ps.Name, Text: ps.Text, Msg: err.Error()}
		}
		o.Params = append(o.Params, ps.Name)
		o.Values[ps.Name], o.Dims[ps.Name] = v, d
		syms[ps.Name] = d
	}
	e, d, err := CheckExpr(src.Current, syms)
	if err != nil {
		return nil, &Error{Part: "current", Text: src.Current, Msg: err.Error()}
	}
	consts := &constants{syms: map[string]Symbol{"g": {Kind: State}, "V": {Kind: State}, "pi": {Kind: Builtin}}, values: o.Values}
	for _, p := range o.Params {
		consts.syms[p] = Symbol{Kind: Param}
	}
	if err := consts.fault(e); err != nil {
		return nil, &Error{Part: "current", Text: src.Current, Msg: err.Error()}
	}
	o.Current, o.Dim = e, d
	for _, p := range o.Params {
		if !reads(e, p) {
			return nil, &Error{Part: "params." + p, Msg: fmt.Sprintf("parameter %s is not used by the current", p)}
		}
	}
	o.Key = fmt.Sprintf("%s|%v", src.Current, o.Values)
	return o, nil
}

// WithValues returns a copy of the model whose parameters take the values
// in v (coherent units) where v has them.
func (s *Synapse) WithValues(v map[string]float64) *Synapse {
	out := *s
	out.Values = withValues(s.Values, v)
	return &out
}

// WithValues returns a copy of the output whose parameters take the values
// in v where v has them.
func (o *Output) WithValues(v map[string]float64) *Output {
	out := *o
	out.Values = withValues(o.Values, v)
	out.Key = fmt.Sprintf("%s|%v", strings.SplitN(o.Key, "|", 2)[0], out.Values)
	return &out
}

// withValues is base with the entries of v for its keys.
func withValues(base, v map[string]float64) map[string]float64 {
	out := make(map[string]float64, len(base))
	for name, x := range base {
		if y, ok := v[name]; ok {
			x = y
		}
		out[name] = x
	}
	return out
}

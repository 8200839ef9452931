package eqs

import (
	"fmt"
	"strings"
)

// PlasticitySource is a plasticity rule given by equations: traces kept
// per presynaptic neuron (flag (pre)) or per postsynaptic neuron ((post)),
// and what a presynaptic and a postsynaptic spike do to them and to the
// synapse's weight w, e.g. pair-based STDP:
//
//	equations: |
//	  dx_pre/dt = -x_pre/tau_plus : 1 (pre)
//	  dx_post/dt = -x_post/tau_minus : 1 (post)
//	on_pre: |
//	  w = clip(w - A_minus*x_post, w_min, w_max)
//	  x_pre += 1
//	on_post: |
//	  w = clip(w + A_plus*x_pre, w_min, w_max)
//	  x_post += 1
type PlasticitySource struct {
	// Equations holds the traces' differential equations (each (pre) or
	// (post)), subexpressions of parameters and declarations.
	Equations string
	// OnPre and OnPost hold the statements run, in order, for the synapses
	// of a presynaptic (postsynaptic) neuron that fired: assignments to w
	// and to the traces of that side.
	OnPre, OnPost string
	// Params gives the parameters' values.
	Params []ParamSource
}

// Plasticity is a checked plasticity rule.
type Plasticity struct {
	// Pre and Post are the traces' equations by side, in order.
	Pre, Post []Equation
	// Subs are subexpressions (of parameters only).
	Subs []Equation
	// OnPre and OnPost are the statements, in order.
	OnPre, OnPost []Statement
	// Params, Values and Dims are the parameters.
	Params []string
	Values map[string]float64
	Dims   map[string]Dim
	// Key identifies the rule (not the parameters' values).
	Key string
}

// PlasticWeight is the name of a synapse's weight in plasticity rules.
const PlasticWeight = "w"

// ParsePlasticity reads and checks a plasticity rule. Errors are *Error.
func ParsePlasticity(src PlasticitySource) (*Plasticity, error) {
	sys, err := parseSystem(src.Equations, src.Params, map[string]Symbol{
		"dt": {Kind: Builtin, Dim: Time}, "pi": {Kind: Builtin},
		PlasticWeight: {Kind: State},
	}, "")
	if err != nil {
		return nil, err
	}
	r := &Plasticity{Subs: sys.subs, Params: sys.params, Values: sys.values, Dims: sys.dims}
	side := map[string]string{}
	for _, eq := range sys.states {
		switch eq.Side {
		case "pre":
			r.Pre = append(r.Pre, eq)
		case "post":
			r.Post = append(r.Post, eq)
		default:
			return nil, &Error{Part: "equations", Line: eq.Line, Text: eq.Text, Msg: fmt.Sprintf("a plasticity trace is kept per presynaptic or per postsynaptic neuron: flag it (pre) or (post); %s's own dynamics per synapse are not supported", eq.Var)}
		}
		side[eq.Var] = eq.Side
	}
	// A trace reads only its side's traces (and parameters).
	for _, eq := range sys.states {
		for _, name := range names(eq.Expr) {
			if s := side[name]; s != "" && s != eq.Side || name == PlasticWeight {
				return nil, &Error{Part: "equations", Line: eq.Line, Text: eq.Text, Msg: fmt.Sprintf("a (%s) trace may read only (%s) traces and parameters, not %s", eq.Side, eq.Side, name)}
			}
		}
	}
	for _, sub := range sys.subs {
		for _, name := range names(sub.Expr) {
			if side[name] != "" || name == PlasticWeight {
				return nil, &Error{Part: "equations", Line: sub.Line, Text: sub.Text, Msg: "subexpressions of a plasticity rule may read parameters only"}
			}
		}
	}
	for _, part := range []struct {
		name, text, own string
		dst             *[]Statement
	}{{"on_pre", src.OnPre, "pre", &r.OnPre}, {"on_post", src.OnPost, "post", &r.OnPost}} {
		sts, err := parseReset(part.text, sys.c)
		if err != nil {
			if e, ok := err.(*Error); ok {
				e.Part = part.name
			}
			return nil, err
		}
		for _, st := range sts {
			if s := side[st.Var]; s != "" && s != part.own {
				return nil, &Error{Part: part.name, Line: st.Line, Text: st.Text, Msg: fmt.Sprintf("%s runs for the neurons of the %s side: it may assign w and (%s) traces, not the (%s) trace %s", part.name, part.own, part.own, s, st.Var)}
			}
			for _, name := range names(st.Expr) {
				if st.Var != PlasticWeight && (name == PlasticWeight || side[name] != "" && side[name] != part.own) {
					return nil, &Error{Part: part.name, Line: st.Line, Text: st.Text, Msg: fmt.Sprintf("a (%s) trace's update may read (%s) traces and parameters, not %s", part.own, part.own, name)}
				}
				sys.used[name] = true
			}
		}
		*part.dst = sts
	}
	if len(r.OnPre)+len(r.OnPost) == 0 {
		return nil, &Error{Part: "on_pre", Msg: "a plasticity rule needs on_pre or on_post statements"}
	}
	for _, p := range r.Params {
		if !sys.used[p] {
			return nil, &Error{Part: "params." + p, Msg: fmt.Sprintf("parameter %s is not used by the equations, on_pre or on_post", p)}
		}
	}
	var key strings.Builder
	for _, eq := range sys.eqs {
		fmt.Fprintf(&key, "%s;", eq.Text)
	}
	for _, st := range append(append([]Statement(nil), r.OnPre...), r.OnPost...) {
		fmt.Fprintf(&key, "|%s", st.Text)
	}
	r.Key = key.String()
	return r, nil
}

// WithValues returns a copy of the rule whose parameters take the values in
// v where v has them.
func (r *Plasticity) WithValues(v map[string]float64) *Plasticity {
	out := *r
	out.Values = withValues(r.Values, v)
	return &out
}

package eqs

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// PlasticitySource is a plasticity rule given by equations: traces kept
// per presynaptic neuron (flag (pre)) or per postsynaptic neuron ((post)),
// variables kept per synapse ((clock-driven) or (event-driven), Brian2's
// flags), and what a presynaptic and a postsynaptic spike do to them and
// to the synapse's weight w, e.g. pair-based STDP with traces per neuron:
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
//
// or reward-modulated STDP with an eligibility trace c per synapse and a
// neuromodulator DA read from another population (Modulators):
//
//	equations: |
//	  dc/dt = -c/tau_c : 1 (clock-driven)
//	  dw/dt = c*DA/tau_w : 1 (clock-driven)
//	  dx_pre/dt = -x_pre/tau_plus : 1 (pre)
//	  dx_post/dt = -x_post/tau_minus : 1 (post)
//	  DA : 1
type PlasticitySource struct {
	// Equations holds the traces' and per-synapse variables' differential
	// equations, subexpressions of parameters and declarations (of
	// parameters and modulators).
	Equations string
	// OnPre and OnPost hold the statements run, in order, for the synapses
	// of a presynaptic (postsynaptic) neuron that fired: assignments to w,
	// to per-synapse variables and to the traces of that side.
	OnPre, OnPost string
	// Params gives the parameters' values.
	Params []ParamSource
	// Modulators name values the rule reads from elsewhere in the network
	// each step (a neuromodulator's concentration): each is declared in
	// Equations with its unit ("DA : 1"; undeclared, it is
	// dimensionless).
	Modulators []string
	// Integrator integrates the clock-driven variables: "exp_euler" (the
	// default, also for "") or "euler" (Brian2's method="euler").
	Integrator string
}

// Flags of a plasticity rule's variable kept per synapse
// (Equation.Drive).
const (
	// ClockDriven variables are integrated every step, at every synapse.
	ClockDriven = "clock-driven"
	// EventDriven variables are brought up to date, over the time elapsed
	// since their synapse's last event, only when the synapse's
	// presynaptic or postsynaptic neuron fires: their equation must be
	// linear in the variable and read nothing else but parameters.
	EventDriven = "event-driven"
)

// Plasticity is a checked plasticity rule.
type Plasticity struct {
	// Pre and Post are the traces' equations by side, in order.
	Pre, Post []Equation
	// Synaptic are the equations of the variables kept per synapse, in
	// order, each ClockDriven or EventDriven (Equation.Drive). A
	// clock-driven equation for w makes the weight itself evolve.
	Synaptic []Equation
	// Subs are subexpressions (of parameters only).
	Subs []Equation
	// OnPre and OnPost are the statements, in order.
	OnPre, OnPost []Statement
	// Params, Values and Dims are the parameters.
	Params []string
	Values map[string]float64
	Dims   map[string]Dim
	// Modulators are the names read from elsewhere in the network
	// (PlasticitySource.Modulators).
	Modulators []string
	// ModulatorDims are the modulators' dimensions.
	ModulatorDims map[string]Dim
	// Integrator is "exp_euler" or "euler" (PlasticitySource.Integrator).
	Integrator string
	// Key identifies the rule (not the parameters' values).
	Key string
}

// PlasticWeight is the name of a synapse's weight in plasticity rules.
const PlasticWeight = "w"

// EventDrivenVars lists the rule's event-driven variables, in order.
func (r *Plasticity) EventDrivenVars() []Equation { return r.driven(EventDriven) }

// ClockDrivenVars lists the rule's clock-driven variables, in order.
func (r *Plasticity) ClockDrivenVars() []Equation { return r.driven(ClockDriven) }

func (r *Plasticity) driven(drive string) []Equation {
	var out []Equation
	for _, eq := range r.Synaptic {
		if eq.Drive == drive {
			out = append(out, eq)
		}
	}
	return out
}

// SynapticNames lists the variables kept per synapse besides w, in
// order.
func (r *Plasticity) SynapticNames() []string {
	var out []string
	for _, eq := range r.Synaptic {
		if eq.Var != PlasticWeight {
			out = append(out, eq.Var)
		}
	}
	return out
}

// ruleRole says where a name of a plasticity rule lives.
type ruleRole int

const (
	roleParam ruleRole = iota // parameters, subexpressions, numbers, units
	rolePre                   // (pre) traces
	rolePost                  // (post) traces
	roleClock                 // clock-driven per-synapse variables, and w
	roleEvent                 // event-driven per-synapse variables
	roleModulator
)

// ParsePlasticity reads and checks a plasticity rule. Errors are *Error.
func ParsePlasticity(src PlasticitySource) (*Plasticity, error) {
	syms := map[string]Symbol{
		"dt": {Kind: Builtin, Dim: Time}, "pi": {Kind: Builtin},
		PlasticWeight: {Kind: State},
	}
	modDims := map[string]Dim{}
	_, declared, err := parseEquations(src.Equations)
	if err != nil {
		return nil, err
	}
	for _, m := range src.Modulators {
		if !isIdent(m) || reserved[m] != "" || m == PlasticWeight {
			return nil, &Error{Part: "modulators", Msg: fmt.Sprintf("%q cannot name a modulator", clip(m, 60))}
		}
		if _, dup := modDims[m]; dup {
			return nil, &Error{Part: "modulators." + m, Msg: fmt.Sprintf("modulator %s is given twice", m)}
		}
		modDims[m] = declared[m].Dim
		syms[m] = Symbol{Kind: State, Dim: modDims[m]}
	}
	given := map[string]bool{}
	for _, p := range src.Params {
		given[p.Name] = true
	}
	for _, name := range sortedByLine(declared) {
		d := declared[name]
		if name == PlasticWeight { // Brian2 declares its weight: w : 1
			if d.Dim != Dimensionless {
				return nil, &Error{Part: "equations", Line: d.Line, Text: d.Text, Msg: fmt.Sprintf("the weight w is a number here (w : 1), not %s: the projection's output gives it its meaning", d.Dim)}
			}
			continue
		}
		if !given[name] && !slices.Contains(src.Modulators, name) {
			return nil, &Error{Part: "equations", Line: d.Line, Text: d.Text, Msg: fmt.Sprintf("%s is declared but given no value: give it in params ({%s: …}), or read it from a population as a modulator (modulators: {%s: Pop.var})", name, name, name)}
		}
	}
	sys, err := parseSystem(src.Equations, src.Params, syms, "")
	if err != nil {
		return nil, err
	}
	r := &Plasticity{Subs: sys.subs, Params: sys.params, Values: sys.values, Dims: sys.dims,
		Modulators: src.Modulators, ModulatorDims: modDims, Integrator: "exp_euler"}
	switch src.Integrator {
	case "", "exp_euler":
	case "euler":
		r.Integrator = "euler"
	default:
		return nil, &Error{Part: "integrator", Msg: fmt.Sprintf("expected exp_euler or euler (for the clock-driven variables), got %q", clip(src.Integrator, 60))}
	}
	role := map[string]ruleRole{PlasticWeight: roleClock}
	for _, m := range src.Modulators {
		role[m] = roleModulator
	}
	roleName := map[ruleRole]string{rolePre: "(pre) trace", rolePost: "(post) trace", roleClock: "clock-driven variable",
		roleEvent: "event-driven variable", roleModulator: "modulator"}
	for _, eq := range sys.states {
		at := func(msg string, a ...any) error {
			return &Error{Part: "equations", Line: eq.Line, Text: eq.Text, Msg: fmt.Sprintf(msg, a...)}
		}
		if _, ok := modDims[eq.Var]; ok {
			return nil, at("%s is a modulator, read from the network: it takes no equation here", eq.Var)
		}
		switch {
		case eq.Var == PlasticWeight && eq.Drive != ClockDriven:
			return nil, at("the weight w is kept per synapse and changes every step by its equation: flag it (clock-driven)")
		case eq.Side == "pre":
			r.Pre, role[eq.Var] = append(r.Pre, eq), rolePre
		case eq.Side == "post":
			r.Post, role[eq.Var] = append(r.Post, eq), rolePost
		case eq.Drive == ClockDriven:
			r.Synaptic, role[eq.Var] = append(r.Synaptic, eq), roleClock
		case eq.Drive == EventDriven:
			r.Synaptic, role[eq.Var] = append(r.Synaptic, eq), roleEvent
		default:
			return nil, at("flag %s with where it is kept: (pre) or (post) for a trace per neuron, (clock-driven) or (event-driven) for a variable per synapse", eq.Var)
		}
	}
	// What each kind of equation may read.
	for _, eq := range sys.states {
		own := role[eq.Var]
		for _, name := range names(eq.Expr) {
			got := role[name]
			ok := true
			switch own {
			case rolePre, rolePost: // per neuron: its side's traces
				ok = got == roleParam || got == own
			case roleEvent: // solved over any elapsed time: itself alone
				ok = got == roleParam || name == eq.Var
			case roleClock: // event-driven values are stale between events
				ok = got != roleEvent
			}
			if ok {
				continue
			}
			what := map[ruleRole]string{rolePre: "a (pre) trace may read only (pre) traces and parameters",
				rolePost:  "a (post) trace may read only (post) traces and parameters",
				roleEvent: "an event-driven variable is solved over the time since its last update: its equation may read itself and parameters only",
				roleClock: "an event-driven variable is up to date only at its synapse's events: a clock-driven equation cannot read it (make it clock-driven)"}[own]
			desc := "the " + roleName[got] + " " + name
			if name == PlasticWeight {
				desc = "the weight w"
			}
			return nil, &Error{Part: "equations", Line: eq.Line, Text: eq.Text, Msg: fmt.Sprintf("%s, not %s", what, desc)}
		}
		if own == roleEvent {
			if err := linearIn(eq, sys); err != nil {
				return nil, &Error{Part: "equations", Line: eq.Line, Text: eq.Text, Msg: err.Error()}
			}
		}
	}
	for _, sub := range sys.subs {
		for _, name := range names(sub.Expr) {
			if role[name] != roleParam {
				return nil, &Error{Part: "equations", Line: sub.Line, Text: sub.Text, Msg: "subexpressions of a plasticity rule may read parameters only"}
			}
		}
	}
	for _, part := range []struct {
		name, text string
		own        ruleRole
		dst        *[]Statement
	}{{"on_pre", src.OnPre, rolePre, &r.OnPre}, {"on_post", src.OnPost, rolePost, &r.OnPost}} {
		sts, err := parseReset(part.text, sys.c)
		if err != nil {
			if e, ok := err.(*Error); ok {
				e.Part = part.name
			}
			return nil, err
		}
		side := map[ruleRole]string{rolePre: "pre", rolePost: "post"}
		for _, st := range sts {
			at := func(msg string, a ...any) error {
				return &Error{Part: part.name, Line: st.Line, Text: st.Text, Msg: fmt.Sprintf(msg, a...)}
			}
			target := role[st.Var]
			switch {
			case target == roleModulator:
				return nil, at("%s is a modulator, read from the network: a rule cannot assign it", st.Var)
			case (target == rolePre || target == rolePost) && target != part.own:
				return nil, at("%s runs for the neurons of the %s side: it may assign w, per-synapse variables and (%s) traces, not the (%s) trace %s",
					part.name, side[part.own], side[part.own], side[target], st.Var)
			}
			for _, name := range names(st.Expr) {
				if got := role[name]; target == part.own && got != roleParam && got != part.own {
					return nil, at("a (%s) trace's update may read (%s) traces and parameters, not %s", side[part.own], side[part.own], name)
				}
				sys.used[name] = true
			}
		}
		*part.dst = sts
	}
	if len(r.OnPre)+len(r.OnPost) == 0 && len(r.ClockDrivenVars()) == 0 {
		return nil, &Error{Part: "on_pre", Msg: "a plasticity rule needs on_pre or on_post statements, or clock-driven equations"}
	}
	for _, eq := range r.EventDrivenVars() {
		if !assigned(r, eq.Var) {
			return nil, &Error{Part: "equations", Line: eq.Line, Text: eq.Text, Msg: fmt.Sprintf("the event-driven variable %s is never assigned by on_pre or on_post: it would stay 0", eq.Var)}
		}
	}
	for _, p := range r.Params {
		if !sys.used[p] {
			return nil, &Error{Part: "params." + p, Msg: fmt.Sprintf("parameter %s is not used by the equations, on_pre or on_post", p)}
		}
	}
	for _, m := range r.Modulators {
		if !sys.used[m] {
			return nil, &Error{Part: "modulators." + m, Msg: fmt.Sprintf("modulator %s is not used by the equations, on_pre or on_post", m)}
		}
	}
	var key strings.Builder
	for _, eq := range sys.eqs {
		fmt.Fprintf(&key, "%s;", eq.Text)
	}
	for _, st := range append(append([]Statement(nil), r.OnPre...), r.OnPost...) {
		fmt.Fprintf(&key, "|%s", st.Text)
	}
	if len(r.Modulators) > 0 {
		fmt.Fprintf(&key, "|modulators %s", strings.Join(r.Modulators, ","))
	}
	if r.Integrator != "exp_euler" {
		fmt.Fprintf(&key, "|%s", r.Integrator)
	}
	r.Key = key.String()
	return r, nil
}

// ConstantRate reports whether eq's right side is linear in its variable
// with a coefficient of parameters alone, f = A·x + g(the others), and
// returns A (ms⁻¹ units, from the parameters' values): exponential Euler's
// step is then x + f·(e^{A·dt} − 1)/A, with a factor known before the
// run. It is checked on the host at a few values of the other names.
func (r *Plasticity) ConstantRate(eq Equation) (float64, bool) {
	vals := hostValues(r.Values, r.Subs)
	var others []string
	for _, name := range names(eq.Expr) {
		if _, known := vals[name]; !known && name != eq.Var {
			if _, _, unit := LookupUnit(name); !unit {
				others = append(others, name)
			}
		}
	}
	f := func(x float64) float64 {
		vals[eq.Var] = x
		return Eval(eq.Expr, vals)
	}
	var a float64
	for trial, draw := range [][2]float64{{0.37, 1.9}, {-1.3, 0.61}, {2.9, -0.44}} {
		for k, name := range others {
			vals[name] = draw[0] + draw[1]*float64(k+1)
		}
		f0, f1, f3 := f(0), f(1), f(3.5)
		at := f1 - f0
		if math.IsNaN(at) || math.Abs(f3-f0-3.5*at) > 1e-9*(math.Abs(f3)+math.Abs(f0)+1e-300) {
			return 0, false
		}
		if trial > 0 && math.Abs(at-a) > 1e-12*(math.Abs(a)+1e-300) {
			return 0, false
		}
		a = at
	}
	return a, true
}

// assigned reports whether a statement of the rule assigns v.
func assigned(r *Plasticity, v string) bool {
	for _, st := range append(append([]Statement(nil), r.OnPre...), r.OnPost...) {
		if st.Var == v {
			return true
		}
	}
	return false
}

// hostValues are the parameters' values with the subexpressions' (of
// parameters only) computed from them, for evaluating a rule on the host.
func hostValues(values map[string]float64, subs []Equation) map[string]float64 {
	vals := make(map[string]float64, len(values)+len(subs))
	for k, v := range values {
		vals[k] = v
	}
	for _, sub := range subs {
		vals[sub.Var] = Eval(sub.Expr, vals)
	}
	return vals
}

// eventCoefficients are A and B of an event-driven equation dx/dt = A·x +
// B, from f(1) − f(0) and f(0) at the values vals (which it changes).
func eventCoefficients(eq Equation, vals map[string]float64) (a, b float64) {
	vals[eq.Var] = 0
	b = Eval(eq.Expr, vals)
	vals[eq.Var] = 1
	return Eval(eq.Expr, vals) - b, b
}

// EventCoefficients are A and B (ms⁻¹ units) of an event-driven variable's
// equation dx/dt = A·x + B (ParsePlasticity checked that it is linear),
// from the parameters' values.
func (r *Plasticity) EventCoefficients(eq Equation) (a, b float64) {
	return eventCoefficients(eq, hostValues(r.Values, r.Subs))
}

// linearIn checks that an event-driven equation's right side is linear in
// its variable (with the parameters' values): f(x) = A·x + B, which the
// rule solves exactly over any elapsed time.
func linearIn(eq Equation, sys *system) error {
	vals := hostValues(sys.values, sys.subs)
	f := func(x float64) float64 {
		vals[eq.Var] = x
		return Eval(eq.Expr, vals)
	}
	a, f0 := eventCoefficients(eq, vals)
	for _, x := range []float64{-3.5, 2, 17} {
		want, got := f0+a*x, f(x)
		if math.IsNaN(got) || math.Abs(got-want) > 1e-9*(math.Abs(want)+math.Abs(f0)+math.Abs(a*x)+1e-300) {
			return fmt.Errorf("an event-driven equation must be linear in its variable (dx/dt = A·x + B, A and B of parameters), which is solved exactly between events; d%s/dt is not: make %s clock-driven", eq.Var, eq.Var)
		}
	}
	return nil
}

// WithValues returns a copy of the rule whose parameters take the values in
// v where v has them.
func (r *Plasticity) WithValues(v map[string]float64) *Plasticity {
	out := *r
	out.Values = withValues(r.Values, v)
	return &out
}

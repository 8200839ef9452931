package dynamics

import (
	"fmt"
	"math"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // graph DSL
	"github.com/gomlx/gomlx/pkg/core/shapes"

	"github.com/brainc/brainc/eqs"
	"github.com/brainc/brainc/ops"
)

// EquationPlasticity is a plasticity rule given by equations
// (eqs.Plasticity): traces per presynaptic and per postsynaptic neuron
// and clock-driven variables per synapse, integrated each step by
// exponential Euler, then the on_pre statements for the synapses (and
// traces) of the presynaptic neurons that fired, in order, then the
// on_post ones for the postsynaptic neurons that fired. Before a side's
// statements, the event-driven variables of the synapses it touches are
// brought up to date over the time since their last event, exactly (their
// equations are linear). Step updates every synapse (the dense kernel),
// EventStep only the rows and columns of the neurons that fired; both
// give the same values.
type EquationPlasticity struct {
	// Rule is the checked rule.
	Rule *eqs.Plasticity
	// coef holds, per event-driven variable, A and B of its equation
	// dx/dt = A·x + B (ms⁻¹ units), from the parameters' values.
	coef map[string][2]float64
	// rate holds, per clock-driven variable whose equation is linear in it
	// with a coefficient A of parameters alone, A (eqs.ConstantRate).
	rate map[string]float64
}

// NewEquationPlasticity returns the rule of a checked model.
func NewEquationPlasticity(r *eqs.Plasticity) *EquationPlasticity {
	p := &EquationPlasticity{Rule: r, coef: map[string][2]float64{}, rate: map[string]float64{}}
	for _, eq := range r.ClockDrivenVars() {
		if a, ok := r.ConstantRate(eq); ok {
			p.rate[eq.Var] = a
		}
	}
	for _, eq := range r.EventDrivenVars() {
		a, b := r.EventCoefficients(eq)
		p.coef[eq.Var] = [2]float64{a, b}
	}
	return p
}

// PlasticState is a rule's state in one step.
type PlasticState struct {
	// W holds the weights.
	W *Node
	// Pre and Post hold the traces of each side, one entry per neuron.
	Pre, Post Vars
	// Syn holds the variables kept per synapse, laid out as W.
	Syn Vars
	// Last holds the step of each synapse's last event (Int32, laid out
	// as W) when the rule has event-driven variables; nil otherwise.
	Last *Node
}

// PlasticEnv is what a rule reads besides its state and the spikes.
type PlasticEnv struct {
	// Step is the step's index (Int32 scalar), for the time since a
	// synapse's last event.
	Step *Node
	// Mods holds the modulators' values (scalars), by the rule's names.
	Mods Vars
	// Dt is the time step (ms).
	Dt float64
}

// PreNames and PostNames list the traces of each side.
func (p *EquationPlasticity) PreNames() []string  { return eqNames(p.Rule.Pre) }
func (p *EquationPlasticity) PostNames() []string { return eqNames(p.Rule.Post) }

func eqNames(list []eqs.Equation) []string {
	out := make([]string, len(list))
	for k, eq := range list {
		out[k] = eq.Var
	}
	return out
}

// env binds values (w, gathered traces) over one set of entries.
func (p *EquationPlasticity) env(vals map[string]*Node, like *Node, dt float64) *env {
	e := &env{values: p.Rule.Values, like: like, vals: vals, dt: dt}
	for _, sub := range p.Rule.Subs {
		e.vals[sub.Var] = e.eval(sub.Expr)
	}
	return e
}

// decay integrates one side's traces over dt.
func (p *EquationPlasticity) decay(traces Vars, list []eqs.Equation, dt float64) Vars {
	if len(list) == 0 {
		return traces
	}
	f := func(v Vars) Vars {
		vals := map[string]*Node{}
		for k, x := range v {
			vals[k] = x
		}
		e := p.env(vals, v[list[0].Var], dt)
		out := Vars{}
		for _, eq := range list {
			out[eq.Var] = e.full(e.eval(eq.Expr))
		}
		return out
	}
	return ExpEulerMethod(f, traces, dt)
}

// apply is a statement's new value: old op val (=, +=, -=, *=, /=).
func apply(op string, old, val *Node) *Node {
	switch op {
	case "+=":
		return Add(old, val)
	case "-=":
		return Sub(old, val)
	case "*=":
		return Mul(old, val)
	case "/=":
		return Div(old, val)
	}
	return val
}

// traceStatement runs a statement on a side's traces, for the neurons that
// fired.
func (p *EquationPlasticity) traceStatement(st eqs.Statement, traces Vars, fired *Node, dt float64) {
	vals := map[string]*Node{}
	for k, x := range traces {
		vals[k] = x
	}
	old := traces[st.Var]
	e := p.env(vals, old, dt)
	traces[st.Var] = Where(fired, apply(st.Op, old, e.full(e.eval(st.Expr))), old)
}

// synapseValues binds w and the traces gathered at each entry's
// presynaptic (preAt) and postsynaptic (postAt) neuron, Int32 [M, 1]
// (pad entries read 0).
func synapseValues(w *Node, pre, post Vars, preAt, postAt *Node) map[string]*Node {
	vals := map[string]*Node{eqs.PlasticWeight: w}
	for _, k := range pre.Names() {
		vals[k] = Gather(ops.AppendZero(pre[k]), preAt)
	}
	for _, k := range post.Names() {
		vals[k] = Gather(ops.AppendZero(post[k]), postAt)
	}
	return vals
}

// withSynapse adds the per-synapse variables syn (over the same entries
// as vals) and the modulators, broadcast to like's shape, to vals.
func withSynapse(vals map[string]*Node, syn, mods Vars, like *Node) map[string]*Node {
	for k, x := range syn {
		vals[k] = x
	}
	for _, k := range mods.Names() {
		vals[k] = BroadcastToShape(ConvertDType(mods[k], like.DType()), like.Shape())
	}
	return vals
}

// clock integrates the clock-driven variables (w among them when it has
// an equation) over one step, every synapse at once: the traces,
// modulators and other variables are held at the step's start. preAt and
// postAt give each synapse's neurons (Int32 [S, 1]).
func (p *EquationPlasticity) clock(s PlasticState, preAt, postAt *Node, env PlasticEnv) PlasticState {
	clock := p.Rule.ClockDrivenVars()
	if len(clock) == 0 {
		return s
	}
	vals := withSynapse(synapseValues(s.W, s.Pre, s.Post, preAt, postAt), s.Syn, env.Mods, s.W)
	held := Vars{}
	for _, eq := range clock {
		held[eq.Var] = vals[eq.Var]
	}
	next := Vars{}
	for _, eq := range clock {
		f := func(x *Node) *Node {
			at := map[string]*Node{}
			for k, v := range vals {
				at[k] = v
			}
			at[eq.Var] = x
			e := p.env(at, s.W, env.Dt)
			return e.full(e.eval(eq.Expr))
		}
		x := held[eq.Var]
		a, constant := p.rate[eq.Var]
		switch {
		case p.Rule.Integrator == "euler":
			next[eq.Var] = Add(x, MulScalar(f(x), env.Dt))
		case !constant: // its own linearisation, found by autodiff
			next[eq.Var] = ExpEuler(f, x, env.Dt)
		case a == 0:
			next[eq.Var] = Add(x, MulScalar(f(x), env.Dt))
		default: // the factor (e^{A·dt} − 1)/A known before the run
			next[eq.Var] = Add(x, MulScalar(f(x), math.Expm1(a*env.Dt)/a))
		}
	}
	out := s
	out.Syn = Vars{}
	for k, x := range s.Syn {
		out.Syn[k] = x
	}
	for _, eq := range clock {
		if eq.Var == eqs.PlasticWeight {
			out.W = next[eq.Var]
		} else {
			out.Syn[eq.Var] = next[eq.Var]
		}
	}
	return out
}

// advance brings event-driven values x (one entry per synapse) up to
// date over the elapsed steps since last (Int32, as x), exactly:
// x(Δ) = x·e^{AΔ} + (B/A)·(e^{AΔ} − 1), or x + B·Δ when A = 0.
func (p *EquationPlasticity) advance(name string, x, last, step *Node, dt float64) *Node {
	c := p.coef[name]
	elapsed := MulScalar(ConvertDType(Sub(step, last), x.DType()), dt)
	if c[0] == 0 {
		return Add(x, MulScalar(elapsed, c[1]))
	}
	at := MulScalar(elapsed, c[0])
	out := Mul(x, Exp(at))
	if c[1] != 0 {
		out = Add(out, MulScalar(Expm1(at), c[1]/c[0]))
	}
	return out
}

// assign runs statement st on the per-synapse value old (w or a
// per-synapse variable) over the entries vals binds.
func (p *EquationPlasticity) assign(st eqs.Statement, old *Node, vals map[string]*Node, dt float64) *Node {
	e := p.env(vals, old, dt)
	return apply(st.Op, old, e.full(e.eval(st.Expr)))
}

// Step updates every synapse pre[k] → post[k] (preList, postList Int32
// [S]) given this step's spikes as floats (preSp [N_pre], postSp
// [N_post]). W, Syn and Last are [S].
func (p *EquationPlasticity) Step(s PlasticState, preSp, postSp, preList, postList *Node, env PlasticEnv) PlasticState {
	dt := env.Dt
	preAt, postAt := ExpandAxes(preList, -1), ExpandAxes(postList, -1)
	s = p.clock(s, preAt, postAt, env)
	s.Pre, s.Post = p.decay(s.Pre, p.Rule.Pre, dt), p.decay(s.Post, p.Rule.Post, dt)
	events := p.Rule.EventDrivenVars()
	for _, side := range []struct {
		sts []eqs.Statement
		sp  *Node
		at  *Node
		own Vars
	}{{p.Rule.OnPre, preSp, preAt, s.Pre}, {p.Rule.OnPost, postSp, postAt, s.Post}} {
		fired := GreaterThan(side.sp, ZerosLike(side.sp))
		if len(events) > 0 && len(side.sts) > 0 {
			mask := Gather(fired, side.at)
			for _, eq := range events {
				x := s.Syn[eq.Var]
				s.Syn[eq.Var] = Where(mask, p.advance(eq.Var, x, s.Last, env.Step, dt), x)
			}
			s.Last = Where(mask, BroadcastToShape(env.Step, s.Last.Shape()), s.Last)
		}
		for _, st := range side.sts {
			if _, per := s.Syn[st.Var]; !per && st.Var != eqs.PlasticWeight {
				p.traceStatement(st, side.own, fired, dt)
				continue
			}
			old := s.W
			if st.Var != eqs.PlasticWeight {
				old = s.Syn[st.Var]
			}
			vals := synapseValues(s.W, s.Pre, s.Post, preAt, postAt)
			if len(s.Syn)+len(env.Mods) > 0 {
				vals = withSynapse(vals, s.Syn, env.Mods, old)
			}
			next := Where(Gather(fired, side.at), p.assign(st, old, vals, dt), old)
			if st.Var == eqs.PlasticWeight {
				s.W = next
			} else {
				s.Syn[st.Var] = next
			}
		}
	}
	return s
}

// EventStep is Step for the event-driven kernel (see STDP.EventStep for
// the tables and padding): only the synapses of the presynaptic neurons
// that fired (preIdx, compacted, padded with N_pre) and of the
// postsynaptic ones (postIdx) are touched; the clock-driven variables
// alone are integrated at every synapse, reading each synapse's neurons
// from synPre and synPost (Int32 [S+1], padded with N_pre and N_post;
// nil when no clock-driven equation reads a trace). W, Syn and Last are
// [S+1], aligned with the CSR table; the per-synapse variables' pad entry
// is kept at 0.
func (p *EquationPlasticity) EventStep(s PlasticState, preSp, postSp, preIdx, postIdx, synPre, synPost *Node, t EventTables, env PlasticEnv) PlasticState {
	dt := env.Dt
	if len(p.Rule.ClockDrivenVars()) > 0 {
		var preAt, postAt *Node
		if synPre != nil {
			preAt, postAt = ExpandAxes(synPre, -1), ExpandAxes(synPost, -1)
		}
		s = p.clock(s, preAt, postAt, env)
	}
	s.Pre, s.Post = p.decay(s.Pre, p.Rule.Pre, dt), p.decay(s.Post, p.Rule.Post, dt)
	g := s.W.Graph()
	clampPos := func(pos *Node, x *Node) *Node {
		if !ops.DropsOutOfBounds(g) {
			return MinScalar(pos, float64(x.Shape().Dimensions[0]-1))
		}
		return pos
	}
	// update sets the values of x at positions pos (Int32 [M, 1]) to new
	// ones, as STDP.EventStep does: the change is scattered, padding
	// dropped.
	update := func(x, pos *Node, f func(old *Node) *Node) *Node {
		pos = clampPos(pos, x)
		old := Gather(x, pos)
		return ScatterSum(x, pos, Sub(f(old), old), false, false)
	}
	// owner repeats each fired neuron over its row's width slots.
	owner := func(idx *Node, width int) *Node {
		c := idx.Shape().Dimensions[0]
		return Reshape(BroadcastToShape(ExpandAxes(idx, -1), shapes.Make(dtypes.Int32, c, width)), c*width, 1)
	}
	events := p.Rule.EventDrivenVars()
	for _, side := range []struct {
		sts []eqs.Statement
		sp  *Node
		own Vars
		pre bool
	}{{p.Rule.OnPre, preSp, s.Pre, true}, {p.Rule.OnPost, postSp, s.Post, false}} {
		if len(side.sts) == 0 {
			continue
		}
		fired := GreaterThan(side.sp, ZerosLike(side.sp))
		var pos, preAt, postAt *Node
		if side.pre { // the rows that fired
			slots := ops.CSRSlots(preIdx, t.Ptr, t.Targets, t.Width)
			pos, preAt, postAt = slots, owner(preIdx, t.Width), ExpandAxes(Gather(t.Targets, slots), -1)
		} else { // the columns that fired
			cols := ops.CSRSlots(postIdx, t.ColPtr, t.Sources, t.ColWidth)
			pos, preAt, postAt = ExpandAxes(Gather(t.Perm, cols), -1), ExpandAxes(Gather(t.Sources, cols), -1), owner(postIdx, t.ColWidth)
		}
		if len(s.Syn)+len(env.Mods) == 0 { // w alone: as for the per-neuron traces of STDP
			for _, st := range side.sts {
				if st.Var != eqs.PlasticWeight {
					p.traceStatement(st, side.own, fired, dt)
					continue
				}
				s.W = update(s.W, pos, func(old *Node) *Node {
					return p.assign(st, old, synapseValues(old, s.Pre, s.Post, preAt, postAt), dt)
				})
			}
			continue
		}
		// The side's synapses: their values gathered once, brought up to
		// date, run through the statements and scattered back once.
		at := clampPos(pos, s.W)
		old := Vars{eqs.PlasticWeight: Gather(s.W, at)}
		for _, k := range s.Syn.Names() {
			old[k] = Gather(s.Syn[k], at)
		}
		cur := Vars{}
		for k, x := range old {
			cur[k] = x
		}
		for _, eq := range events {
			cur[eq.Var] = p.advance(eq.Var, old[eq.Var], Gather(s.Last, at), env.Step, dt)
		}
		for _, st := range side.sts {
			if _, per := cur[st.Var]; !per {
				p.traceStatement(st, side.own, fired, dt)
				continue
			}
			syn := Vars{}
			for k, x := range cur {
				if k != eqs.PlasticWeight {
					syn[k] = x
				}
			}
			vals := withSynapse(synapseValues(cur[eqs.PlasticWeight], s.Pre, s.Post, preAt, postAt), syn, env.Mods, cur[st.Var])
			cur[st.Var] = p.assign(st, cur[st.Var], vals, dt)
		}
		for _, k := range cur.Names() {
			if cur[k] == old[k] {
				continue
			}
			if k == eqs.PlasticWeight {
				s.W = ScatterSum(s.W, at, Sub(cur[k], old[k]), false, false)
			} else {
				s.Syn[k] = ScatterSum(s.Syn[k], at, Sub(cur[k], old[k]), false, false)
			}
		}
		if len(events) > 0 {
			s.Last = update(s.Last, pos, func(old *Node) *Node { return BroadcastToShape(env.Step, old.Shape()) })
		}
	}
	if !ops.DropsOutOfBounds(g) { // the padding's changes landed on the pad entry: reset it
		for _, k := range s.Syn.Names() {
			s.Syn[k] = padZero(s.Syn[k])
		}
		if s.Last != nil {
			s.Last = padZero(s.Last)
		}
	}
	return s
}

// padZero sets the last entry of x (the event table's pad entry) to 0.
func padZero(x *Node) *Node {
	n := x.Shape().Dimensions[0]
	return DynamicUpdateSlice(x, Zeros(x.Graph(), shapes.Make(x.DType(), 1)), []*Node{Scalar(x.Graph(), dtypes.Int32, n-1)})
}

// Key identifies the rule and its parameters' values.
func (p *EquationPlasticity) Key() string {
	return fmt.Sprintf("plasticity(%q, %v)", p.Rule.Key, p.Rule.Values)
}

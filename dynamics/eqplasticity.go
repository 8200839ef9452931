package dynamics

import (
	"fmt"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // graph DSL
	"github.com/gomlx/gomlx/pkg/core/shapes"

	"github.com/brainc/brainc/eqs"
	"github.com/brainc/brainc/ops"
)

// EquationPlasticity is a plasticity rule given by equations
// (eqs.Plasticity): traces per presynaptic and per postsynaptic neuron,
// integrated each step by exponential Euler, then the on_pre statements
// for the synapses (and traces) of the presynaptic neurons that fired, in
// order, then the on_post ones for the postsynaptic neurons that fired.
// Step updates every synapse (the dense kernel), EventStep only the rows
// and columns of the neurons that fired; both give the same weights.
type EquationPlasticity struct {
	Rule *eqs.Plasticity
}

// NewEquationPlasticity returns the rule of a checked model.
func NewEquationPlasticity(r *eqs.Plasticity) *EquationPlasticity {
	return &EquationPlasticity{Rule: r}
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
	for k, x := range pre {
		vals[k] = Gather(ops.AppendZero(x), preAt)
	}
	for k, x := range post {
		vals[k] = Gather(ops.AppendZero(x), postAt)
	}
	return vals
}

// Step updates every synapse pre[k] → post[k] (preList, postList Int32
// [S]) given this step's spikes as floats (preSp [N_pre], postSp
// [N_post]). Returns the new w [S] and traces.
func (p *EquationPlasticity) Step(w *Node, pre, post Vars, preSp, postSp, preList, postList *Node, dt float64) (*Node, Vars, Vars) {
	pre, post = p.decay(pre, p.Rule.Pre, dt), p.decay(post, p.Rule.Post, dt)
	preAt, postAt := ExpandAxes(preList, -1), ExpandAxes(postList, -1)
	for _, side := range []struct {
		sts []eqs.Statement
		sp  *Node
		at  *Node
		own Vars
	}{{p.Rule.OnPre, preSp, preAt, pre}, {p.Rule.OnPost, postSp, postAt, post}} {
		fired := GreaterThan(side.sp, ZerosLike(side.sp))
		for _, st := range side.sts {
			if st.Var != eqs.PlasticWeight {
				p.traceStatement(st, side.own, fired, dt)
				continue
			}
			e := p.env(synapseValues(w, pre, post, preAt, postAt), w, dt)
			w = Where(Gather(fired, side.at), apply(st.Op, w, e.full(e.eval(st.Expr))), w)
		}
	}
	return w, pre, post
}

// EventStep is Step for the event-driven kernel (see STDP.EventStep for
// the tables and padding): only the synapses of the presynaptic neurons
// that fired (preIdx, compacted, padded with N_pre) and of the
// postsynaptic ones (postIdx) are touched. w is [S+1], aligned with the
// CSR table.
func (p *EquationPlasticity) EventStep(w *Node, pre, post Vars, preSp, postSp, preIdx, postIdx *Node, t EventTables, dt float64) (*Node, Vars, Vars) {
	pre, post = p.decay(pre, p.Rule.Pre, dt), p.decay(post, p.Rule.Post, dt)
	g := w.Graph()
	// update sets the weights at positions pos (Int32 [M, 1]) to new ones,
	// as STDP.EventStep does: the change is scattered, padding dropped.
	update := func(w, pos *Node, f func(old *Node) *Node) *Node {
		if !ops.DropsOutOfBounds(g) {
			pos = MinScalar(pos, float64(w.Shape().Dimensions[0]-1))
		}
		old := Gather(w, pos)
		return ScatterSum(w, pos, Sub(f(old), old), false, false)
	}
	// owner repeats each fired neuron over its row's width slots.
	owner := func(idx *Node, width int) *Node {
		c := idx.Shape().Dimensions[0]
		return Reshape(BroadcastToShape(ExpandAxes(idx, -1), shapes.Make(dtypes.Int32, c, width)), c*width, 1)
	}
	for _, side := range []struct {
		sts []eqs.Statement
		sp  *Node
		own Vars
		pre bool
	}{{p.Rule.OnPre, preSp, pre, true}, {p.Rule.OnPost, postSp, post, false}} {
		fired := GreaterThan(side.sp, ZerosLike(side.sp))
		for _, st := range side.sts {
			if st.Var != eqs.PlasticWeight {
				p.traceStatement(st, side.own, fired, dt)
				continue
			}
			var pos, preAt, postAt *Node
			if side.pre { // the rows that fired
				slots := ops.CSRSlots(preIdx, t.Ptr, t.Targets, t.Width)
				pos, preAt, postAt = slots, owner(preIdx, t.Width), ExpandAxes(Gather(t.Targets, slots), -1)
			} else { // the columns that fired
				cols := ops.CSRSlots(postIdx, t.ColPtr, t.Sources, t.ColWidth)
				pos, preAt, postAt = ExpandAxes(Gather(t.Perm, cols), -1), ExpandAxes(Gather(t.Sources, cols), -1), owner(postIdx, t.ColWidth)
			}
			w = update(w, pos, func(old *Node) *Node {
				e := p.env(synapseValues(old, pre, post, preAt, postAt), old, dt)
				return apply(st.Op, old, e.full(e.eval(st.Expr)))
			})
		}
	}
	return w, pre, post
}

// Key identifies the rule and its parameters' values.
func (p *EquationPlasticity) Key() string {
	return fmt.Sprintf("plasticity(%q, %v)", p.Rule.Key, p.Rule.Values)
}

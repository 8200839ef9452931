package dynamics

import (
	"fmt"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // graph DSL

	"github.com/brainc/brainc/eqs"
)

// EquationSynapse is a synapse model given by equations (eqs.Synapse),
// kept per postsynaptic neuron: each step its variables are integrated by
// exponential Euler (exact for linear decays, as Expon's), then every
// on_pre effect adds the step's arriving weight times its factor.
type EquationSynapse struct {
	Model *eqs.Synapse
}

// NewEquationSynapse returns the synapse of a checked model.
func NewEquationSynapse(m *eqs.Synapse) *EquationSynapse { return &EquationSynapse{Model: m} }

// States lists the model's variables, g first.
func (s *EquationSynapse) States() []string {
	out := make([]string, len(s.Model.States))
	for k, eq := range s.Model.States {
		out[k] = eq.Var
	}
	return out
}

// env binds the variables v and computes the subexpressions.
func (s *EquationSynapse) env(v Vars, dt float64) *env {
	e := &env{values: s.Model.Values, like: v["g"], vals: map[string]*Node{}, dt: dt}
	for _, eq := range s.Model.States {
		e.vals[eq.Var] = v[eq.Var]
	}
	for _, sub := range s.Model.Subs {
		e.vals[sub.Var] = e.eval(sub.Expr)
	}
	return e
}

// Update integrates the variables over dt, then adds x (the weighted
// arriving spikes) through the on_pre effects.
func (s *EquationSynapse) Update(v Vars, x *Node, dt float64) Vars {
	f := func(vars Vars) Vars {
		e := s.env(vars, dt)
		out := Vars{}
		for _, eq := range s.Model.States {
			out[eq.Var] = e.full(e.eval(eq.Expr))
		}
		return out
	}
	next := ExpEulerMethod(f, v, dt)
	e := s.env(next, dt)
	for k, st := range s.Model.OnPre {
		add := x
		if c, ok := e.fold(s.Model.Factor[k]); !ok || c != 1 {
			add = Mul(x, e.full(e.eval(s.Model.Factor[k])))
		}
		next[st.Var] = Add(next[st.Var], add)
	}
	return next
}

// Key identifies the equations and the parameters' values.
func (s *EquationSynapse) Key() string {
	return fmt.Sprintf("eqs(%q, %v)", s.Model.Key, s.Model.Values)
}

// EquationOutput is an output given by an expression of the synapse's g
// and the postsynaptic potential V (eqs.Output).
type EquationOutput struct {
	Model *eqs.Output
}

// NewEquationOutput returns the output of a checked expression.
func NewEquationOutput(m *eqs.Output) *EquationOutput { return &EquationOutput{Model: m} }

// Current evaluates the expression at g and v.
func (o *EquationOutput) Current(g, v *Node) *Node {
	e := &env{values: o.Model.Values, like: g, vals: map[string]*Node{"g": g, "V": v}}
	return e.full(e.eval(o.Model.Current))
}

// Key identifies the expression and the parameters' values.
func (o *EquationOutput) Key() string { return "eqs(" + o.Model.Key + ")" }

package dynamics

import (
	"math"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // graph DSL
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/internal/tier"
)

// One event of weight w into each synapse gives its closed-form response,
// step for step (the propagators are exact), and DualExpon/Alpha peak at w.
func TestSynapseResponses(t *testing.T) {
	tier.Slow(t)
	b := cpu(t)
	const w, dt, steps = 0.7, 0.25, 160
	dual := func(tr, td float64) func(float64) float64 {
		if tr == td {
			return func(t float64) float64 { return w * t / td * math.Exp(1-t/td) }
		}
		s := &DualExpon{TauRise: tr, TauDecay: td}
		return func(t float64) float64 {
			return w * s.Norm() * td * tr / (td - tr) * (math.Exp(-t/td) - math.Exp(-t/tr))
		}
	}
	tests := []struct {
		name string
		syn  Synapse
		// want is g at t = k·dt after the event, which enters in step 0:
		// Expon's g jumps in that step; DualExpon's h does, and g rises from
		// the next step on, as the closed form κ(0) = 0 says.
		want func(t float64) float64
		peak bool
	}{
		{"Expon", &Expon{Tau: 5}, func(t float64) float64 { return w * math.Exp(-t/5) }, false},
		{"DualExpon", &DualExpon{TauRise: 1, TauDecay: 10}, dual(1, 10), true},
		{"Alpha", &DualExpon{TauRise: 8, TauDecay: 8}, dual(8, 8), true},
	}
	for _, tc := range tests {
		e, err := NewExec(b, func(x *Node) []*Node {
			s := Vars{}
			for _, name := range tc.syn.States() {
				s[name] = Scalar(x.Graph(), dtypes.Float64, 0)
			}
			var gs []*Node
			for k := 0; k < steps; k++ {
				in := Scalar(x.Graph(), dtypes.Float64, 0)
				if k == 0 {
					in = x
				}
				s = tc.syn.Update(s, in, dt)
				gs = append(gs, Reshape(s["g"], 1))
			}
			return []*Node{Concatenate(gs, 0)}
		})
		require.NoError(t, err)
		out, err := e.Exec(w)
		require.NoError(t, err)
		g := out[0].Value().([]float64)
		peak := 0.0
		for k, v := range g {
			assert.InDelta(t, tc.want(float64(k)*dt), v, 1e-12, "%s step %d", tc.name, k)
			peak = math.Max(peak, v)
		}
		if tc.peak {
			assert.InDelta(t, w, peak, 1e-3, "%s peaks at the weight", tc.name)
		}
	}
}

// The magnesium block's current equals its formula; it is g·(E − V) at the
// limit of no magnesium.
func TestMgBlock(t *testing.T) {
	b := cpu(t)
	vs := []float64{-80, -60, -20, 0, 20}
	for _, o := range []MgBlock{{E: 0, Mg: 1.2, Alpha: 0.062, Beta: 3.57}, {E: 5, Mg: 0, Alpha: 0.062, Beta: 3.57}} {
		out := MustExecOnce(b, func(v *Node) *Node { return o.Current(OnesLike(v), v) }, vs)
		got := out.Value().([]float64)
		for i, v := range vs {
			want := (o.E - v) / (1 + o.Mg/o.Beta*math.Exp(-o.Alpha*v))
			assert.InDelta(t, want, got[i], 1e-12, "%v at %g mV", o, v)
		}
	}
}

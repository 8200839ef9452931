package dynamics

import (
	"math"
	"testing"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // graph DSL
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/internal/tier"
)

// A regular train through STP gives the Tsodyks–Markram efficacies step by
// step (host recursion with exact relaxation) and converges to the closed
// form, for a depressing and a facilitating synapse.
func TestSTPRegularTrain(t *testing.T) {
	tier.Slow(t)
	b := cpu(t)
	const dt, period, spikes = 0.5, 40, 120 // one spike every 80 steps
	for _, p := range []*STP{{U: 0.5, TauF: 20, TauD: 300, Rest: 0.5}, {U: 0.1, TauF: 1000, TauD: 100, Rest: 0.1}} {
		e, err := NewExec(b, func(u, x, s *Node) []*Node {
			eff, u2, x2 := p.Step(u, x, s, dt)
			return []*Node{eff, u2, x2}
		})
		require.NoError(t, err)
		u, x := []float64{p.U}, []float64{1}
		hu, hx := p.U, 1.0
		var last float64
		for k := 0; k < spikes*period/dt; k++ {
			spike := 0.0
			if k%int(period/dt) == 0 {
				spike = 1
			}
			out, err := e.Exec(u, x, []float64{spike})
			require.NoError(t, err)
			eff := out[0].Value().([]float64)[0]
			u, x = out[1].Value().([]float64), out[2].Value().([]float64)
			// Host recursion.
			want := 0.0
			if spike == 1 {
				hu += p.U * (1 - hu)
				want = hu * hx
				hx -= want
				last = eff
			}
			hu = p.U + (hu-p.U)*math.Exp(-dt/p.TauF)
			hx = 1 - (1-hx)*math.Exp(-dt/p.TauD)
			require.InDelta(t, want, eff, 1e-12, "step %d", k)
		}
		assert.InDelta(t, p.SteadyState(period), last, 1e-6, "steady state %+v", *p)
	}
}

// The two forms differ in where u rests: the first spike from rest carries
// U(2−U) when u rests at U (Brian2's example), U when it rests at 0
// (Tsodyks, Pawelzik & Markram 1998; BrainPy); then u relaxes to its rest.
func TestSTPForms(t *testing.T) {
	b := cpu(t)
	const dt, u0 = 0.1, 0.3
	for _, tc := range []struct {
		rest, first float64
	}{{u0, u0 * (2 - u0)}, {0, u0}} {
		p := &STP{U: u0, TauF: 50, TauD: 200, Rest: tc.rest}
		e, err := NewExec(b, func(u, x, s *Node) []*Node {
			eff, u2, x2 := p.Step(u, x, s, dt)
			return []*Node{eff, u2, x2}
		})
		require.NoError(t, err)
		out, err := e.Exec([]float64{tc.rest}, []float64{1}, []float64{1})
		require.NoError(t, err)
		assert.InDelta(t, tc.first, out[0].Value().([]float64)[0], 1e-12, "rest %g", tc.rest)
		uAfter := u0 + tc.rest*(1-u0) // u just after the spike
		wantU := tc.rest + (uAfter-tc.rest)*math.Exp(-dt/p.TauF)
		assert.InDelta(t, wantU, out[1].Value().([]float64)[0], 1e-12, "rest %g", tc.rest)
	}
}

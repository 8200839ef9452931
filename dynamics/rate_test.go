package dynamics

import (
	"math"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // graph DSL
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/pjrt"
)

// finalState runs one unit of a model for steps of dt under a constant input
// with method m and returns its float states at the end.
func finalState(t *testing.T, b *pjrt.Backend, n Neuron, init map[string]float64, input, dt float64, steps int, m Method) map[string]float64 {
	t.Helper()
	states := n.States(dtypes.Float64)
	e, err := NewExec(b, func(inputs []*Node) []*Node {
		s := Vars{}
		for i, sv := range states {
			s[sv.Name] = inputs[i]
		}
		s, _ = n.Update(s, func(v *Node) *Node { return AddScalar(ZerosLike(v), input) },
			Step{Index: inputs[len(states)], Dt: dt}, m)
		out := make([]*Node, len(states))
		for i, sv := range states {
			out[i] = s[sv.Name]
		}
		return out
	})
	require.NoError(t, err)
	vals := make([]any, len(states))
	for i, sv := range states {
		if sv.DType == dtypes.Int32 {
			vals[i] = []int32{NeverSpiked}
		} else {
			vals[i] = []float64{init[sv.Name]}
		}
	}
	for k := 0; k < steps; k++ {
		out, err := e.Exec(append(vals, int32(k))...)
		require.NoError(t, err)
		for i := range out {
			vals[i] = out[i]
		}
	}
	res := map[string]float64{}
	for i, sv := range states {
		if sv.DType != dtypes.Int32 {
			res[sv.Name] = vals[i].(interface{ Value() any }).Value().([]float64)[0]
		}
	}
	return res
}

// Stuart–Landau started on its limit cycle stays on it: after T ms the
// state is √μ·(cos ωT, sin ωT).
func TestStuartLandauLimitCycle(t *testing.T) {
	b := cpu(t)
	const mu, omega, dt, steps = 2.0, 0.5, 0.01, 1000
	s := finalState(t, b, &StuartLandau{Mu: mu, Omega: omega}, map[string]float64{"x": math.Sqrt(mu)}, 0, dt, steps, RK4)
	T := dt * steps
	assert.InDelta(t, math.Sqrt(mu)*math.Cos(omega*T), s["x"], 1e-8)
	assert.InDelta(t, math.Sqrt(mu)*math.Sin(omega*T), s["y"], 1e-8)
}

// FitzHugh–Nagumo oscillates (I = 0.5) with the crossings of an independent
// RK4 reference at dt/100; Wilson–Cowan settles where the reference does.
func TestRateModelsAgainstReference(t *testing.T) {
	b := cpu(t)
	fhn := &FitzHughNagumo{A: 0.7, B: 0.8, Tau: 12.5, VTh: 1}
	got := spikeTimes(t, b, fhn, map[string]float64{"V": -1.2, "w": -0.6}, 0.5, 200, 0.05, RK4)
	ref := hostSpikes(hostModel{deriv: func(x []float64, i float64) []float64 {
		return []float64{x[0] - x[0]*x[0]*x[0]/3 - x[1] + i, (x[0] + 0.7 - 0.8*x[1]) / 12.5}
	}, vth: 1}, []float64{-1.2, -0.6}, 0.5, 200, 0.0005)
	require.GreaterOrEqual(t, len(ref), 3, "the oscillator must cycle")
	require.Len(t, got, len(ref))
	for i := range ref {
		assert.InDelta(t, ref[i], got[i], 0.05, "crossing %d", i)
	}

	wc := &WilsonCowan{TauE: 1, TauI: 1, AE: 1.2, AI: 1, ThetaE: 2.8, ThetaI: 4, WEE: 12, WEI: 4, WIE: 13, WII: 11, R: 1}
	s := finalState(t, b, wc, map[string]float64{"E": 0.1, "I": 0.05}, 1.5, 0.05, 400, RK4)
	sig := func(x, a, th float64) float64 { return 1/(1+math.Exp(-a*(x-th))) - 1/(1+math.Exp(a*th)) }
	x := []float64{0.1, 0.05}
	deriv := func(x []float64) []float64 {
		return []float64{-x[0] + (1-x[0])*sig(12*x[0]-4*x[1]+1.5, 1.2, 2.8), -x[1] + (1-x[1])*sig(13*x[0]-11*x[1], 1, 4)}
	}
	for k := 0; k < 40000; k++ { // RK4 at dt/100
		h := 0.0005
		k1 := deriv(x)
		k2 := deriv([]float64{x[0] + h/2*k1[0], x[1] + h/2*k1[1]})
		k3 := deriv([]float64{x[0] + h/2*k2[0], x[1] + h/2*k2[1]})
		k4 := deriv([]float64{x[0] + h*k3[0], x[1] + h*k3[1]})
		for j := range x {
			x[j] += h / 6 * (k1[j] + 2*k2[j] + 2*k3[j] + k4[j])
		}
	}
	assert.InDelta(t, x[0], s["E"], 1e-6)
	assert.InDelta(t, x[1], s["I"], 1e-6)
	assert.Greater(t, s["E"], 0.01, "the input drives the pair away from rest")
}

package dynamics

import (
	"math"
	"math/rand"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // graph DSL
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/internal/tier"
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
	tier.Slow(t)
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

// kuramotoRun runs a Kuramoto population of len(theta0) oscillators for
// steps of dt under a constant input with method m and returns the final
// phases (float64).
func kuramotoRun(t *testing.T, b *pjrt.Backend, n *Kuramoto, theta0, omega []float64, input, dt float64, steps int, m Method) []float64 {
	t.Helper()
	e, err := NewExec(b, func(theta, omega, idx *Node) (*Node, *Node) {
		s, _ := n.Update(Vars{"theta": theta, "omega": omega}, func(v *Node) *Node { return AddScalar(ZerosLike(v), input) },
			Step{Index: idx, Dt: dt}, m)
		return s["theta"], s["omega"]
	})
	require.NoError(t, err)
	var theta, om any = theta0, omega
	for k := 0; k < steps; k++ {
		out, err := e.Exec(theta, om, int32(k))
		require.NoError(t, err)
		theta, om = out[0], out[1]
	}
	got := theta.(interface{ Value() any }).Value().([]float64)
	require.Equal(t, omega, om.(interface{ Value() any }).Value().([]float64), "omega does not evolve")
	return got
}

// kuramotoHost integrates the Kuramoto system with the direct O(N²) sum by
// RK4 at step h for T ms (the reference).
func kuramotoHost(theta0, omega []float64, k, input, T, h float64) []float64 {
	n := len(theta0)
	deriv := func(x []float64) []float64 {
		d := make([]float64, n)
		for i := range x {
			sum := 0.0
			for j := range x {
				sum += math.Sin(x[j] - x[i])
			}
			d[i] = omega[i] + k/float64(n)*sum + input
		}
		return d
	}
	stage := func(x []float64, c float64, d []float64) []float64 {
		out := make([]float64, n)
		for i := range x {
			out[i] = x[i] + c*d[i]
		}
		return out
	}
	x := append([]float64(nil), theta0...)
	for s := 0; s < int(math.Round(T/h)); s++ {
		k1 := deriv(x)
		k2 := deriv(stage(x, h/2, k1))
		k3 := deriv(stage(x, h/2, k2))
		k4 := deriv(stage(x, h, k3))
		for i := range x {
			x[i] += h / 6 * (k1[i] + 2*k2[i] + 2*k3[i] + k4[i])
		}
	}
	return x
}

// orderParameter is r = |mean_j e^{iθ_j}|.
func orderParameter(theta []float64) float64 {
	var c, s float64
	for _, x := range theta {
		c += math.Cos(x)
		s += math.Sin(x)
	}
	return math.Hypot(c, s) / float64(len(theta))
}

// Uncoupled Kuramoto oscillators (K = 0) turn at ω + I exactly:
// θ(T) = θ0 + (ω + I)·T, with every method.
func TestKuramotoUncoupled(t *testing.T) {
	b := cpu(t)
	const input, dt, steps = 0.2, 0.1, 1000
	theta0, omega := []float64{0.5, 2, -1}, []float64{0.3, -0.5, 1.1}
	for name, m := range map[string]Method{"euler": EulerMethod, "exp_euler": ExpEulerMethod, "rk4": RK4} {
		got := kuramotoRun(t, b, &Kuramoto{K: 0}, theta0, omega, input, dt, steps, m)
		for i := range got {
			assert.InEpsilon(t, theta0[i]+(omega[i]+input)*dt*steps, got[i], 1e-5, "%s, oscillator %d", name, i)
		}
	}
}

// 20 oscillators with spread natural frequencies (σ = 0.1 rad/ms, locking
// threshold K_c = 2/(π·g(0)) ≈ 0.16) and K = 0.5 end, after 100 ms of rk4 at
// 0.05 ms, at the phases of the direct O(N²) sum integrated by RK4 at
// dt/100, and synchronised (r > 0.9); uncoupled, the same oscillators stay
// incoherent (r < 0.5). exp_euler takes the forward Euler step.
func TestKuramotoSynchronises(t *testing.T) {
	tier.Slow(t)
	b := cpu(t)
	const n, k, input, dt, steps = 20, 0.5, 0.05, 0.05, 2000
	r := rand.New(rand.NewSource(7))
	theta0, omega := make([]float64, n), make([]float64, n)
	for i := range theta0 {
		theta0[i] = 2 * math.Pi * r.Float64()
		omega[i] = 0.2 + 0.1*r.NormFloat64()
	}
	got := kuramotoRun(t, b, &Kuramoto{K: k}, theta0, omega, input, dt, steps, RK4)
	ref := kuramotoHost(theta0, omega, k, input, dt*steps, dt/100)
	worst := 0.0
	for i := range ref {
		assert.InDelta(t, ref[i], got[i], 1e-4, "oscillator %d", i)
		worst = max(worst, math.Abs(got[i]-ref[i]))
	}
	r0, rK := orderParameter(theta0), orderParameter(got)
	assert.Greater(t, rK, 0.9, "coupled oscillators synchronise")
	free := kuramotoRun(t, b, &Kuramoto{K: 0}, theta0, omega, input, dt, steps, RK4)
	rFree := orderParameter(free)
	assert.Less(t, rFree, 0.5, "uncoupled oscillators stay incoherent")
	t.Logf("worst |θ − θ_ref| %.2e rad; r: start %.3f, end %.3f with K = %g, %.3f with K = 0", worst, r0, rK, k, rFree)

	euler := kuramotoRun(t, b, &Kuramoto{K: k}, theta0, omega, input, dt, 10, EulerMethod)
	exp := kuramotoRun(t, b, &Kuramoto{K: k}, theta0, omega, input, dt, 10, ExpEulerMethod)
	assert.InDeltaSlice(t, euler, exp, 1e-12)
}

package tests

import (
	"math"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/driver"
	"github.com/brainc/brainc/jit"
	"github.com/brainc/brainc/lower"
	"github.com/brainc/brainc/plan"
)

// rampSpec couples a ramp x = t/ms (A) into an integrator (B, dy/dt =
// I/ms): B receives w·x_A each step through a Delta synapse and CUBA
// output, so with Euler y after N steps is exactly w·dt²·Σ_{n<N} n (dt in
// ms), and a delay of d steps shifts the sum by d.
const rampSpec = `
name: ramp
dt: 0.1 ms
duration: 5 ms
populations:
  A: {size: 3, model: {equations: "dx/dt = 1/ms : 1"}, integrator: euler}
  B:
    size: 3
    model: {equations: "dy/dt = I/ms : 1\nI : 1"}
    integrator: euler
projections:
  AB: {pre: A, post: B, conn: {one_to_one: true}, weight: 0.5, synapse: Delta, output: CUBA, carries: x}
monitors: {traces: {B.y: [0, 2], A.x: [1]}}
`

// A projection out of a rate population carries its variable each step:
// the integrator downstream sums w·x exactly, with and without a delay of
// 1 ms, on the dense kernel and (all to all, one weight) on the
// all_to_all kernel.
func TestRateCouplingCarriesTheVariable(t *testing.T) {
	cpu(t)
	const dt, w, steps = 0.1, 0.5, 50
	ramp := func(delay int) []float64 { // y after each step
		out := make([]float64, steps)
		y := 0.0
		for n := range steps {
			if k := n - delay; k >= 0 {
				y += dt * w * float64(k) * dt
			}
			out[n] = y
		}
		return out
	}
	for _, tc := range []struct {
		name, from, to string
		delay          int
	}{
		{"dense", "", "", 0},
		{"dense, delay 1 ms", "carries: x}", "carries: x, delay: 1 ms}", 10},
	} {
		net := parse(t, strings.Replace(rampSpec, tc.from, tc.to, 1))
		prog, err := lower.Build(net, lower.Options{DType: dtypes.Float64})
		require.NoError(t, err)
		assert.Equal(t, plan.KernelDense, prog.Projs[0].Kernel, tc.name)
		assert.Contains(t, prog.Projs[0].Why, "rate coupling", tc.name)
		rec, _ := simulate(t, net, lower.Options{DType: dtypes.Float64}, jit.Options{})
		y := rec.Traces[0].Values // [steps][2]
		want := ramp(tc.delay)
		for n := range steps {
			assert.InDelta(t, want[n], y[2*n], 1e-12, "%s: step %d", tc.name, n)
			assert.Equal(t, y[2*n], y[2*n+1], "%s: every neuron alike", tc.name)
		}
	}

	// All to all, one weight: the all_to_all kernel gives each target w·Σ_j x_j.
	spec := strings.Replace(rampSpec, "conn: {one_to_one: true}", "conn: {all_to_all: true}", 1)
	net := parse(t, spec)
	prog, err := lower.Build(net, lower.Options{DType: dtypes.Float64})
	require.NoError(t, err)
	require.Equal(t, plan.KernelAllToAll, prog.Projs[0].Kernel)
	a2a, _ := simulate(t, net, lower.Options{DType: dtypes.Float64}, jit.Options{})
	dense, _ := simulate(t, parse(t, strings.Replace(spec, "carries: x}", "carries: x, kernel: dense}", 1)), lower.Options{DType: dtypes.Float64}, jit.Options{})
	want := ramp(0)
	for n := range steps {
		assert.InDelta(t, 3*want[n], a2a.Traces[0].Values[2*n], 1e-12, "all_to_all: step %d", n)
		assert.InDelta(t, 3*want[n], dense.Traces[0].Values[2*n], 1e-12, "dense: step %d", n)
	}
}

// The defect of a silent projection (WilsonCowan A → B validated, ran and
// transmitted nothing: B.E stayed at −3.7e-9) is gone: B's excitatory
// rate follows A's through an Expon synapse, and with the weight at 0 B
// stays at rest.
func TestWilsonCowanCouplingTransmits(t *testing.T) {
	cpu(t)
	spec := `
name: wc
dt: 0.1 ms
duration: 100 ms
populations:
  A: {size: 2, model: WilsonCowan, input: 2}
  B: {size: 2, model: WilsonCowan}
projections:
  AB: {pre: A, post: B, conn: {one_to_one: true}, weight: 1.5, synapse: {Expon: {tau: 5 ms}}, output: CUBA}
monitors: {traces: {A.E: [0], B.E: [0]}}
`
	rec, _ := simulate(t, parse(t, spec), lower.Options{DType: dtypes.Float64}, jit.Options{})
	a, b := rec.Traces[0].Values, rec.Traces[1].Values
	require.Greater(t, a[len(a)-1], 0.1, "A is driven")
	assert.Greater(t, b[len(b)-1], 0.05, "B receives A's activity (it stayed at −3.7e-9 when nothing was carried)")
	silent, _ := simulate(t, parse(t, strings.Replace(spec, "weight: 1.5", "weight: 0", 1)), lower.Options{DType: dtypes.Float64}, jit.Options{})
	assert.Less(t, math.Abs(silent.Traces[1].Values[len(b)-1]), 1e-6, "without the weight B stays at rest")
}

// Coupling functions: a sigmoid of the carried value (each source's
// S(x) = max/(1 + e^{slope·(midpoint − x)}) weighted and summed), and
// difference coupling Σ_j w_ij·(x_j − x_i), under which two integrators
// relax towards each other with their sum kept: with Euler, the gap shrinks
// by (1 − 2w·dt) each step, exactly.
func TestRateCouplingFunctions(t *testing.T) {
	cpu(t)
	const dt, w, steps = 0.1, 0.5, 50
	sig := strings.Replace(rampSpec, "carries: x}", "carries: x, coupling: {sigmoid: {max: 2, midpoint: 2.5, slope: 1.5}}}", 1)
	rec, _ := simulate(t, parse(t, sig), lower.Options{DType: dtypes.Float64}, jit.Options{})
	y := 0.0
	for n := range steps {
		x := float64(n) * dt
		y += dt * w * 2 / (1 + math.Exp(1.5*(2.5-x)))
		assert.InDelta(t, y, rec.Traces[0].Values[2*n], 1e-12, "sigmoid: step %d", n)
	}

	diff := `
name: diffusive
dt: 0.1 ms
duration: 5 ms
populations:
  R: {size: 2, model: {equations: "dx/dt = I/ms : 1"}, integrator: euler, init: {x: 1 - i}}
projections:
  RR: {pre: R, post: R, conn: {all_to_all: true}, weight: 0.5, synapse: Delta, output: CUBA, carries: x, coupling: difference}
monitors: {traces: {R.x: [0, 1]}}
`
	net := parse(t, diff)
	prog, err := lower.Build(net, lower.Options{DType: dtypes.Float64})
	require.NoError(t, err)
	require.Equal(t, plan.KernelDense, prog.Projs[0].Kernel, "difference coupling needs each target's summed weight")
	rec, _ = simulate(t, net, lower.Options{DType: dtypes.Float64}, jit.Options{})
	gap := 1.0
	for n := range steps {
		gap *= 1 - 2*w*dt
		x0, x1 := rec.Traces[0].Values[2*n], rec.Traces[0].Values[2*n+1]
		assert.InDelta(t, 1.0, x0+x1, 1e-12, "the sum is kept, step %d", n)
		assert.InDelta(t, gap, x0-x1, 1e-12, "the gap relaxes, step %d", n)
	}
}

// Rate coupling splits across devices like spikes: a diffusive network
// with a delay (its row sums and ring buffer split with their target) on 2
// devices gives the one-device traces bit for bit.
func TestRateCouplingSplitsAcrossDevices(t *testing.T) {
	cpu(t)
	spec := `
name: diffusive
dt: 0.1 ms
duration: 20 ms
populations:
  R: {size: 4, model: {equations: "dx/dt = I/ms : 1"}, integrator: euler, init: {x: 1 - i}}
projections:
  RR: {pre: R, post: R, conn: {all_to_all: true}, weight: 0.5, synapse: Delta, output: CUBA, carries: x, coupling: difference, delay: 1 ms}
monitors: {traces: {R.x: all}}
`
	one, _ := simulate(t, parse(t, spec), lower.Options{DType: dtypes.Float64}, jit.Options{})
	net := parse(t, spec)
	prog, err := lower.Build(net, lower.Options{DType: dtypes.Float64, PadTo: 2})
	require.NoError(t, err)
	rec, st, err := driver.Simulate(multi(t, 2), prog, int(net.Duration/net.Dt+0.5), driver.Options{Jit: jit.Options{Devices: 2}})
	require.NoError(t, err)
	assert.Equal(t, 2, st.Devices)
	assert.Equal(t, one.Traces[0].Values, rec.Traces[0].Values, "2 devices")
	assert.NotEqual(t, one.Traces[0].Values[0], one.Traces[0].Values[len(one.Traces[0].Values)-4], "the network moves")
}

package tests

import (
	"fmt"
	"math"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/jit"
	"github.com/brainc/brainc/lower"
)

// A single LIF neuron with a constant input, integrated with exponential
// Euler, must follow the exact solution V(t) = V∞ + (V0 − V∞)·exp(−t/τ) and
// spike at the analytic crossing time.
func TestExpEulerLIFMatchesExactSolution(t *testing.T) {
	const (
		vRest, vTh, vReset, tau, tauRef = -60.0, -50.0, -65.0, 20.0, 2.0
		input, v0, dt                   = 12.0, -58.0, 0.1
	)
	spec := fmt.Sprintf(`
name: lif
dt: %g ms
duration: 300 ms
populations:
  N:
    size: 1
    model: LifRef
    params: {V_rest: %g mV, V_th: %g mV, V_reset: %g mV, tau: %g ms, tau_ref: %g ms}
    init: {V: %g mV}
    input: %g
monitors:
  spikes: [N]
  traces: {N.V: [0]}
`, dt, vRest, vTh, vReset, tau, tauRef, v0, input)
	rec, _ := simulate(t, parse(t, spec), lower.Options{DType: dtypes.Float64}, jit.Options{K: 7})

	vInf := vRest + input
	tStar := tau * math.Log((vInf-v0)/(vInf-vTh)) // analytic first crossing
	// The step at t = i·dt computes V((i+1)·dt) and records its spike at i·dt.
	firstStep := int(math.Ceil(tStar/dt)) - 1
	spikes := rec.Spikes[0]
	require.NotEmpty(t, spikes.Times)
	assert.InDelta(t, float64(firstStep)*dt, spikes.Times[0], 1e-9, "first spike time (analytic crossing %.4f ms)", tStar)
	assert.InDelta(t, tStar, spikes.Times[0], dt+1e-9)

	// Before the first spike the trace is the exact solution.
	trace := rec.Traces[0].Values
	for i := 0; i < firstStep; i++ {
		want := vInf + (v0-vInf)*math.Exp(-float64(i+1)*dt/tau)
		require.InDelta(t, want, trace[i], 1e-5*math.Abs(want), "V at step %d", i)
	}
	// The spike step resets; the potential is then held for tau_ref.
	assert.Equal(t, vReset, trace[firstStep])
	refSteps := int(math.Floor(tauRef/dt + 1e-9))
	for i := firstStep + 1; i <= firstStep+refSteps; i++ {
		assert.Equal(t, vReset, trace[i], "refractory step %d", i)
	}
	assert.Greater(t, trace[firstStep+refSteps+1], vReset)
	// After the reset the neuron fires regularly with the exact period.
	period := tau*math.Log((vInf-vReset)/(vInf-vTh)) + float64(refSteps)*dt
	require.Greater(t, len(spikes.Times), 3)
	for k := 1; k < len(spikes.Times); k++ {
		assert.InDelta(t, period, spikes.Times[k]-spikes.Times[k-1], dt+1e-9, "ISI %d", k)
	}
}

// Euler is first order: its error against the exact solution shrinks
// linearly with dt.
func TestEulerIsFirstOrder(t *testing.T) {
	errAt := func(dt float64) float64 {
		spec := fmt.Sprintf(`
name: lif
dt: %g ms
duration: 10 ms
populations:
  N: {size: 1, model: LifRef, integrator: euler, params: {V_rest: -60 mV, V_th: 0 mV, tau: 10 ms}, init: {V: -70 mV}, input: 5}
monitors: {spikes: [N], traces: {N.V: [0]}}
`, dt)
		rec, _ := simulate(t, parse(t, spec), lower.Options{DType: dtypes.Float64}, jit.Options{K: 10})
		v := rec.Traces[0].Values
		exact := -55 + (-70+55)*math.Exp(-10.0/10)
		return math.Abs(v[len(v)-1] - exact)
	}
	e1, e2 := errAt(0.1), errAt(0.05)
	assert.InDelta(t, 2.0, e1/e2, 0.05, "halving dt halves Euler's error (%g, %g)", e1, e2)
}

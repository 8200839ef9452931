package tests

import (
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/jit"
	"github.com/brainc/brainc/lower"
	"github.com/brainc/brainc/netspec"
	"github.com/brainc/brainc/npyio"
)

func allIndices(n int) string {
	idx := make([]string, n)
	for i := range idx {
		idx[i] = fmt.Sprint(i)
	}
	return "[" + strings.Join(idx, ", ") + "]"
}

// An Ornstein–Uhlenbeck input current has its stationary law: mean μ,
// standard deviation σ, and autocorrelation e^{−lag/τ} (400 neurons, 2 s,
// within sampling error).
func TestOUInput(t *testing.T) {
	const n, mu, sigma, tau, dt = 400, 1.5, 0.8, 5.0, 0.1
	spec := fmt.Sprintf(`
seed: 3
duration: 1 s
populations:
  P: {size: %d, model: LifRef, params: {V_th: 1e9}, input: {ou: {mean: %g, sigma: %g, tau: %g ms}}}
monitors: {spikes: [], traces: {P.I_ou: %s}}
`, n, mu, sigma, tau, allIndices(n))
	rec, _ := simulate(t, parse(t, spec), lower.Options{}, jit.Options{K: 5})
	v := rec.Traces[0].Values
	steps := len(v) / n
	var sum, sq, cnt float64
	for k := 0; k < steps; k++ {
		for i := 0; i < n; i++ {
			x := v[k*n+i]
			sum, sq, cnt = sum+x, sq+x*x, cnt+1
		}
	}
	mean := sum / cnt
	sd := math.Sqrt(sq/cnt - mean*mean)
	lag := int(tau / dt)
	var c float64
	for k := 0; k+lag < steps; k++ {
		for i := 0; i < n; i++ {
			c += (v[k*n+i] - mean) * (v[(k+lag)*n+i] - mean)
		}
	}
	corr := c / float64((steps-lag)*n) / (sd * sd)
	t.Logf("OU: mean %.4f, sd %.4f, corr(τ) %.4f (want %g, %g, %.4f)", mean, sd, corr, mu, sigma, math.Exp(-1))
	assert.InDelta(t, mu, mean, 0.02)
	assert.InEpsilon(t, sigma, sd, 0.03)
	assert.InDelta(t, math.Exp(-1), corr, 0.03)
}

// Euler–Maruyama with multiplicative noise: a passive membrane
// dV = (I − V)/τ dt + σ·V·dW, integrated with euler, has the mean and second
// moment of the scheme's own recursion, m₁' = a·m₁ + b and
// m₂' = (a² + σ²dt)·m₂ + 2ab·m₁ + b² (a = 1 − dt/τ, b = I·dt/τ), over 4,000
// neurons, within sampling error; with additive noise the second moment
// follows m₂' = a²m₂ + 2ab·m₁ + b² + σ²dt.
func TestEulerMaruyamaNoise(t *testing.T) {
	const n, tau, dt, in, sigma, steps = 4000, 10.0, 0.1, 20.0, 0.05, 300
	for _, mult := range []bool{true, false} {
		spec := fmt.Sprintf(`
seed: 5
dt: %g ms
duration: %g ms
populations:
  P:
    size: %d
    model: LifRef
    params: {V_th: 1e9, tau: %g ms, V_rest: 0 mV}
    init: {V: 5 mV}
    input: %g
    integrator: euler
    noise: {var: V, sigma: %g, multiplicative: %v}
monitors: {spikes: [], traces: {P.V: %s}}
`, dt, float64(steps)*dt, n, tau, in, sigma, mult, allIndices(n))
		rec, _ := simulate(t, parse(t, spec), lower.Options{}, jit.Options{K: 5})
		v := rec.Traces[0].Values
		a, b := 1-dt/tau, in*dt/tau
		m1, m2 := 5.0, 25.0
		for k := 0; k < steps; k++ {
			if mult {
				m1, m2 = a*m1+b, (a*a+sigma*sigma*dt)*m2+2*a*b*m1+b*b
			} else {
				m1, m2 = a*m1+b, a*a*m2+2*a*b*m1+b*b+sigma*sigma*dt
			}
			if k%100 != 99 {
				continue
			}
			var sum, sq float64
			for i := 0; i < n; i++ {
				x := v[k*n+i]
				sum, sq = sum+x, sq+x*x
			}
			mean, variance := sum/n, sq/n-(sum/n)*(sum/n)
			want := m2 - m1*m1
			assert.InDelta(t, m1, mean, 4*math.Sqrt(want/n)+1e-4, "multiplicative %v, step %d: mean", mult, k)
			assert.InEpsilon(t, want, variance, 0.1, "multiplicative %v, step %d: variance", mult, k)
		}
	}
	_, err := parseErr("populations:\n  P: {size: 1, model: LifRef, noise: {var: W, sigma: 1}}\n")
	assert.EqualError(t, err, `test.yaml:2: populations.P.noise.var: unknown state variable "W" of LifRef (valid: V)`)
}

// Gap junctions couple two passive membranes: with input I₀ into both,
// τV̇₀ = −V₀ + I₀ + g(V₁ − V₀) and τV̇₁ = −V₁ + I₀ + g(V₀ − V₁), so the sum
// relaxes to 2I₀ at rate 1/τ and the difference to 0 at rate (1+2g)/τ: both
// match the closed form from the drawn initial potentials within 2e-3 mV
// (the coupling reads the partner's potential at the start of the step).
func TestGapJunctions(t *testing.T) {
	const g, i0, tau, dt = 0.5, 10.0, 10.0, 0.01
	spec := fmt.Sprintf(`
seed: 4
dt: %g ms
duration: 40 ms
populations:
  P: {size: 2, model: LifRef, params: {V_th: 1e9, tau: %g ms, V_rest: 0 mV}, input: %g, init: {V: uniform(-20 mV, 20 mV)}}
  Q: {size: 2, model: LifRef}
projections:
  gap: {pre: P, post: P, conn: {file: gap.npz}, weight: %g, synapse: GapJunction, output: CUBA}
monitors: {spikes: [], traces: {P.V: [0, 1]}}
`, dt, tau, i0, g)
	require.NoError(t, npyio.WriteNPZ(filepath.Join(dir, "gap.npz"), []string{"pre", "post", "weight"}, []npyio.Array{
		{Shape: []int{1}, Data: []int64{0}}, {Shape: []int{1}, Data: []int64{1}}, {Shape: []int{1}, Data: []float64{1}}}))
	net, err := netspec.Parse([]byte(spec), filepath.Join(dir, "gap.yaml"))
	require.NoError(t, err)
	prog, err := lower.Build(net, lower.Options{DType: dtypes.Float64})
	require.NoError(t, err)
	v00 := prog.InitialState()[prog.Pops[0].Block.States["V"].Index].Value().([]float64)
	s0, d0 := v00[0]+v00[1], v00[0]-v00[1]
	require.Greater(t, math.Abs(d0), 1.0, "the drawn potentials differ")
	rec, _ := simulate(t, net, lower.Options{DType: dtypes.Float64}, jit.Options{K: 10})
	v := rec.Traces[0].Values
	worst := 0.0
	for k := 0; k < len(v)/2; k++ {
		ms := float64(k+1) * dt
		sum := 2*i0 + (s0-2*i0)*math.Exp(-ms/tau)
		diff := d0 * math.Exp(-(1+2*g)*ms/tau)
		worst = math.Max(worst, math.Max(math.Abs((sum+diff)/2-v[2*k]), math.Abs((sum-diff)/2-v[2*k+1])))
	}
	t.Logf("gap junctions: worst |ΔV| %.2g mV (initial difference %.3g mV)", worst, d0)
	assert.Less(t, worst, 2e-3)
	_, err = netspec.Parse([]byte(strings.Replace(spec, "post: P, conn: {file", "post: Q, conn: {file", 1)), "g.yaml")
	assert.EqualError(t, err, "g.yaml:9: projections.gap.post: gap junctions couple neurons of one population: post must equal pre (P)")
}

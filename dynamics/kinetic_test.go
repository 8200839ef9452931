package dynamics

import (
	"math"
	"testing"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // graph DSL
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/internal/tier"
)

// runPreSynapse drives a kinetic synapse of one presynaptic neuron with
// spikes in the given steps and returns g after every step.
func runPreSynapse(t *testing.T, syn PreSynapse, spikes map[int]bool, dt float64, steps int) []float64 {
	t.Helper()
	e, err := NewExec(cpu(t), func(x *Node) *Node {
		s := Vars{}
		for _, name := range syn.States() {
			s[name] = ZerosLike(x)
		}
		var gs []*Node
		for k := range steps {
			in := ZerosLike(x)
			if spikes[k] {
				in = OnesLike(x)
			}
			s = syn.Update(s, in, dt)
			gs = append(gs, s["g"])
		}
		return Concatenate(gs, 0)
	})
	require.NoError(t, err)
	out, err := e.Exec([]float64{0})
	require.NoError(t, err)
	return out[0].Value().([]float64)
}

// hostRK4 integrates dy/dt = f(t, y) from t0 to t1 in n RK4 steps.
func hostRK4(f func(t float64, y []float64) []float64, y []float64, t0, t1 float64, n int) []float64 {
	h := (t1 - t0) / float64(n)
	axpy := func(a float64, x, y []float64) []float64 {
		out := make([]float64, len(y))
		for i := range y {
			out[i] = y[i] + a*x[i]
		}
		return out
	}
	for i := range n {
		t := t0 + float64(i)*h
		k1 := f(t, y)
		k2 := f(t+h/2, axpy(h/2, k1, y))
		k3 := f(t+h/2, axpy(h/2, k2, y))
		k4 := f(t+h, axpy(h, k3, y))
		for j := range y {
			y[j] += h / 6 * (k1[j] + 2*k2[j] + 2*k3[j] + k4[j])
		}
	}
	return y
}

// AMPA and GABAa follow their ODE exactly (1e-9 against RK4 at dt/2000),
// including a pulse that ends inside a step and one restarted by a second
// spike while transmitter is still present.
func TestKineticSynapses(t *testing.T) {
	const dt, steps = 0.2, 80
	spikes := map[int]bool{0: true, 1: true, 30: true}
	for _, k := range []*Kinetic{
		{Name: "AMPA", Alpha: 0.98, Beta: 0.18, T: 0.5, TDur: 0.5},
		{Name: "GABAa", Alpha: 0.53, Beta: 0.18, T: 1, TDur: 1},
	} {
		got := runPreSynapse(t, k, spikes, dt, steps)
		g, end := 0.0, -1.0 // transmitter present until end
		for s := range steps {
			t0 := float64(s) * dt
			if spikes[s] {
				end = t0 + k.TDur
			}
			// Transmitter is present on [t0, mid), absent on [mid, t0+dt).
			mid := math.Min(math.Max(end, t0), t0+dt)
			rhs := func(tr float64) func(float64, []float64) []float64 {
				return func(_ float64, y []float64) []float64 { return []float64{k.Alpha*tr*(1-y[0]) - k.Beta*y[0]} }
			}
			y := hostRK4(rhs(k.T), []float64{g}, t0, mid, 1000)
			g = hostRK4(rhs(0), y, mid, t0+dt, 1000)[0]
			require.InDelta(t, g, got[s], 1e-9, "%s step %d", k.Name, s)
		}
		assert.Greater(t, got[2], 0.1, "%s opens", k.Name)
	}
}

// NMDA's g matches an RK4 reference at dt/1000 within 1e-5 at dt = 0.1 ms,
// and the error shrinks as dt² (second order); it saturates: two close
// spikes give less than twice one spike's peak.
func TestNMDA(t *testing.T) {
	tier.Slow(t)
	n := &NMDA{A: 0.5, TauRise: 2, TauDecay: 100}
	worst := func(dt float64) float64 {
		steps := int(100 / dt)
		spikes := map[int]bool{}
		for _, ms := range []float64{1, 1.2, 30, 30.5, 31} {
			spikes[int(math.Round(ms/dt))] = true
		}
		got := runPreSynapse(t, n, spikes, dt, steps)
		y, w := []float64{0, 0}, 0.0
		for s := range steps {
			if spikes[s] {
				y[1]++
			}
			y = hostRK4(func(_ float64, y []float64) []float64 {
				return []float64{-y[0]/n.TauDecay + n.A*y[1]*(1-y[0]), -y[1] / n.TauRise}
			}, y, 0, dt, 200)
			w = math.Max(w, math.Abs(y[0]-got[s]))
		}
		return w
	}
	coarse, fine := worst(0.1), worst(0.05)
	t.Logf("NMDA worst |Δg|: %.2g at dt 0.1 ms, %.2g at 0.05 ms", coarse, fine)
	assert.Less(t, coarse, 1e-5)
	assert.Less(t, fine, coarse/3.5, "second order")
	one := runPreSynapse(t, n, map[int]bool{0: true}, 0.1, 400)
	two := runPreSynapse(t, n, map[int]bool{0: true, 1: true}, 0.1, 400)
	assert.Less(t, maxOf(two), 2*maxOf(one)*0.95, "saturation")
}

func maxOf(v []float64) float64 {
	m := math.Inf(-1)
	for _, x := range v {
		m = math.Max(m, x)
	}
	return m
}

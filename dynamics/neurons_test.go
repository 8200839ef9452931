package dynamics

import (
	"fmt"
	"math"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // graph DSL
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/internal/tier"
	"github.com/brainc/brainc/pjrt"
)

// spikeTimes simulates one neuron under a constant input for T ms with
// method m at step dt (float64) and returns its spike times (ms, the end of
// the step in which each spike was detected).
func spikeTimes(t *testing.T, b *pjrt.Backend, n Neuron, init map[string]float64, input, T, dt float64, m Method) []float64 {
	t.Helper()
	states := n.States(dtypes.Float64)
	const k = 1 // one step per executable: unrolled HH graphs take minutes to compile
	steps := int(math.Round(T / dt))
	require.Zero(t, steps%k)
	e, err := NewExec(b, func(inputs []*Node) []*Node {
		s := Vars{}
		for i, sv := range states {
			s[sv.Name] = inputs[i]
		}
		start := inputs[len(states)]
		var spikes []*Node
		for j := 0; j < k; j++ {
			idx := Add(start, Scalar(start.Graph(), dtypes.Int32, j))
			var sp *Node
			s, sp = n.Update(s, func(v *Node) *Node { return AddScalar(ZerosLike(v), input) }, Step{Index: idx, Dt: dt}, m)
			spikes = append(spikes, sp)
		}
		out := make([]*Node, 0, len(states)+1)
		for _, sv := range states {
			out = append(out, s[sv.Name])
		}
		return append(out, Concatenate(spikes, 0))
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
	var times []float64
	for c := 0; c < steps/k; c++ {
		out, err := e.Exec(append(vals, int32(c*k))...)
		require.NoError(t, err)
		for i := range states {
			vals[i] = out[i]
		}
		for j, s := range out[len(states)].Value().([]bool) {
			if s {
				times = append(times, float64(c*k+j+1)*dt)
			}
		}
		for i := range states {
			vals[i] = tensors.FromAnyValue(out[i].Value())
		}
	}
	return times
}

// hostModel is a second, independent implementation of a model's ODE in
// plain Go (float64), for the reference runs: derivative of the state
// vector x (V first) under input i, the spike threshold, the reset (nil for
// Hodgkin–Huxley models, which spike on an upward crossing) and the
// refractory time. threshold, when set, replaces vth by a threshold read
// from the state the step starts from (GIF's V_th).
type hostModel struct {
	deriv     func(x []float64, i float64) []float64
	vth       float64
	threshold func(x []float64) float64
	reset     func(x []float64)
	tauRef    float64
}

// hostSpikes integrates m with RK4 at step h for T ms from x0 and returns
// spike times with the simulation's conventions (a spike belongs to the end
// of the step in which it was detected; refractory neurons hold V).
func hostSpikes(m hostModel, x0 []float64, input, T, h float64) []float64 {
	x := append([]float64(nil), x0...)
	n := len(x)
	add := func(a []float64, c float64, b []float64) []float64 {
		out := make([]float64, n)
		for i := range a {
			out[i] = a[i] + c*b[i]
		}
		return out
	}
	var times []float64
	last := math.Inf(-1)
	steps := int(math.Round(T / h))
	for k := 1; k <= steps; k++ {
		t := float64(k) * h
		k1 := m.deriv(x, input)
		k2 := m.deriv(add(x, h/2, k1), input)
		k3 := m.deriv(add(x, h/2, k2), input)
		k4 := m.deriv(add(x, h, k3), input)
		next := make([]float64, n)
		for i := range x {
			next[i] = x[i] + h/6*(k1[i]+2*k2[i]+2*k3[i]+k4[i])
		}
		refractory := t-h-last <= m.tauRef+1e-12
		if refractory && m.reset != nil {
			next[0] = x[0]
		}
		th := m.vth
		if m.threshold != nil {
			th = m.threshold(x)
		}
		spike := next[0] >= th && !refractory
		if m.reset == nil {
			spike = spike && x[0] < th
		}
		if spike {
			times = append(times, t)
			last = t - h
			if m.reset != nil {
				m.reset(next)
			}
		}
		x = next
	}
	return times
}

func vtrapHost(x, k float64) float64 {
	if math.Abs(x) < 1e-4*math.Abs(k) {
		return k + x/2
	}
	return x / (1 - math.Exp(-x/k))
}

// hhRates returns dm, dh, dn for the gates given the rates.
func gateDerivs(x []float64, am, bm, ah, bh, an, bn float64) (float64, float64, float64) {
	m, h, n := x[1], x[2], x[3]
	return am*(1-m) - bm*m, ah*(1-h) - bh*h, an*(1-n) - bn*n
}

func ionicHost(x []float64, gNa, eNa, gK, eK, gL, eL float64) float64 {
	v, m, h, n := x[0], x[1], x[2], x[3]
	return -gNa*m*m*m*h*(v-eNa) - gK*n*n*n*n*(v-eK) - gL*(v-eL)
}

// Each nonlinear neuron, integrated with its method at the simulation step,
// fires the spikes of a high-accuracy reference (RK4 at dt/100): the same
// number, the first within one step and every inter-spike interval within
// one step. (Absolute times drift by up to a step per spike: a clock-driven
// simulation detects a spike, and resets, at the end of the step in which
// the threshold was crossed.)
func TestNonlinearNeuronsAgainstReference(t *testing.T) {
	tier.Slow(t)
	b := cpu(t)
	exp := func(v, vr, vt, dT float64) float64 { return -(v - vr) + dT*math.Exp((v-vt)/dT) }
	tests := []struct {
		name   string
		n      Neuron
		init   map[string]float64
		host   hostModel
		x0     []float64
		input  float64
		dt     float64
		method Method
		min    int
		// tol is the allowed error in steps (1 unless said otherwise).
		tol float64
	}{
		{"ExpIF", &ExpIF{VRest: -65, VReset: -68, VTh: -30, VT: -59.9, DeltaT: 3.48, R: 1, Tau: 10, TauRef: 1.7},
			map[string]float64{"V": -65},
			hostModel{deriv: func(x []float64, i float64) []float64 { return []float64{(exp(x[0], -65, -59.9, 3.48) + i) / 10} },
				vth: -30, reset: func(x []float64) { x[0] = -68 }, tauRef: 1.7},
			[]float64{-65}, 10, 0.05, ExpEulerMethod, 3, 1},
		{"AdEx", &AdEx{VRest: -65, VReset: -68, VTh: -30, VT: -59.9, DeltaT: 3.48, R: 1, A: 1, B: 1, Tau: 10, TauW: 30},
			map[string]float64{"V": -65},
			hostModel{deriv: func(x []float64, i float64) []float64 {
				return []float64{(exp(x[0], -65, -59.9, 3.48) - x[1] + i) / 10, ((x[0] + 65) - x[1]) / 30}
			}, vth: -30, reset: func(x []float64) { x[0] = -68; x[1]++ }},
			// The adaptation jump b lands at the end of the detection step, so one
			// spike's detection delay also shifts w for the next interval.
			[]float64{-65, 0}, 20, 0.05, ExpEulerMethod, 3, 1.25},
		{"QIF", &QIF{VRest: -65, VReset: -68, VTh: -30, VC: -50, C: 0.07, R: 1, Tau: 10},
			map[string]float64{"V": -65},
			hostModel{deriv: func(x []float64, i float64) []float64 { return []float64{(0.07*(x[0]+65)*(x[0]+50) + i) / 10} },
				vth: -30, reset: func(x []float64) { x[0] = -68 }},
			[]float64{-65}, 20, 0.05, ExpEulerMethod, 3, 1},
		{"Izhikevich", &Izhikevich{A: 0.02, B: 0.2, C: -65, D: 8, VTh: 30},
			map[string]float64{"V": -65, "u": -13},
			hostModel{deriv: func(x []float64, i float64) []float64 {
				return []float64{0.04*x[0]*x[0] + 5*x[0] + 140 - x[1] + i, 0.02 * (0.2*x[0] - x[1])}
			}, vth: 30, reset: func(x []float64) { x[0] = -65; x[1] += 8 }},
			[]float64{-65, -13}, 10, 0.05, RK4, 2, 1},
		{"HH", &HH{ENa: 50, EK: -77, EL: -54.387, GNa: 120, GK: 36, GL: 0.03, C: 1, VTh: 20},
			map[string]float64{"V": -65, "m": 0.0529, "h": 0.5961, "n": 0.3177},
			hostModel{deriv: func(x []float64, i float64) []float64 {
				v := x[0]
				dm, dh, dn := gateDerivs(x, 0.1*vtrapHost(v+40, 10), 4*math.Exp(-(v+65)/18), 0.07*math.Exp(-(v+65)/20),
					1/(1+math.Exp(-(v+35)/10)), 0.01*vtrapHost(v+55, 10), 0.125*math.Exp(-(v+65)/80))
				return []float64{ionicHost(x, 120, 50, 36, -77, 0.03, -54.387) + i, dm, dh, dn}
			}, vth: 20},
			[]float64{-65, 0.0529, 0.5961, 0.3177}, 10, 0.02, RK4, 3, 1},
		{"AdQuaIF", &AdQuaIF{VRest: -65, VReset: -68, VTh: -30, VC: -50, C: 0.07, A: 1, B: 0.1, Tau: 10, TauW: 10},
			map[string]float64{"V": -65},
			hostModel{deriv: func(x []float64, i float64) []float64 {
				return []float64{(0.07*(x[0]+65)*(x[0]+50) - x[1] + i) / 10, ((x[0] + 65) - x[1]) / 10}
			}, vth: -30, reset: func(x []float64) { x[0] = -68; x[1] += 0.1 }},
			[]float64{-65, 0}, 30, 0.05, ExpEulerMethod, 2, 1},
		{"MorrisLecar", &MorrisLecar{VCa: 130, GCa: 4.4, VK: -84, GK: 8, VL: -60, GL: 2, C: 20, V1: -1.2, V2: 18, V3: 2, V4: 30, Phi: 0.04, VTh: 10},
			map[string]float64{"V": -60, "W": 0.0149},
			hostModel{deriv: func(x []float64, i float64) []float64 {
				v, w := x[0], x[1]
				mInf := 0.5 * (1 + math.Tanh((v+1.2)/18))
				wInf := 0.5 * (1 + math.Tanh((v-2)/30))
				tauW := 1 / math.Cosh((v-2)/60)
				return []float64{(i - 4.4*mInf*(v-130) - 8*w*(v+84) - 2*(v+60)) / 20, 0.04 * (wInf - w) / tauW}
			}, vth: 10},
			[]float64{-60, 0.0149}, 90, 0.05, RK4, 1, 1},
		{"WangBuzsaki", &WangBuzsaki{ENa: 55, EK: -90, EL: -65, GNa: 35, GK: 9, GL: 0.1, C: 1, Phi: 5, VTh: 0},
			map[string]float64{"V": -65, "h": 0.6, "n": 0.3},
			hostModel{deriv: func(x []float64, i float64) []float64 {
				v, h, n := x[0], x[1], x[2]
				am, bm := 0.1*vtrapHost(v+35, 10), 4*math.Exp(-(v+60)/18)
				mInf := am / (am + bm)
				ah, bh := 0.07*math.Exp(-(v+58)/20), 1/(1+math.Exp(-(v+28)/10))
				an, bn := 0.01*vtrapHost(v+34, 10), 0.125*math.Exp(-(v+44)/80)
				dv := i - 35*mInf*mInf*mInf*h*(v-55) - 9*n*n*n*n*(v+90) - 0.1*(v+65)
				return []float64{dv, 5 * (ah*(1-h) - bh*h), 5 * (an*(1-n) - bn*n)}
			}, vth: 0},
			[]float64{-65, 0.6, 0.3}, 1, 0.02, RK4, 2, 1},
		{"TraubHH", &TraubHH{ENa: 50, EK: -90, EL: -60, GNa: 100, GK: 30, GL: 0.05, C: 1, VT: -63, VTh: -20, TauRef: 3},
			map[string]float64{"V": -60},
			hostModel{deriv: func(x []float64, i float64) []float64 {
				u := -63 - x[0]
				dm, dh, dn := gateDerivs(x, 0.32*vtrapHost(-(u+13), 4), -0.28*vtrapHost(-u-40, -5), 0.128*math.Exp((u+17)/18),
					4/(1+math.Exp((u+40)/5)), 0.032*vtrapHost(-(u+15), 5), 0.5*math.Exp((u+10)/40))
				return []float64{ionicHost(x, 100, 50, 30, -90, 0.05, -60) + i, dm, dh, dn}
			}, vth: -20, tauRef: 3},
			[]float64{-60, 0, 0, 0}, 1, 0.02, RK4, 2, 1},
		// GIF with a rising threshold (a), a fast depolarising (A1) and a slow
		// hyperpolarising (A2) spike-induced current and a threshold raised to
		// V_th_reset at each spike: the intervals lengthen. (R1 = 0: a spike
		// sets I1 to A1.)
		{"GIF", &GIF{VRest: -70, VReset: -70, VThInf: -50, VThReset: -45, R: 20, A: 0.005, B: 0.01, K1: 0.2, K2: 0.02,
			R1: 0, R2: 1, A1: 0.5, A2: -0.2, Tau: 20},
			map[string]float64{"V": -70, "V_th": -50},
			hostModel{deriv: func(x []float64, i float64) []float64 {
				v, i1, i2, th := x[0], x[1], x[2], x[3]
				return []float64{(-(v + 70) + 20*(i+i1+i2)) / 20, -0.2 * i1, -0.02 * i2, 0.005*(v+70) - 0.01*(th+50)}
			}, threshold: func(x []float64) float64 { return x[3] },
				reset: func(x []float64) { x[0] = -70; x[1] = 0.5; x[2] -= 0.2; x[3] = math.Max(-45, x[3]) }},
			[]float64{-70, 0, 0, -50}, 3, 0.05, ExpEulerMethod, 4, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			const T = 50
			tol := tc.dt * max(tc.tol, 1)
			got := spikeTimes(t, b, tc.n, tc.init, tc.input, T, tc.dt, tc.method)
			ref := hostSpikes(tc.host, tc.x0, tc.input, T, tc.dt/100)
			require.GreaterOrEqual(t, len(ref), tc.min, "the reference must spike: %v", ref)
			require.Len(t, got, len(ref), "spike counts: got %v, reference %v", got, ref)
			assert.InDelta(t, ref[0], got[0], tol+1e-9, "first spike")
			worst := 0.0
			for i := 1; i < len(ref); i++ {
				assert.InDelta(t, ref[i]-ref[i-1], got[i]-got[i-1], tol+1e-9, "interval %d", i)
				worst = max(worst, math.Abs(got[i]-got[i-1]-(ref[i]-ref[i-1])))
			}
			t.Log(fmt.Sprintf("%d spikes, first at %.2f ms (reference %.3f), worst interval error %.3f ms",
				len(ref), got[0], ref[0], worst))
		})
	}
}

package brainc

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/internal/tier"
	"github.com/brainc/brainc/ir"
	"github.com/brainc/brainc/netspec"
)

// loopNet is a small E/I network of LIF neurons driven by a constant input.
const loopNet = `
name: loop
dt: 0.1 ms
seed: 5
populations:
  E:
    size: 200
    model: LifRef
    params: {V_rest: -60 mV, V_th: -50 mV, V_reset: -60 mV, tau: 20 ms, tau_ref: 2 ms}
    init: {V: uniform(-60 mV, -50 mV)}
    input: 11
  I:
    size: 50
    model: LifRef
    params: {V_rest: -60 mV, V_th: -50 mV, V_reset: -60 mV, tau: 10 ms, tau_ref: 2 ms}
    init: {V: uniform(-60 mV, -50 mV)}
projections:
  E2E: {pre: E, post: E, conn: {fixed_prob: 0.1}, weight: 0.5, synapse: {Expon: {tau: 5 ms}}, output: CUBA}
  E2I: {pre: E, post: I, conn: {fixed_prob: 0.1}, weight: 1.5, synapse: {Expon: {tau: 5 ms}}, output: CUBA}
  I2E: {pre: I, post: E, conn: {fixed_prob: 0.2}, weight: -2, synapse: {Expon: {tau: 10 ms}}, output: CUBA}
monitors:
  spikes: [E, I]
`

func loopSim(t *testing.T, edit func(*ir.Network)) *Sim {
	t.Helper()
	net, err := netspec.Parse([]byte(loopNet), "loop.yaml")
	require.NoError(t, err)
	if edit != nil {
		edit(net)
	}
	s, err := New(net, Options{Backend: "cpu"})
	require.NoError(t, err)
	t.Cleanup(s.Close)
	return s
}

// spikeSteps lists a population's spikes from step from on as (step −
// from, neuron) pairs.
func spikeSteps(r *Result, pop string, from int) [][2]int {
	var out [][2]int
	sp := r.Spikes[pop]
	for k, tm := range sp.Times {
		if step := int(math.Round(tm / r.Dt)); step > from {
			out = append(out, [2]int{step - from, int(sp.Indices[k])})
		}
	}
	return out
}

// A Sim changed between runs (an input, a parameter, weights) goes on
// exactly as a fresh Sim of the changed network started from the same
// state: spike for spike. The first change of each kind may compile the
// program anew; a second change of values alone (firing alike, so the
// same event capacity) finds the program compiled.
func TestChangesBetweenRunsEqualAFreshSim(t *testing.T) {
	tier.Slow(t)
	const first, second = 300, 300 // steps
	pre, post, _ := func() ([]int32, []int32, error) {
		s := loopSim(t, nil)
		return s.Synapses("E2E")
	}()
	weights := make([]float64, len(pre))
	for k := range weights {
		weights[k] = 0.2 + 0.6*float64((int(pre[k])*7+int(post[k]))%5)/4
	}
	input := make([]float64, 200)
	for i := range input {
		input[i] = 10 + float64(i%7)
	}
	changes := []struct {
		name   string
		change func(s *Sim) error
		again  func(s *Sim) error // a change of values alone
		fresh  func(net *ir.Network)
	}{
		{"input", func(s *Sim) error { return s.SetInput("E", input) }, func(s *Sim) error { return s.SetInput("E", scaled(input, 1.001)) },
			func(net *ir.Network) {
				net.Population("E").Input = ir.Input{Kind: "constant", Value: input[0], PerNeuron: &ir.Init{Kind: ir.InitValues, Given: &ir.Given{Values: input}}}
			}},
		{"param", func(s *Sim) error { return s.SetParam("E", "tau", []float64{15}) }, func(s *Sim) error { return s.SetParam("E", "tau", []float64{15.01}) },
			func(net *ir.Network) { net.Population("E").Params["tau"] = 15 }},
		{"weights", func(s *Sim) error { return s.SetWeights("E2E", weights) }, func(s *Sim) error { return s.SetWeights("E2E", scaled(weights, 1.001)) },
			func(net *ir.Network) {
				pr := net.Projection("E2E")
				pr.Weight, pr.WeightDist = 1, &ir.Init{Kind: ir.InitValues, Given: &ir.Given{Values: weights}}
			}},
	}
	unchanged := spikeSteps(loopSimRun(t, first+second), "E", first)
	for _, c := range changes {
		t.Run(c.name, func(t *testing.T) {
			a := loopSim(t, nil)
			require.NoError(t, a.Run(context.Background(), first*0.1))
			state, err := a.run.State()
			require.NoError(t, err)
			require.NoError(t, c.change(a))
			require.NoError(t, a.Run(context.Background(), second*0.1))
			got := spikeSteps(a.Result(), "E", first)

			b := loopSim(t, c.fresh)
			require.NoError(t, b.run.SetState(state))
			require.NoError(t, b.Run(context.Background(), second*0.1))
			want := spikeSteps(b.Result(), "E", 0)
			require.NotEmpty(t, want)
			require.Equal(t, want, got)
			require.NotEqual(t, unchanged, got, "the change changed nothing")

			require.NoError(t, c.again(a))
			require.NoError(t, a.Run(context.Background(), 10))
			st := a.run.Stats() // the runner since the change
			require.Equal(t, 1, st.CacheHits, "a change of values alone must find its program compiled: %+v", st)
			require.Zero(t, st.Compiles+st.DiskHits)
		})
	}
}

// scaled is v times f.
func scaled(v []float64, f float64) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = x * f
	}
	return out
}

// loopSimRun is the unchanged network's result after steps steps.
func loopSimRun(t *testing.T, steps int) *Result {
	s := loopSim(t, nil)
	require.NoError(t, s.Run(context.Background(), float64(steps)*0.1))
	return s.Result()
}

// Get reads a population's state variable, Set writes it; the next Run
// starts from it.
func TestGetAndSetState(t *testing.T) {
	s := loopSim(t, nil)
	require.NoError(t, s.Run(context.Background(), 5))
	v, err := s.Get("E", "V")
	require.NoError(t, err)
	require.Len(t, v, 200)
	require.NoError(t, s.Set("E", "V", []float64{-70}))
	v, err = s.Get("E", "V")
	require.NoError(t, err)
	require.Equal(t, slices.Repeat([]float64{-70}, 200), v)
	w, err := s.Get("I", "V")
	require.NoError(t, err)
	require.NotEqual(t, -70.0, w[0], "Set of E changed I")
	// 20 mV below threshold with 11 mV of input, no E neuron fires within
	// the next 2 ms.
	require.NoError(t, s.Run(context.Background(), 2))
	require.Empty(t, spikeSteps(s.Result(), "E", 50))
}

// plasticNet has a learning rule with a variable per synapse (c) and
// traces per neuron.
const plasticNet = `
name: plastic
dt: 0.1 ms
seed: 2
populations:
  P: {size: 40, model: Poisson, params: {rate: 40 Hz}}
  N: {size: 10, model: LifRef, params: {V_th: 10}, input: 9.5}
projections:
  PN:
    pre: P
    post: N
    conn: {fixed_prob: 0.5}
    weight: 0.5
    synapse: {Expon: {tau: 5 ms}}
    output: CUBA
    plasticity:
      equations: |
        dx_pre/dt = -x_pre/tau : 1 (pre)
        dx_post/dt = -x_post/tau : 1 (post)
        dc/dt = -c/tau_c : 1 (clock-driven)
      on_pre: |
        c -= 0.1*x_post
        x_pre += 1
      on_post: |
        c += 0.1*x_pre
        x_post += 1
        w = clip(w + c, 0, 1)
      params: {tau: 20 ms, tau_c: 100 ms}
`

// A learning rule's weights, per-synapse variables and traces are read and
// set like a population's state: values set between runs read back as set,
// and the run goes on from them.
func TestGetSetLearningRuleState(t *testing.T) {
	run := func(set bool) (w, c, x []float64) {
		net, err := netspec.Parse([]byte(plasticNet), "plastic.yaml")
		require.NoError(t, err)
		s, err := New(net, Options{Backend: "cpu", Float64: true})
		require.NoError(t, err)
		defer s.Close()
		require.NoError(t, s.Run(context.Background(), 100))
		pre, _, err := s.Synapses("PN")
		require.NoError(t, err)
		if set {
			c := make([]float64, len(pre))
			for k := range c {
				c[k] = 0.01 * float64(k%7)
			}
			require.NoError(t, s.Set("PN", "c", c))
			require.NoError(t, s.Set("PN", "w", []float64{0.25}))
			got, err := s.Get("PN", "c")
			require.NoError(t, err)
			require.Equal(t, c, got)
			got, err = s.Get("PN", "w")
			require.NoError(t, err)
			require.Equal(t, slices.Repeat([]float64{0.25}, len(pre)), got)
		}
		require.NoError(t, s.Run(context.Background(), 100))
		w, err = s.Get("PN", "w")
		require.NoError(t, err)
		c, err = s.Get("PN", "c")
		require.NoError(t, err)
		x, err = s.Get("PN", "x_post")
		require.NoError(t, err)
		require.Len(t, w, len(pre))
		require.Len(t, x, 10)
		return w, c, x
	}
	w0, c0, _ := run(false)
	w1, c1, _ := run(true)
	require.NotEqual(t, w0, w1, "the values set changed the run")
	require.NotEqual(t, c0, c1)
	moved := 0
	for _, x := range w1 {
		if x != 0.25 {
			moved++
		}
	}
	require.Greater(t, moved, len(w1)/2, "the rule went on from the weights set")
	net, err := netspec.Parse([]byte(plasticNet), "plastic.yaml")
	require.NoError(t, err)
	s, err := New(net, Options{Backend: "cpu"})
	require.NoError(t, err)
	defer s.Close()
	_, err = s.Get("PN", "y")
	require.EqualError(t, err, `brainc: projection PN has no variable "y" (variables: w, c, x_pre, x_post)`)
	require.ErrorContains(t, s.Set("PN", "c", []float64{1, 2}), "brainc: Set PN.c: got 2 values, expected 1 or")
}

// Bad calls get one error naming what was wrong; nothing changes.
func TestControlErrors(t *testing.T) {
	s := loopSim(t, nil)
	for _, c := range []struct {
		name string
		call func() error
		want string
	}{
		{"unknown population", func() error { _, err := s.Get("X", "V"); return err }, `brainc: no population or projection "X" (populations: E, I)`},
		{"projection without a rule", func() error { _, err := s.Get("E2E", "w"); return err }, "brainc: projection E2E has no learning rule, so no state (its weights: Synapses and SetWeights)"},
		{"unknown variable", func() error { _, err := s.Get("E", "w"); return err }, `brainc: E (LifRef) has no state variable "w" (variables: V, last_spike)`},
		{"int variable", func() error { return s.Set("E", "last_spike", []float64{0}) }, "brainc: Set E.last_spike: the variable is Int32, kept by the model itself"},
		{"length", func() error { return s.Set("E", "V", []float64{1, 2}) }, "brainc: Set E.V: got 2 values, expected 1 or 200"},
		{"not finite", func() error { return s.SetInput("E", []float64{math.NaN()}) }, "brainc: SetInput: value 0 is NaN: values must be finite"},
		{"unknown parameter", func() error { return s.SetParam("E", "C", []float64{1}) }, `brainc: SetParam: E (LifRef) has no parameter "C"`},
		{"out of range", func() error { return s.SetParam("E", "tau", []float64{-1}) }, "tau"},
		{"unknown projection", func() error { return s.SetWeights("X", []float64{1}) }, `brainc: SetWeights: no projection "X"`},
		{"weights length", func() error { return s.SetWeights("E2E", []float64{1, 2}) }, "brainc: SetWeights: got 2 values, expected 1 or"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := c.call()
			require.ErrorContains(t, err, c.want)
			require.False(t, strings.Contains(err.Error(), "panic"))
		})
	}
	require.Equal(t, 11.0, s.net.Population("E").Input.Value, "a refused change changed the network")
	s.Close()
	require.EqualError(t, s.SetInput("E", []float64{1}), "brainc: SetInput on a closed Sim")
}

// SaveNetwork writes the values a Sim's network drew and, for a network
// read from a spec file, the spec that rebuilds it: the rebuilt network
// spikes as the original, spike for spike; after a change between runs
// only the values are written (the spec no longer describes the network).
func TestSaveNetwork(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "loop.yaml")
	require.NoError(t, os.WriteFile(path, []byte(strings.Replace(loopNet, "input: 11", "input: normal(11, 1)", 1)), 0o644))
	net, err := Load(path)
	require.NoError(t, err)
	a, err := New(net, Options{Backend: "cpu"})
	require.NoError(t, err)
	defer a.Close()
	files, err := a.SaveNetwork(filepath.Join(dir, "saved"))
	require.NoError(t, err)
	require.Contains(t, files, "network.yaml")
	require.Contains(t, files, "E.input.npy")
	require.NoError(t, a.Run(context.Background(), 20))
	again, err := Load(filepath.Join(dir, "saved", "network.yaml"))
	require.NoError(t, err)
	again.Seed = 99
	b, err := New(again, Options{Backend: "cpu"})
	require.NoError(t, err)
	defer b.Close()
	require.NoError(t, b.Run(context.Background(), 20))
	require.Equal(t, spikeSteps(a.Result(), "E", 0), spikeSteps(b.Result(), "E", 0))
	require.NotEmpty(t, spikeSteps(a.Result(), "E", 0))

	require.NoError(t, a.SetInput("E", []float64{12}))
	files, err = a.SaveNetwork(filepath.Join(dir, "changed"))
	require.NoError(t, err)
	require.NotContains(t, files, "network.yaml")
	require.Contains(t, files, "E.input.npy")
}

// A network built in Go without monitors records every population's
// spikes, as a spec without monitors: does; an empty Spikes records none.
func TestDefaultMonitors(t *testing.T) {
	net, err := netspec.Parse([]byte(loopNet), "loop.yaml")
	require.NoError(t, err)
	net.Monitors = ir.Monitors{}
	net.Duration = 50
	res, err := Run(context.Background(), net, Options{Backend: "cpu"})
	require.NoError(t, err)
	require.Len(t, res.Spikes, 2)
	require.NotEmpty(t, res.Spikes["E"].Times)
	net.Monitors = ir.Monitors{Spikes: []string{}}
	res, err = Run(context.Background(), net, Options{Backend: "cpu"})
	require.NoError(t, err)
	require.Empty(t, res.Spikes)
}

// Result.Rate names the populations recorded when asked for another.
func TestResultRate(t *testing.T) {
	s := loopSim(t, nil)
	require.NoError(t, s.Run(context.Background(), 20))
	r := s.Result()
	hz, err := r.Rate("E")
	require.NoError(t, err)
	require.Equal(t, r.Spikes["E"].Rate(r.Steps, r.Dt), hz)
	require.Positive(t, hz)
	_, err = r.Rate("e")
	require.EqualError(t, err, `brainc: no recorded spikes of population "e" (recorded: E, I)`)
}

// RunEach runs in pieces, calling back after each with the time so far
// (the last piece shorter); an error from the callback stops it.
func TestRunEach(t *testing.T) {
	s := loopSim(t, nil)
	var at []float64
	require.NoError(t, s.RunEach(context.Background(), 25, 10, func(now float64) error { at = append(at, now); return nil }))
	require.Equal(t, []float64{10, 20, 25}, at)
	require.Equal(t, 250, s.Result().Steps)
	stop := errors.New("enough")
	err := s.RunEach(context.Background(), 100, 10, func(now float64) error {
		if now >= 45 {
			return stop
		}
		return nil
	})
	require.ErrorIs(t, err, stop)
	require.Equal(t, 450, s.Result().Steps)
	require.ErrorContains(t, s.RunEach(context.Background(), 10, 0, nil), "brainc: RunEach: expected a duration and a piece of at least one step")
}

// Param reads a parameter per neuron: drawn values as drawn, one value
// repeated, and what SetParam set.
func TestParam(t *testing.T) {
	s := loopSim(t, func(net *ir.Network) {
		net.Population("E").Vary = map[string]ir.Init{"tau": {Kind: ir.InitUniform, A: 15, B: 25}}
	})
	tau, err := s.Param("E", "tau")
	require.NoError(t, err)
	require.Len(t, tau, 200)
	require.NotEqual(t, tau[0], tau[1])
	for _, x := range tau {
		require.True(t, x >= 15 && x < 25, "%g", x)
	}
	th, err := s.Param("I", "V_th")
	require.NoError(t, err)
	require.Equal(t, slices.Repeat([]float64{-50}, 50), th)
	require.NoError(t, s.SetParam("I", "V_th", []float64{-52}))
	th, err = s.Param("I", "V_th")
	require.NoError(t, err)
	require.Equal(t, slices.Repeat([]float64{-52}, 50), th)
	_, err = s.Param("E", "C")
	require.ErrorContains(t, err, `brainc: E (LifRef) has no parameter "C"`)
}

package bptt

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/tensors"

	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/dataset"
	"github.com/brainc/brainc/emit"
	"github.com/brainc/brainc/internal/tier"
	"github.com/brainc/brainc/lower"
	"github.com/brainc/brainc/netspec"
	"github.com/brainc/brainc/ops"
	"github.com/brainc/brainc/pjrt"
	"github.com/brainc/brainc/signature"
)

// randmanNet is a spec network for a small randman task: 20 input units
// drive 32 LIF neurons through per-synapse weights, which drive a leaky
// readout of 3 neurons that never fire (its potential's maximum over
// time is the logit).
const randmanNet = `
name: randman-small
dt: 1 ms
seed: 3
populations:
  In: {size: 20, model: SpikeTimes, spikes: {times: [], indices: []}}
  H:
    size: 32
    model: LifRef
    params: {V_rest: 0 mV, V_reset: 0 mV, V_th: 1 mV, tau: 10 ms, tau_ref: 0 ms}
  Out:
    size: 3
    model: LifRef
    params: {V_rest: 0 mV, V_reset: 0 mV, V_th: 1000000 mV, tau: 10 ms, tau_ref: 0 ms}
projections:
  in2h:
    pre: In
    post: H
    conn: {fixed_prob: 1}
    weight: normal(0, 2)
    synapse: {Expon: {tau: 5 ms}}
    output: CUBA
    kernel: dense
  h2out:
    pre: H
    post: Out
    conn: {fixed_prob: 1}
    weight: normal(0, 1)
    synapse: {Expon: {tau: 5 ms}}
    output: CUBA
    kernel: dense
`

// packedRandmanNet is randmanNet with In a LifRef population that never
// fires on its own, so that a batch's copies of every population pack
// into one block (its spikes replaced by one data array per step).
var packedRandmanNet = strings.Replace(randmanNet, "model: SpikeTimes, spikes: {times: [], indices: []}",
	"model: LifRef, params: {V_th: 1000000 mV}", 1)

// smallRandman is a 3-class randman task of 20 units over 40 steps of
// 1 ms, perClass samples per class.
func smallRandman(t *testing.T, perClass int) (dataset.RandmanOptions, *dataset.Set) {
	t.Helper()
	o := dataset.RandmanOptions{Classes: 3, Units: 20, SamplesPerClass: perClass, ManifoldDim: 1, Alpha: 2, Steps: 40, Dt: 1e-3, SpikesPerUnit: 1, Seed: 5}
	data, err := dataset.Randman(o)
	require.NoError(t, err)
	return o, data
}

// A spec network trained through the time loop learns a small randman
// task: the test accuracy after a few epochs is far above chance (1/3).
func TestTrainerLearnsRandman(t *testing.T) {
	tier.Slow(t) // 12 s of training
	b, err := pjrt.Open(pjrt.Options{Backend: "cpu"})
	require.NoError(t, err, "the XLA CPU plugin must be installed: run `make setup`")
	net, err := netspec.Parse([]byte(packedRandmanNet), "randman.yaml")
	require.NoError(t, err)
	o, data := smallRandman(t, 80)
	train, test := data.Split(0.75, 1)
	s, err := ops.NewSurrogate("fast_sigmoid", 10)
	require.NoError(t, err)
	tr, err := NewTrainer(b, net, Config{Batch: 20, Input: "In", Readout: "Out", ReadoutVar: "V", Reduce: signature.ReduceMax,
		Params: []string{"in2h.weight", "h2out.weight"}, Surrogate: s, LR: 0.05}, o.Units, o.Classes, o.Steps)
	require.NoError(t, err)
	before, err := tr.Evaluate(test)
	require.NoError(t, err)
	for epoch := range 6 {
		for _, idx := range train.Batches(20, true, 1, epoch) {
			_, err := tr.TrainBatch(train, idx)
			require.NoError(t, err)
		}
		ev, err := tr.Evaluate(test)
		require.NoError(t, err)
		t.Logf("epoch %d: test loss %.3f accuracy %.3f", epoch, ev.Loss, ev.Accuracy)
	}
	after, err := tr.Evaluate(test)
	require.NoError(t, err)
	t.Logf("before: %+v after: %+v", before, after)
	require.Less(t, after.Loss, before.Loss)
	require.GreaterOrEqual(t, after.Accuracy, 0.8)
}

// Tied copies of a trained per-synapse weight propagate through one
// matrix (emit's tiedMatrix): the summed gradient of each tied group, the
// loss and the final state equal those of the same batch with untied
// weights (a gather and a scatter per copy), to float64 rounding.
func TestTiedMatrixEqualsCopies(t *testing.T) {
	tier.Slow(t)
	b, err := pjrt.Open(pjrt.Options{Backend: "cpu"})
	require.NoError(t, err)
	net, err := netspec.Parse([]byte(randmanNet), "randman.yaml")
	require.NoError(t, err)
	net.Precision = "float64"
	const copies, steps = 3, 25
	p, pops := batchProgram(t, net, copies)
	tr := signature.Training{MaxSteps: steps}
	var targets, data []*tensors.Tensor
	rng := rand.New(rand.NewPCG(1, 2))
	for k := range copies {
		tr.Readouts = append(tr.Readouts, signature.Readout{Pops: []*lower.Population{pops[fmt.Sprintf("Out__%d", k)]}, Var: "V", Reduce: signature.ReduceMax})
		tr.Inputs = append(tr.Inputs, pops[fmt.Sprintf("In__%d", k)])
		oh := make([]float64, 3)
		oh[k] = 1
		targets = append(targets, tensors.FromValue(oh))
		raster := make([]float64, steps*20)
		for i := range raster {
			if rng.Float64() < 0.1 {
				raster[i] = 1
			}
		}
		data = append(data, tensors.FromFlatDataAndDimensions(raster, steps, 20))
	}
	var all []string // every copy's weights
	var groups [][]string
	for _, name := range []string{"in2h", "h2out"} {
		var group []string
		for k := range copies {
			group = append(group, fmt.Sprintf("%s__%d.weight", name, k))
		}
		all = append(all, group...)
		groups = append(groups, group)
	}
	s, err := ops.NewSurrogate("fast_sigmoid", 10)
	require.NoError(t, err)
	opts := Options{Surrogate: s, Loss: emit.Loss{Kind: emit.LossCE, Groups: 1}, MaxSteps: steps}
	run := func(params []string, tied [][]string) *Result {
		tr.Params, tr.Tied = params, tied
		sig, err := signature.ForTraining(p, tr)
		require.NoError(t, err)
		g, err := New(b, sig, opts)
		require.NoError(t, err)
		carried, err := InitialCarried(sig, p.InitialState())
		require.NoError(t, err)
		res, err := g.Grad(carried, append(sig.ConstArgs(p.ConstTensors()), data...), targets, steps)
		require.NoError(t, err)
		return res
	}
	untied, tied := run(all, nil), run([]string{groups[0][0], groups[1][0]}, groups)
	require.InDelta(t, untied.Loss, tied.Loss, 1e-10)
	for grp := range 2 {
		want, got := flat64(untied.Grads[3*grp]), flat64(tied.Grads[grp])
		for k := 1; k < copies; k++ {
			for i, v := range flat64(untied.Grads[3*grp+k]) {
				want[i] += v
			}
		}
		nonzero := 0
		for i := range want {
			require.InDelta(t, want[i], got[i], 1e-9*max(1, math.Abs(want[i])), "%s entry %d", groups[grp][0], i)
			if want[i] != 0 {
				nonzero++
			}
		}
		require.Greater(t, nonzero, len(want)/10, "%s: the gradient must not be trivially zero", groups[grp][0])
	}
}

// With count_mse the readout's spike counts are trained towards a high
// count for the label and a low one for the others: a spiking readout
// learns the small randman task too.
func TestTrainerCountMSE(t *testing.T) {
	tier.Slow(t)
	b, err := pjrt.Open(pjrt.Options{Backend: "cpu"})
	require.NoError(t, err)
	spec := strings.Replace(packedRandmanNet, "V_th: 1000000 mV, tau: 10 ms", "V_th: 1 mV, tau: 10 ms", 1) // Out fires
	net, err := netspec.Parse([]byte(spec), "randman.yaml")
	require.NoError(t, err)
	o, data := smallRandman(t, 80)
	train, test := data.Split(0.75, 1)
	s, err := ops.NewSurrogate("fast_sigmoid", 10)
	require.NoError(t, err)
	tr, err := NewTrainer(b, net, Config{Batch: 20, Input: "In", Readout: "Out", Reduce: signature.ReduceSum, Loss: LossCountMSE,
		TargetHigh: 5, TargetLow: 0, Params: []string{"in2h.weight", "h2out.weight"}, Surrogate: s, LR: 0.05}, o.Units, o.Classes, o.Steps)
	require.NoError(t, err)
	before, err := tr.Evaluate(test)
	require.NoError(t, err)
	log, err := tr.Fit(t.Context(), train, test, 8, 1, nil)
	require.NoError(t, err)
	after := log[len(log)-1]
	t.Logf("before: %+v after: %+v", before, after)
	require.Less(t, after.TestLoss, before.Loss/2)
	require.GreaterOrEqual(t, after.TestAccuracy, 0.7)
}

// A trainer's configuration is checked before anything is built: each
// error names what is wrong.
func TestTrainerConfigErrors(t *testing.T) {
	b, err := pjrt.Open(pjrt.Options{Backend: "cpu"})
	require.NoError(t, err)
	net, err := netspec.Parse([]byte(randmanNet), "randman.yaml")
	require.NoError(t, err)
	s, err := ops.NewSurrogate("fast_sigmoid", 10)
	require.NoError(t, err)
	good := Config{Batch: 2, Input: "In", Readout: "Out", ReadoutVar: "V", Reduce: signature.ReduceMax,
		Params: []string{"in2h.weight"}, Surrogate: s, LR: 0.01}
	for _, tc := range []struct {
		edit func(*Config)
		want string
	}{
		{func(c *Config) { c.Batch = 0 }, "bptt: batch must be in [1, 4096], got 0"},
		{func(c *Config) { c.LR = 0 }, "bptt: learning rate must be a positive number, got 0"},
		{func(c *Config) { c.Params = nil }, "bptt: nothing to train"},
		{func(c *Config) { c.ClipNorm = -1 }, "bptt: the gradient clipping norm must be a finite number ≥ 0, got -1"},
		{func(c *Config) { c.Bounds = map[string][2]float64{"h2out.weight": {0, 1}} }, `bptt: bounds for "h2out.weight", which is not trained`},
		{func(c *Config) { c.Bounds = map[string][2]float64{"in2h.weight": {1, 0}} }, "bptt: bounds of in2h.weight must be [lo, hi] with lo ≤ hi, got [1, 0]"},
		{func(c *Config) { c.Loss = "hinge" }, `bptt: unknown loss "hinge"`},
		{func(c *Config) { c.Loss = LossCountMSE }, "bptt: count_mse needs finite targets with TargetHigh > TargetLow, got 0 and 0"},
		{func(c *Config) { c.Input = "Nope" }, `bptt: no input population "Nope"`},
		{func(c *Config) { c.Params = []string{"nope.weight"} }, `bptt: no constant "nope.weight" to train (trainable: h2out.weight, in2h.weight`},
		{func(c *Config) { c.Params = []string{"H.tau_x"} }, `bptt: H.tau_x: population H (LifRef) has no parameter "tau_x"`},
		{func(c *Config) { c.Params = []string{"H.tau", "H.tau"} }, "bptt: H.tau is trained twice"},
		{func(c *Config) { c.Params = []string{"H.tau_ref"} }, "lower: trained parameter H.tau_ref: tau_ref is held as Int32, not a float value that can be trained"},
		{func(c *Config) { c.Optimizer = "rmsprop" }, `bptt: unknown optimizer "rmsprop": expected "adam" or "sgd"`},
		{func(c *Config) { c.Momentum = 0.9 }, "bptt: momentum is SGD's; Adam takes none (got 0.9)"},
		{func(c *Config) { c.Optimizer, c.Momentum = OptimSGD, 1 }, "bptt: momentum must be in [0, 1), got 1"},
		{func(c *Config) { c.Schedule = Schedule{Kind: "linear"} }, `bptt: unknown schedule "linear"`},
		{func(c *Config) { c.Schedule = Schedule{Kind: ScheduleStep, Every: 0, Gamma: 0.5} }, "bptt: a step schedule needs every ≥ 1 epochs and 0 < gamma ≤ 1, got 0 and 0.5"},
		{func(c *Config) { c.Schedule = Schedule{Kind: ScheduleCosine, MinLR: 1} }, "bptt: a cosine schedule's min_lr must be in [0, lr = 0.01], got 1"},
		{func(c *Config) { c.RateReg = 1 }, "bptt: a rate regulariser needs a weight > 0 and the populations it acts on"},
		{func(c *Config) { c.RateReg, c.RateTarget = 1, -5 }, "bptt: the rate regulariser's weight and target must be finite numbers ≥ 0, got 1 and -5 Hz"},
		{func(c *Config) { c.RateReg, c.RatePops = 1, []string{"X"} }, `bptt: rate regulariser: no population "X"`},
	} {
		c := good
		tc.edit(&c)
		_, err := NewTrainer(b, net, c, 20, 3, 10)
		require.ErrorContains(t, err, tc.want)
	}
}

// Learning-rate schedules: a step schedule multiplies by gamma every
// `every` epochs; a cosine one goes from LR at the first epoch to MinLR
// at the last along half a cosine.
func TestSchedules(t *testing.T) {
	for _, c := range []struct {
		s    Schedule
		want []float64
	}{
		{Schedule{}, []float64{0.1, 0.1, 0.1, 0.1, 0.1}},
		{Schedule{Kind: ScheduleStep, Every: 2, Gamma: 0.5}, []float64{0.1, 0.1, 0.05, 0.05, 0.025}},
		{Schedule{Kind: ScheduleCosine, MinLR: 0.02}, []float64{0.1, 0.02 + 0.08*(1+math.Sqrt(0.5))/2, 0.06, 0.02 + 0.08*(1-math.Sqrt(0.5))/2, 0.02}},
	} {
		for e, want := range c.want {
			require.InDelta(t, want, c.s.rate(0.1, e+1, 5), 1e-15, "%+v epoch %d", c.s, e+1)
		}
	}
}

// SGD with momentum is the heavy ball: v ← μ·v + g, x ← x − lr·v.
func TestSGDMomentum(t *testing.T) {
	o := newOptim(2, Config{Optimizer: OptimSGD, Momentum: 0.5})
	x := o.update([]float64{1, 2}, []float64{1, -2}, 0.1)
	require.Equal(t, []float64{1 - 0.1, 2 + 0.2}, x)
	x = o.update(x, []float64{1, 0}, 0.1) // v = (1.5, -1)
	require.InDeltaSlice(t, []float64{0.9 - 0.15, 2.2 + 0.1}, x, 1e-15)
}

// A rate regulariser adds RateReg · mean((r − target)²) over the
// regularised population's neurons and samples to the loss: with target
// 0 Hz the regularised loss exceeds the plain one by that much, which is
// positive when the population fires.
func TestRateRegulariser(t *testing.T) {
	tier.Slow(t)
	b, err := pjrt.Open(pjrt.Options{Backend: "cpu"})
	require.NoError(t, err)
	net, err := netspec.Parse([]byte(packedRandmanNet), "randman.yaml")
	require.NoError(t, err)
	o, data := smallRandman(t, 10)
	s, err := ops.NewSurrogate("fast_sigmoid", 10)
	require.NoError(t, err)
	cfg := Config{Batch: 5, Input: "In", Readout: "Out", ReadoutVar: "V", Reduce: signature.ReduceMax,
		Params: []string{"in2h.weight"}, Surrogate: s, LR: 0.05, Float64: true}
	plain, err := NewTrainer(b, net, cfg, o.Units, o.Classes, o.Steps)
	require.NoError(t, err)
	cfg.RateReg, cfg.RatePops = 1e-3, []string{"H"}
	reg, err := NewTrainer(b, net, cfg, o.Units, o.Classes, o.Steps)
	require.NoError(t, err)
	idx := []int{0, 7, 12, 20, 29}
	a, err := plain.Evaluate(subset(data, idx))
	require.NoError(t, err)
	r, err := reg.Evaluate(subset(data, idx))
	require.NoError(t, err)
	require.Equal(t, a.Accuracy, r.Accuracy)
	// The regulariser from H's spike counts, simulated by the trainer's own
	// forward pass (a readout of H's counts).
	cfg.RateReg, cfg.RatePops, cfg.Readout, cfg.ReadoutVar, cfg.Reduce = 0, nil, "H", "", signature.ReduceSum
	counts, err := NewTrainer(b, net, cfg, o.Units, 32, o.Steps)
	require.NoError(t, err)
	rows, err := counts.Readout(subset(data, idx), []int{0, 1, 2, 3, 4})
	require.NoError(t, err)
	sum, n := 0.0, 0
	for _, row := range rows {
		for _, c := range row {
			hz := c / (float64(o.Steps) * 1e-3)
			sum += hz * hz
			n++
		}
	}
	require.Positive(t, sum, "H must fire")
	require.InDelta(t, 1e-3*sum/float64(n), r.Loss-a.Loss, 1e-9)
}

// subset is the samples idx of set, in that order.
func subset(set *dataset.Set, idx []int) *dataset.Set {
	out := *set
	out.Samples = nil
	for _, i := range idx {
		out.Samples = append(out.Samples, set.Samples[i])
	}
	return &out
}

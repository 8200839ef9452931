package bptt

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/dataset"
	"github.com/brainc/brainc/internal/tier"
	"github.com/brainc/brainc/lower"
	"github.com/brainc/brainc/netspec"
	"github.com/brainc/brainc/ops"
	"github.com/brainc/brainc/pjrt"
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

// A spec network trained through the time loop learns a small randman
// task: the test accuracy after a few epochs is far above chance (1/3).
func TestTrainerLearnsRandman(t *testing.T) {
	tier.Slow(t) // 12 s of training
	b, err := pjrt.Open(pjrt.Options{Backend: "cpu"})
	require.NoError(t, err, "the XLA CPU plugin must be installed: run `make setup`")
	net, err := netspec.Parse([]byte(randmanNet), "randman.yaml")
	require.NoError(t, err)
	o := dataset.RandmanOptions{Classes: 3, Units: 20, SamplesPerClass: 80, ManifoldDim: 1, Alpha: 2, Steps: 40, Dt: 1e-3, SpikesPerUnit: 1, Seed: 5}
	data, err := dataset.Randman(o)
	require.NoError(t, err)
	train, test := data.Split(0.75, 1)
	s, err := ops.NewSurrogate("fast_sigmoid", 10)
	require.NoError(t, err)
	tr, err := NewTrainer(b, net, Config{Batch: 20, Input: "In", Readout: "Out", ReadoutVar: "V", Reduce: lower.ReduceMax,
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

package brainc

import (
	"context"
	"math"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/bptt"
	"github.com/brainc/brainc/dataset"
	"github.com/brainc/brainc/internal/tier"
	"github.com/brainc/brainc/ir"
	"github.com/brainc/brainc/netspec"
	"github.com/brainc/brainc/ops"
	"github.com/brainc/brainc/signature"
)

// trainedNet is a small randman network: 12 input units drive 16 LIF
// neurons through per-synapse weights and a recurrent projection of one
// weight, which drive a leaky readout of 3 neurons that never fire.
const trainedNet = `
name: trained
dt: 1 ms
seed: 4
precision: float64
populations:
  In: {size: 12, model: SpikeTimes, spikes: {times: [], indices: []}}
  H:
    size: 16
    model: LifRef
    params: {V_rest: 0 mV, V_reset: 0 mV, V_th: 1 mV, tau: 10 ms, tau_ref: 0 ms}
  Out:
    size: 3
    model: LifRef
    params: {V_rest: 0 mV, V_reset: 0 mV, V_th: 1000000 mV, tau: 10 ms, tau_ref: 0 ms}
projections:
  in2h: {pre: In, post: H, conn: {fixed_prob: 0.8}, weight: normal(0, 2), synapse: {Expon: {tau: 5 ms}}, output: CUBA, kernel: dense}
  h2h: {pre: H, post: H, conn: {fixed_prob: 0.5}, weight: 0.1, synapse: {Expon: {tau: 5 ms}}, output: CUBA, kernel: dense}
  h2out: {pre: H, post: Out, conn: {fixed_prob: 1}, weight: normal(0, 1), synapse: {Expon: {tau: 5 ms}}, output: CUBA}
`

// The values a training saves (weights, and the hidden neurons' time
// constants and thresholds), laid onto the spec network (the projection
// h2out on the event kernel, as `brainc run` lowers it), simulate the
// trained network: driven by a test sample's spikes, the maximum over time
// of the readout's potential equals the trainer's readout of that sample
// (float64, to 1e-9), and differs from the untrained network's.
func TestTrainedValuesRunInTheSimulator(t *testing.T) {
	tier.Slow(t)
	net, err := netspec.Parse([]byte(trainedNet), "trained.yaml")
	require.NoError(t, err)
	const steps = 30
	o := dataset.RandmanOptions{Classes: 3, Units: 12, SamplesPerClass: 8, ManifoldDim: 1, Alpha: 2, Steps: steps, Dt: 1e-3, SpikesPerUnit: 1, Seed: 2}
	data, err := dataset.Randman(o)
	require.NoError(t, err)
	train, test := data.Split(0.75, 1)
	s, err := ops.NewSurrogate("fast_sigmoid", 10)
	require.NoError(t, err)
	cfg := bptt.Config{Batch: 1, Input: "In", Readout: "Out", ReadoutVar: "V", Reduce: signature.ReduceMax,
		Params: []string{"in2h.weight", "h2h.weight", "h2out.weight", "H.tau", "H.V_th"}, Surrogate: s, LR: 0.05, Float64: true}
	tr, _, err := TrainNetwork(context.Background(), net, cfg, steps, train, test, NetworkTrainOptions{Backend: "cpu", Epochs: 1})
	require.NoError(t, err)
	var tau []float64
	tr.Params()["H.tau"].ConstFlatData(func(v any) { tau = v.([]float64) })
	require.Len(t, tau, 16)
	require.NotEqual(t, slices.Repeat([]float64{10}, 16), tau, "the time constants were not trained")
	path := filepath.Join(t.TempDir(), "params.npz")
	require.NoError(t, tr.Save(path))

	simulate := func(sample int, params string) []float64 {
		run, err := netspec.Parse([]byte(trainedNet), "trained.yaml")
		require.NoError(t, err)
		if params != "" {
			require.NoError(t, bptt.ApplyParams(run, params))
		}
		x, _ := test.Dense([]int{sample}, steps, 1e-3)
		in := run.Population("In")
		in.Spikes = &ir.SpikeTimes{}
		for step := range steps {
			for u := range o.Units {
				if x[step*o.Units+u] > 0 {
					in.Spikes.Times, in.Spikes.Indices = append(in.Spikes.Times, float64(step)), append(in.Spikes.Indices, u)
				}
			}
		}
		run.Duration = steps
		run.Monitors = ir.Monitors{Traces: []ir.Trace{{Pop: "Out", Var: "V", Indices: []int{0, 1, 2}}}}
		res, err := Run(context.Background(), run, Options{Backend: "cpu"})
		require.NoError(t, err)
		v := res.Traces[0].Values
		out := slices.Repeat([]float64{math.Inf(-1)}, 3)
		for r := range len(v) / 3 {
			for j := range 3 {
				out[j] = max(out[j], v[r*3+j])
			}
		}
		return out
	}
	for _, sample := range []int{0, 3} {
		want, err := tr.Readout(test, []int{sample})
		require.NoError(t, err)
		got := simulate(sample, path)
		require.InDeltaSlice(t, want[0], got, 1e-9, "sample %d", sample)
		require.NotEqual(t, got, simulate(sample, ""), "training changed nothing")
	}
}

package bptt

import (
	"math"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/emit"
	"github.com/brainc/brainc/internal/tier"
	"github.com/brainc/brainc/lower"
	"github.com/brainc/brainc/netspec"
	"github.com/brainc/brainc/ops"
	"github.com/brainc/brainc/signature"
)

// cobaRates is a conductance-based E/I network with per-synapse delays and
// weights, refractory LIF neurons and Poisson drive, in the units and
// shape of models/coba.yaml.
const cobaRates = `
name: coba-rates
dt: 0.5 ms
seed: 11
populations:
  E: {size: 80, model: LifRef, params: {V_rest: -60 mV, V_th: -50 mV, V_reset: -60 mV, tau: 20 ms, tau_ref: 2 ms}, init: {V: uniform(-60 mV, -50 mV)}, input: 8}
  I: {size: 20, model: LifRef, params: {V_rest: -60 mV, V_th: -50 mV, V_reset: -60 mV, tau: 20 ms, tau_ref: 2 ms}, init: {V: uniform(-60 mV, -50 mV)}, input: 8}
projections:
  ext: {poisson: {num: 100, rate: 10 Hz}, post: E, weight: 0.3, synapse: {Expon: {tau: 5 ms}}, output: {COBA: {E: 0 mV}}}
  E2E: {pre: E, post: E, conn: {fixed_prob: 0.1}, weight: uniform(0.2, 1), delay: uniform(0.5 ms, 3 ms),
        synapse: {Expon: {tau: 5 ms}}, output: {COBA: {E: 0 mV}}}
  E2I: {pre: E, post: I, conn: {fixed_prob: 0.1}, weight: uniform(0.2, 1), synapse: {Expon: {tau: 5 ms}}, output: {COBA: {E: 0 mV}}}
  I2E: {pre: I, post: E, conn: {fixed_prob: 0.2}, weight: uniform(1, 4), synapse: {Expon: {tau: 10 ms}}, output: {COBA: {E: -80 mV}}}
  I2I: {pre: I, post: I, conn: {fixed_prob: 0.2}, weight: uniform(1, 4), synapse: {Expon: {tau: 10 ms}}, output: {COBA: {E: -80 mV}}}
`

// Gradients through the loop of a conductance-based E/I network with the
// parts the first gradient tests leave out — refractory LifRef neurons
// packed in one block, Poisson drive, per-synapse delays and weights on
// four recurrent projections, 100 steps — equal central finite
// differences of its loss (smooth forward pass, float64).
func TestCOBAGradientsEqualFiniteDifferences(t *testing.T) {
	tier.Slow(t)
	f := newFixture(t)
	net, err := netspec.Parse([]byte(cobaRates), "coba-rates.yaml")
	require.NoError(t, err)
	p, err := lower.Build(net, lower.Options{DType: dtypes.Float64, Differentiable: true})
	require.NoError(t, err)
	var e *lower.Population
	for _, q := range p.Pops {
		if q.Name == "E" {
			e = q
		}
	}
	params := []string{"E2E.weight", "E2I.weight", "I2E.weight", "I2I.weight"}
	sig, err := signature.ForTraining(p, signature.Training{Readouts: []signature.Readout{{Pops: []*lower.Population{e}, Reduce: signature.ReduceSum}}, Params: params})
	require.NoError(t, err)
	s, _ := ops.NewSurrogate("sigmoid", 1)
	s.Smooth = true
	const steps = 100
	g, err := New(f.b, sig, Options{Surrogate: s, Loss: emit.Loss{Kind: emit.LossMSE}, Segment: 10, MaxSteps: steps})
	require.NoError(t, err)
	carried, _ := InitialCarried(sig, p.InitialState())
	consts := sig.ConstArgs(p.ConstTensors())
	target := make([]float64, e.Size)
	for i := range target {
		target[i] = 1
	}
	targets := []*tensors.Tensor{tensors.FromValue(target)}
	res, err := g.Grad(carried, consts, targets, steps)
	require.NoError(t, err)
	for pi := range params {
		at := sig.ConstOf[sig.Params[pi]]
		base := flat64(consts[at])
		for _, k := range []int{0, 7} {
			loss := func(d float64) float64 {
				c := append([]*tensors.Tensor(nil), consts...)
				v := append([]float64(nil), base...)
				v[k] += d
				c[at] = tensors.FromFlatDataAndDimensions(v, len(v))
				r, err := g.Grad(carried, c, targets, steps)
				require.NoError(t, err)
				return r.Loss
			}
			fd := (loss(1e-5) - loss(-1e-5)) / 2e-5
			got := flat64(res.Grads[pi])[k]
			require.InDelta(t, fd, got, 2e-3*math.Abs(fd)+1e-5, "%s[%d]", params[pi], k)
		}
	}
}

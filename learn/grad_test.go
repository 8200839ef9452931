package learn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // graph DSL
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/internal/tier"
	"github.com/brainc/brainc/ops"
	"github.com/brainc/brainc/pjrt"
)

func cpu(t testing.TB) *pjrt.Backend {
	t.Helper()
	b, err := pjrt.Open(pjrt.Options{Backend: "cpu", CPUFlags: CPUFlags})
	require.NoError(t, err, "the XLA CPU plugin must be installed: run `make setup`")
	return b
}

// With spikes replaced by a smooth sigmoid, BPTT by autodiff equals central
// finite differences for every parameter: input weights, recurrent weights,
// readout weights, bias current, per-neuron time constants and thresholds,
// the initial state and the input itself (float64, relative error ≤ 1e-3).
func TestGradientsMatchFiniteDifferences(t *testing.T) {
	tier.Slow(t)
	b := cpu(t)
	const in, hid, out, steps, batch = 3, 4, 2, 8, 2
	for _, tc := range []struct{ readout, loss string }{
		{ReadoutLeaky, LossMeanCE}, {ReadoutSpiking, LossCountMSE},
	} {
		t.Run(tc.readout+"/"+tc.loss, func(t *testing.T) {
			c := DefaultConfig()
			c.Inputs, c.Hidden, c.Outputs, c.Steps = in, hid, out, steps
			c.Readout, c.Loss, c.TargetHigh, c.TargetLow = tc.readout, tc.loss, 3, 0.5
			c.Surrogate = ops.Surrogate{Name: "sigmoid", Alpha: 4, Smooth: true}
			c.RateReg, c.RateTarget = 1e-4, 50
			r := rand.New(rand.NewPCG(7, 8))
			vals := func(n int, lo, hi float64) []float64 {
				v := make([]float64, n)
				for i := range v {
					v[i] = lo + (hi-lo)*r.Float64()
				}
				return v
			}
			// x, wIn, wRec, wOut, bias, tau, vth, v0
			names := []string{"x", "w_in", "w_rec", "w_out", "bias", "tau", "v_th", "v0"}
			dims := [][]int{{steps, batch, in}, {in, hid}, {hid, hid}, {hid, out}, {hid}, {hid}, {hid}, {hid}}
			params := [][]float64{vals(steps*batch*in, 0, 1), vals(in*hid, -1, 3), vals(hid*hid, -1, 1),
				vals(hid*out, -2, 2), vals(hid, 0, 0.5), vals(hid, 4, 12), vals(hid, 0.6, 1.2), vals(hid, 0, 0.5)}
			e, err := NewExec(b, func(inputs []*Node) []*Node {
				p := Params{WIn: inputs[1], WRec: inputs[2], WOut: inputs[3], Bias: inputs[4],
					Tau: inputs[5], VTh: inputs[6], V0: inputs[7]}
				loss := Loss(c, Forward(c, p, inputs[0]), inputs[8])
				return append([]*Node{loss}, Gradient(loss, inputs[:8]...)...)
			})
			require.NoError(t, err)
			labels := tensors.FromValue([]int32{1, 0})
			run := func() []*tensors.Tensor {
				args := make([]any, 0, 9)
				for i, p := range params {
					args = append(args, tensors.FromFlatDataAndDimensions(append([]float64(nil), p...), dims[i]...))
				}
				res, err := e.Exec(append(args, labels)...)
				require.NoError(t, err)
				return res
			}
			res := run()
			const h = 1e-6
			var worst float64
			for k, p := range params {
				grad := res[k+1].Value()
				flat := flatten(grad)
				for i := range p {
					orig := p[i]
					p[i] = orig + h
					up := run()[0].Value().(float64)
					p[i] = orig - h
					down := run()[0].Value().(float64)
					p[i] = orig
					fd := (up - down) / (2 * h)
					rel := math.Abs(fd-flat[i]) / max(math.Abs(fd), 1e-6)
					worst = max(worst, rel)
					require.LessOrEqual(t, rel, 1e-3, "%s[%d]: autodiff %g, finite differences %g", names[k], i, flat[i], fd)
				}
			}
			t.Logf("worst relative error %.2e", worst)
		})
	}
}

// flatten turns a float64 tensor value of any rank into a flat slice.
func flatten(v any) []float64 {
	switch x := v.(type) {
	case []float64:
		return x
	case [][]float64:
		var out []float64
		for _, r := range x {
			out = append(out, r...)
		}
		return out
	case [][][]float64:
		var out []float64
		for _, r := range x {
			out = append(out, flatten(r)...)
		}
		return out
	}
	panic(fmt.Sprintf("flatten: %T", v))
}

package bptt

import (
	"fmt"
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

// perNeuronParams are gradNet's per-neuron parameters trained: the LIF
// population's time constant (inside exponential Euler's exp(−dt/tau)),
// threshold and rest, and the equation population's time constant and
// threshold.
var perNeuronParams = []string{"A.tau", "A.V_th", "A.V_rest", "B.tau", "B.V_th"}

// perNeuronSig lowers gradNet as copies copies (float64, for training)
// with perNeuronParams held per neuron, and lays out a step that trains
// them and AB's weights, with a spike-count readout of B and a mean-V
// readout of A per copy; pops are the program's populations by name.
func perNeuronSig(t *testing.T, copies int) (*signature.Train, *lower.Program) {
	t.Helper()
	net, err := netspec.Parse([]byte(gradNet), "grad.yaml")
	require.NoError(t, err)
	net, names, err := perNeuron(net, perNeuronParams)
	require.NoError(t, err)
	require.Equal(t, perNeuronParams, names)
	p, pops := batchProgram(t, net, copies)
	name := func(pop string, k int) string {
		if copies == 1 {
			return pop
		}
		return fmt.Sprintf("%s__%d", pop, k)
	}
	var tr signature.Training
	for k := range copies {
		tr.Readouts = append(tr.Readouts, signature.Readout{Pops: []*lower.Population{pops[name("B", k)]}, Reduce: signature.ReduceSum},
			signature.Readout{Pops: []*lower.Population{pops[name("A", k)]}, Var: "V", Reduce: signature.ReduceMean})
	}
	tr.Params = []string{name("AB", 0) + ".weight"}
	for _, pp := range perNeuronParams {
		pop, param := pp[:1], pp[2:]
		spread := signature.PopParam{Name: pp, Param: param}
		for k := range copies {
			spread.Pops = append(spread.Pops, pops[name(pop, k)])
		}
		tr.PopParams = append(tr.PopParams, spread)
	}
	if copies > 1 {
		group := make([]string, copies)
		for k := range group {
			group[k] = name("AB", k) + ".weight"
		}
		tr.Tied = [][]string{group}
	}
	sig, err := signature.ForTraining(p, tr)
	require.NoError(t, err)
	return sig, p
}

// The gradients of per-neuron parameters (time constants, thresholds,
// rests; a LIF neuron under exponential Euler and a neuron given by
// equations) through the time loop equal central finite differences of
// the loss (smooth forward pass, float64).
func TestPerNeuronGradientsEqualFiniteDifferences(t *testing.T) {
	tier.Slow(t)
	f := newFixture(t)
	sig, p := perNeuronSig(t, 1)
	const steps = 30
	s, err := ops.NewSurrogate("sigmoid", 1)
	require.NoError(t, err)
	s.Smooth = true
	g, err := New(f.b, sig, Options{Surrogate: s, Loss: emit.Loss{Kind: emit.LossMSE}, Segment: 4, MaxSteps: steps})
	require.NoError(t, err)
	carried, err := InitialCarried(sig, p.InitialState())
	require.NoError(t, err)
	consts := sig.ConstArgs(p.ConstTensors())
	require.Equal(t, []float64{10, 10, 10, 10, 10, 10, 10, 10}, flat64(consts[sig.Spreads[0].At]), "A.tau starts at the spec's value")
	res, err := g.Grad(carried, consts, f.targets, steps)
	require.NoError(t, err)
	lossWith := func(at, k int, delta float64) float64 {
		c := append([]*tensors.Tensor(nil), consts...)
		v := flat64(c[at])
		v[k] += delta
		c[at] = tensors.FromFlatDataAndDimensions(v, len(v))
		r, err := g.Grad(carried, c, f.targets, steps)
		require.NoError(t, err)
		return r.Loss
	}
	for i, sp := range sig.Spreads {
		grad := flat64(res.Grads[len(sig.Params)+i])
		nonzero := 0
		for k := range grad {
			if k%3 != 0 { // a third of the neurons: every parameter's finite differences cost two runs each
				continue
			}
			const h = 1e-6
			fd := (lossWith(sp.At, k, h) - lossWith(sp.At, k, -h)) / (2 * h)
			require.InDelta(t, fd, grad[k], 1e-5*math.Max(1, math.Abs(fd)), "%s entry %d", sp.Name, k)
			if grad[k] != 0 {
				nonzero++
			}
		}
		require.Positive(t, nonzero, "%s: every gradient is 0", sp.Name)
	}
}

// A batch's copies read one trained per-neuron parameter: its gradient is
// the mean of the copies' gradients alone (the loss averages over them),
// to 1e-12.
func TestPerNeuronBatchEqualsCopiesAlone(t *testing.T) {
	tier.Slow(t)
	f := newFixture(t)
	const steps, copies = 20, 3
	s, err := ops.NewSurrogate("sigmoid", 2)
	require.NoError(t, err)
	opts := Options{Surrogate: s, Loss: emit.Loss{Kind: emit.LossMSE}, MaxSteps: steps}
	type compiled struct {
		g       *Program
		carried []*tensors.Tensor
		consts  []*tensors.Tensor
	}
	build := func(copies int) compiled { // one program per batch size, called for every copy
		sig, p := perNeuronSig(t, copies)
		require.Equal(t, dtypes.Float64, p.DType)
		g, err := New(f.b, sig, opts)
		require.NoError(t, err)
		carried, err := InitialCarried(sig, p.InitialState())
		require.NoError(t, err)
		return compiled{g, carried, sig.ConstArgs(p.ConstTensors())}
	}
	run := func(c compiled, targets []*tensors.Tensor) *Result {
		res, err := c.g.Grad(c.carried, c.consts, targets, steps)
		require.NoError(t, err)
		return res
	}
	var targets []*tensors.Tensor
	for k := range copies {
		targets = append(targets, f.target(k, 0), f.target(k, 1))
	}
	batch := run(build(copies), targets)
	one := build(1)
	want := make([][]float64, len(batch.Grads))
	for k := range copies {
		alone := run(one, []*tensors.Tensor{f.target(k, 0), f.target(k, 1)})
		for i, g := range alone.Grads {
			if want[i] == nil {
				want[i] = make([]float64, len(flat64(g)))
			}
			for j, x := range flat64(g) {
				want[i][j] += x / copies
			}
		}
	}
	for i, g := range batch.Grads {
		got := flat64(g)
		require.Len(t, got, len(want[i]))
		for j := range got {
			require.InDelta(t, want[i][j], got[j], 1e-12*math.Max(1, math.Abs(want[i][j])), "trained argument %d entry %d", i, j)
		}
	}
}

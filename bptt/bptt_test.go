package bptt

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // graph DSL
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/emit"
	"github.com/brainc/brainc/internal/tier"
	"github.com/brainc/brainc/ir"
	"github.com/brainc/brainc/jit"
	"github.com/brainc/brainc/lower"
	"github.com/brainc/brainc/netspec"
	"github.com/brainc/brainc/ops"
	"github.com/brainc/brainc/pjrt"
	"github.com/brainc/brainc/plan"
	"github.com/brainc/brainc/signature"
)

// gradNet mixes what the gradient must pass: LifRef neurons, a neuron
// given by equations, conductance-based (COBA) exponential synapses with a
// per-synapse delay and per-synapse weights, a Delta output, an
// all-to-all rule and constant inputs.
const gradNet = `
name: grad
dt: 0.5 ms
seed: 7
precision: float64
populations:
  A:
    size: 8
    model: LifRef
    params: {tau: 10 ms, tau_ref: 0 ms, V_rest: -60 mV, V_reset: -60 mV, V_th: -50 mV}
    init: {V: uniform(-62 mV, -51 mV)}
    input: 12
  B:
    size: 5
    model:
      equations: |
        dV/dt = (-(V - V_rest) + R*I)/tau : mV
      threshold: V >= V_th
      reset: V = V_reset
      params: {V_rest: -60 mV, V_reset: -60 mV, V_th: -50 mV, R: 1, tau: 15 ms}
    init: {V: uniform(-60 mV, -52 mV)}
    input: 9
projections:
  AB:
    pre: A
    post: B
    conn: {fixed_prob: 0.6}
    weight: uniform(0.2, 0.8)
    delay: uniform(0.5 ms, 2 ms)
    synapse: {Expon: {tau: 4 ms}}
    output: {COBA: {E: 0 mV}}
  BA:
    pre: B
    post: A
    conn: {all_to_all: true}
    weight: 1.5
    synapse: Delta
    output: Delta
  AA:
    pre: A
    post: A
    conn: {fixed_prob: 0.4}
    weight: 0.3
    synapse: {Expon: {tau: 3 ms}}
    output: CUBA
`

// fixture lowers gradNet with dense kernels and lays out its training
// step with two readouts and three trained constants.
type fixture struct {
	b       backends.Backend
	sig     *signature.Train
	carried []*tensors.Tensor
	consts  []*tensors.Tensor
	targets []*tensors.Tensor
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	b, err := pjrt.Open(pjrt.Options{Backend: "cpu", CPUFlags: []string{"--xla_disable_hlo_passes=fusion"}}) // as learn.CPUFlags: the unrolled reference compiles slowly with fusion
	require.NoError(t, err, "the XLA CPU plugin must be installed: run `make setup`")
	net, err := netspec.Parse([]byte(gradNet), "grad.yaml")
	require.NoError(t, err)
	p, err := lower.Build(net, lower.Options{DType: dtypes.Float64})
	require.NoError(t, err)
	pop := func(name string) *lower.Population {
		for _, q := range p.Pops {
			if q.Name == name {
				return q
			}
		}
		t.Fatalf("no population %s", name)
		return nil
	}
	readouts := []signature.Readout{{Pops: []*lower.Population{pop("B")}, Reduce: signature.ReduceSum}, {Pops: []*lower.Population{pop("A")}, Var: "V", Reduce: signature.ReduceMean}}
	sig, err := signature.ForTraining(p, signature.Training{Readouts: readouts, Params: []string{"AB.weight", "BA.weight", "AA.weight"}})
	require.NoError(t, err)
	carried, err := InitialCarried(sig, p.InitialState())
	require.NoError(t, err)
	return &fixture{b: b, sig: sig, carried: carried, consts: sig.ConstArgs(p.ConstTensors()),
		targets: []*tensors.Tensor{tensors.FromValue([]float64{2, 0, 1, 3, 1}),
			tensors.FromValue([]float64{-55, -54, -53, -52, -56, -57, -55, -54})}}
}

// target is copy k's target of readout j in a batch: the fixture's,
// scaled by 1 + 0.3k.
func (f *fixture) target(k, j int) *tensors.Tensor {
	v := flat64(f.targets[j])
	for i := range v {
		v[i] *= 1 + 0.3*float64(k)
	}
	return tensors.FromValue(v)
}

// unrolled is the reference: T steps of the same traced step unrolled in
// one GoMLX graph and differentiated by GoMLX's autodiff; it returns the
// loss, then the gradients (params, then initial adjoints).
func (f *fixture) unrolled(t *testing.T, s ops.Surrogate, steps int) []*tensors.Tensor {
	t.Helper()
	sig := f.sig
	nc, nk, r := len(sig.Carried), len(sig.Consts), len(sig.Readouts)
	step := emit.TrainStep(sig, s)
	loss := emit.TrainLoss(sig, emit.Loss{Kind: emit.LossMSE})
	e, err := NewExec(f.b, func(in []*Node) []*Node {
		carried := in[:nc]
		consts := in[nc : nc+nk]
		for range steps {
			carried = step(append(append([]*Node(nil), carried...), consts...))
		}
		lin := make([]*Node, 0, 2*r+1)
		for j := range r {
			lin = append(lin, carried[sig.ReadoutAt(j)])
		}
		lin = append(lin, in[nc+nk:]...)
		lin = append(lin, Scalar(in[0].Graph(), dtypes.Float64, float64(steps)))
		l := loss(lin)[0]
		var wrt []*Node
		for _, c := range sig.Params {
			wrt = append(wrt, consts[sig.ConstOf[c]])
		}
		for _, a := range sig.Adjoint {
			wrt = append(wrt, in[a])
		}
		return append([]*Node{l}, Gradient(l, wrt...)...)
	})
	require.NoError(t, err)
	var args []any
	for _, x := range append(append(append([]*tensors.Tensor(nil), f.carried...), f.consts...), f.targets...) {
		args = append(args, x)
	}
	out, err := e.Exec(args...)
	require.NoError(t, err)
	return out
}

// The gradients through the time loop (forward loop, stored states,
// recomputed segments, the step's vjp in a reverse loop) equal GoMLX's
// autodiff of the unrolled steps to 1e-10 in float64, for the loss, every
// trained constant and every initial state; and every segment length
// gives exactly the same numbers.
func TestLoopGradientsEqualUnrolled(t *testing.T) {
	tier.Slow(t)
	f := newFixture(t)
	const steps = 16
	s, err := ops.NewSurrogate("sigmoid", 2)
	require.NoError(t, err)
	want := f.unrolled(t, s, steps)
	var first *Result
	for _, seg := range []int{1, 5, steps} {
		g, err := New(f.b, f.sig, Options{Surrogate: s, Loss: emit.Loss{Kind: emit.LossMSE}, Segment: seg, MaxSteps: steps})
		require.NoError(t, err)
		res, err := g.Grad(f.carried, f.consts, f.targets, steps)
		require.NoError(t, err)
		got := append(append([]*tensors.Tensor(nil), res.Grads...), res.Adjoints...)
		require.Len(t, got, len(want)-1)
		require.InDelta(t, want[0].Value().(float64), res.Loss, 1e-10*math.Max(1, math.Abs(res.Loss)), "loss")
		nonzero := 0
		for i := range got {
			w, x := flat64(want[1+i]), flat64(got[i])
			require.Len(t, x, len(w))
			for k := range w {
				require.InDelta(t, w[k], x[k], 1e-10*math.Max(1, math.Abs(w[k])), "segment %d, gradient %d entry %d", seg, i, k)
				if w[k] != 0 {
					nonzero++
				}
			}
		}
		require.Greater(t, nonzero, 20, "the gradients must not be trivially zero")
		if first == nil {
			first = res
			continue
		}
		require.Equal(t, first.Loss, res.Loss)
		for i := range res.Grads {
			require.Equal(t, flat64(first.Grads[i]), flat64(res.Grads[i]), "segment %d, gradient %d differs from segment 1's", seg, i)
		}
		for i := range res.Adjoints {
			require.Equal(t, flat64(first.Adjoints[i]), flat64(res.Adjoints[i]), "segment %d, adjoint %d differs from segment 1's", seg, i)
		}
	}
}

// With a smooth forward pass (Surrogate.Smooth) the network is
// differentiable, and the loop's gradients equal central finite
// differences of its loss.
func TestLoopGradientsEqualFiniteDifferences(t *testing.T) {
	tier.Slow(t)
	f := newFixture(t)
	const steps = 30
	s, err := ops.NewSurrogate("sigmoid", 1)
	require.NoError(t, err)
	s.Smooth = true
	g, err := New(f.b, f.sig, Options{Surrogate: s, Loss: emit.Loss{Kind: emit.LossMSE}, Segment: 4, MaxSteps: steps})
	require.NoError(t, err)
	res, err := g.Grad(f.carried, f.consts, f.targets, steps)
	require.NoError(t, err)
	lossWith := func(param, k int, delta float64) float64 {
		consts := append([]*tensors.Tensor(nil), f.consts...)
		c := f.sig.ConstOf[f.sig.Params[param]]
		v := flat64(consts[c])
		v[k] += delta
		if len(v) == 1 && len(consts[c].Shape().Dimensions) == 0 {
			consts[c] = tensors.FromValue(v[0])
		} else {
			consts[c] = tensors.FromFlatDataAndDimensions(v, consts[c].Shape().Dimensions...)
		}
		r, err := g.Grad(f.carried, consts, f.targets, steps)
		require.NoError(t, err)
		return r.Loss
	}
	checked := 0
	for i := range f.sig.Params {
		grad := flat64(res.Grads[i])
		for k := 0; k < len(grad); k += max(1, len(grad)/4) {
			const h = 1e-6
			fd := (lossWith(i, k, h) - lossWith(i, k, -h)) / (2 * h)
			require.InDelta(t, fd, grad[k], 1e-5*math.Max(1, math.Abs(fd)), "constant %s entry %d", f.sig.Consts[f.sig.Params[i]].Name, k)
			checked++
		}
	}
	require.GreaterOrEqual(t, checked, 6)
}

// A network with a part that has no backward rule is refused, naming it.
func TestTrainCheckRefuses(t *testing.T) {
	net, err := netspec.Parse([]byte(strings.Replace(gradNet, "    output: CUBA\n", "    output: CUBA\n    kernel: event\n", 1)), "grad.yaml")
	require.NoError(t, err)
	p, err := lower.Build(net, lower.Options{DType: dtypes.Float64})
	require.NoError(t, err)
	_, err = signature.ForTraining(p, signature.Training{})
	require.ErrorContains(t, err, "projection AA (line 39): the event kernel reads firing indices")
	// Lowered for training, the same projection keeps its synapses on the
	// dense kernel, and the all-to-all rule keeps its own.
	p, err = lower.Build(net, lower.Options{DType: dtypes.Float64, Differentiable: true})
	require.NoError(t, err)
	kernels := map[string]plan.Kernel{}
	for _, pr := range p.Projs {
		kernels[pr.Name] = pr.Kernel
	}
	require.Equal(t, map[string]plan.Kernel{"AB": plan.KernelDense, "BA": plan.KernelAllToAll, "AA": plan.KernelDense}, kernels)
	_, err = signature.ForTraining(p, signature.Training{})
	require.NoError(t, err)
}

// The training step is the simulator's: the forward pass of the gradient
// program (surrogate spikes, differentiable resets) ends in the state the
// loop engine reaches in the same steps, spikes and every float variable.
func TestTrainingForwardIsTheSimulation(t *testing.T) {
	tier.Slow(t)
	f := newFixture(t)
	const steps = 40
	s, err := ops.NewSurrogate("sigmoid", 2)
	require.NoError(t, err)
	g, err := New(f.b, f.sig, Options{Surrogate: s, Loss: emit.Loss{Kind: emit.LossMSE}, MaxSteps: steps})
	require.NoError(t, err)
	res, err := g.Grad(f.carried, f.consts, f.targets, steps)
	require.NoError(t, err)
	p := f.sig.Program()
	r, err := jit.NewRunner(f.b, p, jit.Options{})
	require.NoError(t, err)
	defer r.Close()
	require.NoError(t, r.Run(steps, func(*jit.Chunk) error { return nil }))
	sim, err := r.State()
	require.NoError(t, err)
	fired := 0
	for i, v := range p.State {
		if v.DType == dtypes.Bool {
			want := flat64(floatsOf(sim[i], dtypes.Float64))
			require.Equal(t, want, flat64(res.Final[i]), "%s", v.Name)
			for _, x := range want {
				fired += int(x)
			}
			continue
		}
		if v.DType == dtypes.Float64 {
			require.Equal(t, flat64(sim[i]), flat64(res.Final[i]), "%s", v.Name)
		}
	}
	require.Positive(t, fired, "the test network must fire in its last step")
}

// A batch is copies of the network whose dense projections propagate
// together (emit's copiesDense): its loss is the mean of the copies'
// losses and each copy's gradients are its own network's, divided by the
// copies (the loss averages over them), to 1e-12.
func TestBatchEqualsCopiesAlone(t *testing.T) {
	tier.Slow(t)
	f := newFixture(t)
	const steps, copies = 20, 3
	s, err := ops.NewSurrogate("sigmoid", 2)
	require.NoError(t, err)
	opts := Options{Surrogate: s, Loss: emit.Loss{Kind: emit.LossMSE}, MaxSteps: steps}
	net, err := netspec.Parse([]byte(gradNet), "grad.yaml")
	require.NoError(t, err)
	p, pops := batchProgram(t, net, copies)
	var tr signature.Training
	var targets []*tensors.Tensor
	for k := range copies {
		tr.Readouts = append(tr.Readouts, signature.Readout{Pops: []*lower.Population{pops[fmt.Sprintf("B__%d", k)]}, Reduce: signature.ReduceSum},
			signature.Readout{Pops: []*lower.Population{pops[fmt.Sprintf("A__%d", k)]}, Var: "V", Reduce: signature.ReduceMean})
		targets = append(targets, f.target(k, 0), f.target(k, 1))
		tr.Params = append(tr.Params, fmt.Sprintf("AB__%d.weight", k), fmt.Sprintf("AA__%d.weight", k))
	}
	sig, err := signature.ForTraining(p, tr)
	require.NoError(t, err)
	g, err := New(f.b, sig, opts)
	require.NoError(t, err)
	carried, err := InitialCarried(sig, p.InitialState())
	require.NoError(t, err)
	res, err := g.Grad(carried, sig.ConstArgs(p.ConstTensors()), targets, steps)
	require.NoError(t, err)

	alone, err := New(f.b, f.sig, opts)
	require.NoError(t, err)
	mean := 0.0
	for k := range copies {
		r, err := alone.Grad(f.carried, f.consts, []*tensors.Tensor{f.target(k, 0), f.target(k, 1)}, steps)
		require.NoError(t, err)
		mean += r.Loss / copies
		for j := range 2 { // AB, AA: the fixture's params 0 and 2
			want, got := flat64(r.Grads[2*j]), flat64(res.Grads[2*k+j])
			require.Len(t, got, len(want))
			for i := range want {
				require.InDelta(t, want[i]/copies, got[i], 1e-12*math.Max(1, math.Abs(want[i])), "copy %d, %s entry %d", k, tr.Params[2*k+j], i)
			}
		}
	}
	require.InDelta(t, mean, res.Loss, 1e-12*math.Max(1, mean))
}

// A maximum readout is the largest value over the steps even when every
// value is negative (its accumulator starts at −∞, not 0).
func TestMaxReadoutOfNegativeValues(t *testing.T) {
	tier.Slow(t)
	f := newFixture(t)
	p := f.sig.Program()
	var a *lower.Population
	for _, q := range p.Pops {
		if q.Name == "A" {
			a = q
		}
	}
	sig, err := signature.ForTraining(p, signature.Training{Readouts: []signature.Readout{{Pops: []*lower.Population{a}, Var: "V", Reduce: signature.ReduceMax}},
		Params: []string{"AA.weight"}})
	require.NoError(t, err)
	s, err := ops.NewSurrogate("sigmoid", 2)
	require.NoError(t, err)
	const steps = 6
	g, err := New(f.b, sig, Options{Surrogate: s, Loss: emit.Loss{Kind: emit.LossMSE}, MaxSteps: steps})
	require.NoError(t, err)
	carried, err := InitialCarried(sig, p.InitialState())
	require.NoError(t, err)
	r, err := jit.NewRunner(f.b, p, jit.Options{})
	require.NoError(t, err)
	defer r.Close()
	want := make([]float64, a.Size)
	for i := range want {
		want[i] = math.Inf(-1)
	}
	for range steps { // the simulator's V after each step, its maximum per neuron
		require.NoError(t, r.Run(1, func(*jit.Chunk) error { return nil }))
		st, err := r.State()
		require.NoError(t, err)
		v := flat64(st[a.Block.States["V"].Index])
		for i := range want {
			want[i] = math.Max(want[i], v[a.Offset+i])
		}
	}
	require.Less(t, slices.Max(want), 0.0, "the potentials must all be negative for the test to mean something")
	res, err := g.Grad(carried, sig.ConstArgs(p.ConstTensors()), []*tensors.Tensor{tensors.FromValue(make([]float64, a.Size))}, steps)
	require.NoError(t, err)
	require.Equal(t, want, flat64(res.Final[sig.ReadoutAt(0)]))
}

// batchProgram lowers copies of net for training and maps its populations
// by name.
func batchProgram(t *testing.T, net *ir.Network, copies int) (*lower.Program, map[string]*lower.Population) {
	t.Helper()
	batch, err := Copies(net, copies)
	require.NoError(t, err)
	p, err := lower.Build(batch, lower.Options{DType: dtypes.Float64, Differentiable: true})
	require.NoError(t, err)
	pops := map[string]*lower.Population{}
	for _, q := range p.Pops {
		pops[q.Name] = q
	}
	return p, pops
}

// The default segment stores every state while they fit in
// StoreAllBytes, and every ⌈√steps⌉ beyond.
func TestDefaultSegment(t *testing.T) {
	f := newFixture(t)
	require.Equal(t, 1, DefaultSegment(f.sig, 1000))
	require.Equal(t, 3163, DefaultSegment(f.sig, 10_000_000))
}

// The forward program (Program.Loss: the time loop without stored states
// or backward pass) gives the gradient program's loss and final state.
func TestLossEqualsGradForward(t *testing.T) {
	tier.Slow(t)
	f := newFixture(t)
	const steps = 25
	s, err := ops.NewSurrogate("sigmoid", 2)
	require.NoError(t, err)
	g, err := New(f.b, f.sig, Options{Surrogate: s, Loss: emit.Loss{Kind: emit.LossMSE}, Segment: 5, MaxSteps: steps})
	require.NoError(t, err)
	want, err := g.Grad(f.carried, f.consts, f.targets, steps)
	require.NoError(t, err)
	got, err := g.Loss(f.carried, f.consts, f.targets, steps)
	require.NoError(t, err)
	require.InDelta(t, want.Loss, got.Loss, 1e-12*math.Abs(want.Loss))
	require.Nil(t, got.Grads)
	require.Len(t, got.Final, len(want.Final))
	for i := range want.Final {
		require.InDeltaSlice(t, flat64(want.Final[i]), flat64(got.Final[i]), 1e-12, "%s", f.sig.Carried[i].Name)
	}
	_, err = g.Loss(f.carried, f.consts, f.targets, steps+1)
	require.ErrorContains(t, err, "bptt: steps must be in [1, 25]")
}

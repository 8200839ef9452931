// Package bptt computes gradients through the time loop of any lowered
// network: one executable runs the differentiable step (emit.TrainStep)
// forward in a stablehlo.while, storing the state every Segment steps, takes
// the loss of the readouts, and walks back through the segments, each
// recomputed from its stored state, applying the step's vector–Jacobian
// product (emit.TrainVJP, GoMLX's autodiff of one traced step). The loop
// text around the three functions is package loop's (loop.GradModule).
//
// Compile time does not depend on the number of steps, and memory is
// O(Segments + Segment) states instead of one per step.
package bptt

import (
	"fmt"
	"math"
	"time"

	xlapjrt "github.com/gomlx/go-xla/pkg/pjrt"
	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"

	"github.com/brainc/brainc/emit"
	"github.com/brainc/brainc/jit"
	"github.com/brainc/brainc/loop"
	"github.com/brainc/brainc/ops"
	"github.com/brainc/brainc/pjrt"
	"github.com/brainc/brainc/signature"
)

// Options configure a gradient program.
type Options struct {
	// Surrogate is the spike function's surrogate gradient.
	Surrogate ops.Surrogate
	// Loss is the loss of the readouts.
	Loss emit.Loss
	// Segment is the number of steps between stored states (0:
	// DefaultSegment).
	Segment int
	// MaxSteps is the most steps one call runs (≥ 1).
	MaxSteps int
}

// MaxSteps bounds Options.MaxSteps.
const MaxSteps = 1 << 24

// Program is a compiled gradient program of one training signature.
type Program struct {
	sig      *signature.Train
	opts     Options
	segments int
	// Text is the module's StableHLO text.
	Text   string
	client *xlapjrt.Client
	exe    *xlapjrt.LoadedExecutable
	// lossText is the forward-only module (loop.LossModule), compiled into
	// lossExe on the first Loss call.
	lossText string
	lossExe  *xlapjrt.LoadedExecutable
	// TraceTime is the time spent tracing the three functions and writing
	// the module, CompileTime XLA's compile of it.
	TraceTime, CompileTime time.Duration
}

// Result is what one call gives.
type Result struct {
	// Loss is the loss of the readouts after the steps.
	Loss float64
	// Final are the carried values after the steps (signature.Train.Carried
	// order).
	Final []*tensors.Tensor
	// Grads are the loss's gradients with respect to the trained arguments
	// (signature.Train.Trained order: constants, then per-neuron
	// parameters).
	Grads []*tensors.Tensor
	// Adjoints are its gradients with respect to the initial carried values
	// that have adjoints (signature.Train.Adjoint order).
	Adjoints []*tensors.Tensor
}

// New traces the step, its vjp and the loss of sig, writes the module and
// compiles it on the XLA backend b.
func New(b backends.Backend, sig *signature.Train, opts Options) (*Program, error) {
	if opts.MaxSteps < 1 || opts.MaxSteps > MaxSteps {
		return nil, fmt.Errorf("bptt: the most steps per call must be in [1, %d], got %d", MaxSteps, opts.MaxSteps)
	}
	if opts.Segment == 0 {
		opts.Segment = DefaultSegment(sig, opts.MaxSteps)
	}
	if opts.Segment < 1 || opts.Segment > opts.MaxSteps {
		return nil, fmt.Errorf("bptt: the segment must be in [1, %d] steps, got %d", opts.MaxSteps, opts.Segment)
	}
	if opts.Loss.Kind == emit.LossCE {
		g := max(opts.Loss.Groups, 1)
		for _, r := range sig.Readouts {
			if r.Size()%g != 0 {
				return nil, fmt.Errorf("bptt: readout %s has %d values, not a multiple of the %d samples", r.Name(), r.Size(), g)
			}
		}
	}
	if len(sig.Readouts) == 0 {
		return nil, fmt.Errorf("bptt: the loss reads no readout")
	}
	if _, err := ops.NewSurrogate(opts.Surrogate.Name, opts.Surrogate.Alpha); err != nil || opts.Surrogate.Alpha <= 0 {
		return nil, fmt.Errorf("bptt: surrogate %s: %v (ops.NewSurrogate gives a checked one)", opts.Surrogate, err)
	}
	p := sig.Program()
	t0 := time.Now()
	step, err := pjrt.TraceStableHLO(b, "train_step", sig.ArgShapes(), emit.TrainStep(sig, opts.Surrogate))
	if err != nil {
		return nil, err
	}
	vjp, err := pjrt.TraceStableHLO(b, "train_vjp", sig.VJPShapes(), emit.TrainVJP(sig, opts.Surrogate))
	if err != nil {
		return nil, err
	}
	var lossShapes []shapes.Shape
	for range 2 {
		for j := range sig.Readouts {
			lossShapes = append(lossShapes, sig.Carried[sig.ReadoutAt(j)].ShapeOf())
		}
	}
	lossShapes = append(lossShapes, shapes.Make(p.DType))
	loss, err := pjrt.TraceStableHLO(b, "train_loss", lossShapes, emit.TrainLoss(sig, opts.Loss))
	if err != nil {
		return nil, err
	}
	g := &Program{sig: sig, opts: opts, segments: (opts.MaxSteps + opts.Segment - 1) / opts.Segment}
	spec := loop.BPTT{Name: "bptt", Carried: len(sig.Carried), Consts: len(sig.Consts), Adjoint: sig.Adjoint,
		Targets: len(sig.Readouts), Params: len(sig.Trained()), Segment: opts.Segment, Segments: g.segments}
	for j := range sig.Readouts {
		spec.Readouts = append(spec.Readouts, sig.ReadoutAt(j))
	}
	if g.Text, err = loop.GradModule(step, vjp, loss, spec); err != nil {
		return nil, err
	}
	spec.Name = "forward"
	if g.lossText, err = loop.LossModule(step, loss, spec); err != nil {
		return nil, err
	}
	if g.client, err = pjrt.Client(b); err != nil {
		return nil, err
	}
	t1 := time.Now()
	g.TraceTime = t1.Sub(t0)
	if g.exe, err = g.client.Compile().WithStableHLO([]byte(g.Text)).Done(); err != nil {
		return nil, fmt.Errorf("bptt: compiling the gradient program: %w", err)
	}
	g.CompileTime = time.Since(t1)
	return g, nil
}

// Segment is the number of steps between stored states.
func (g *Program) Segment() int { return g.opts.Segment }

// InitialCarried is the program's initial state as the training step
// carries it: Bool spike flags as floats, then the readouts' accumulators
// (zero; −∞ for a maximum).
func InitialCarried(sig *signature.Train, state []*tensors.Tensor) ([]*tensors.Tensor, error) {
	p := sig.Program()
	if len(state) != len(p.State) {
		return nil, fmt.Errorf("bptt: %d state arrays, the program has %d", len(state), len(p.State))
	}
	out := make([]*tensors.Tensor, 0, len(sig.Carried))
	for i, t := range state {
		if t.DType() == dtypes.Bool {
			t = floatsOf(t, p.DType)
		}
		if want := sig.Carried[i].ShapeOf(); !t.Shape().Equal(want) {
			return nil, fmt.Errorf("bptt: state %s is %s, expected %s", p.State[i].Name, t.Shape(), want)
		}
		out = append(out, t)
	}
	for j, r := range sig.Readouts {
		acc := tensors.FromShape(sig.Carried[sig.ReadoutAt(j)].ShapeOf())
		if r.Reduce == signature.ReduceMax { // the first step's value is the first maximum
			fill := make([]float64, r.Size())
			for i := range fill {
				fill[i] = math.Inf(-1)
			}
			acc = floatTensor(fill, p.DType, r.Size())
		}
		out = append(out, acc)
	}
	return out, nil
}

// floatsOf converts a Bool tensor to 0/1 of dtype.
func floatsOf(t *tensors.Tensor, dtype dtypes.DType) *tensors.Tensor {
	out := tensors.FromShape(shapes.Make(dtype, t.Shape().Dimensions...))
	tensors.ConstFlatData(t, func(flat []bool) {
		switch dtype {
		case dtypes.Float64:
			tensors.MutableFlatData(out, func(o []float64) {
				for i, b := range flat {
					if b {
						o[i] = 1
					}
				}
			})
		default:
			tensors.MutableFlatData(out, func(o []float32) {
				for i, b := range flat {
					if b {
						o[i] = 1
					}
				}
			})
		}
	})
	return out
}

// Grad runs steps steps from the carried values with the constants, and
// returns the loss of the readouts against targets (one per readout, of
// its shape) and its gradients.
func (g *Program) Grad(carried, consts, targets []*tensors.Tensor, steps int) (*Result, error) {
	host, err := g.call(g.exe, carried, consts, targets, steps)
	if err != nil {
		return nil, err
	}
	sig := g.sig
	c, trained := len(sig.Carried), sig.Trained()
	res := &Result{Final: host[1 : 1+c], Grads: host[1+c : 1+c+len(trained)], Adjoints: host[1+c+len(trained):]}
	res.Loss = flat64(host[0])[0]
	if math.IsNaN(res.Loss) || math.IsInf(res.Loss, 0) {
		return res, fmt.Errorf("bptt: the loss is %v after %d steps", res.Loss, steps)
	}
	for i, g := range res.Grads {
		if bad := nonFinite(g); bad > 0 {
			return res, fmt.Errorf("bptt: the gradient of %s is not finite in %d of its %d entries after %d steps: the backward pass overflowed (exploding gradients through the recurrent dynamics); try a flatter surrogate (smaller alpha), fewer steps or float64",
				sig.Consts[trained[i]].Name, bad, g.Shape().Size(), steps)
		}
	}
	return res, nil
}

// Loss runs the forward pass alone (no state stored, no backward pass;
// compiled on its first call): the loss and the carried values after
// steps steps, as Grad gives them, without gradients.
func (g *Program) Loss(carried, consts, targets []*tensors.Tensor, steps int) (*Result, error) {
	if g.lossExe == nil {
		exe, err := g.client.Compile().WithStableHLO([]byte(g.lossText)).Done()
		if err != nil {
			return nil, fmt.Errorf("bptt: compiling the forward program: %w", err)
		}
		g.lossExe = exe
	}
	host, err := g.call(g.lossExe, carried, consts, targets, steps)
	if err != nil {
		return nil, err
	}
	res := &Result{Loss: flat64(host[0])[0], Final: host[1:]}
	if math.IsNaN(res.Loss) || math.IsInf(res.Loss, 0) {
		return res, fmt.Errorf("bptt: the loss is %v after %d steps", res.Loss, steps)
	}
	return res, nil
}

// call runs exe on the carried values, constants, targets and steps, and
// returns its results on the host.
func (g *Program) call(exe *xlapjrt.LoadedExecutable, carried, consts, targets []*tensors.Tensor, steps int) ([]*tensors.Tensor, error) {
	sig := g.sig
	if steps < 1 || steps > g.opts.MaxSteps {
		return nil, fmt.Errorf("bptt: steps must be in [1, %d] (Options.MaxSteps), got %d", g.opts.MaxSteps, steps)
	}
	if len(carried) != len(sig.Carried) || len(consts) != len(sig.Consts) || len(targets) != len(sig.Readouts) {
		return nil, fmt.Errorf("bptt: %d carried, %d constants and %d targets, expected %d, %d and %d",
			len(carried), len(consts), len(targets), len(sig.Carried), len(sig.Consts), len(sig.Readouts))
	}
	var args []*xlapjrt.Buffer
	defer func() {
		for _, b := range args {
			_ = b.Destroy()
		}
	}()
	add := func(t *tensors.Tensor, want shapes.Shape, what string) error {
		if !t.Shape().Equal(want) {
			return fmt.Errorf("bptt: %s is %s, expected %s", what, t.Shape(), want)
		}
		var b *xlapjrt.Buffer
		var err error
		t.ConstFlatData(func(flat any) {
			b, err = g.client.BufferFromHost().FromFlatDataWithDimensions(flat, want.Dimensions).Done()
		})
		if err != nil {
			return fmt.Errorf("bptt: moving %s to the device: %w", what, err)
		}
		args = append(args, b)
		return nil
	}
	for i, t := range carried {
		if err := add(t, sig.Carried[i].ShapeOf(), sig.Carried[i].Name); err != nil {
			return nil, err
		}
	}
	for i, t := range consts {
		if err := add(t, sig.Consts[i].ShapeOf(), sig.Consts[i].Name); err != nil {
			return nil, err
		}
	}
	for j, t := range targets {
		if err := add(t, sig.Carried[sig.ReadoutAt(j)].ShapeOf(), "target of "+sig.Readouts[j].Name()); err != nil {
			return nil, err
		}
	}
	if err := add(tensors.FromValue(int32(steps)), shapes.Make(dtypes.Int32), "steps"); err != nil {
		return nil, err
	}
	outs, err := exe.Execute(args...).Done()
	if err != nil {
		return nil, fmt.Errorf("bptt: running the program: %w", err)
	}
	host := make([]*tensors.Tensor, len(outs))
	for i, b := range outs {
		flat, dims, err := b.ToFlatDataAndDimensions()
		_ = b.Destroy()
		if err != nil {
			return nil, err
		}
		if host[i], err = jit.HostTensor(flat, dims); err != nil {
			return nil, err
		}
	}
	return host, nil
}

// nonFinite counts the NaN and infinite entries of a float tensor.
func nonFinite(t *tensors.Tensor) int {
	n := 0
	for _, v := range flat64(t) {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			n++
		}
	}
	return n
}

// StoreAllBytes is the most memory DefaultSegment lets the stored states
// take when it stores every one of them (256 MiB).
const StoreAllBytes = 256 << 20

// DefaultSegment is the segment a gradient program of up to steps steps
// stores its states with: 1 (every state stored, nothing recomputed:
// fastest) when steps + 1 states of sig's carried values fit in
// StoreAllBytes, else ⌈√steps⌉ (O(√steps) states, each step computed once
// more).
func DefaultSegment(sig *signature.Train, steps int) int {
	var bytes int64
	for _, v := range sig.Carried {
		n := int64(v.DType.Size())
		for _, d := range v.Shape {
			n *= int64(d)
		}
		bytes += n
	}
	if bytes*int64(steps+1) <= StoreAllBytes {
		return 1
	}
	return int(math.Ceil(math.Sqrt(float64(steps))))
}

package bptt

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"

	"github.com/brainc/brainc/dataset"
	"github.com/brainc/brainc/emit"
	"github.com/brainc/brainc/ir"
	"github.com/brainc/brainc/lower"
	"github.com/brainc/brainc/npyio"
	"github.com/brainc/brainc/ops"
	"github.com/brainc/brainc/plan"
	"github.com/brainc/brainc/signature"
	"github.com/brainc/brainc/sweep"
)

// Config describes the training of a spec network on a labelled spike
// data set (package dataset): the data drive one population, a readout of
// another is classified with softmax cross-entropy, and Adam trains the
// named constants.
type Config struct {
	// Batch is the number of samples per step (1 to sweep.MaxBatch): the
	// network is lowered as that many copies (ir.Network.Replicas, one
	// seed, so equal connectivity and initial weights), whose trained
	// constants are tied (signature.Training.Tied): every copy reads the
	// first's, whose gradient sums the copies'.
	Batch int
	// Input is the population the data's spikes drive (its size must be
	// the data's units; its model's own spikes are replaced).
	Input string
	// Readout is the population whose accumulated value gives the class
	// logits (its size must be the data's classes), ReadoutVar the float
	// state variable read ("" for the spikes), Reduce how the steps are
	// combined.
	Readout    string
	ReadoutVar string
	Reduce     signature.Reduce
	// Params are the values trained: constants as named in a lone
	// network's program (lower.Program.TrainableConsts, e.g.
	// "hid2out.weight"), and per-neuron parameters of LifRef and
	// equation populations as "<population>.<parameter>" ("H.tau"; the
	// parameter then takes one value per neuron, starting from the
	// spec's).
	Params []string
	// Surrogate is the spike function's surrogate gradient.
	Surrogate ops.Surrogate
	// LR is the learning rate (of the first epoch, with a Schedule).
	LR float64
	// Loss is LossCE (""; softmax cross-entropy of the readout, one row
	// per sample) or LossCountMSE (the mean squared difference between
	// the readout and TargetHigh for the label, TargetLow for the other
	// classes: spike counts with a sum readout of spikes).
	Loss string
	// TargetHigh and TargetLow are LossCountMSE's targets.
	TargetHigh, TargetLow float64
	// Bounds clamps trained constants (by Params name) to [lo, hi] after
	// every step (conductances that must stay ≥ 0, say). A trained
	// per-neuron parameter that must be positive (tau) is kept ≥ 1% of
	// its smallest initial value, one that must be ≥ 0 at ≥ 0, unless
	// Bounds names it.
	Bounds map[string][2]float64
	// ClipNorm, when > 0, scales each step's gradients down so that their
	// global L2 norm (over every trained constant) is at most ClipNorm.
	ClipNorm float64
	// Segment is the number of steps between stored states (0:
	// DefaultSegment: every state when they fit in StoreAllBytes, else
	// every ⌈√steps⌉).
	Segment int
	// Float64 trains in float64 (as does a network whose Precision is
	// float64; else float32).
	Float64 bool
	// Optimizer is OptimAdam ("" too) or OptimSGD, with Momentum in
	// [0, 1) for SGD.
	Optimizer string
	Momentum  float64
	// Schedule changes the learning rate from epoch to epoch (Fit).
	Schedule Schedule
	// RateReg, when > 0, adds RateReg · mean((r − RateTarget)²) per
	// population of RatePops to the loss: r are its neurons' firing rates
	// over the sample (Hz), the mean over neurons and samples (as the
	// fixed architecture's rate_reg).
	RateReg, RateTarget float64
	RatePops            []string
}

// Losses of Config.Loss.
const (
	// LossCE is softmax cross-entropy, one row of classes per sample.
	LossCE = "ce"
	// LossCountMSE is the squared difference to target counts.
	LossCountMSE = "count_mse"
)

// Trainer trains a network with gradients through the time loop.
type Trainer struct {
	cfg     Config
	prog    *Program
	sig     *signature.Train
	steps   int
	dt      float64 // seconds
	classes int
	units   int
	// columns lists, per input block, the copy each run of units columns
	// of its data array feeds.
	columns [][]int
	// consts are the batch program's constants, the trained ones kept tied.
	consts []*tensors.Tensor
	// carried0 is the initial carried state.
	carried0 []*tensors.Tensor
	// at and grad are, per Config.Params entry, its argument's position in
	// consts and its gradient's in Result.Grads.
	at, grad []int
	optim    []*optim
	// lr is the learning rate of the epoch trained (Config.Schedule).
	lr float64
	// rateTargets are the targets of the rate regularisers' readouts.
	rateTargets []*tensors.Tensor
}

// NewTrainer lowers net as cfg.Batch copies, lays out and compiles its
// gradient program for samples of steps steps of net.Dt each.
func NewTrainer(b backends.Backend, net *ir.Network, cfg Config, units, classes, steps int) (*Trainer, error) {
	if cfg.Batch < 1 || cfg.Batch > sweep.MaxBatch {
		return nil, fmt.Errorf("bptt: batch must be in [1, %d], got %d", sweep.MaxBatch, cfg.Batch)
	}
	if !(cfg.LR > 0) || math.IsInf(cfg.LR, 0) {
		return nil, fmt.Errorf("bptt: learning rate must be a positive number, got %g", cfg.LR)
	}
	if len(cfg.Params) == 0 {
		return nil, fmt.Errorf("bptt: nothing to train: name at least one constant")
	}
	if cfg.ClipNorm < 0 || math.IsNaN(cfg.ClipNorm) || math.IsInf(cfg.ClipNorm, 0) {
		return nil, fmt.Errorf("bptt: the gradient clipping norm must be a finite number ≥ 0, got %g", cfg.ClipNorm)
	}
	for _, name := range slices.Sorted(maps.Keys(cfg.Bounds)) { // (sorted: one error, the same every run)
		b := cfg.Bounds[name]
		if !slices.Contains(cfg.Params, name) {
			return nil, fmt.Errorf("bptt: bounds for %q, which is not trained (trained: %s)", name, strings.Join(cfg.Params, ", "))
		}
		if math.IsNaN(b[0]) || math.IsNaN(b[1]) || b[0] > b[1] {
			return nil, fmt.Errorf("bptt: bounds of %s must be [lo, hi] with lo ≤ hi, got [%g, %g]", name, b[0], b[1])
		}
	}
	switch cfg.Optimizer {
	case "", OptimAdam:
		if cfg.Momentum != 0 {
			return nil, fmt.Errorf("bptt: momentum is SGD's; Adam takes none (got %g)", cfg.Momentum)
		}
	case OptimSGD:
		if !(cfg.Momentum >= 0 && cfg.Momentum < 1) {
			return nil, fmt.Errorf("bptt: momentum must be in [0, 1), got %g", cfg.Momentum)
		}
	default:
		return nil, fmt.Errorf("bptt: unknown optimizer %q: expected %q or %q", cfg.Optimizer, OptimAdam, OptimSGD)
	}
	if err := cfg.Schedule.check(cfg.LR); err != nil {
		return nil, err
	}
	if !(cfg.RateReg >= 0) || math.IsInf(cfg.RateReg, 0) || !(cfg.RateTarget >= 0) || math.IsInf(cfg.RateTarget, 0) {
		return nil, fmt.Errorf("bptt: the rate regulariser's weight and target must be finite numbers ≥ 0, got %g and %g Hz", cfg.RateReg, cfg.RateTarget)
	}
	if (cfg.RateReg > 0) != (len(cfg.RatePops) > 0) {
		return nil, fmt.Errorf("bptt: a rate regulariser needs a weight > 0 and the populations it acts on (got weight %g, populations %q)", cfg.RateReg, cfg.RatePops)
	}
	if steps < 1 || steps > signature.MaxTrainSteps {
		return nil, fmt.Errorf("bptt: a sample must last 1 to %d steps, got %d", signature.MaxTrainSteps, steps)
	}
	net, popParams, err := perNeuron(net, cfg.Params)
	if err != nil {
		return nil, err
	}
	cfg.Bounds = maps.Clone(cfg.Bounds)
	for _, name := range popParams { // keep positive parameters positive
		if _, ok := cfg.Bounds[name]; ok {
			continue
		}
		owner, param, _ := strings.Cut(name, ".")
		pop := net.Population(owner)
		m, ok := pop.ModelSpec()
		if !ok {
			continue
		}
		if ps, ok := m.Param(param); ok && (ps.Positive || ps.NonNegative) {
			lo := 0.0
			if ps.Positive {
				lo = minPositive(pop, param) / 100
			}
			if cfg.Bounds == nil {
				cfg.Bounds = map[string][2]float64{}
			}
			cfg.Bounds[name] = [2]float64{lo, math.Inf(1)}
		}
	}
	batch, err := Copies(net, cfg.Batch)
	if err != nil {
		return nil, err
	}
	dt := dtypes.Float32
	if cfg.Float64 || net.Precision == ir.PrecisionFloat64 {
		dt = dtypes.Float64
	}
	p, err := lower.Build(batch, lower.Options{DType: dt, Differentiable: true})
	if err != nil {
		return nil, err
	}
	copyOf := func(name string, k int) string {
		if cfg.Batch == 1 {
			return name
		}
		return fmt.Sprintf("%s__%d", name, k)
	}
	popByName := map[string]*lower.Population{}
	for _, q := range p.Pops {
		popByName[q.Name] = q
	}
	tr := signature.Training{MaxSteps: steps}
	copyIndex := map[*lower.Population]int{}
	var outs []*lower.Population
	for k := range cfg.Batch {
		in, ok := popByName[copyOf(cfg.Input, k)]
		if !ok {
			return nil, fmt.Errorf("bptt: no input population %q", cfg.Input)
		}
		if in.Size != units {
			return nil, fmt.Errorf("bptt: input population %s has %d neurons, the data %d units", cfg.Input, in.Size, units)
		}
		tr.Inputs = append(tr.Inputs, in)
		copyIndex[in] = k
		out, ok := popByName[copyOf(cfg.Readout, k)]
		if !ok {
			return nil, fmt.Errorf("bptt: no readout population %q", cfg.Readout)
		}
		if out.Size != classes {
			return nil, fmt.Errorf("bptt: readout population %s has %d neurons, the data %d classes", cfg.Readout, out.Size, classes)
		}
		outs = append(outs, out)
	}
	tr.Readouts = []signature.Readout{{Pops: outs, Var: cfg.ReadoutVar, Reduce: cfg.Reduce}}
	t := &Trainer{cfg: cfg, steps: steps, dt: net.Dt / 1000, classes: classes, lr: cfg.LR}
	var rates []emit.RateTerm
	for _, name := range cfg.RatePops {
		r := signature.Readout{Reduce: signature.ReduceSum}
		for k := range cfg.Batch {
			q, ok := popByName[copyOf(name, k)]
			if !ok {
				return nil, fmt.Errorf("bptt: rate regulariser: no population %q", name)
			}
			r.Pops = append(r.Pops, q)
		}
		rates = append(rates, emit.RateTerm{Readout: len(tr.Readouts), Weight: cfg.RateReg, Dt: t.dt})
		tr.Readouts = append(tr.Readouts, r)
	}
	trainable := map[string]bool{} // the trainable constants, as a lone network names them
	for _, name := range p.TrainableConsts() {
		if proj, rest, ok := strings.Cut(name, "."); ok && !strings.Contains(rest, "param.") && (cfg.Batch == 1 || strings.HasSuffix(proj, "__0")) {
			trainable[strings.TrimSuffix(proj, "__0")+"."+rest] = true
		}
	}
	var weights []string
	for _, name := range cfg.Params {
		switch {
		case slices.Contains(popParams, name):
		case !trainable[name]:
			return nil, fmt.Errorf("bptt: no constant %q to train (trainable: %s, and per-neuron parameters <population>.<parameter> of LifRef and equation populations)",
				name, strings.Join(slices.Sorted(maps.Keys(trainable)), ", "))
		default:
			weights = append(weights, name)
		}
	}
	for _, name := range popParams {
		owner, param, _ := strings.Cut(name, ".")
		pp := signature.PopParam{Name: name, Param: param}
		for k := range cfg.Batch {
			pp.Pops = append(pp.Pops, popByName[copyOf(owner, k)])
		}
		tr.PopParams = append(tr.PopParams, pp)
	}
	for _, name := range weights {
		proj, rest, _ := strings.Cut(name, ".")
		tr.Params = append(tr.Params, copyOf(proj, 0)+"."+rest)
		if cfg.Batch > 1 {
			group := make([]string, cfg.Batch)
			for k := range group {
				group[k] = copyOf(proj, k) + "." + rest
			}
			tr.Tied = append(tr.Tied, group)
		}
	}
	if t.sig, err = signature.ForTraining(p, tr); err != nil {
		return nil, err
	}
	loss := emit.Loss{Kind: emit.LossCE, Groups: cfg.Batch, Rates: rates}
	switch cfg.Loss {
	case "", LossCE:
	case LossCountMSE:
		loss = emit.Loss{Kind: emit.LossMSE, Rates: rates}
		if !(cfg.TargetHigh > cfg.TargetLow) || math.IsInf(cfg.TargetHigh, 0) || math.IsInf(cfg.TargetLow, 0) {
			return nil, fmt.Errorf("bptt: count_mse needs finite targets with TargetHigh > TargetLow, got %g and %g", cfg.TargetHigh, cfg.TargetLow)
		}
	default:
		return nil, fmt.Errorf("bptt: unknown loss %q: expected %q or %q", cfg.Loss, LossCE, LossCountMSE)
	}
	if t.prog, err = New(b, t.sig, Options{Surrogate: cfg.Surrogate, Loss: loss,
		Segment: cfg.Segment, MaxSteps: steps}); err != nil {
		return nil, err
	}
	t.consts = t.sig.ConstArgs(p.ConstTensors())
	for _, in := range t.sig.Inputs {
		t.consts = append(t.consts, tensors.FromShape(shapes.Make(dt, steps, in.Width)))
		var cols []int
		for _, q := range in.Pops {
			cols = append(cols, copyIndex[q])
		}
		t.columns = append(t.columns, cols)
	}
	t.units = units
	for _, rt := range rates {
		size := t.sig.Readouts[rt.Readout].Size()
		t.rateTargets = append(t.rateTargets, floatTensor(slices.Repeat([]float64{cfg.RateTarget}, size), dt, size))
	}
	if t.carried0, err = InitialCarried(t.sig, p.InitialState()); err != nil {
		return nil, err
	}
	trained := t.sig.Trained()
	for _, name := range cfg.Params {
		g := slices.Index(weights, name)
		if g < 0 {
			g = len(weights) + slices.Index(popParams, name)
		}
		t.at, t.grad = append(t.at, trained[g]), append(t.grad, g)
		t.optim = append(t.optim, newOptim(len(flat64(t.consts[trained[g]])), cfg))
	}
	return t, nil
}

// minPositive is the smallest positive value a population's parameter
// starts from (its one value, or a per-neuron distribution's stand-in).
func minPositive(pop *ir.Population, param string) float64 {
	v := pop.Params[param]
	if in, ok := pop.Vary[param]; ok && in.Kind == ir.InitValues && in.Given != nil {
		v = slices.Min(in.Given.Values)
	}
	if !(v > 0) {
		return 1e-3
	}
	return v
}

// perNeuron returns net (a copy when it changes) with every parameter that
// params name as "<population>.<parameter>" held per neuron
// (ir.Population.Vary; its one value for every neuron unless it varies
// already), and those names.
func perNeuron(net *ir.Network, params []string) (*ir.Network, []string, error) {
	var names []string
	for _, name := range params {
		owner, param, ok := strings.Cut(name, ".")
		if pop := net.Population(owner); ok && pop != nil {
			if _, ok := pop.Params[param]; !ok {
				return nil, nil, fmt.Errorf("bptt: %s: population %s (%s) has no parameter %q", name, owner, pop.Model, param)
			}
			if slices.Contains(names, name) {
				return nil, nil, fmt.Errorf("bptt: %s is trained twice", name)
			}
			names = append(names, name)
		}
	}
	if names == nil {
		return net, nil, nil
	}
	net = net.Clone()
	for _, name := range names {
		owner, param, _ := strings.Cut(name, ".")
		pop := net.Population(owner)
		if pop.Vary == nil {
			pop.Vary = map[string]ir.Init{}
		}
		if _, ok := pop.Vary[param]; !ok {
			pop.Vary[param] = ir.Init{Kind: ir.InitConst, A: pop.Params[param]}
		}
	}
	return net, names, nil
}

// Step is what one batch gave.
type Step struct {
	// Loss is the batch's mean loss (cross-entropy, or count_mse's squared
	// error), Accuracy the fraction of its samples classified right
	// (argmax of the readout).
	Loss, Accuracy float64
}

// run runs a batch: the samples idx of set (len(idx) == Batch), and the
// gradients when train is set (applied with Adam). It also returns the
// readout, classes values per sample.
func (t *Trainer) run(set *dataset.Set, idx []int, train bool) (Step, []float64, error) {
	if len(idx) != t.cfg.Batch {
		return Step{}, nil, fmt.Errorf("bptt: a batch holds %d samples, got %d", t.cfg.Batch, len(idx))
	}
	x, labels := set.Dense(idx, t.steps, t.dt)
	if x == nil {
		return Step{}, nil, fmt.Errorf("bptt: the samples cannot be binned into %d steps of %g s", t.steps, t.dt)
	}
	dt := t.sig.Program().DType
	dataAt := t.sig.DataAt
	nb := len(idx)
	for j, cols := range t.columns { // x is [steps, samples, units]: sample k's rows feed copy k
		width := len(cols) * t.units
		data := make([]float32, t.steps*width)
		for step := range t.steps {
			for c, k := range cols {
				at := (step*nb + k) * t.units
				copy(data[step*width+c*t.units:], x[at:at+t.units])
			}
		}
		t.consts[dataAt+j] = floatTensor(data, dt, t.steps, width)
	}
	high, low := 1.0, 0.0 // one-hot class probabilities, or count_mse's targets
	if t.cfg.Loss == LossCountMSE {
		high, low = t.cfg.TargetHigh, t.cfg.TargetLow
	}
	onehot := make([]float64, nb*t.classes)
	for k, l := range labels {
		if int(l) >= t.classes {
			return Step{}, nil, fmt.Errorf("bptt: sample %d has label %d, the readout %d classes", idx[k], l, t.classes)
		}
		for c := range t.classes {
			onehot[k*t.classes+c] = low
		}
		onehot[k*t.classes+int(l)] = high
	}
	targets := append([]*tensors.Tensor{floatTensor(onehot, dt, nb*t.classes)}, t.rateTargets...)
	run := t.prog.Loss // evaluation needs no backward pass
	if train {
		run = t.prog.Grad
	}
	res, err := run(t.carried0, t.consts, targets, t.steps)
	if err != nil {
		return Step{}, nil, err
	}
	right := 0
	logits := flat64(res.Final[t.sig.ReadoutAt(0)])
	for k, l := range labels {
		r := logits[k*t.classes : (k+1)*t.classes]
		if slices.Index(r, slices.Max(r)) == int(l) {
			right++
		}
	}
	if train { // a tied group's one argument carries the sum of its copies' gradients
		grads := make([][]float64, len(t.at))
		norm := 0.0
		for i := range grads {
			grads[i] = flat64(res.Grads[t.grad[i]])
			for _, g := range grads[i] {
				norm += g * g
			}
		}
		if norm = math.Sqrt(norm); t.cfg.ClipNorm > 0 && norm > t.cfg.ClipNorm {
			for _, g := range grads {
				for k := range g {
					g[k] *= t.cfg.ClipNorm / norm
				}
			}
		}
		for i, at := range t.at {
			val := t.optim[i].update(flat64(t.consts[at]), grads[i], t.lr)
			if b, ok := t.cfg.Bounds[t.cfg.Params[i]]; ok {
				for k := range val {
					val[k] = min(max(val[k], b[0]), b[1])
				}
			}
			t.consts[at] = floatTensor(val, dt, t.consts[at].Shape().Dimensions...)
		}
	}
	return Step{Loss: res.Loss, Accuracy: float64(right) / float64(len(idx))}, logits, nil
}

// TrainBatch takes one optimiser step on the samples idx of set, at the
// learning rate of the epoch Fit is in (Config.LR outside Fit).
func (t *Trainer) TrainBatch(set *dataset.Set, idx []int) (Step, error) {
	s, _, err := t.run(set, idx, true)
	return s, err
}

// Readout runs the samples idx of set (one batch: len(idx) is
// Config.Batch) with the current values, without training, and returns
// each sample's readout: its classes' accumulated values (the logits of
// cross-entropy, the counts of count_mse), whose argmax is the class
// predicted.
func (t *Trainer) Readout(set *dataset.Set, idx []int) ([][]float64, error) {
	_, logits, err := t.run(set, idx, false)
	if err != nil {
		return nil, err
	}
	out := make([][]float64, len(idx))
	for k := range out {
		out[k] = logits[k*t.classes : (k+1)*t.classes]
	}
	return out, nil
}

// Evaluate returns the mean loss and accuracy over the whole batches of
// set (a remainder smaller than a batch is left out).
func (t *Trainer) Evaluate(set *dataset.Set) (Step, error) {
	var sum Step
	batches := set.Batches(t.cfg.Batch, false, 0, 0)
	if len(batches) == 0 {
		return Step{}, fmt.Errorf("bptt: the set has %d samples, fewer than a batch of %d", len(set.Samples), t.cfg.Batch)
	}
	for _, idx := range batches {
		s, _, err := t.run(set, idx, false)
		if err != nil {
			return Step{}, err
		}
		sum.Loss += s.Loss
		sum.Accuracy += s.Accuracy
	}
	n := float64(len(batches))
	return Step{Loss: sum.Loss / n, Accuracy: sum.Accuracy / n}, nil
}

// Params returns the trained constants' values, by Config.Params name.
func (t *Trainer) Params() map[string]*tensors.Tensor {
	out := map[string]*tensors.Tensor{}
	for i, name := range t.cfg.Params {
		out[name] = t.consts[t.at[i]]
	}
	return out
}

// Segment is the number of steps between the states the program stores.
func (t *Trainer) Segment() int { return t.prog.Segment() }

// flat64 reads a float tensor's values as float64.
func flat64(t *tensors.Tensor) []float64 { return lower.HostFloats(t) }

// floatTensor makes a tensor of dtype and dimensions from float values
// (a scalar when dims is empty).
func floatTensor[T float32 | float64](v []T, dt dtypes.DType, dims ...int) *tensors.Tensor {
	out := tensors.FromShape(shapes.Make(dt, dims...))
	if dt == dtypes.Float64 {
		tensors.MutableFlatData(out, func(o []float64) {
			for i, x := range v {
				o[i] = float64(x)
			}
		})
	} else {
		tensors.MutableFlatData(out, func(o []float32) {
			for i, x := range v {
				o[i] = float32(x)
			}
		})
	}
	return out
}

// Save writes the trained values to an .npz file, one array per
// Config.Params name (float64 values of the constant's shape; one per
// neuron for a per-neuron parameter "<population>.<parameter>"). A
// projection's per-synapse weights "<proj>.weight" come with its synapse
// lists "<proj>.pre" and "<proj>.post" (Int32, presynaptic and
// postsynaptic neuron of each synapse), from which its matrix is
// W[pre[i], post[i]] = weight[i].
func (t *Trainer) Save(path string) error {
	params := t.Params()
	p := t.sig.Program()
	var names []string
	var arrays []npyio.Array
	for i, name := range t.cfg.Params {
		names = append(names, name)
		arrays = append(arrays, npyio.Array{Shape: params[name].Shape().Dimensions, Data: flat64(params[name])})
		if t.grad[i] >= len(t.sig.Params) {
			continue // a per-neuron parameter
		}
		c := t.sig.Params[t.grad[i]]
		for _, pr := range p.Projs {
			if pr.Weight.Index != c || pr.Kernel != plan.KernelDense || len(pr.Weight.Shape) != 1 {
				continue
			}
			proj, _, _ := strings.Cut(name, ".")
			for _, l := range []struct {
				suffix string
				list   *lower.Var
			}{{".pre", pr.PreList}, {".post", pr.PostList}} {
				v := l.list.Value
				var ints []int32
				v.ConstFlatData(func(x any) { ints, _ = x.([]int32) })
				names = append(names, proj+l.suffix)
				arrays = append(arrays, npyio.Array{Shape: []int{len(ints)}, Data: slices.Clone(ints)})
			}
		}
	}
	return npyio.WriteNPZ(path, names, arrays)
}

// Copies is net as n copies of itself in one network (sweep.NewBatch with
// one seed: equal connectivity, weights and initial values), named
// <name>__k; net itself when n is 1.
func Copies(net *ir.Network, n int) (*ir.Network, error) {
	insts := make([]sweep.Instance, n)
	for k := range insts {
		insts[k] = sweep.Instance{Index: k, Seed: net.Seed}
	}
	b, err := sweep.NewBatch(net, sweep.Grid{}, insts)
	if err != nil {
		return nil, err
	}
	return b.Net, nil
}

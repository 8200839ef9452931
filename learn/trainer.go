package learn

import (
	stdctx "context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // graph DSL
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/train"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"

	"github.com/brainc/brainc/dataset"
	"github.com/brainc/brainc/npyio"
)

// Trainer holds a network's trainable parameters and the compiled training
// and evaluation steps. Executables are compiled on first use and cached by
// input shape (one per batch size).
type Trainer struct {
	// Config is the network and training configuration.
	Config Config
	// OnBatch, when set, is called by Fit after every training batch with
	// the epoch, the batches done in it and its number of batches, and the
	// mean training loss of the epoch so far.
	OnBatch func(epoch, done, batches int, loss float64)
	backend backends.Backend
	ctx     *context.Context
	// names lists the parameters in save order; vars holds them by name.
	names   []string
	vars    map[string]*context.Variable
	steps   *train.Trainer
	predict *context.Exec
	rng     *rand.Rand
}

// Parameter names, as saved in checkpoints.
const (
	ParamWIn  = "w_in"
	ParamWRec = "w_rec"
	ParamWOut = "w_out"
	ParamTau  = "tau"
	ParamVTh  = "v_th"
)

// NewTrainer validates c and draws the initial parameters from c.Seed: each
// weight matrix normal with standard deviation scale/√fan-in, time
// constants and thresholds (when trainable) at their configured values.
// Training uses GoMLX's Adam with learning rate c.LR.
func NewTrainer(b backends.Backend, c Config) (*Trainer, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	t := &Trainer{Config: c, backend: b, ctx: context.New(), vars: map[string]*context.Variable{},
		rng: rand.New(rand.NewPCG(c.Seed, 0x6c6561726e))}
	snn := t.ctx.In("snn")
	add := func(name string, v []float32, dims ...int) {
		t.vars[name] = snn.VariableWithValue(name, tensors.FromFlatDataAndDimensions(v, dims...))
		t.names = append(t.names, name)
	}
	add(ParamWIn, t.normal(c.Inputs*c.Hidden, c.InScale/math.Sqrt(float64(c.Inputs))), c.Inputs, c.Hidden)
	if c.Recurrent {
		add(ParamWRec, t.normal(c.Hidden*c.Hidden, c.RecScale/math.Sqrt(float64(c.Hidden))), c.Hidden, c.Hidden)
	}
	add(ParamWOut, t.normal(c.Hidden*c.Outputs, c.OutScale/math.Sqrt(float64(c.Hidden))), c.Hidden, c.Outputs)
	if c.TrainTau {
		add(ParamTau, slices.Repeat([]float32{float32(c.TauMem)}, c.Hidden), c.Hidden)
	}
	if c.TrainVTh {
		add(ParamVTh, slices.Repeat([]float32{float32(c.VTh)}, c.Hidden), c.Hidden)
	}
	opt := optimizers.Adam().LearningRate(c.LR).Done()
	t.steps = train.NewTrainer(b, t.ctx, t.model, t.loss, opt, nil, nil)
	var err error
	t.predict, err = context.NewExec(b, t.ctx, func(ctx *context.Context, x, labels *Node) []*Node {
		out := Forward(c, t.params(x.Graph()), x)
		rate := MulScalar(ReduceAllMean(out.Counts), 1000/(float64(c.Steps)*c.Dt))
		return []*Node{out.Scores, Loss(c, out, labels), rate}
	})
	if err != nil {
		return nil, fmt.Errorf("learn: building the evaluation step: %w", err)
	}
	return t, nil
}

func (t *Trainer) normal(n int, std float64) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(std * t.rng.NormFloat64())
	}
	return v
}

// params reads the trainable parameters into graph g.
func (t *Trainer) params(g *Graph) Params {
	get := func(name string) *Node {
		if v, ok := t.vars[name]; ok {
			return v.ValueGraph(g)
		}
		return nil
	}
	p := Params{WIn: get(ParamWIn), WRec: get(ParamWRec), WOut: get(ParamWOut), Tau: get(ParamTau), VTh: get(ParamVTh)}
	if p.Tau != nil { // keep time constants above one step
		p.Tau = Max(p.Tau, Scalar(g, p.Tau.DType(), t.Config.Dt))
	}
	return p
}

// model is the train.ModelFn: predictions are the scores and hidden counts.
func (t *Trainer) model(_ *context.Context, _ any, inputs []*Node) []*Node {
	out := Forward(t.Config, t.params(inputs[0].Graph()), inputs[0])
	return []*Node{out.Scores, out.Counts}
}

// loss is the train.LossFn.
func (t *Trainer) loss(labels, predictions []*Node) *Node {
	return Loss(t.Config, Output{Scores: predictions[0], Counts: predictions[1]}, labels[0])
}

// TrainBatch takes one optimizer step on a batch: x [Steps, Batch, Inputs]
// Float32 spikes, labels [Batch] Int32. It returns the batch loss.
func (t *Trainer) TrainBatch(x, labels *tensors.Tensor) (float64, error) {
	if err := t.checkBatch(x, labels); err != nil {
		return 0, err
	}
	m, err := t.steps.TrainStep(nil, []*tensors.Tensor{x}, []*tensors.Tensor{labels})
	if err != nil {
		return 0, fmt.Errorf("learn: training step: %w", err)
	}
	return scalarOf(m[0]), nil
}

func (t *Trainer) checkBatch(x, labels *tensors.Tensor) error {
	c := t.Config
	want := []int{c.Steps, labels.Shape().Dimensions[0], c.Inputs}
	if x.DType() != dtypes.Float32 || !slices.Equal(x.Shape().Dimensions, want) {
		return fmt.Errorf("learn: input must be Float32 %v (steps, batch, inputs), got %s", want, x.Shape())
	}
	if labels.DType() != dtypes.Int32 || labels.Rank() != 1 {
		return fmt.Errorf("learn: labels must be Int32 [batch], got %s", labels.Shape())
	}
	return nil
}

func scalarOf(t *tensors.Tensor) float64 {
	switch v := t.Value().(type) {
	case float32:
		return float64(v)
	case float64:
		return v
	}
	return math.NaN()
}

// Result is an evaluation over a data set.
type Result struct {
	// Loss is the mean loss per sample; Accuracy the fraction classified right.
	Loss, Accuracy float64
	// Rate is the hidden layer's mean firing rate, Hz.
	Rate float64
	// Samples is the number of samples evaluated.
	Samples int
}

// Evaluate runs the network over every sample of s (in order, batches of
// Config.Batch; the last one is padded and the padding ignored).
func (t *Trainer) Evaluate(s *dataset.Set) (Result, error) {
	return t.evaluate(s, len(s.Samples))
}

func (t *Trainer) evaluate(s *dataset.Set, limit int) (Result, error) {
	c := t.Config
	if s.Units > c.Inputs {
		return Result{}, fmt.Errorf("learn: the data has %d input units, the network %d inputs", s.Units, c.Inputs)
	}
	n := min(limit, len(s.Samples))
	var r Result
	for start := 0; start < n; start += c.Batch {
		idx := make([]int, c.Batch)
		real := min(c.Batch, n-start)
		for i := range idx {
			idx[i] = start + min(i, real-1)
		}
		x, labels := t.batch(s, idx)
		out, err := t.predict.Exec(x, labels)
		if err != nil {
			return Result{}, fmt.Errorf("learn: evaluation step: %w", err)
		}
		scores := out[0].Value().([][]float32)
		want := labels.Value().([]int32)
		for i := range real {
			if argmax(scores[i]) == int(want[i]) {
				r.Accuracy++
			}
		}
		// The loss and rate are batch means; weigh them by the real samples.
		r.Loss += scalarOf(out[1]) * float64(real)
		r.Rate += scalarOf(out[2]) * float64(real)
		r.Samples += real
	}
	if r.Samples > 0 {
		r.Loss /= float64(r.Samples)
		r.Accuracy /= float64(r.Samples)
		r.Rate /= float64(r.Samples)
	}
	return r, nil
}

func argmax(v []float32) int {
	best := 0
	for i, x := range v {
		if x > v[best] {
			best = i
		}
	}
	return best
}

// batch bins samples idx of s into the network's input and labels.
func (t *Trainer) batch(s *dataset.Set, idx []int) (x, labels *tensors.Tensor) {
	c := t.Config
	dense, lab := s.Dense(idx, c.Steps, c.Dt/1000)
	if s.Units < c.Inputs { // fewer units than inputs: pad with silent channels
		wide := make([]float32, c.Steps*len(idx)*c.Inputs)
		for r := 0; r < c.Steps*len(idx); r++ {
			copy(wide[r*c.Inputs:], dense[r*s.Units:(r+1)*s.Units])
		}
		dense = wide
	}
	return tensors.FromFlatDataAndDimensions(dense, c.Steps, len(idx), c.Inputs),
		tensors.FromFlatDataAndDimensions(lab, len(idx))
}

// Epoch is one epoch's metrics.
type Epoch struct {
	Epoch int `json:"epoch"`
	// Loss is the mean training-batch loss over the epoch.
	Loss float64 `json:"loss"`
	// TrainAccuracy is measured after the epoch on up to 1,024 training samples.
	TrainAccuracy float64 `json:"train_accuracy"`
	// TestLoss and TestAccuracy are measured on the test set after the epoch.
	TestLoss     float64 `json:"test_loss"`
	TestAccuracy float64 `json:"test_accuracy"`
	// Rate is the hidden layer's mean firing rate on the test set, Hz.
	Rate float64 `json:"rate_hz"`
	// Seconds is the epoch's wall time (training and evaluation); StepSeconds
	// the median training step (forward + backward + update).
	Seconds     float64 `json:"seconds"`
	StepSeconds float64 `json:"step_seconds"`
}

// trainAccuracySamples bounds the training samples re-evaluated per epoch.
const trainAccuracySamples = 1024

// Fit trains for Config.Epochs passes over trainSet (shuffled per epoch with
// the seed; the last partial batch is dropped so shapes stay static),
// evaluating on testSet after each, and calls progress (if not nil) with
// each epoch's metrics. It returns all epochs' metrics.
func (t *Trainer) Fit(trainSet, testSet *dataset.Set, progress func(Epoch)) ([]Epoch, error) {
	return t.FitContext(stdctx.Background(), trainSet, testSet, progress)
}

// FitContext is Fit, stopped between two training batches when ctx is
// cancelled: it then returns the epochs completed and ctx's error, the
// parameters holding every update made so far.
func (t *Trainer) FitContext(ctx stdctx.Context, trainSet, testSet *dataset.Set, progress func(Epoch)) ([]Epoch, error) {
	c := t.Config
	for _, s := range []*dataset.Set{trainSet, testSet} {
		if s.Units > c.Inputs {
			return nil, fmt.Errorf("learn: the data has %d input units, the network %d inputs", s.Units, c.Inputs)
		}
		if s.Classes > c.Outputs {
			return nil, fmt.Errorf("learn: the data has %d classes, the network %d outputs", s.Classes, c.Outputs)
		}
	}
	if len(trainSet.Samples) < c.Batch {
		return nil, fmt.Errorf("learn: batch %d is larger than the training set (%d samples)", c.Batch, len(trainSet.Samples))
	}
	var log []Epoch
	for epoch := 1; epoch <= c.Epochs; epoch++ {
		start := time.Now()
		var sum float64
		var times []float64
		batches := trainSet.Batches(c.Batch, true, c.Seed, epoch)
		for _, idx := range batches {
			if err := ctx.Err(); err != nil {
				return log, err
			}
			x, labels := t.batch(trainSet, idx)
			t0 := time.Now()
			l, err := t.TrainBatch(x, labels)
			if err != nil {
				return log, err
			}
			times = append(times, time.Since(t0).Seconds())
			sum += l
			if t.OnBatch != nil {
				t.OnBatch(epoch, len(times), len(batches), sum/float64(len(times)))
			}
		}
		tr, err := t.evaluate(trainSet, trainAccuracySamples)
		if err != nil {
			return log, err
		}
		te, err := t.Evaluate(testSet)
		if err != nil {
			return log, err
		}
		e := Epoch{Epoch: epoch, Loss: sum / float64(len(batches)), TrainAccuracy: tr.Accuracy,
			TestLoss: te.Loss, TestAccuracy: te.Accuracy, Rate: te.Rate,
			Seconds: time.Since(start).Seconds(), StepSeconds: median(times)}
		if math.IsNaN(e.Loss) {
			return log, fmt.Errorf("learn: epoch %d: the training loss is NaN (try a smaller lr)", epoch)
		}
		log = append(log, e)
		if progress != nil {
			progress(e)
		}
	}
	return log, nil
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}

// Save writes the trainable parameters to an .npz file (one float32 array
// per parameter, named as the Param constants), atomically.
func (t *Trainer) Save(path string) error {
	arrays := make([]npyio.Array, len(t.names))
	for i, name := range t.names {
		v, err := t.vars[name].Value()
		if err != nil {
			return fmt.Errorf("learn: reading %s: %w", name, err)
		}
		arrays[i] = npyio.Array{Shape: v.Shape().Dimensions, Data: tensors.MustCopyFlatData[float32](v)}
	}
	return npyio.WriteNPZ(path, t.names, arrays)
}

// Load replaces the trainable parameters with those of an .npz file written
// by Save; every parameter must be present with the network's shape.
func (t *Trainer) Load(path string) error {
	byName, err := npyio.ReadNPZMap(path)
	if err != nil {
		return err
	}
	values := map[string]*tensors.Tensor{}
	for _, name := range t.names {
		a, ok := byName[name]
		want := t.vars[name].Shape().Dimensions
		switch {
		case !ok:
			return fmt.Errorf("%s: no array %q (the network's parameters are %q)", path, name, t.names)
		case !slices.Equal(a.Shape, want):
			return fmt.Errorf("%s: %s: expected shape %v, got %v", path, name, want, a.Shape)
		}
		f, ok := a.Data.([]float32)
		if !ok {
			return fmt.Errorf("%s: %s: expected float32 values, got %T", path, name, a.Data)
		}
		values[name] = tensors.FromFlatDataAndDimensions(slices.Clone(f), want...)
	}
	for _, name := range t.names {
		if err := t.vars[name].SetValue(values[name]); err != nil {
			return fmt.Errorf("learn: setting %s: %w", name, err)
		}
	}
	return nil
}

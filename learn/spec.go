package learn

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"path/filepath"
	"slices"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"github.com/brainc/brainc/dataset"
	"github.com/brainc/brainc/infile"
	"github.com/brainc/brainc/ir"
	"github.com/brainc/brainc/ops"
)

// Spec is a training spec: a data set, a network and how to train it. It is
// read from YAML (or JSON):
//
//	name: randman                 # default: the file name without extension
//	data:
//	  randman: {classes: 10, units: 100, samples_per_class: 1000,
//	            manifold_dim: 1, alpha: 2, spikes_per_unit: 1, seed: 42}
//	  # or: npz: train.npz, test: test.npz (paths relative to the spec)
//	  split: 0.8                  # training fraction when there is no test file
//	network:
//	  hidden: 128
//	  recurrent: true
//	  tau_mem: 10 ms
//	  tau_out: 20 ms
//	  v_th: 1
//	  v_reset: 0
//	  integrator: euler           # or exp_euler
//	  readout: leaky              # or spiking
//	  in_scale: 40                # initial weights: normal, std scale/√fan-in
//	  rec_scale: 1
//	  out_scale: 10
//	  train_tau: false            # learn per-neuron time constants
//	  train_v_th: false           # learn per-neuron thresholds
//	train:
//	  steps: 100                  # time steps per sample
//	  dt: 1 ms
//	  epochs: 20
//	  batch: 128
//	  lr: 5e-3                    # Adam
//	  loss: ce_max                # ce_mean, count_mse
//	  surrogate: inv_square       # or {name: sigmoid, alpha: 4}
//	  rate_reg: 0
//	  rate_target: 10 Hz
//	  target_high: 10             # count_mse targets
//	  target_low: 0
//	  seed: 1
//
// Every field is optional; DefaultConfig and dataset.DefaultRandman give the
// defaults. Errors name the file, the line and the field.
type Spec struct {
	// Name names the run.
	Name string
	// Config is the network and training configuration (Inputs and Outputs
	// come from the data).
	Config Config
	// Randman or Cues, when set, generates the data; otherwise TrainFile
	// (and TestFile) are loaded.
	Randman             *dataset.RandmanOptions
	Cues                *dataset.CueOptions
	TrainFile, TestFile string
	// Split is the training fraction when the data has no separate test set.
	Split float64
	// Model, when set, is the path of a network spec (package netspec) to
	// train through the time loop (package bptt) instead of the fixed
	// architecture; Loop then says what its training reads and trains.
	Model string
	// Loop is the training of a spec network (with Model).
	Loop LoopTraining
	// ModelText is the network spec's text when the training spec holds
	// its network (train: beside populations:), for a spec that is no
	// file (a built-in one); nil otherwise (Model names the file).
	ModelText []byte
}

// LoopTraining says what the training of a spec network reads, feeds and
// trains (the train section's input, readout, params and segment).
type LoopTraining struct {
	// Input is the population the data's spikes drive.
	Input string
	// Readout is the population read, Var its float state variable ("" for
	// its spikes), Reduce how the steps combine: sum, mean, max or last.
	Readout, Var, Reduce string
	// Params name the constants trained, e.g. "in2h.weight".
	Params []string
	// Segment is the steps between stored states (0: ⌈√steps⌉).
	Segment int
	// Bounds clamp trained constants to [lo, hi] after every step.
	Bounds map[string][2]float64
	// Clip, when > 0, bounds the global norm of each step's gradients.
	Clip float64
	// Optimizer is "adam" ("" too) or "sgd", Momentum SGD's momentum.
	Optimizer string  `json:",omitempty"`
	Momentum  float64 `json:",omitempty"`
	// Schedule is the learning-rate schedule.
	Schedule Schedule
	// RatePops are the populations the rate regulariser (Config.RateReg,
	// RateTarget) acts on; with a regulariser and none given, every
	// population but the input, the readout and spike sources.
	RatePops []string `json:",omitempty"`
}

// Schedule is a learning-rate schedule (bptt.Schedule).
type Schedule struct {
	// Kind is "" or "constant", "step" or "cosine".
	Kind string `json:",omitempty"`
	// Every and Gamma shape a step schedule, MinLR a cosine one.
	Every int     `json:",omitempty"`
	Gamma float64 `json:",omitempty"`
	MinLR float64 `json:",omitempty"`
}

type specFile struct {
	Name    string       `yaml:"name"`
	Model   string       `yaml:"model"`
	Data    specData     `yaml:"data"`
	Network specNetwork  `yaml:"network"`
	Train   specTraining `yaml:"train"`
	// A network spec's own keys, when it holds its training (train:
	// and data: beside populations:); netspec reads them.
	Dt          any `yaml:"dt"`
	Duration    any `yaml:"duration"`
	Seed        any `yaml:"seed"`
	Precision   any `yaml:"precision"`
	Devices     any `yaml:"devices"`
	Populations any `yaml:"populations"`
	Projections any `yaml:"projections"`
	Monitors    any `yaml:"monitors"`
}

// networkKeys are a network spec's top-level keys other than name.
var networkKeys = []string{"dt", "duration", "seed", "precision", "devices", "populations", "projections", "monitors"}

type specData struct {
	Randman *specRandman `yaml:"randman"`
	Cues    *specCues    `yaml:"cues"`
	NPZ     string       `yaml:"npz"`
	Test    string       `yaml:"test"`
	Split   *float64     `yaml:"split"`
}

type specRandman struct {
	Classes         *int     `yaml:"classes"`
	Units           *int     `yaml:"units"`
	SamplesPerClass *int     `yaml:"samples_per_class"`
	ManifoldDim     *int     `yaml:"manifold_dim"`
	Alpha           *float64 `yaml:"alpha"`
	SpikesPerUnit   *int     `yaml:"spikes_per_unit"`
	Seed            *uint64  `yaml:"seed"`
}

type specCues struct {
	Cues         *int     `yaml:"cues"`
	UnitsPerSide *int     `yaml:"units_per_side"`
	CueMS        *float64 `yaml:"cue_ms"`
	GapMS        *float64 `yaml:"gap_ms"`
	DelayMS      *float64 `yaml:"delay_ms"`
	RateHz       *float64 `yaml:"rate_hz"`
	Samples      *int     `yaml:"samples"`
	Seed         *uint64  `yaml:"seed"`
}

type specNetwork struct {
	Hidden     *int     `yaml:"hidden"`
	Recurrent  *bool    `yaml:"recurrent"`
	TauMem     any      `yaml:"tau_mem"`
	TauOut     any      `yaml:"tau_out"`
	VTh        *float64 `yaml:"v_th"`
	VReset     *float64 `yaml:"v_reset"`
	Integrator *string  `yaml:"integrator"`
	Readout    *string  `yaml:"readout"`
	InScale    *float64 `yaml:"in_scale"`
	RecScale   *float64 `yaml:"rec_scale"`
	OutScale   *float64 `yaml:"out_scale"`
	TrainTau   *bool    `yaml:"train_tau"`
	TrainVTh   *bool    `yaml:"train_v_th"`
}

type specTraining struct {
	Steps      *int     `yaml:"steps"`
	Dt         any      `yaml:"dt"`
	Epochs     *int     `yaml:"epochs"`
	Batch      *int     `yaml:"batch"`
	LR         *float64 `yaml:"lr"`
	Loss       *string  `yaml:"loss"`
	Surrogate  any      `yaml:"surrogate"`
	RateReg    *float64 `yaml:"rate_reg"`
	RateTarget any      `yaml:"rate_target"`
	TargetHigh *float64 `yaml:"target_high"`
	TargetLow  *float64 `yaml:"target_low"`
	Seed       *uint64  `yaml:"seed"`
	// A spec network's training (with model).
	Input   string               `yaml:"input"`
	Readout *specReadout         `yaml:"readout"`
	Params  []string             `yaml:"params"`
	Segment *int                 `yaml:"segment"`
	Bounds  map[string][]float64 `yaml:"bounds"`
	Clip    *float64             `yaml:"clip"`
	// Optimiser, schedule and rate regulariser populations (with model).
	Optimizer       *string       `yaml:"optimizer"`
	Momentum        *float64      `yaml:"momentum"`
	Schedule        *specSchedule `yaml:"schedule"`
	RatePopulations []string      `yaml:"rate_populations"`
}

type specSchedule struct {
	Kind  string   `yaml:"kind"`
	Every *int     `yaml:"every"`
	Gamma *float64 `yaml:"gamma"`
	MinLR *float64 `yaml:"min_lr"`
}

type specReadout struct {
	Population string `yaml:"population"`
	Var        string `yaml:"var"`
	Reduce     string `yaml:"reduce"`
}

// maxSpecBytes bounds a training spec file's size: 1 MiB.
const maxSpecBytes = 1 << 20

// ParseSpecFile reads a training spec (a regular file of at most 1 MiB);
// see Spec.
func ParseSpecFile(path string) (*Spec, error) {
	data, err := infile.Read(path, "training spec", maxSpecBytes)
	if err != nil {
		return nil, err
	}
	return ParseSpec(data, path)
}

// ParseSpec parses a training spec; filename names it in errors and
// anchors relative data paths.
func ParseSpec(data []byte, filename string) (*Spec, error) {
	file, err := parser.ParseBytes(data, 0)
	if err != nil {
		return nil, yamlError(filename, err)
	}
	var top map[string]any
	own := false // a network spec holding its own training
	if yaml.Unmarshal(data, &top) == nil {
		if _, isNetwork := top["populations"]; isNetwork {
			if _, trains := top["train"]; !trains {
				return nil, &ir.SpecError{File: filename, Line: lineOf(file, "populations"), Field: "populations",
					Msg: "this is a network spec without a train: section: add train: (input, readout, params …) and data: to it, or write a training spec that names it (model: " +
						filepath.Base(filename) + ") (docs/training.md, \"Training a spec network through the time loop\")"}
			}
			own = true
		}
	}
	var f specFile
	if err := yaml.UnmarshalWithOptions(data, &f, yaml.Strict()); err != nil {
		return nil, yamlError(filename, err)
	}
	at := func(field, format string, args ...any) error {
		return &ir.SpecError{File: filename, Line: lineOf(file, field), Field: field, Msg: fmt.Sprintf(format, args...)}
	}
	var ownText []byte
	if own {
		if f.Model != "" {
			return nil, at("model", "a network spec with a train: section trains itself: leave model: out")
		}
		f.Model = filepath.Base(filename) // (relative to itself)
		ownText = data
	} else {
		for _, k := range networkKeys {
			if _, ok := top[k]; ok {
				return nil, at(k, "is a network spec's key: a training spec names its network with model: (or the network spec holds train: and data: itself, with populations:)")
			}
		}
	}
	s := &Spec{Name: f.Name, Config: DefaultConfig(), Split: 0.8}
	if s.Name == "" {
		s.Name = strings.TrimSuffix(filepath.Base(filename), filepath.Ext(filename))
	}
	c := &s.Config
	// Data.
	d := f.Data
	switch {
	case (d.Randman != nil) && d.NPZ != "", d.Cues != nil && (d.Randman != nil || d.NPZ != ""):
		return nil, at("data", "give one of randman, cues or npz")
	case d.Cues != nil:
		if d.Test != "" {
			return nil, at("data.test", "a test file needs npz (the training file)")
		}
		o := dataset.DefaultCues()
		q := d.Cues
		set(&o.Cues, q.Cues)
		set(&o.UnitsPerSide, q.UnitsPerSide)
		set(&o.CueMS, q.CueMS)
		set(&o.GapMS, q.GapMS)
		set(&o.DelayMS, q.DelayMS)
		set(&o.RateHz, q.RateHz)
		set(&o.Samples, q.Samples)
		set(&o.Seed, q.Seed)
		if f.Model == "" {
			return nil, at("data.cues", "the cue task trains a spec network: give its file as model:")
		}
		s.Cues = &o
	case d.NPZ != "":
		s.TrainFile = relative(filename, d.NPZ)
		if d.Test != "" {
			s.TestFile = relative(filename, d.Test)
		}
	default:
		if d.Test != "" {
			return nil, at("data.test", "a test file needs npz (the training file)")
		}
		o := dataset.DefaultRandman()
		if r := d.Randman; r != nil {
			set(&o.Classes, r.Classes)
			set(&o.Units, r.Units)
			set(&o.SamplesPerClass, r.SamplesPerClass)
			set(&o.ManifoldDim, r.ManifoldDim)
			set(&o.Alpha, r.Alpha)
			set(&o.SpikesPerUnit, r.SpikesPerUnit)
			if r.Seed != nil {
				o.Seed = *r.Seed
			}
		}
		s.Randman = &o
	}
	if d.Split != nil {
		if !(*d.Split > 0 && *d.Split < 1) {
			return nil, at("data.split", "must lie strictly between 0 and 1, got %g", *d.Split)
		}
		s.Split = *d.Split
	}
	// Network.
	n := f.Network
	set(&c.Hidden, n.Hidden)
	set(&c.Recurrent, n.Recurrent)
	set(&c.VTh, n.VTh)
	set(&c.VReset, n.VReset)
	set(&c.Integrator, n.Integrator)
	set(&c.Readout, n.Readout)
	set(&c.InScale, n.InScale)
	set(&c.RecScale, n.RecScale)
	set(&c.OutScale, n.OutScale)
	set(&c.TrainTau, n.TrainTau)
	set(&c.TrainVTh, n.TrainVTh)
	// Training.
	t := f.Train
	set(&c.Steps, t.Steps)
	set(&c.Epochs, t.Epochs)
	set(&c.Batch, t.Batch)
	set(&c.LR, t.LR)
	set(&c.Loss, t.Loss)
	set(&c.RateReg, t.RateReg)
	set(&c.TargetHigh, t.TargetHigh)
	set(&c.TargetLow, t.TargetLow)
	if t.Seed != nil {
		c.Seed = *t.Seed
	}
	for _, q := range []struct {
		field string
		v     any
		dim   ir.Dim
		dst   *float64
	}{
		{"network.tau_mem", n.TauMem, ir.Time, &c.TauMem}, {"network.tau_out", n.TauOut, ir.Time, &c.TauOut},
		{"train.dt", t.Dt, ir.Time, &c.Dt}, {"train.rate_target", t.RateTarget, ir.Rate, &c.RateTarget},
	} {
		if q.v == nil {
			continue
		}
		v, err := quantity(q.v, q.dim)
		if err != nil {
			return nil, at(q.field, "%v", err)
		}
		*q.dst = v
	}
	if t.Surrogate != nil {
		sur, err := surrogate(t.Surrogate)
		if err != nil {
			return nil, at("train.surrogate", "%v", err)
		}
		c.Surrogate = sur
	}
	if err := s.parseLoop(&f, filename, at); err != nil {
		return nil, err
	}
	s.ModelText = ownText
	if s.Randman != nil {
		s.Randman.Steps, s.Randman.Dt = c.Steps, c.Dt/1000
		c.Inputs, c.Outputs = s.Randman.Units, s.Randman.Classes
	}
	if s.Cues != nil {
		c.Inputs, c.Outputs = 2*s.Cues.UnitsPerSide, 2
	}
	if err := c.Validate(); err != nil {
		field, msg, _ := strings.Cut(err.Error(), ": ")
		return nil, at(specField(field), "%s", msg)
	}
	return s, nil
}

// specField maps a Config.Validate field name to its place in the spec.
func specField(name string) string {
	switch name {
	case "steps", "dt", "epochs", "batch", "lr", "loss", "surrogate", "rate_reg":
		return "train." + name
	case "inputs":
		return "data.randman.units"
	case "outputs":
		return "data.randman.classes"
	}
	return "network." + name
}

// Data builds (randman) or loads (npz) the training and test sets.
func (s *Spec) Data() (trainSet, testSet *dataset.Set, err error) {
	var all *dataset.Set
	switch {
	case s.Cues != nil:
		if all, err = dataset.Cues(*s.Cues); err != nil {
			return nil, nil, err
		}
	case s.Randman != nil:
		if all, err = dataset.Randman(*s.Randman); err != nil {
			return nil, nil, err
		}
	default:
		if all, err = dataset.LoadNPZ(s.TrainFile); err != nil {
			return nil, nil, err
		}
		if s.TestFile != "" {
			if testSet, err = dataset.LoadNPZ(s.TestFile); err != nil {
				return nil, nil, err
			}
			s.setShape(all, testSet)
			return all, testSet, nil
		}
	}
	trainSet, testSet = all.Split(s.Split, s.Config.Seed)
	s.setShape(all, testSet)
	return trainSet, testSet, nil
}

// setShape sizes the network's input and output layers for the data.
func (s *Spec) setShape(sets ...*dataset.Set) {
	s.Config.Inputs, s.Config.Outputs = 0, 0
	for _, d := range sets {
		s.Config.Inputs = max(s.Config.Inputs, d.Units)
		s.Config.Outputs = max(s.Config.Outputs, d.Classes)
	}
}

func relative(specPath, p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(filepath.Dir(specPath), p)
}

// set copies *v into *dst when the spec gave the field (v not nil).
func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

// quantity reads a number (base units) or a string with a unit.
func quantity(v any, d ir.Dim) (float64, error) {
	switch x := v.(type) {
	case string:
		return ir.ParseQuantity(x, d)
	case uint64:
		return float64(x), nil
	case int64:
		return float64(x), nil
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return 0, fmt.Errorf("expected a finite number, got %g", x)
		}
		return x, nil
	}
	return 0, fmt.Errorf("expected a number or a quantity such as \"10 ms\", got %v", v)
}

// surrogate reads "name" or {name: …, alpha: …}.
func surrogate(v any) (ops.Surrogate, error) {
	switch x := v.(type) {
	case string:
		return ops.NewSurrogate(x, 0)
	case map[string]any:
		name, _ := x["name"].(string)
		alpha := 0.0
		for k, val := range x {
			switch k {
			case "name":
			case "alpha":
				a, err := quantity(val, ir.Dimensionless)
				if err != nil {
					return ops.Surrogate{}, fmt.Errorf("alpha: %w", err)
				}
				alpha = a
			default:
				return ops.Surrogate{}, fmt.Errorf("unknown key %q: expected name, alpha", k)
			}
		}
		return ops.NewSurrogate(name, alpha)
	}
	return ops.Surrogate{}, fmt.Errorf("expected a surrogate name or {name: …, alpha: …}, got %v", v)
}

// yamlError turns a go-yaml error into a SpecError with its line.
func yamlError(filename string, err error) error {
	var ye yaml.Error
	if errors.As(err, &ye) {
		line := 0
		if tk := ye.GetToken(); tk != nil && tk.Position != nil {
			line = tk.Position.Line
		}
		return &ir.SpecError{File: filename, Line: line, Msg: ye.GetMessage()}
	}
	return &ir.SpecError{File: filename, Msg: err.Error()}
}

// lineOf finds the line of a dotted field in the parsed file (0 if absent).
func lineOf(file *ast.File, field string) int {
	p, err := yaml.PathString("$." + field)
	if err != nil {
		return 0
	}
	n, err := p.FilterFile(file)
	if err != nil || n == nil || n.GetToken() == nil {
		if i := strings.LastIndex(field, "."); i > 0 {
			return lineOf(file, field[:i])
		}
		return 0
	}
	return n.GetToken().Position.Line
}

// parseLoop reads the spec network's training (model, train.input,
// train.readout, train.params, train.segment), or refuses those keys
// without a model.
func (s *Spec) parseLoop(f *specFile, filename string, at func(field, format string, args ...any) error) error {
	t := f.Train
	if f.Model == "" {
		for _, k := range []struct {
			field string
			given bool
		}{{"train.input", t.Input != ""}, {"train.readout", t.Readout != nil}, {"train.params", t.Params != nil}, {"train.segment", t.Segment != nil},
			{"train.optimizer", t.Optimizer != nil}, {"train.momentum", t.Momentum != nil}, {"train.schedule", t.Schedule != nil},
			{"train.rate_populations", t.RatePopulations != nil}} {
			if k.given {
				return at(k.field, "trains a spec network: give its file as model: (the fixed architecture reads network:)")
			}
		}
		return nil
	}
	if f.Network != (specNetwork{}) {
		return at("network", "describes the fixed architecture; with model: the network is the model's spec")
	}
	s.Model = relative(filename, f.Model)
	if t.Input == "" {
		return at("train.input", "name the population the data drive")
	}
	if t.Readout == nil || t.Readout.Population == "" {
		return at("train.readout", "give {population: P, var: V, reduce: max} (var empty for spikes)")
	}
	switch t.Readout.Reduce {
	case "":
		t.Readout.Reduce = "max"
	case "sum", "mean", "max", "last":
	default:
		return at("train.readout.reduce", "expected sum, mean, max or last, got %q", t.Readout.Reduce)
	}
	if len(t.Params) == 0 {
		return at("train.params", "name the constants to train, e.g. [in2h.weight]")
	}
	s.Loop = LoopTraining{Input: t.Input, Readout: t.Readout.Population, Var: t.Readout.Var, Reduce: t.Readout.Reduce, Params: t.Params}
	for _, name := range slices.Sorted(maps.Keys(t.Bounds)) { // (sorted: one error, the same every run)
		b := t.Bounds[name]
		if !slices.Contains(t.Params, name) {
			return at("train.bounds", "%s is not trained (train.params: %s)", name, strings.Join(t.Params, ", "))
		}
		if len(b) != 2 || math.IsNaN(b[0]) || math.IsNaN(b[1]) || b[0] > b[1] {
			return at("train.bounds", "%s: expected [lo, hi] with lo ≤ hi, got %v", name, b)
		}
		if s.Loop.Bounds == nil {
			s.Loop.Bounds = map[string][2]float64{}
		}
		s.Loop.Bounds[name] = [2]float64{b[0], b[1]}
	}
	if t.Clip != nil {
		if !(*t.Clip > 0) || math.IsInf(*t.Clip, 0) {
			return at("train.clip", "must be a finite number > 0, got %g", *t.Clip)
		}
		s.Loop.Clip = *t.Clip
	}
	if t.Loss != nil && *t.Loss == LossCountMSE { // the model's readout is its own; the fixed architecture's rule does not apply
		s.Config.Readout = ReadoutSpiking
	}
	switch {
	case t.Optimizer == nil:
	case *t.Optimizer == "adam" || *t.Optimizer == "sgd":
		s.Loop.Optimizer = *t.Optimizer
	default:
		return at("train.optimizer", "expected adam or sgd, got %q", *t.Optimizer)
	}
	if t.Momentum != nil {
		if s.Loop.Optimizer != "sgd" {
			return at("train.momentum", "is SGD's: give optimizer: sgd (Adam takes none)")
		}
		if !(*t.Momentum >= 0 && *t.Momentum < 1) {
			return at("train.momentum", "must be in [0, 1), got %g", *t.Momentum)
		}
		s.Loop.Momentum = *t.Momentum
	}
	if sc := t.Schedule; sc != nil {
		s.Loop.Schedule.Kind = sc.Kind
		switch sc.Kind {
		case "constant":
		case "step":
			if sc.Every == nil || *sc.Every < 1 || sc.Gamma == nil || !(*sc.Gamma > 0 && *sc.Gamma <= 1) {
				return at("train.schedule", "a step schedule needs every: N epochs (≥ 1) and gamma in (0, 1]")
			}
			s.Loop.Schedule.Every, s.Loop.Schedule.Gamma = *sc.Every, *sc.Gamma
		case "cosine":
			if sc.MinLR != nil {
				if !(*sc.MinLR >= 0) || math.IsInf(*sc.MinLR, 0) {
					return at("train.schedule.min_lr", "must be a finite number ≥ 0, got %g", *sc.MinLR)
				}
				s.Loop.Schedule.MinLR = *sc.MinLR
			}
		default:
			return at("train.schedule.kind", "expected constant, step or cosine, got %q", sc.Kind)
		}
		if (sc.Every != nil || sc.Gamma != nil) && sc.Kind != "step" {
			return at("train.schedule", "every and gamma belong to kind: step")
		}
		if sc.MinLR != nil && sc.Kind != "cosine" {
			return at("train.schedule.min_lr", "belongs to kind: cosine")
		}
	}
	if t.RatePopulations != nil {
		if t.RateReg == nil || !(*t.RateReg > 0) {
			return at("train.rate_populations", "give the regulariser's weight rate_reg: (> 0) and its rate_target:")
		}
		s.Loop.RatePops = t.RatePopulations
	}
	if t.Segment != nil {
		if *t.Segment < 1 || *t.Segment > maxSegment {
			return at("train.segment", "must be in [1, %d] steps, got %d", maxSegment, *t.Segment)
		}
		s.Loop.Segment = *t.Segment
	}
	return nil
}

// maxSegment bounds train.segment (bptt.MaxSteps).
const maxSegment = 1 << 24

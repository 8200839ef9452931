package learn

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/dataset"
)

func TestParseSpec(t *testing.T) {
	s, err := ParseSpec([]byte(`
data:
  randman: {classes: 4, units: 30, samples_per_class: 10}
  split: 0.5
network: {hidden: 12, tau_mem: 0.02 s, readout: spiking}
train:
  steps: 40
  dt: 0.5 ms
  loss: count_mse
  surrogate: {name: sigmoid, alpha: 8}
  rate_target: 0.02 kHz
`), "dir/small.yaml")
	require.NoError(t, err)
	assert.Equal(t, "small", s.Name)
	c := s.Config
	assert.Equal(t, []int{30, 12, 4, 40}, []int{c.Inputs, c.Hidden, c.Outputs, c.Steps})
	assert.Equal(t, []float64{20, 0.5, 20, 0.5}, []float64{c.TauMem, c.Dt, c.RateTarget, s.Split})
	assert.Equal(t, "sigmoid(alpha=8)", c.Surrogate.String())
	assert.Equal(t, 40, s.Randman.Steps)
	assert.InDelta(t, 0.5e-3, s.Randman.Dt, 1e-15)

	s, err = ParseSpec([]byte("data: {npz: a/train.npz, test: /abs/test.npz}\n"), "dir/x.yaml")
	require.NoError(t, err)
	assert.Equal(t, filepath.Join("dir", "a", "train.npz"), s.TrainFile)
	assert.Equal(t, "/abs/test.npz", s.TestFile)
}

func TestParseSpecErrors(t *testing.T) {
	tests := []struct{ spec, err string }{
		{"train:\n  lr: -1\n", "s.yaml:2: train.lr: must be > 0, got -1"},
		{"network:\n  hidden: 8\n  tau_mem: 5 mV\n", `s.yaml:3: network.tau_mem: expected a time (e.g. "5 ms"), got "5 mV"`},
		{"train:\n  surrogate: relu\n", `s.yaml:2: train.surrogate: unknown surrogate "relu": expected one of ["arctan" "erf" "fast_sigmoid" "gaussian" "inv_square" "multi_gaussian" "piecewise_quadratic" "sigmoid" "slayer"]`},
		{"train:\n  loss: count_mse\n", `s.yaml:2: train.loss: "count_mse" needs readout "spiking", got "leaky"`},
		{"network:\n  v_reset: 2\n", "s.yaml:2: network.v_reset: must be below v_th (1), got 2"},
		{"data:\n  split: 1.5\n", "s.yaml:2: data.split: must lie strictly between 0 and 1, got 1.5"},
		{"data:\n  test: t.npz\n", "s.yaml:2: data.test: a test file needs npz (the training file)"},
		{"data:\n  randman: {units: 0}\n", "s.yaml:2: data.randman.units: must be > 0, got 0"},
		{"trian:\n  lr: 1\n", `s.yaml:1: unknown field "trian"`},
		{"train:\n  epochs: many\n", "s.yaml:2: "},
	}
	for _, tc := range tests {
		_, err := ParseSpec([]byte(tc.spec), "s.yaml")
		require.Error(t, err, tc.spec)
		assert.Contains(t, err.Error(), tc.err, tc.spec)
		for range 3 { // the same message every time: no map order leaks into it
			_, again := ParseSpec([]byte(tc.spec), "s.yaml")
			require.EqualError(t, again, err.Error(), tc.spec)
		}
	}
}

// Data from npz files sizes the network's input and output layers.
func TestSpecDataFromFiles(t *testing.T) {
	dir := t.TempDir()
	set := &dataset.Set{Units: 7, Duration: 0.01, Classes: 3, Samples: []dataset.Sample{
		{Times: []float64{0.001}, Units: []int32{6}, Label: 2}, {Times: []float64{0.002}, Units: []int32{0}, Label: 0}}}
	require.NoError(t, set.WriteNPZ(filepath.Join(dir, "train.npz")))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "s.yaml"), []byte("data: {npz: train.npz, split: 0.5}\n"), 0o644))
	s, err := ParseSpecFile(filepath.Join(dir, "s.yaml"))
	require.NoError(t, err)
	tr, te, err := s.Data()
	require.NoError(t, err)
	assert.Equal(t, 1, len(tr.Samples))
	assert.Equal(t, 1, len(te.Samples))
	assert.Equal(t, 7, s.Config.Inputs)
	assert.Equal(t, 3, s.Config.Outputs)
}

// A training spec that names a network spec (model:) reads the training
// of a spec network; its keys are checked, with the file's line.
func TestSpecModelErrors(t *testing.T) {
	const base = "name: m\nmodel: net.yaml\ntrain:\n  input: In\n  readout: {population: Out, var: V}\n  params: [w.weight]\n"
	s, err := ParseSpec([]byte(base), "dir/m.yaml")
	require.NoError(t, err)
	require.Equal(t, "dir/net.yaml", s.Model)
	require.Equal(t, LoopTraining{Input: "In", Readout: "Out", Var: "V", Reduce: "max", Params: []string{"w.weight"}}, s.Loop)
	s, err = ParseSpec([]byte(base+"  bounds: {w.weight: [0, 5]}\ndata:\n  cues: {cues: 5, samples: 10}\n"), "m.yaml")
	require.NoError(t, err)
	require.Equal(t, map[string][2]float64{"w.weight": {0, 5}}, s.Loop.Bounds)
	require.Equal(t, 5, s.Cues.Cues)
	require.Equal(t, 10, s.Cues.Samples)
	s, err = ParseSpec([]byte(base+"  clip: 2.5\n"), "m.yaml")
	require.NoError(t, err)
	require.Equal(t, 2.5, s.Loop.Clip)
	s, err = ParseSpec([]byte("name: own\ndt: 1 ms\npopulations:\n  A: {size: 1, model: LifRef}\n"+strings.TrimPrefix(base, "name: m\nmodel: net.yaml\n")), "dir/own.yaml")
	require.NoError(t, err)
	require.Equal(t, "dir/own.yaml", s.Model, "a network spec with a train: section trains itself")
	require.Equal(t, "In", s.Loop.Input)
	s, err = ParseSpec([]byte(base+"  optimizer: sgd\n  momentum: 0.9\n  schedule: {kind: step, every: 3, gamma: 0.5}\n  rate_reg: 0.001\n  rate_target: 10 Hz\n  rate_populations: [H]\n"), "m.yaml")
	require.NoError(t, err)
	require.Equal(t, "sgd", s.Loop.Optimizer)
	require.Equal(t, 0.9, s.Loop.Momentum)
	require.Equal(t, Schedule{Kind: "step", Every: 3, Gamma: 0.5}, s.Loop.Schedule)
	require.Equal(t, []string{"H"}, s.Loop.RatePops)
	require.Equal(t, 0.001, s.Config.RateReg)
	require.Equal(t, 10.0, s.Config.RateTarget)
	for _, tc := range []struct{ spec, want string }{
		{base + "  optimizer: rmsprop\n", `m.yaml:7: train.optimizer: expected adam or sgd, got "rmsprop"`},
		{base + "  momentum: 0.9\n", "train.momentum: is SGD's: give optimizer: sgd (Adam takes none)"},
		{base + "  optimizer: sgd\n  momentum: 1.5\n", "train.momentum: must be in [0, 1), got 1.5"},
		{base + "  schedule: {kind: linear}\n", `train.schedule.kind: expected constant, step or cosine, got "linear"`},
		{base + "  schedule: {kind: step, every: 0, gamma: 0.5}\n", "train.schedule: a step schedule needs every: N epochs (≥ 1) and gamma in (0, 1]"},
		{base + "  schedule: {kind: cosine, every: 2}\n", "train.schedule: every and gamma belong to kind: step"},
		{base + "  schedule: {kind: step, every: 2, gamma: 0.5, min_lr: 0.1}\n", "train.schedule.min_lr: belongs to kind: cosine"},
		{base + "  rate_populations: [H]\n", "train.rate_populations: give the regulariser's weight rate_reg: (> 0)"},
		{"name: m\ntrain:\n  optimizer: sgd\n", "m.yaml:3: train.optimizer: trains a spec network: give its file as model:"},
		{"name: m\ntrain:\n  input: In\n", "m.yaml:3: train.input: trains a spec network: give its file as model:"},
		{"name: m\nmodel: net.yaml\ntrain:\n  readout: {population: Out}\n  params: [w.weight]\n", "train.input: name the population the data drive"},
		{"name: m\nmodel: net.yaml\ntrain:\n  input: In\n  params: [w.weight]\n", "train.readout: give {population: P"},
		{"name: m\nmodel: net.yaml\ntrain:\n  input: In\n  readout: {population: Out, reduce: median}\n  params: [w.weight]\n", "m.yaml:5: train.readout.reduce: expected sum, mean, max or last, got \"median\""},
		{"name: m\nmodel: net.yaml\ntrain:\n  input: In\n  readout: {population: Out}\n", "train.params: name the constants to train"},
		{base + "  segment: 0\n", "train.segment: must be in [1, 16777216] steps, got 0"},
		{base + "network:\n  hidden: 3\n", "m.yaml:8: network: describes the fixed architecture"},
		{"dt: 1 ms\npopulations:\n  A: {size: 1, model: LifRef}\n", "m.yaml:3: populations: this is a network spec without a train: section"},
		{"dt: 1 ms\npopulations:\n  A: {size: 1, model: LifRef}\nmodel: n.yaml\ntrain: {input: A, readout: {population: A}, params: [w]}\n",
			"m.yaml:4: model: a network spec with a train: section trains itself: leave model: out"},
		{base + "dt: 1 ms\n", "m.yaml:7: dt: is a network spec's key: a training spec names its network with model:"},
		{base + "  clip: -1\n", "train.clip: must be a finite number > 0, got -1"},
		{base + "  bounds: {x.weight: [0, 1]}\n", "train.bounds: x.weight is not trained (train.params: w.weight)"},
		{base + "  bounds: {w.weight: [1, 0]}\n", "train.bounds: w.weight: expected [lo, hi] with lo ≤ hi, got [1 0]"},
		{"name: m\ndata:\n  cues: {cues: 5}\n", "data.cues: the cue task trains a spec network: give its file as model:"},
		{"name: m\nmodel: n.yaml\ndata:\n  cues: {cues: 5}\n  randman: {classes: 2}\ntrain: {input: In, readout: {population: O}, params: [w]}\n", "data: give one of randman, cues or npz"},
	} {
		_, err := ParseSpec([]byte(tc.spec), "m.yaml")
		require.ErrorContains(t, err, tc.want, tc.spec)
		for range 3 {
			_, again := ParseSpec([]byte(tc.spec), "m.yaml")
			require.EqualError(t, again, err.Error(), tc.spec)
		}
	}
}

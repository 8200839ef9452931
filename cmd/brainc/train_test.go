package main

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/internal/tier"
	"github.com/brainc/brainc/npyio"
)

const tinyTraining = `
name: tinytrain
data:
  randman: {classes: 2, units: 16, samples_per_class: 40, seed: 3}
  split: 0.75
network: {hidden: 8}
train: {steps: 20, epochs: 2, batch: 16, lr: 1e-2}
`

func TestTrainWritesOutputs(t *testing.T) {
	tier.Slow(t)
	dir := t.TempDir()
	spec := filepath.Join(dir, "tiny.yaml")
	require.NoError(t, os.WriteFile(spec, []byte(tinyTraining), 0o644))
	out := filepath.Join(dir, "out")
	code, stdout, stderr := runCLI("train", spec, "-o", out, "--backend", "cpu", "--surrogate", "sigmoid:8")
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, "tinytrain: 16→8→2, 20 steps of 1 ms, 60 training / 20 test samples, batch 16, lr 0.01, sigmoid(alpha=8), on cpu")
	assert.Contains(t, stdout, "epoch   2")

	f, err := os.Open(filepath.Join(out, "metrics.jsonl"))
	require.NoError(t, err)
	defer f.Close()
	var epochs []map[string]float64
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var e map[string]float64
		require.NoError(t, json.Unmarshal(sc.Bytes(), &e))
		epochs = append(epochs, e)
	}
	require.Len(t, epochs, 2)
	assert.Equal(t, 2.0, epochs[1]["epoch"])
	assert.True(t, epochs[1]["test_accuracy"] >= 0 && epochs[1]["test_accuracy"] <= 1)

	names, arrays, err := npyio.ReadNPZ(filepath.Join(out, "params.npz"))
	require.NoError(t, err)
	assert.Equal(t, []string{"w_in", "w_rec", "w_out"}, names)
	assert.Equal(t, [][]int{{16, 8}, {8, 8}, {8, 2}}, [][]int{arrays[0].Shape, arrays[1].Shape, arrays[2].Shape})

	var sum map[string]any
	js, err := os.ReadFile(filepath.Join(out, "summary.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(js, &sum))
	assert.Equal(t, "sigmoid(alpha=8)", sum["surrogate"])
	assert.Equal(t, epochs[1]["test_accuracy"], sum["test_accuracy"])
	_, err = os.Stat(filepath.Join(out, "training.png"))
	assert.NoError(t, err)
}

func TestTrainErrors(t *testing.T) {
	dir := t.TempDir()
	spec := filepath.Join(dir, "tiny.yaml")
	require.NoError(t, os.WriteFile(spec, []byte(tinyTraining), 0o644))
	bad := filepath.Join(dir, "bad.yaml")
	require.NoError(t, os.WriteFile(bad, []byte("train:\n  batch: 16\n  lr: 0\n"), 0o644))
	netSpec := filepath.Join(dir, "net.yaml")
	require.NoError(t, os.WriteFile(netSpec, []byte(tinyNet), 0o644))
	out := filepath.Join(dir, "out")
	tests := []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"train", "nosuch"}, 1, `brainc train: unknown built-in training spec "nosuch": expected one of ["randman" "randman-loop"]`},
		{[]string{"train", "coba"}, 1, `brainc train: "coba" is a built-in network, not a training spec: write a training spec whose model: names its spec file`},
		{[]string{"train", netSpec}, 1, `net.yaml:6: populations: this is a network spec without a train: section: add train: (input, readout, params …) and data: to it, or write a training spec that names it (model: net.yaml)`},
		{[]string{"train", spec, "--resume", dir}, 2, `brainc train: --checkpoint-dir and --resume: checkpoints are written for model specs`},
		{[]string{"train", bad}, 1, `bad.yaml:3: train.lr: must be > 0, got 0`},
		{[]string{"train", spec, "--surrogate", "relu"}, 2, `brainc train: --surrogate: unknown surrogate "relu"`},
		{[]string{"train", spec, "--surrogate", "sigmoid:x"}, 2, `brainc train: --surrogate: alpha "x" is not a number`},
		{[]string{"train", spec, "--batch", "-1"}, 2, `brainc train: --batch: must be > 0, got -1`},
		{[]string{"train", spec, "--batch", "100", "-o", out, "--backend", "cpu"}, 1,
			`brainc train: learn: batch 100 is larger than the training set (60 samples)`},
	}
	for _, tc := range tests {
		code, _, stderr := runCLI(tc.args...)
		assert.Equal(t, tc.code, code, "%v: %s", tc.args, stderr)
		assert.Contains(t, stderr, tc.msg, "%v", tc.args)
	}
	_, err := os.Stat(out)
	assert.True(t, os.IsNotExist(err), "a failed training run left %s behind", out)
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	assert.ElementsMatch(t, []string{"tiny.yaml", "bad.yaml", "net.yaml"}, names, strings.Join(names, ","))
}

const tinyNet = `
name: tinynet
dt: 1 ms
seed: 3
populations:
  In: {size: 16, model: LifRef, params: {V_th: 1000000 mV}}
  H: {size: 12, model: LifRef, params: {V_rest: 0 mV, V_reset: 0 mV, V_th: 1 mV, tau: 10 ms, tau_ref: 0 ms}}
  Out: {size: 2, model: LifRef, params: {V_rest: 0 mV, V_reset: 0 mV, V_th: 1000000 mV, tau: 10 ms, tau_ref: 0 ms}}
projections:
  in2h: {pre: In, post: H, conn: {fixed_prob: 1}, weight: normal(0, 2), synapse: {Expon: {tau: 5 ms}}, output: CUBA, kernel: dense}
  h2out: {pre: H, post: Out, conn: {fixed_prob: 1}, weight: normal(0, 1), synapse: {Expon: {tau: 5 ms}}, output: CUBA, kernel: dense}
`

const tinyModelTraining = `
name: tinymodel
model: net.yaml
data:
  randman: {classes: 2, units: 16, samples_per_class: 40, seed: 3}
  split: 0.75
train:
  steps: 20
  epochs: 3
  batch: 10
  lr: 0.05
  input: In
  readout: {population: Out, var: V}
  params: [in2h.weight, h2out.weight]
`

// A network spec may hold its own training (train: and data: beside
// populations:): brainc train trains it, brainc run runs it, and both
// trainings (one file, or a training spec naming the network) end with
// the same parameters.
func TestTrainNetworkSpecWithItsTraining(t *testing.T) {
	tier.Slow(t)
	dir := t.TempDir()
	training := strings.TrimPrefix(tinyModelTraining, "\nname: tinymodel\nmodel: net.yaml\n")
	one := filepath.Join(dir, "one.yaml")
	require.NoError(t, os.WriteFile(one, []byte(tinyNet+training), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "net.yaml"), []byte(tinyNet), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "two.yaml"), []byte(tinyModelTraining), 0o644))
	code, stdout, stderr := runCLI("train", one, "-o", filepath.Join(dir, "a"), "--backend", "cpu")
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, "brainc run "+one+" --params ")
	code, _, stderr = runCLI("train", filepath.Join(dir, "two.yaml"), "-o", filepath.Join(dir, "b"), "--backend", "cpu")
	require.Equal(t, 0, code, stderr)
	a, err := os.ReadFile(filepath.Join(dir, "a", "params.npz"))
	require.NoError(t, err)
	b, err := os.ReadFile(filepath.Join(dir, "b", "params.npz"))
	require.NoError(t, err)
	assert.Equal(t, b, a)
	code, _, stderr = runCLI("run", one, "--params", filepath.Join(dir, "a", "params.npz"), "--duration", "10 ms", "--backend", "cpu", "--quiet", "--out", filepath.Join(dir, "r"))
	require.Equal(t, 0, code, stderr)
}

// A model spec's training written to a checkpoint after every epoch and
// resumed from the first one ends with exactly the parameters and test
// metrics of the training run straight through; a checkpoint of another
// training is refused.
func TestTrainModelResume(t *testing.T) {
	tier.Slow(t)
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "net.yaml"), []byte(tinyNet), 0o644))
	spec := filepath.Join(dir, "train.yaml")
	require.NoError(t, os.WriteFile(spec, []byte(tinyModelTraining), 0o644))
	straight, ck := filepath.Join(dir, "straight"), filepath.Join(dir, "ck")
	code, stdout, stderr := runCLI("train", spec, "-o", straight, "--backend", "cpu", "--checkpoint-dir", ck)
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, "epoch   0  test")
	assert.Contains(t, stdout, "epoch   3")

	// Stop after epoch 1 (a checkpoint), then resume to epoch 3.
	ck1 := filepath.Join(dir, "ck1")
	code, _, stderr = runCLI("train", spec, "-o", filepath.Join(dir, "first"), "--backend", "cpu", "--epochs", "1", "--checkpoint-dir", ck1)
	require.Equal(t, 0, code, stderr)
	resumed := filepath.Join(dir, "resumed")
	code, stdout, stderr = runCLI("train", spec, "-o", resumed, "--backend", "cpu", "--resume", ck1)
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, "resumed after epoch 1")
	assert.NotContains(t, stdout, "epoch   1  loss")
	want, err := os.ReadFile(filepath.Join(straight, "params.npz"))
	require.NoError(t, err)
	got, err := os.ReadFile(filepath.Join(resumed, "params.npz"))
	require.NoError(t, err)
	assert.Equal(t, want, got, "the resumed training's parameters differ from the straight run's")

	// brainc run simulates the trained network, as train's last line says.
	params := filepath.Join(resumed, "params.npz")
	assert.Contains(t, stdout, "brainc run "+filepath.Join(dir, "net.yaml")+" --params "+params)
	code, _, stderr = runCLI("run", filepath.Join(dir, "net.yaml"), "--params", params, "--backend", "cpu", "--duration", "20 ms", "--quiet", "--out", filepath.Join(dir, "run"))
	require.Equal(t, 0, code, stderr)
	code, _, stderr = runCLI("run", "cuba", "--params", params, "--backend", "cpu", "--duration", "20 ms", "--quiet", "--out", filepath.Join(dir, "cuba"))
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "--params: "+params+": ")
	assert.Contains(t, stderr, "network cuba has no projection or population")
	assert.NoDirExists(t, filepath.Join(dir, "cuba"))

	// Another training's checkpoint (another batch size) is refused.
	code, _, stderr = runCLI("train", spec, "-o", filepath.Join(dir, "other"), "--backend", "cpu", "--batch", "5", "--resume", ck1)
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr, "not a checkpoint of this training: its fingerprint differs")
	// A damaged one too.
	require.NoError(t, os.WriteFile(filepath.Join(ck1, "checkpoint.npz"), []byte("PK\x03\x04 not a zip"), 0o644))
	code, _, stderr = runCLI("train", spec, "-o", filepath.Join(dir, "damaged"), "--backend", "cpu", "--resume", ck1)
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr, "--resume:")
}

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
	out := filepath.Join(dir, "out")
	tests := []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"train", "nosuch"}, 1, `brainc train: unknown built-in training spec "nosuch": expected one of ["randman"]`},
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
	assert.ElementsMatch(t, []string{"tiny.yaml", "bad.yaml"}, names, strings.Join(names, ","))
}

package main

import (
	"bytes"
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

func runCLI(args ...string) (code int, stdout, stderr string) {
	var o, e bytes.Buffer
	code = Main(args, &o, &e)
	return code, o.String(), e.String()
}

const tinySpec = `
name: tiny
dt: 0.1 ms
duration: 50 ms
seed: 5
populations:
  E: {size: 80, model: LifRef, params: {V_rest: -60 mV, V_th: -50 mV, V_reset: -60 mV, tau: 20 ms, tau_ref: 5 ms}, init: {V: normal(-55 mV, 2 mV)}, input: 20}
projections:
  E2E: {pre: E, post: E, conn: {fixed_prob: 0.1}, weight: 0.6, synapse: {Expon: {tau: 5 ms}}, output: {COBA: {E: 0 mV}}}
monitors: {spikes: [E], traces: {E.V: [0, 1]}}
`

func TestRunWritesOutputs(t *testing.T) {
	tier.Slow(t)
	dir := t.TempDir()
	spec := filepath.Join(dir, "tiny.yaml")
	require.NoError(t, os.WriteFile(spec, []byte(tinySpec), 0o644))
	out := filepath.Join(dir, "out")
	code, stdout, stderr := runCLI("run", spec, "--out", out, "--backend", "cpu", "--duration", "20 ms")
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, "tiny: 20 ms in 200 steps on cpu")
	assert.Regexp(t, `^brainc run: compiling …\nbrainc run: compiled in [0-9.]+ s, running\n`, stderr)

	var sum map[string]any
	js, err := os.ReadFile(filepath.Join(out, "summary.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(js, &sum))
	assert.Equal(t, 200.0, sum["steps"])
	assert.Equal(t, true, sum["complete"])
	assert.Equal(t, 200.0, sum["steps_done"])
	assert.Equal(t, "cpu", sum["backend"])
	pops := sum["populations"].(map[string]any)
	e := pops["E"].(map[string]any)

	names, arrays, err := npyio.ReadNPZ(filepath.Join(out, "spikes.npz"))
	require.NoError(t, err)
	assert.Equal(t, []string{"E_times", "E_indices"}, names)
	times := arrays[0].Data.([]float64)
	assert.Equal(t, e["spikes"], float64(len(times)))
	assert.Greater(t, len(times), 0)
	for _, x := range times {
		assert.True(t, x >= 0 && x < 20, "spike time %g outside the run", x)
	}
	names, arrays, err = npyio.ReadNPZ(filepath.Join(out, "traces.npz"))
	require.NoError(t, err)
	assert.Equal(t, []string{"t", "E.V", "E.V_indices"}, names)
	assert.Equal(t, []int{200, 2}, arrays[1].Shape)
	_, err = os.Stat(filepath.Join(out, "raster.png"))
	assert.NoError(t, err)
	png, err := os.ReadFile(filepath.Join(out, "traces.png"))
	require.NoError(t, err, "recorded traces are plotted")
	assert.Equal(t, "\x89PNG", string(png[:4]))
	png, err = os.ReadFile(filepath.Join(out, "stats.png"))
	require.NoError(t, err, "the rate and ISI histograms are plotted")
	assert.Equal(t, "\x89PNG", string(png[:4]))
	assert.Equal(t, []any{"spikes.npz", "traces.npz", "raster.png", "stats.png", "traces.png", "summary.json"}, sum["files"])

	// A plastic projection's final weights go to weights.npz, listed in the summary.
	plastic := filepath.Join(dir, "plastic.yaml")
	stdp := `{pre: E, post: E, conn: {fixed_prob: 0.1}, weight: 0.6, synapse: {Expon: {tau: 5 ms}}, output: {COBA: {E: 0 mV}}, stdp: {w_max: 2}}`
	require.NoError(t, os.WriteFile(plastic, []byte(strings.Replace(tinySpec,
		"{pre: E, post: E, conn: {fixed_prob: 0.1}, weight: 0.6, synapse: {Expon: {tau: 5 ms}}, output: {COBA: {E: 0 mV}}}", stdp, 1)), 0o644))
	out = filepath.Join(dir, "plastic")
	code, _, stderr = runCLI("run", plastic, "--out", out, "--backend", "cpu", "--duration", "20 ms", "--quiet")
	require.Equal(t, 0, code, stderr)
	names, arrays, err = npyio.ReadNPZ(filepath.Join(out, "weights.npz"))
	require.NoError(t, err)
	assert.Equal(t, []string{"E2E.pre", "E2E.post", "E2E.w"}, names)
	w := arrays[2].Data.([]float64)
	changed := 0
	for _, x := range w {
		require.True(t, x >= 0 && x <= 2, "weight %g within the bounds", x)
		if x != 0.6 {
			changed++
		}
	}
	assert.Greater(t, changed, len(w)/2, "STDP changed most weights")
	js, err = os.ReadFile(filepath.Join(out, "summary.json"))
	require.NoError(t, err)
	assert.Contains(t, string(js), `"weights.npz"`)
}

func TestCLIErrors(t *testing.T) {
	dir := t.TempDir()
	spec := filepath.Join(dir, "tiny.yaml")
	require.NoError(t, os.WriteFile(spec, []byte(tinySpec), 0o644))
	bad := filepath.Join(dir, "bad.yaml")
	require.NoError(t, os.WriteFile(bad, []byte("name: x\npopulations:\n  E: {size: -3, model: LifRef}\n"), 0o644))
	blocker := filepath.Join(dir, "file")
	require.NoError(t, os.WriteFile(blocker, nil, 0o644))

	tests := []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"run", "nosuchmodel"}, 1, `brainc run: unknown built-in model "nosuchmodel": expected one of ["coba" "cobahh" "cuba" "decision" "izhikevich2003"]`},
		{[]string{"run", "./missing.yaml"}, 1, `brainc run: spec file "./missing.yaml": file does not exist`},
		{[]string{"run", spec, "--duration", "5 mV"}, 2, `brainc run: --duration: expected a time`},
		{[]string{"run", spec, "--seed", "-4"}, 2, `brainc run: --seed: must be ≥ 0, got -4`},
		{[]string{"run", spec, "--kernel", "fast"}, 2, `brainc run: --kernel: expected "event", "dense" or "procedural", got "fast"`},
		{[]string{"run", spec, "--backend", "tpu"}, 1, `brainc run: --backend: unknown backend "tpu"`},
		{[]string{"run", spec, "--engine", "jet"}, 2, `brainc run: --engine: expected "loop" or "chunk", got "jet"`},
		{[]string{"run", spec, "--k", "4"}, 2, `brainc run: --k: steps per chunk apply to --engine chunk only`},
		{[]string{"run", spec, "--cpu-threads", "-1"}, 2, `brainc run: --cpu-threads: must be ≥ 0, got -1`},
		{[]string{"run", spec, "--devices", "-1"}, 2, `brainc run: --devices: must be between 1 and 1024, got -1`},
		{[]string{"run", spec, "--devices", "2000"}, 2, `brainc run: --devices: must be between 1 and 1024, got 2000`},
		{[]string{"run", spec, "--devices", "2", "--engine", "chunk"}, 2, `brainc run: --devices: a run split across devices needs the loop engine, not --engine chunk`},
		{[]string{"sweep", spec, "--devices", "2", "--set", "E.tau=10ms..20ms/2"}, 2, `brainc sweep: --devices: a sweep runs its instances batched on one device`},
		{[]string{"devices", "--devices", "0"}, 2, `brainc devices: --devices: must be between 1 and 1024, got 0`},
		{[]string{"bench", "scale", "--devices", "1,x"}, 2, `brainc bench: --devices: expected comma-separated device counts between 1 and 1024, got "x"`},
		{[]string{"run", spec, "--bogus"}, 2, `brainc run: unknown flag: --bogus`},
		{[]string{"run"}, 2, `brainc run: expected 1 argument(s), got 0`},
		{[]string{"run", spec, "--out", filepath.Join(blocker, "out")}, 1, `brainc run: creating output directory`},
		{[]string{"validate", bad}, 1, `bad.yaml:3: populations.E.size`},
		{[]string{"frobnicate"}, 2, `brainc: unknown command "frobnicate"`},
	}
	for _, tc := range tests {
		code, _, stderr := runCLI(tc.args...)
		assert.Equal(t, tc.code, code, "%v: %s", tc.args, stderr)
		assert.Contains(t, stderr, tc.msg, "%v", tc.args)
	}
	// Failed runs leave nothing behind.
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	assert.ElementsMatch(t, []string{"tiny.yaml", "bad.yaml", "file"}, names)
}

func TestValidateAndModels(t *testing.T) {
	code, stdout, stderr := runCLI("validate", "coba")
	require.Equal(t, 0, code, stderr)
	assert.Regexp(t, `^coba: valid: 2 populations, 4 projections \(\d+ stored synapses\), dt 0.1 ms, duration 1000 ms\n$`, stdout)
	dir := t.TempDir()
	spec := filepath.Join(dir, "f.yaml")
	require.NoError(t, os.WriteFile(spec, []byte("populations:\n  E: {size: 4, model: LifRef}\nprojections:\n"+
		"  EE: {pre: E, post: E, conn: {file: none.npz}, weight: 1, synapse: Expon, output: CUBA}\n"), 0o644))
	code, _, stderr = runCLI("validate", spec)
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr, spec+":4: projections.EE: npyio: ReadNPZ: open "+filepath.Join(dir, "none.npz"))
	code, stdout, _ = runCLI("models")
	require.Equal(t, 0, code)
	assert.Contains(t, stdout, "coba     4000 neurons, 2 populations, 4 projections")
	assert.Contains(t, stdout, "neuron LifRef")
	assert.Contains(t, stdout, "tau_ref")
}

// A run that diverges (COBAHH at dt = 1 ms) stops where the state went
// non-finite, writes what it recorded up to there marked partial, and exits
// non-zero, on both engines and split across 2 devices (where each device
// compacts its own neurons), at the same step.
func TestDivergedRunStopsAndSaysWhere(t *testing.T) {
	tier.Slow(t)
	for _, engine := range []string{"loop", "chunk", "loop --devices 2"} {
		out := filepath.Join(t.TempDir(), "out")
		args := append([]string{"run", "cobahh", "--dt", "1 ms", "--duration", "100 ms", "--engine"}, strings.Fields(engine)...)
		code, _, stderr := runCLI(append(args, "--backend", "cpu", "--quiet", "--out", out)...)
		assert.Equal(t, 1, code, engine)
		assert.Contains(t, stderr, "brainc run: E.h of neuron 2033 is NaN after step 27 (t = 27 ms): the integration diverged; "+
			"try a smaller dt (now 1 ms) or another integrator (E uses exp_euler)", engine)
		var sum map[string]any
		js, err := os.ReadFile(filepath.Join(out, "summary.json"))
		require.NoError(t, err, engine)
		require.NoError(t, json.Unmarshal(js, &sum))
		assert.Equal(t, false, sum["complete"], engine)
		assert.Equal(t, 27.0, sum["steps_done"], engine)
		assert.Contains(t, sum["error"], "E.h of neuron 2033 is NaN", engine)
		_, err = os.Stat(filepath.Join(out, "spikes.npz"))
		assert.NoError(t, err, engine)
	}
}

// A second run into the same --out is refused, naming the flag that allows
// it; with --overwrite the earlier run's files are replaced, not mixed with
// the new ones (a COBA traces.npz beside a run without traces).
func TestRunRefusesAnEarlierRunsDirectory(t *testing.T) {
	tier.Slow(t)
	dir := t.TempDir()
	spec := filepath.Join(dir, "tiny.yaml")
	require.NoError(t, os.WriteFile(spec, []byte(tinySpec), 0o644))
	out := filepath.Join(dir, "out")
	code, _, stderr := runCLI("run", spec, "--out", out, "--backend", "cpu", "--duration", "5 ms", "--quiet")
	require.Equal(t, 0, code, stderr)
	_, err := os.Stat(filepath.Join(out, "traces.npz"))
	require.NoError(t, err)
	noTraces := filepath.Join(dir, "notraces.yaml")
	require.NoError(t, os.WriteFile(noTraces, []byte(strings.Replace(tinySpec, ", traces: {E.V: [0, 1]}", "", 1)), 0o644))
	code, _, stderr = runCLI("run", noTraces, "--out", out, "--backend", "cpu", "--duration", "5 ms", "--quiet")
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr, "holds an earlier run's files")
	assert.Contains(t, stderr, "use --overwrite to replace them")
	code, _, stderr = runCLI("run", noTraces, "--out", out, "--backend", "cpu", "--duration", "5 ms", "--quiet", "--overwrite")
	require.Equal(t, 0, code, stderr)
	_, err = os.Stat(filepath.Join(out, "traces.npz"))
	assert.True(t, os.IsNotExist(err), "the earlier run's traces.npz is gone")
	_, err = os.Stat(filepath.Join(out, "spikes.npz"))
	assert.NoError(t, err)
}

// checkpointSpec is conductance-based (COBA outputs) with STDP,
// per-synapse delays and a Poisson input: state beyond membrane potentials
// that a checkpoint must carry.
const checkpointSpec = `
name: ck
dt: 0.1 ms
seed: 9
populations:
  E: {size: 120, model: LifRef, params: {V_rest: -60 mV, V_th: -50 mV, V_reset: -60 mV, tau: 20 ms, tau_ref: 2 ms},
      init: {V: uniform(-60 mV, -50 mV)}, input: 8}
projections:
  PE: {poisson: {num: 20, rate: 20 Hz}, post: E, weight: 0.08, synapse: {Expon: {tau: 5 ms}}, output: {COBA: {E: 0 mV}}}
  EE: {pre: E, post: E, conn: {fixed_prob: 0.1}, weight: 0.05, delay: uniform(0.5 ms, 2 ms),
       synapse: {Expon: {tau: 5 ms}}, output: {COBA: {E: 0 mV}}, stdp: {A_plus: 0.01, A_minus: 0.01, w_max: 0.1}}
monitors: {spikes: [E], traces: {E.V: [0, 1]}}
`

// A run stopped at a checkpoint and resumed — twice — ends with exactly the
// spikes, traces and weights of the run done in one go.
func TestCheckpointResumeIsBitIdentical(t *testing.T) {
	tier.Slow(t)
	dir := t.TempDir()
	spec := filepath.Join(dir, "ck.yaml")
	require.NoError(t, os.WriteFile(spec, []byte(checkpointSpec), 0o644))
	run := func(args ...string) {
		t.Helper()
		code, _, stderr := runCLI(append([]string{"run", spec, "--backend", "cpu", "--quiet"}, args...)...)
		require.Equal(t, 0, code, stderr)
	}
	run("--duration", "90 ms", "--out", filepath.Join(dir, "whole"))
	run("--duration", "30 ms", "--checkpoint-every", "30 ms", "--out", filepath.Join(dir, "a"))
	run("--duration", "60 ms", "--resume", filepath.Join(dir, "a.checkpoint"), "--checkpoint-every", "30 ms", "--out", filepath.Join(dir, "b"))
	run("--duration", "90 ms", "--resume", filepath.Join(dir, "b.checkpoint"), "--out", filepath.Join(dir, "c"))
	for _, f := range []string{"spikes.npz", "traces.npz", "weights.npz"} {
		want, err := os.ReadFile(filepath.Join(dir, "whole", f))
		require.NoError(t, err)
		got, err := os.ReadFile(filepath.Join(dir, "c", f))
		require.NoError(t, err)
		assert.True(t, bytes.Equal(want, got), "%s differs after two resumes", f)
	}
	names, arrays, err := npyio.ReadNPZ(filepath.Join(dir, "c", "spikes.npz"))
	require.NoError(t, err)
	require.Equal(t, "E_times", names[0])
	assert.Greater(t, len(arrays[0].Data.([]float64)), 50, "the network fires")

	// A checkpoint keeps the real neurons only, not the padding: a run split
	// across 2 devices (E padded to 122), resumed on one, then across 3
	// (padded to 123), ends with the spikes of the run done in one go on
	// one device.
	odd := filepath.Join(dir, "odd.yaml")
	require.NoError(t, os.WriteFile(odd, []byte(strings.Replace(checkpointSpec, "E: {size: 120,", "E: {size: 121,", 1)), 0o644))
	runOdd := func(args ...string) {
		t.Helper()
		code, _, stderr := runCLI(append([]string{"run", odd, "--backend", "cpu", "--quiet"}, args...)...)
		require.Equal(t, 0, code, stderr)
	}
	runOdd("--duration", "90 ms", "--out", filepath.Join(dir, "odd-whole"))
	runOdd("--duration", "30 ms", "--devices", "2", "--checkpoint-every", "30 ms", "--out", filepath.Join(dir, "odd-a"))
	runOdd("--duration", "60 ms", "--resume", filepath.Join(dir, "odd-a.checkpoint"), "--checkpoint-every", "30 ms", "--out", filepath.Join(dir, "odd-b"))
	runOdd("--duration", "90 ms", "--devices", "3", "--resume", filepath.Join(dir, "odd-b.checkpoint"), "--out", filepath.Join(dir, "odd-c"))
	want, err := os.ReadFile(filepath.Join(dir, "odd-whole", "spikes.npz"))
	require.NoError(t, err)
	got, err := os.ReadFile(filepath.Join(dir, "odd-c", "spikes.npz"))
	require.NoError(t, err)
	assert.True(t, bytes.Equal(want, got), "spikes differ after resuming across device counts")
	ck, err := npyio.ReadNPZMap(filepath.Join(dir, "odd-a.checkpoint", "state.npz"))
	require.NoError(t, err)
	assert.Equal(t, []int{121}, ck["E.V"].Shape, "the padding is not kept")

	// A checkpoint of another network is refused.
	other := filepath.Join(dir, "other.yaml")
	require.NoError(t, os.WriteFile(other, []byte(strings.Replace(checkpointSpec, "seed: 9", "seed: 10", 1)), 0o644))
	code, _, stderr := runCLI("run", other, "--backend", "cpu", "--quiet", "--resume", filepath.Join(dir, "b.checkpoint"), "--out", filepath.Join(dir, "d"))
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr, "resume: the checkpoint is of model ck, seed 9, dt 0.1 ms; this run is ck, seed 10, dt 0.1 ms")
}

package results

import (
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/fingerprint"
	"github.com/brainc/brainc/lower"
	"github.com/brainc/brainc/netspec"
	"github.com/brainc/brainc/npyio"
)

// ckSpec is a small network with per-synapse delays, STDP and a Poisson
// input, recording spikes and a trace: what a checkpoint carries.
const ckSpec = `
name: ck
dt: 0.1 ms
duration: 30 ms
seed: 9
populations:
  E: {size: 20, model: LifRef, params: {V_rest: -60 mV, V_th: -50 mV, V_reset: -60 mV, tau: 20 ms, tau_ref: 2 ms},
      init: {V: uniform(-60 mV, -50 mV)}, input: 8}
projections:
  PE: {poisson: {num: 20, rate: 20 Hz}, post: E, weight: 0.08, synapse: {Expon: {tau: 5 ms}}, output: {COBA: {E: 0 mV}}}
  EE: {pre: E, post: E, conn: {fixed_prob: 0.1}, weight: 0.05, delay: uniform(0.5 ms, 2 ms),
       synapse: {Expon: {tau: 5 ms}}, output: {COBA: {E: 0 mV}}, stdp: {A_plus: 0.01, A_minus: 0.01, w_max: 0.1}}
monitors: {spikes: [E], traces: {E.V: [0, 1]}}
`

// ckProgram lowers ckSpec with its text changed by the replacements
// (old, new pairs) and options.
func ckProgram(t testing.TB, opts lower.Options, replace ...string) *lower.Program {
	t.Helper()
	spec := strings.NewReplacer(replace...).Replace(ckSpec)
	net, err := netspec.Parse([]byte(spec), "ck.yaml")
	require.NoError(t, err)
	p, err := lower.Build(net, opts)
	require.NoError(t, err)
	return p
}

// ckSteps is the steps of the checkpoint writeCk writes.
const ckSteps = 200

// writeCk writes a checkpoint of p after ckSteps steps into dir: its
// initial state with the step counter at ckSteps, and spikes (neuron k%20
// at step 7k) and trace rows of those steps.
func writeCk(t testing.TB, dir string, p *lower.Program) {
	t.Helper()
	state := p.InitialState()
	state[0] = tensors.FromValue(int32(ckSteps))
	rec := NewRecorder(p)
	rec.Steps = ckSteps
	for k := 0; 7*k < ckSteps; k++ {
		rec.Spikes[0].Times = append(rec.Spikes[0].Times, float64(7*k)*p.Net.Dt)
		rec.Spikes[0].Indices = append(rec.Spikes[0].Indices, int32(k%20))
	}
	rec.Traces[0].Values = make([]float64, 2*ckSteps)
	require.NoError(t, SaveCheckpoint(dir, p, state, rec))
}

// editNPZ rewrites one array of an .npz file of dir.
func editNPZ(t *testing.T, path, name string, edit func(a npyio.Array) npyio.Array) {
	t.Helper()
	names, arrays, err := npyio.ReadNPZ(path)
	require.NoError(t, err)
	for i := range names {
		if names[i] == name {
			arrays[i] = edit(arrays[i])
		}
	}
	require.NoError(t, npyio.WriteNPZ(path, names, arrays))
}

// editJSON rewrites checkpoint.json's text.
func editJSON(t *testing.T, dir string, edit func(string) string) {
	t.Helper()
	path := filepath.Join(dir, checkpointInfo)
	js, err := os.ReadFile(path)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, []byte(edit(string(js))), 0o644))
}

// setField sets a top-level field of checkpoint.json to a JSON value.
func setField(field, value string) func(string) string {
	re := regexp.MustCompile(`"` + field + `": [^,\n]*`)
	return func(s string) string { return re.ReplaceAllString(s, `"`+field+`": `+value) }
}

// A checkpoint of another network — weights ×10, another fixed_prob, other
// delays, another parameter — is refused, naming what differs; the same
// network on another device count (padded) is not.
func TestCheckpointOfAnotherNetworkIsRefused(t *testing.T) {
	dir := t.TempDir()
	writeCk(t, dir, ckProgram(t, lower.Options{}))
	for _, tc := range []struct {
		name, old, new string
		differs        string
	}{
		{"weights ×10", "weight: 0.08,", "weight: 0.8,", "projections.PE.weight"},
		{"another fixed_prob", "fixed_prob: 0.1}", "fixed_prob: 0.2}", "projections.EE connectivity table, projections.EE delays, projections.EE.conn"},
		{"other delays", "uniform(0.5 ms, 2 ms)", "uniform(0.5 ms, 3 ms)", "projections.EE delays, projections.EE.delay"},
		{"another tau", "tau: 20 ms", "tau: 21 ms", "populations.E.params"},
		{"another Poisson rate", "rate: 20 Hz", "rate: 21 Hz", "projections.PE.poisson"},
		{"another STDP rule", "A_plus: 0.01", "A_plus: 0.02", "projections.EE.stdp"},
		{"another input", "input: 8}", "input: 9}", "populations.E.input"},
		{"another initial V", "uniform(-60 mV, -50 mV)", "uniform(-60 mV, -51 mV)", "populations.E.init"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Contains(t, ckSpec, tc.old)
			_, _, err := LoadCheckpoint(dir, ckProgram(t, lower.Options{}, tc.old, tc.new))
			require.Error(t, err)
			assert.Equal(t, "resume: the network differs from the checkpoint's ("+filepath.Join(dir, checkpointInfo)+": fingerprint) in "+
				tc.differs+": resume with the spec, values and flags of the run that wrote it", err.Error())
		})
	}
	// Another duration or device count is the same network.
	_, rec, err := LoadCheckpoint(dir, ckProgram(t, lower.Options{}, "duration: 30 ms", "duration: 60 ms"))
	require.NoError(t, err)
	assert.Equal(t, ckSteps, rec.Steps)
	padded := ckProgram(t, lower.Options{PadTo: 3}, "E: {size: 20,", "E: {size: 22,")
	require.Greater(t, padded.Blocks[0].Size, 22, "padded")
	whole := ckProgram(t, lower.Options{}, "E: {size: 20,", "E: {size: 22,")
	assert.Empty(t, fingerprint.Of(padded).Differences(fingerprint.Of(whole)), "padding for 3 devices")
}

// Every field of a checkpoint is checked when read back: a checkpoint
// edited by hand is refused, naming the file and the field.
func TestEditedCheckpointIsRefused(t *testing.T) {
	p := ckProgram(t, lower.Options{})
	for _, tc := range []struct {
		name string
		edit func(t *testing.T, dir string)
		want string // the message, after "resume: <dir>/"
	}{
		{"steps_done 1e18", func(t *testing.T, dir string) { editJSON(t, dir, setField("steps_done", "1e18")) },
			"checkpoint.json: steps_done: expected a whole number of steps in [0, 1073741824], got 1e18"},
		{"steps_done 10^18", func(t *testing.T, dir string) { editJSON(t, dir, setField("steps_done", "1000000000000000000")) },
			"checkpoint.json: steps_done: expected a whole number of steps in [0, 1073741824], got 1000000000000000000"},
		{"steps_done -500", func(t *testing.T, dir string) { editJSON(t, dir, setField("steps_done", "-500")) },
			"checkpoint.json: steps_done: expected a whole number of steps in [0, 1073741824], got -500"},
		{"steps_done 10.5", func(t *testing.T, dir string) { editJSON(t, dir, setField("steps_done", "10.5")) },
			"checkpoint.json: steps_done: expected a whole number of steps in [0, 1073741824], got 10.5"},
		{"steps_done past the run", func(t *testing.T, dir string) { editJSON(t, dir, setField("steps_done", "301")) },
			"checkpoint.json: steps_done: the checkpoint is at step 301, past this run's 300 steps (30 ms)"},
		{"steps_done 10", func(t *testing.T, dir string) { editJSON(t, dir, setField("steps_done", "10")) },
			"state.npz: step: the step counter is 200, expected the 10 steps done that checkpoint.json records (steps_done)"},
		{"step counter 10", func(t *testing.T, dir string) {
			editNPZ(t, filepath.Join(dir, checkpointState), "step", func(a npyio.Array) npyio.Array { a.Data = []int32{10}; return a })
		}, "state.npz: step: the step counter is 10, expected the 200 steps done that checkpoint.json records (steps_done)"},
		{"steps_done and step counter 100", func(t *testing.T, dir string) {
			editJSON(t, dir, setField("steps_done", "100"))
			editNPZ(t, filepath.Join(dir, checkpointState), "step", func(a npyio.Array) npyio.Array { a.Data = []int32{100}; return a })
		}, "spikes.npz: E: spike 15 is at 10.5 ms, expected the time of a step recorded before step 100 (10 ms)"},
		{"spike index out of range", func(t *testing.T, dir string) {
			editNPZ(t, filepath.Join(dir, "spikes.npz"), "E_indices", func(a npyio.Array) npyio.Array { a.Data.([]int32)[3] = 5000; return a })
		}, "spikes.npz: E: spike 3 is of neuron 5000, expected one of the 20 neurons recorded"},
		{"negative spike index", func(t *testing.T, dir string) {
			editNPZ(t, filepath.Join(dir, "spikes.npz"), "E_indices", func(a npyio.Array) npyio.Array { a.Data.([]int32)[0] = -1; return a })
		}, "spikes.npz: E: spike 0 is of neuron -1, expected one of the 20 neurons recorded"},
		{"spike time NaN", func(t *testing.T, dir string) {
			editNPZ(t, filepath.Join(dir, "spikes.npz"), "E_times", func(a npyio.Array) npyio.Array { a.Data.([]float64)[2] = math.NaN(); return a })
		}, "spikes.npz: E: spike 2 is at NaN ms, expected the time of a step recorded before step 200 (20 ms)"},
		{"spike time between steps", func(t *testing.T, dir string) {
			editNPZ(t, filepath.Join(dir, "spikes.npz"), "E_times", func(a npyio.Array) npyio.Array { a.Data.([]float64)[2] = 1.43; return a })
		}, "spikes.npz: E: spike 2 is at 1.43 ms, expected the time of a step recorded before step 200 (20 ms)"},
		{"spikes out of order", func(t *testing.T, dir string) {
			editNPZ(t, filepath.Join(dir, "spikes.npz"), "E_times", func(a npyio.Array) npyio.Array { a.Data.([]float64)[2] = 0; return a })
		}, "spikes.npz: E: spike 2 at 0 ms is before the one at 0.7000000000000001 ms: expected time order"},
		{"traces of other steps", func(t *testing.T, dir string) {
			editNPZ(t, filepath.Join(dir, "traces.npz"), "E.V", func(a npyio.Array) npyio.Array {
				a.Shape, a.Data = []int{3, 2}, make([]float64, 6)
				return a
			})
		}, "traces.npz: no trace E.V of 200 rows (float64 [200, 2]), got []float64 [3 2]"},
		{"a state array of another shape", func(t *testing.T, dir string) {
			editNPZ(t, filepath.Join(dir, checkpointState), "E.V", func(a npyio.Array) npyio.Array {
				a.Shape, a.Data = []int{7}, make([]float32, 7)
				return a
			})
		}, "state.npz: E.V: shape [7], expected [20]"},
		{"a state array of another type", func(t *testing.T, dir string) {
			editNPZ(t, filepath.Join(dir, checkpointState), "E.V", func(a npyio.Array) npyio.Array {
				a.Data = make([]float64, 20)
				return a
			})
		}, "state.npz: E.V: data []float64, expected Float32"},
		{"no fingerprint", func(t *testing.T, dir string) {
			editJSON(t, dir, func(s string) string {
				return regexp.MustCompile(`(?s)"fingerprint": \{.*?\},\n`).ReplaceAllString(s, "")
			})
		}, "checkpoint.json: fingerprint: missing (a checkpoint written by an older brainc, or edited?)"},
		{"an unknown field", func(t *testing.T, dir string) { editJSON(t, dir, setField("model", `"ck", "extra": 1`)) },
			`checkpoint.json: json: unknown field "extra"`},
		{"a file outside", func(t *testing.T, dir string) {
			editJSON(t, dir, func(s string) string { return strings.Replace(s, `"files": {`, `"files": {"../x": "00",`, 1) })
		}, `checkpoint.json: files: "../x" is not a checkpoint file (expected among state.npz, spikes.npz, rates.npz, traces.npz)`},
		{"state.npz a FIFO", func(t *testing.T, dir string) {
			require.NoError(t, os.Remove(filepath.Join(dir, checkpointState)))
			require.NoError(t, syscall.Mkfifo(filepath.Join(dir, checkpointState), 0o644))
		}, "checkpoint file state.npz: a named pipe (FIFO), not a regular file"},
		{"checkpoint.json a device", func(t *testing.T, dir string) {
			require.NoError(t, os.Remove(filepath.Join(dir, checkpointInfo)))
			require.NoError(t, os.Symlink("/dev/zero", filepath.Join(dir, checkpointInfo)))
		}, "checkpoint file checkpoint.json: a device, not a regular file"},
		{"a spike moved to another neuron", func(t *testing.T, dir string) {
			editNPZ(t, filepath.Join(dir, "spikes.npz"), "E_indices", func(a npyio.Array) npyio.Array { a.Data.([]int32)[3] = 4; return a })
		}, "spikes.npz: changed after brainc wrote it (its SHA-256 is not the one checkpoint.json records under files)"},
		{"a state value changed", func(t *testing.T, dir string) {
			editNPZ(t, filepath.Join(dir, checkpointState), "E.V", func(a npyio.Array) npyio.Array { a.Data.([]float32)[0] = -55; return a })
		}, "state.npz: changed after brainc wrote it (its SHA-256 is not the one checkpoint.json records under files)"},
		{"a file changed and its checksum with it", func(t *testing.T, dir string) {
			editNPZ(t, filepath.Join(dir, "spikes.npz"), "E_indices", func(a npyio.Array) npyio.Array { a.Data.([]int32)[3] = 4; return a })
			h, err := fileSHA256(filepath.Join(dir, "spikes.npz"))
			require.NoError(t, err)
			editJSON(t, dir, func(s string) string {
				return regexp.MustCompile(`"spikes.npz": "[0-9a-f]*"`).ReplaceAllString(s, `"spikes.npz": "`+h+`"`)
			})
		}, "checkpoint.json: checksum: the file was changed after brainc wrote it (its fields do not match its checksum)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeCk(t, dir, p)
			_, _, err := LoadCheckpoint(dir, p)
			require.NoError(t, err, "unedited")
			tc.edit(t, dir)
			_, _, err = LoadCheckpoint(dir, p)
			require.Error(t, err)
			want := "resume: " + dir + "/" + tc.want
			if rest, ok := strings.CutPrefix(tc.want, "checkpoint file "); ok { // infile's wording
				want = "resume: checkpoint file " + dir + "/" + rest
			}
			assert.Equal(t, want, err.Error())
		})
	}
}

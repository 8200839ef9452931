package results

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/gomlx/gomlx/pkg/core/tensors"

	"github.com/brainc/brainc/atomicfile"
	"github.com/brainc/brainc/fingerprint"
	"github.com/brainc/brainc/infile"
	"github.com/brainc/brainc/ir"
	"github.com/brainc/brainc/jit"
	"github.com/brainc/brainc/lower"
	"github.com/brainc/brainc/npyio"
)

// A checkpoint is a directory holding everything a run needs to go on
// exactly where it stopped: the whole state (state.npz, by Program.State
// name: membrane potentials, synaptic states, delay lines, plastic weights,
// the step counter that keys every random stream), what was recorded so far
// (spikes.npz, traces.npz) and checkpoint.json.
const (
	checkpointState = "state.npz"
	checkpointInfo  = "checkpoint.json"
)

// checkpointMeta is checkpoint.json.
type checkpointMeta struct {
	Model string  `json:"model"`
	Seed  uint64  `json:"seed"`
	DT    float64 `json:"dt_ms"`
	// Steps is the number of steps done (recorded and in the state).
	Steps int `json:"steps_done"`
	// State lists the state arrays, to check the program resumed matches.
	State []string `json:"state"`
	// Fingerprint identifies the network that wrote the checkpoint, part
	// by part (lower.Program.Fingerprint).
	Fingerprint fingerprint.Parts `json:"fingerprint"`
	// Files holds the SHA-256 of each data file of the checkpoint, by name.
	Files map[string]string `json:"files"`
	// Checksum is the SHA-256 of checkpoint.json written with Checksum
	// empty: a file edited by hand is refused.
	Checksum string `json:"checksum"`
}

// checkpointFiles are the data files a checkpoint may hold.
var checkpointFiles = []string{checkpointState, "spikes.npz", "rates.npz", "traces.npz"}

// maxCheckpointInfo bounds the size of checkpoint.json read back.
const maxCheckpointInfo = 64 << 20

// SaveCheckpoint writes a checkpoint of a run of p into dir, replacing an
// earlier checkpoint there: state is the runner's state after rec.Steps
// steps.
func SaveCheckpoint(dir string, p *lower.Program, state []*tensors.Tensor, rec *Recorder) error {
	return SaveCheckpointOf(dir, p, fingerprint.Of(p), state, rec)
}

// SaveCheckpointOf is SaveCheckpoint with the program's fingerprint fp
// given, computed once for every checkpoint of a run.
func SaveCheckpointOf(dir string, p *lower.Program, fp fingerprint.Parts, state []*tensors.Tensor, rec *Recorder) error {
	meta := checkpointMeta{Model: p.Net.Name, Seed: p.Net.Seed, DT: p.Net.Dt, Steps: rec.Steps, Fingerprint: fp, Files: map[string]string{}}
	var names []string
	var arrays []npyio.Array
	real := p.RealNeurons()
	for i, v := range p.State {
		a, err := tensorArray(state[i])
		if err != nil {
			return fmt.Errorf("checkpoint: %s: %w", v.Name, err)
		}
		if n := real[i]; n >= 0 { // the padding's entries are not kept
			a = headOf(a, n)
		}
		names = append(names, v.Name)
		arrays = append(arrays, a)
		meta.State = append(meta.State, v.Name)
	}
	return atomicfile.Dir(dir, atomicfile.DirOptions{Overwrite: true}, func(stage string) ([]string, error) {
		if err := npyio.WriteNPZ(filepath.Join(stage, checkpointState), names, arrays); err != nil {
			return nil, err
		}
		var sum Summary
		if err := rec.writeData(stage, &sum); err != nil {
			return nil, err
		}
		files := append(sum.Files, checkpointState)
		for _, f := range files {
			h, err := fileSHA256(filepath.Join(stage, f))
			if err != nil {
				return nil, err
			}
			meta.Files[f] = h
		}
		js, err := meta.encode()
		if err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(stage, checkpointInfo), js, 0o644); err != nil {
			return nil, err
		}
		return append(files, checkpointInfo), nil
	})
}

// checksum is the hex SHA-256 of checkpoint.json written with Checksum
// empty.
func (m checkpointMeta) checksum() (string, error) {
	m.Checksum = ""
	js, err := json.MarshalIndent(m, "", "  ")
	sum := sha256.Sum256(js)
	return hex.EncodeToString(sum[:]), err
}

// encode is checkpoint.json's text, its checksum set.
func (m checkpointMeta) encode() ([]byte, error) {
	var err error
	if m.Checksum, err = m.checksum(); err != nil {
		return nil, err
	}
	js, err := json.MarshalIndent(m, "", "  ")
	return append(js, '\n'), err
}

// fileSHA256 is the hex SHA-256 of a file's content.
func fileSHA256(path string) (string, error) {
	f, _, err := infile.Open(path, "checkpoint file", npyio.MaxNPZFileBytes)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// checkpointError is a checkpoint refused: the file and field, what was
// expected and what came.
func checkpointError(file, field, format string, args ...any) error {
	at := file
	if field != "" {
		at += ": " + field
	}
	return fmt.Errorf("resume: %s: %s", at, fmt.Sprintf(format, args...))
}

// readCheckpointInfo reads and parses checkpoint.json (a regular file of
// bounded size), every field present and no other.
func readCheckpointInfo(dir string) (checkpointMeta, error) {
	var meta checkpointMeta
	path := filepath.Join(dir, checkpointInfo)
	js, err := infile.Read(path, "checkpoint file", maxCheckpointInfo)
	if err != nil {
		return meta, fmt.Errorf("resume: %w", err)
	}
	var raw struct {
		checkpointMeta
		Steps json.Number `json:"steps_done"`
	}
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil {
		return meta, checkpointError(path, "", "%v", err)
	}
	if dec.More() {
		return meta, checkpointError(path, "", "text after the JSON object")
	}
	meta = raw.checkpointMeta
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(js, &fields); err != nil {
		return meta, checkpointError(path, "", "%v", err)
	}
	for _, f := range []string{"model", "seed", "dt_ms", "steps_done", "state", "fingerprint", "files", "checksum"} {
		if _, ok := fields[f]; !ok {
			return meta, checkpointError(path, f, "missing (a checkpoint written by an older brainc, or edited?)")
		}
	}
	steps, err := strconv.ParseInt(raw.Steps.String(), 10, 64)
	if err != nil || steps < 0 || steps > ir.MaxSteps {
		return meta, checkpointError(path, "steps_done", "expected a whole number of steps in [0, %d], got %s", ir.MaxSteps, raw.Steps)
	}
	meta.Steps = int(steps)
	return meta, nil
}

// LoadCheckpoint reads a checkpoint for the program p: its state and a
// recorder holding what was recorded up to it. Nothing in it is believed:
// the checkpoint must come from the same network (its fingerprint: model,
// seed, dt, every population, projection and value that shapes the run,
// whatever the device count) and state layout, every field is checked
// (steps done within the run's steps and equal to the state's step
// counter, state arrays of the program's shapes and types, spikes of
// existing neurons within the steps done, traces of the steps done) and its
// files must be those brainc wrote (their checksums).
func LoadCheckpoint(dir string, p *lower.Program) ([]*tensors.Tensor, *Recorder, error) {
	if err := atomicfile.Recover(dir); err != nil { // a write killed after its commit
		return nil, nil, fmt.Errorf("resume: %w", err)
	}
	meta, err := readCheckpointInfo(dir)
	if err != nil {
		return nil, nil, err
	}
	info := filepath.Join(dir, checkpointInfo)
	var want []string
	for _, v := range p.State {
		want = append(want, v.Name)
	}
	total := int(math.Round(p.Net.Duration / p.Net.Dt))
	switch {
	case meta.Model != p.Net.Name || meta.Seed != p.Net.Seed || meta.DT != p.Net.Dt:
		return nil, nil, fmt.Errorf("resume: the checkpoint is of model %s, seed %d, dt %g ms; this run is %s, seed %d, dt %g ms",
			meta.Model, meta.Seed, meta.DT, p.Net.Name, p.Net.Seed, p.Net.Dt)
	case !slices.Equal(meta.State, want):
		return nil, nil, fmt.Errorf("resume: the checkpoint's state arrays differ from this network's: it has %s, this run %s "+
			"(was the spec changed, or was the checkpoint written by a brainc that laid out the state otherwise, e.g. before populations were packed into blocks?)",
			firstNames(meta.State), firstNames(want))
	case meta.Steps > total:
		return nil, nil, checkpointError(info, "steps_done", "the checkpoint is at step %d, past this run's %d steps (%g ms)", meta.Steps, total, p.Net.Duration)
	}
	if diff := fingerprint.Of(p).Differences(meta.Fingerprint); len(diff) > 0 {
		return nil, nil, fmt.Errorf("resume: the network differs from the checkpoint's (%s: fingerprint) in %s: "+
			"resume with the spec, values and flags of the run that wrote it", info, firstNames(diff))
	}
	for name := range meta.Files {
		if !slices.Contains(checkpointFiles, name) {
			return nil, nil, checkpointError(info, "files", "%q is not a checkpoint file (expected among %s)", name, strings.Join(checkpointFiles, ", "))
		}
	}
	rec := NewRecorder(p)
	need := []string{checkpointState}
	if len(rec.Spikes) > 0 {
		need = append(need, "spikes.npz")
	}
	if len(rec.Traces) > 0 {
		need = append(need, "traces.npz")
	}
	for _, f := range need {
		if _, ok := meta.Files[f]; !ok {
			return nil, nil, checkpointError(info, "files", "no checksum of %s", f)
		}
	}
	for _, f := range need { // a FIFO would block the reader, a device never end
		fh, _, err := infile.Open(filepath.Join(dir, f), "checkpoint file", npyio.MaxNPZFileBytes)
		if err != nil {
			return nil, nil, fmt.Errorf("resume: %w", err)
		}
		fh.Close()
	}
	state, err := readState(filepath.Join(dir, checkpointState), p, meta.Steps)
	if err != nil {
		return nil, nil, err
	}
	if err := rec.readData(dir, meta.Steps); err != nil {
		return nil, nil, fmt.Errorf("resume: %w", err)
	}
	// Last, what no check above could see: a file or a field changed by
	// hand, consistently with the others.
	for _, f := range slices.Sorted(maps.Keys(meta.Files)) {
		h, err := fileSHA256(filepath.Join(dir, f))
		if err != nil {
			return nil, nil, fmt.Errorf("resume: %w", err)
		}
		if h != meta.Files[f] {
			return nil, nil, checkpointError(filepath.Join(dir, f), "", "changed after brainc wrote it (its SHA-256 is not the one %s records under files)", checkpointInfo)
		}
	}
	if sum, err := meta.checksum(); err != nil || sum != meta.Checksum {
		return nil, nil, checkpointError(info, "checksum", "the file was changed after brainc wrote it (its fields do not match its checksum)")
	}
	return state, rec, nil
}

// readState reads state.npz for the program p after steps steps: every
// state array of the program's shape (its real neurons or all of them)
// and type, its step counter equal to steps.
func readState(path string, p *lower.Program, steps int) ([]*tensors.Tensor, error) {
	byName, err := npyio.ReadNPZMap(path)
	if err != nil {
		return nil, fmt.Errorf("resume: %w", err)
	}
	state := make([]*tensors.Tensor, len(p.State))
	real := p.RealNeurons()
	var initial []*tensors.Tensor
	for i, v := range p.State {
		a, ok := byName[v.Name]
		if !ok {
			return nil, checkpointError(path, v.Name, "missing")
		}
		if n := real[i]; n >= 0 && len(a.Shape) == 1 && a.Shape[0] == n { // padding from the program's initial state
			if initial == nil {
				initial = p.InitialState()
			}
			if a, err = padFrom(a, initial[i]); err != nil {
				return nil, checkpointError(path, v.Name, "%v", err)
			}
		}
		if state[i], err = arrayTensor(a, v); err != nil {
			return nil, checkpointError(path, v.Name, "%v", err)
		}
	}
	if c, ok := state[0].Value().(int32); !ok || int(c) != steps {
		return nil, checkpointError(path, p.State[0].Name, "the step counter is %v, expected the %d steps done that checkpoint.json records (steps_done)", state[0].Value(), steps)
	}
	return state, nil
}

// headOf is the first n entries of a one-dimensional array.
func headOf(a npyio.Array, n int) npyio.Array {
	out := npyio.Array{Shape: []int{n}}
	switch v := a.Data.(type) {
	case []float32:
		out.Data = v[:n]
	case []float64:
		out.Data = v[:n]
	case []int32:
		out.Data = v[:n]
	case []bool:
		out.Data = v[:n]
	}
	return out
}

// padFrom extends a one-dimensional array with the entries of init past
// its length (init of the same type).
func padFrom(a npyio.Array, init *tensors.Tensor) (npyio.Array, error) {
	b, err := tensorArray(init)
	if err != nil {
		return a, err
	}
	out := npyio.Array{Shape: slices.Clone(b.Shape)}
	switch v := a.Data.(type) {
	case []float32:
		out.Data = extended(v, b.Data)
	case []float64:
		out.Data = extended(v, b.Data)
	case []int32:
		out.Data = extended(v, b.Data)
	case []bool:
		out.Data = extended(v, b.Data)
	}
	if out.Data == nil {
		return a, fmt.Errorf("data %T, expected the type of %s", a.Data, init.DType())
	}
	return out, nil
}

// extended is v followed by the entries of init ([]T) past len(v), or nil
// when init is of another type.
func extended[T any](v []T, init any) any {
	w, ok := init.([]T)
	if !ok || len(w) < len(v) {
		return nil
	}
	return append(slices.Clone(v), w[len(v):]...)
}

// tensorArray converts a host tensor to a NumPy array.
func tensorArray(t *tensors.Tensor) (npyio.Array, error) {
	a := npyio.Array{Shape: slices.Clone(t.Shape().Dimensions)}
	if a.Shape == nil {
		a.Shape = []int{}
	}
	err := t.ConstFlatData(func(flat any) {
		switch v := flat.(type) {
		case []float32, []float64, []int32, []bool:
			a.Data = cloneAny(v)
		}
	})
	if err == nil && a.Data == nil {
		err = fmt.Errorf("unsupported dtype %s", t.DType())
	}
	return a, err
}

func cloneAny(v any) any {
	switch x := v.(type) {
	case []float32:
		return slices.Clone(x)
	case []float64:
		return slices.Clone(x)
	case []int32:
		return slices.Clone(x)
	case []bool:
		return slices.Clone(x)
	}
	return nil
}

// arrayTensor converts a NumPy array back to a tensor of the state
// variable's dtype and shape.
func arrayTensor(a npyio.Array, v *lower.Var) (*tensors.Tensor, error) {
	if !slices.Equal(a.Shape, v.Shape) && !(len(a.Shape) == 0 && len(v.Shape) == 0) {
		return nil, fmt.Errorf("shape %v, expected %v", a.Shape, v.Shape)
	}
	t, err := jit.HostTensor(a.Data, v.Shape)
	if err != nil || t.DType() != v.DType {
		return nil, fmt.Errorf("data %T, expected %s", a.Data, v.DType)
	}
	return t, nil
}

// firstNames lists up to 6 array names, for a message.
func firstNames(names []string) string {
	const most = 6
	if len(names) <= most {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(names[:most], ", "), len(names)-most)
}

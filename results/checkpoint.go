package results

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/gomlx/gomlx/pkg/core/tensors"

	"github.com/brainc/brainc/atomicfile"
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
}

// SaveCheckpoint writes a checkpoint of a run of p into dir, replacing an
// earlier checkpoint there: state is the runner's state after rec.Steps
// steps.
func SaveCheckpoint(dir string, p *lower.Program, state []*tensors.Tensor, rec *Recorder) error {
	meta := checkpointMeta{Model: p.Net.Name, Seed: p.Net.Seed, DT: p.Net.Dt, Steps: rec.Steps}
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
		js, err := json.MarshalIndent(meta, "", "  ")
		if err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(stage, checkpointInfo), append(js, '\n'), 0o644); err != nil {
			return nil, err
		}
		return append(sum.Files, checkpointState, checkpointInfo), nil
	})
}

// LoadCheckpoint reads a checkpoint for the program p: its state and a
// recorder holding what was recorded up to it. The checkpoint must come
// from the same model, seed, dt and state layout.
func LoadCheckpoint(dir string, p *lower.Program) ([]*tensors.Tensor, *Recorder, error) {
	if err := atomicfile.Recover(dir); err != nil { // a write killed after its commit
		return nil, nil, fmt.Errorf("resume: %w", err)
	}
	js, err := os.ReadFile(filepath.Join(dir, checkpointInfo))
	if err != nil {
		return nil, nil, fmt.Errorf("resume: %w", err)
	}
	var meta checkpointMeta
	if err := json.Unmarshal(js, &meta); err != nil {
		return nil, nil, fmt.Errorf("resume: %s: %w", checkpointInfo, err)
	}
	var want []string
	for _, v := range p.State {
		want = append(want, v.Name)
	}
	switch {
	case meta.Model != p.Net.Name || meta.Seed != p.Net.Seed || meta.DT != p.Net.Dt:
		return nil, nil, fmt.Errorf("resume: the checkpoint is of model %s, seed %d, dt %g ms; this run is %s, seed %d, dt %g ms",
			meta.Model, meta.Seed, meta.DT, p.Net.Name, p.Net.Seed, p.Net.Dt)
	case !slices.Equal(meta.State, want):
		return nil, nil, fmt.Errorf("resume: the checkpoint's state arrays differ from this network's: it has %s, this run %s "+
			"(was the spec changed, or was the checkpoint written by a brainc that laid out the state otherwise, e.g. before populations were packed into blocks?)",
			firstNames(meta.State), firstNames(want))
	}
	byName, err := npyio.ReadNPZMap(filepath.Join(dir, checkpointState))
	if err != nil {
		return nil, nil, fmt.Errorf("resume: %w", err)
	}
	state := make([]*tensors.Tensor, len(p.State))
	real := p.RealNeurons()
	var initial []*tensors.Tensor
	for i, v := range p.State {
		a, ok := byName[v.Name]
		if !ok {
			return nil, nil, fmt.Errorf("resume: %s lacks %s", checkpointState, v.Name)
		}
		if n := real[i]; n >= 0 && len(a.Shape) == 1 && a.Shape[0] == n { // padding from the program's initial state
			if initial == nil {
				initial = p.InitialState()
			}
			if a, err = padFrom(a, initial[i]); err != nil {
				return nil, nil, fmt.Errorf("resume: %s: %w", v.Name, err)
			}
		}
		if state[i], err = arrayTensor(a, v); err != nil {
			return nil, nil, fmt.Errorf("resume: %s: %w", v.Name, err)
		}
	}
	rec := NewRecorder(p)
	if err := rec.readData(dir, meta.Steps); err != nil {
		return nil, nil, fmt.Errorf("resume: %w", err)
	}
	return state, rec, nil
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
func arrayTensor(a npyio.Array, v lower.Var) (*tensors.Tensor, error) {
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

// Package artifact writes what brainc's compiler produces for a model, so
// that it can be inspected, diffed and run in any PJRT runtime: the
// StableHLO program of every looping executable a run may use, one per
// event-capacity bucket (NAME.mlir, exactly as handed to PJRT), a manifest
// of their inputs and outputs (manifest.json), and the initial state and
// stored connectivity they take (state0.npz). The same spec and options give
// byte-identical files.
package artifact

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/tensors"

	"github.com/brainc/brainc/atomicfile"
	"github.com/brainc/brainc/jit"
	"github.com/brainc/brainc/lower"
	"github.com/brainc/brainc/npyio"
	"github.com/brainc/brainc/pjrt"
	"github.com/brainc/brainc/signature"
)

// Version is the brainc version written into manifests.
const Version = "0.2.0-dev"

// State0File is the name of the initial-state file.
const State0File = "state0.npz"

// Array describes one input or output of a program.
type Array struct {
	// Name is the state variable ("E.V"), constant ("E.fanout"), events row
	// ("<program>.events_row"), step count ("n", "steps") or monitor
	// ("events", "traces") the array holds; state0.npz uses the same names
	// for the inputs it holds.
	Name string `json:"name"`
	// Role is "state", "row", "const", "n", "steps", "events" or "traces".
	Role string `json:"role"`
	// DType and Shape are the array's element type and dimensions.
	DType string `json:"dtype"`
	Shape []int  `json:"shape"`
	// Holds says what the array is, in words.
	Holds string `json:"holds"`
}

// EventField locates one population in a program's events row: its firing
// count at column CountColumn and its firing indices in the Capacity
// columns after it (padded with the population size).
type EventField struct {
	// Block is the block's name (its populations' names joined by "+").
	Block string `json:"block"`
	// CountColumn is the column of its count.
	CountColumn int `json:"count_column"`
	// Capacity is the number of index columns after the count.
	Capacity int `json:"capacity"`
	// Size is the block's size (the padding index).
	Size int `json:"size"`
	// Populations place each population in the block: its neurons are
	// block indices [Offset, Offset+Size).
	Populations []BlockPopulation `json:"populations"`
}

// BlockPopulation is one population's place in a block.
type BlockPopulation struct {
	// Name is the population's name.
	Name string `json:"name"`
	// Offset is the block index of its neuron 0.
	Offset int `json:"offset"`
	// Size is its number of neurons.
	Size int `json:"size"`
}

// TraceField locates one trace in a program's traces output: columns
// [Column, Column+len(Indices)).
type TraceField struct {
	// Population and Var name the traced variable.
	Population string `json:"population"`
	Var        string `json:"var"`
	// Indices are the traced neurons (or synapses).
	Indices []int `json:"indices"`
	// Column is the first column of the trace.
	Column int `json:"column"`
}

// Program is one looping executable.
type Program struct {
	// Name is the program's name; File its .mlir file.
	Name string `json:"name"`
	File string `json:"file"`
	// Rows is the most steps one call runs (and records).
	Rows int `json:"rows"`
	// Capacity is the event-capacity bucket: firing neurons per population
	// and step the program can represent exactly.
	Capacity int `json:"capacity"`
	// Inputs and Outputs list the program's arguments and results in order.
	Inputs  []Array `json:"inputs"`
	Outputs []Array `json:"outputs"`
	// Events and Traces lay out the events row and the traces row.
	Events []EventField `json:"events_layout"`
	Traces []TraceField `json:"traces_layout"`
	// CustomCalls are the XLA FFI custom-call targets the program calls
	// (brainc's CPU event operators, package cpuops): a PJRT runtime must
	// have their handlers registered, as brainc does, to run it. None on
	// other backends or with --composed-ops.
	CustomCalls []string `json:"custom_calls,omitempty"`
}

// Manifest describes a compiled model.
type Manifest struct {
	// Model is the network's name; SpecSHA256 identifies its spec text.
	Model      string `json:"model"`
	SpecSHA256 string `json:"spec_sha256"`
	// Version is brainc's version.
	Version string `json:"brainc_version"`
	// DT and Duration are the step and the run length (ms); Steps the
	// number of steps of the run.
	DT       float64 `json:"dt_ms"`
	Duration float64 `json:"duration_ms"`
	Steps    int     `json:"steps"`
	// Seed drew the connectivity and initial state; DType is the float type.
	Seed  uint64 `json:"seed"`
	DType string `json:"float_dtype"`
	// State0 is the file holding the initial value of every state, row and
	// const input, by name.
	State0 string `json:"state0"`
	// Usage says how the programs chain.
	Usage string `json:"usage"`
	// Programs lists the executables, smallest capacity first.
	Programs []Program `json:"programs"`
}

// Options selects the programs to compile.
type Options struct {
	// Steps is the run length (written to the manifest; the programs do not
	// depend on it).
	Steps int
	// Capacities are the event-capacity buckets to compile.
	Capacities []int
	// SpecSHA256 identifies the spec the program was lowered from.
	SpecSHA256 string
	// ComposedOps writes programs with composed XLA operators where the
	// CPU plugin would run brainc's custom calls (jit.LoopOps), for PJRT
	// runtimes without brainc's handlers.
	ComposedOps bool
}

// Artifacts are a compiled model ready to be written.
type Artifacts struct {
	// Manifest describes the programs.
	Manifest *Manifest
	// MLIR holds each program's StableHLO text, in Manifest.Programs order.
	MLIR []string
	prog *lower.Program
}

// usage says how a caller chains the programs.
const usage = "call main(state…, events_row, const…, n) with 1 ≤ n ≤ rows; it returns the state after " +
	"the steps it ran (feed it back), the events row of the last step (feed it back), steps (the number " +
	"of steps run), then events [rows, W] and traces [rows, T], valid in their first steps rows. " +
	"Inputs start from state0.npz by name. If steps < n, the last step fired more neurons than the " +
	"capacity holds: its state is exact but its events row is truncated; read that step's spikes from " +
	"the returned <population>.spike flags, write them into the events row of a program with a " +
	"capacity that holds them (count, then indices padded with the population size) and go on with it."

// Compile builds the looping program of every capacity on the backend,
// compiling each once to check it, and keeps their StableHLO text.
func Compile(b *pjrt.Backend, p *lower.Program, opts Options) (*Artifacts, error) {
	if opts.Steps < 1 {
		return nil, fmt.Errorf("artifact: run length must be ≥ 1 step, got %d", opts.Steps)
	}
	if len(opts.Capacities) == 0 {
		return nil, fmt.Errorf("artifact: no event capacity to compile for")
	}
	client, err := pjrt.Client(b)
	if err != nil {
		return nil, err
	}
	m := &Manifest{Model: p.Net.Name, SpecSHA256: opts.SpecSHA256, Version: Version, DT: p.Net.Dt,
		Duration: p.Net.Duration, Steps: opts.Steps, Seed: p.Net.Seed, DType: p.DType.String(),
		State0: State0File, Usage: usage}
	a := &Artifacts{Manifest: m, prog: p}
	for _, c := range opts.Capacities {
		name := fmt.Sprintf("%s_c%d", sanitize(p.Net.Name), c)
		lp, err := jit.NewLoopProgramWith(b, p, name, c, opts.ComposedOps)
		if err != nil {
			return nil, fmt.Errorf("artifact: %s: %w", name, err)
		}
		exe, err := client.Compile().WithStableHLO([]byte(lp.Text)).Done()
		if err != nil {
			return nil, fmt.Errorf("artifact: compiling %s: %w", name, err)
		}
		_ = exe.Destroy()
		a.MLIR = append(a.MLIR, lp.Text)
		m.Programs = append(m.Programs, describe(p, name, lp))
	}
	return a, nil
}

// sanitize keeps a model name usable as a file and module name.
func sanitize(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' {
			return r
		}
		return '_'
	}, s)
}

// describe lists a program's inputs and outputs: the loop's, as the
// step's signature lays them out (the carried and constant arguments, n;
// the carried results, steps and the records of Signature.Loop).
func describe(p *lower.Program, name string, lp *jit.LoopProgram) Program {
	pr := Program{Name: name, File: name + ".mlir", Rows: lp.Rows, Capacity: lp.Capacity, CustomCalls: lp.CustomCalls}
	sig := lp.Signature
	array := func(v signature.Value) Array {
		switch v.Role {
		case signature.RoleState:
			return Array{Name: v.Name, Role: "state", DType: v.DType.String(), Shape: shape(v.Shape), Holds: stateHolds(v.Name)}
		case signature.RoleEvents:
			return Array{Name: name + ".events_row", Role: "row", DType: v.DType.String(), Shape: v.Shape,
				Holds: "the last step's firing: for each block in events_layout, its count then its indices"}
		}
		return Array{Name: v.Name, Role: "const", DType: v.DType.String(), Shape: shape(v.Shape), Holds: p.Consts[v.Of].Holds}
	}
	for _, v := range sig.Args[:sig.Consts+sig.Invariant()] {
		pr.Inputs = append(pr.Inputs, array(v))
	}
	for _, v := range sig.Results[:sig.Carried] {
		pr.Outputs = append(pr.Outputs, array(v))
	}
	pr.Inputs = append(pr.Inputs, Array{Name: "n", Role: "n", DType: dtypes.Int32.String(), Shape: []int{},
		Holds: fmt.Sprintf("steps to run in this call, 0 ≤ n ≤ %d", lp.Rows)})
	pr.Outputs = append(pr.Outputs, Array{Name: "steps", Role: "steps", DType: dtypes.Int32.String(), Shape: []int{},
		Holds: "steps run: n, or fewer when the last one overflowed the capacity"})
	offsets, _ := p.EventLayout(lp.Capacity)
	for j, b := range p.CompactBlocks() {
		f := EventField{Block: b.Name, CountColumn: offsets[j], Capacity: lower.Capacity(b, lp.Capacity), Size: b.Size}
		for _, pop := range b.Pops {
			f.Populations = append(f.Populations, BlockPopulation{Name: pop.Name, Offset: pop.Offset, Size: pop.Size})
		}
		pr.Events = append(pr.Events, f)
	}
	lo := sig.Loop()
	if lo.Events >= 0 {
		pr.Outputs = append(pr.Outputs, Array{Name: "events", Role: "events", DType: dtypes.Int32.String(),
			Shape: []int{lp.Rows, sig.Width}, Holds: "per step run: the events row (see events_layout)"})
	}
	col := 0
	for _, t := range p.Traces {
		pr.Traces = append(pr.Traces, TraceField{Population: t.Pop, Var: t.Var, Indices: t.Indices, Column: col})
		col += len(t.Indices)
	}
	if lo.Traces >= 0 {
		pr.Outputs = append(pr.Outputs, Array{Name: "traces", Role: "traces", DType: p.DType.String(),
			Shape: []int{lp.Rows, sig.TraceWidth}, Holds: "per step run, after the update: the traced variables side by side, see traces_layout"})
	}
	return pr
}

func shape(s []int) []int {
	if s == nil {
		return []int{}
	}
	return s
}

func stateHolds(name string) string {
	switch {
	case name == "step":
		return "step counter: index of the next step (t = step·dt)"
	case strings.HasSuffix(name, ".g"):
		return "synaptic variable of " + strings.TrimSuffix(name, ".g") + ", per postsynaptic neuron"
	case strings.HasSuffix(name, ".spike"):
		return "spikes emitted in the last step"
	case strings.HasSuffix(name, ".last_spike"):
		return "step of each neuron's last spike"
	case strings.HasSuffix(name, ".lastupdate"):
		return "step of each synapse's last event, for its learning rule's event-driven variables"
	}
	return "state variable " + name
}

// Write writes the .mlir files, manifest.json and state0.npz into dir;
// a failure leaves no partial directory (atomicfile.Dir).
// An earlier compile's files in dir are replaced only with overwrite.
func (a *Artifacts) Write(dir string, overwrite bool) error {
	return atomicfile.Dir(dir, atomicfile.DirOptions{Overwrite: overwrite}, func(stage string) ([]string, error) {
		var files []string
		for i, pr := range a.Manifest.Programs {
			if err := os.WriteFile(filepath.Join(stage, pr.File), []byte(a.MLIR[i]), 0o644); err != nil {
				return nil, err
			}
			files = append(files, pr.File)
		}
		js, err := json.MarshalIndent(a.Manifest, "", "  ")
		if err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(stage, "manifest.json"), append(js, '\n'), 0o644); err != nil {
			return nil, err
		}
		names, arrays, err := a.state0()
		if err != nil {
			return nil, err
		}
		if err := npyio.WriteNPZ(filepath.Join(stage, State0File), names, arrays); err != nil {
			return nil, err
		}
		return append(files, "manifest.json", State0File), nil
	})
}

// state0 converts the initial state and the constants to NumPy arrays.
func (a *Artifacts) state0() ([]string, []npyio.Array, error) {
	p := a.prog
	var names []string
	var arrays []npyio.Array
	add := func(v *lower.Var, t *tensors.Tensor) error {
		var data any
		var err error
		switch v.DType {
		case dtypes.Float32:
			data, err = tensors.CopyFlatData[float32](t)
		case dtypes.Float64:
			data, err = tensors.CopyFlatData[float64](t)
		case dtypes.Int32:
			data, err = tensors.CopyFlatData[int32](t)
		case dtypes.Bool:
			data, err = tensors.CopyFlatData[bool](t)
		default:
			err = fmt.Errorf("artifact: %s has unsupported dtype %s", v.Name, v.DType)
		}
		if err != nil {
			return err
		}
		names = append(names, v.Name)
		arrays = append(arrays, npyio.Array{Shape: shape(v.Shape), Data: data})
		return nil
	}
	for i, t := range p.InitialState() {
		if err := add(p.State[i], t); err != nil {
			return nil, nil, err
		}
	}
	for _, pr := range a.Manifest.Programs {
		if len(pr.Events) == 0 {
			continue
		}
		w := pr.Events[len(pr.Events)-1]
		row := make([]int32, w.CountColumn+1+w.Capacity)
		for _, f := range pr.Events { // nothing fired before the first step
			for k := range f.Capacity {
				row[f.CountColumn+1+k] = int32(f.Size)
			}
		}
		names = append(names, pr.Name+".events_row")
		arrays = append(arrays, npyio.Array{Shape: []int{len(row)}, Data: row})
	}
	for _, v := range p.Consts {
		if err := add(v, v.Value); err != nil {
			return nil, nil, err
		}
	}
	return names, arrays, nil
}

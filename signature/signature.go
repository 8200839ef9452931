package signature

import (
	"fmt"
	"slices"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/shapes"

	"github.com/brainc/brainc/lower"
)

// Role says what an argument or a result of the traced step holds.
type Role uint8

// Roles of the step's values, in the order the step takes or gives them.
const (
	// RoleState is a state array (Program.State[Of]), carried from each step
	// to the next.
	RoleState Role = iota
	// RoleEvents is the events row, Int32 [W] (EventLayout): as an argument,
	// the previous step's compacted firing; as a result, this step's (or,
	// when the loop compacts, the row it was given, passed through).
	RoleEvents
	// RoleConst is a constant table (Program.Consts[Of]), the same every
	// step.
	RoleConst
	// RolePrecomputed is the result of Signature.Pre[Of], an operation the
	// time loop runs before every step.
	RolePrecomputed
	// RoleStop is the step's stop flag, Bool scalar: a block fired more
	// neurons than its capacity or a state went non-finite.
	RoleStop
	// RoleKey is compacted block CompactBlocks()[Of]'s spike key, which the
	// loop compacts (Lowering.Keys; see Program.key).
	RoleKey
	// RoleRecordEvents is the events row again, as a row to record.
	RoleRecordEvents
	// RoleRecordTraces is the traced values, Float [Σ len(indices)], as a
	// row to record.
	RoleRecordTraces
	// RoleReadout is a readout accumulator of a training step
	// (Train.Readouts[Of]), carried like the state.
	RoleReadout
	// RoleData is a training input's data (Train.Inputs[Of]),
	// [MaxSteps, block size]: the block's spikes at each step.
	RoleData
	// RoleParam is a trained per-neuron parameter
	// (Train.Spreads[Of]), one value per neuron of its
	// populations, spread into its blocks' parameter arrays.
	RoleParam
)

// String names the role as error messages and manifests say it.
func (r Role) String() string {
	switch r {
	case RoleState:
		return "state"
	case RoleEvents:
		return "events row"
	case RoleConst:
		return "constant"
	case RolePrecomputed:
		return "precomputed"
	case RoleStop:
		return "stop"
	case RoleKey:
		return "key"
	case RoleRecordEvents:
		return "recorded events"
	case RoleRecordTraces:
		return "recorded traces"
	case RoleReadout:
		return "readout"
	case RoleData:
		return "data"
	case RoleParam:
		return "trained parameter"
	}
	return fmt.Sprintf("role(%d)", int(r))
}

// Value is one argument or result of the traced step.
type Value struct {
	// Name is the array's name: Program.State's or Program.Consts' for
	// state and constants, the operation's for a precomputed input,
	// "events", "stop", "<block>.key" or "traces" otherwise.
	Name string
	// Role says what it holds; Of indexes what its role lists (see Role),
	// 0 for the roles that list one value.
	Role Role
	Of   int
	// DType and Shape are the array's, on one device when the value is
	// split (a precomputed input split by target) or whole.
	DType dtypes.DType
	Shape []int
}

// ShapeOf is the value's shape.
func (v Value) ShapeOf() shapes.Shape {
	return shapes.Make(v.DType, v.Shape...)
}

// Lowering chooses what the time loop does around the step, which sets
// the step's signature.
type Lowering struct {
	// Keys leaves compaction to the loop: the step returns one key per
	// compacted block (RoleKey) and passes the events row it was given
	// through, instead of compacting.
	Keys bool
	// ByteKeys makes the keys Uint8 instead of Float32 (the custom
	// compaction reads a quarter of the bytes; top-k needs floats).
	ByteKeys bool
	// Precompute has the loop propagate the whole fan-out tables and the
	// delayed own tables (DelayedEvents) before each step (brainc's CPU
	// custom calls do), the step taking their results instead of
	// computing them. A program split by target precomputes its split
	// propagation whatever this says.
	Precompute bool
}

// PreKind says which propagation a precomputed operation runs.
type PreKind uint8

// Kinds of precomputed operation.
const (
	// PreFan is a block's fan-out table (Block.Fanout): its result is the
	// input of every target slot, [FanoutSize] whole or [Devices,
	// Split.Cols] split by target.
	PreFan PreKind = iota
	// PreDelayed is a delayed own table (DelayedEvents): its result is
	// the projection's ring buffer with this step's events added.
	PreDelayed
	// PreProcedural is a procedural projection split by target
	// (SplitProcedural): [Devices, SplitShare].
	PreProcedural
	// PreScaled is an STP-scaled own table split by target (SplitScaled):
	// [Devices, SplitShare].
	PreScaled
)

// PreOp is one propagation the time loop runs before every step, whose
// result the step takes as an argument (RolePrecomputed).
type PreOp struct {
	// Name says what it propagates ("fan E+I", "procedural E2E", "delayed
	// EE", "scaled EA").
	Name string
	Kind PreKind
	// Block is the fan-out table's block (PreFan); Proj the projection
	// (the other kinds).
	Block *lower.Block
	Proj  *lower.Projection
	// Args are the step arguments it reads: positions in Signature.Args
	// (state, the events row, constants; never another precomputed input).
	Args []int
	// Devices is how many devices its tables are split across by target:
	// 1 for a whole table.
	Devices int
	// Split is the axis each of Args splits along across the devices (-1:
	// whole on each); all -1 on one device.
	Split []int
	// Inputs are the shapes of one device's share of Args: what the
	// operation's function on one device takes (package emit's PreFn).
	Inputs []shapes.Shape
	// Result is the position in Signature.Args of the step argument it
	// gives; ResultAxis the axis that argument splits along across the
	// devices.
	Result, ResultAxis int
}

// Step is the calling convention of one traced step of the time loop
// (package emit's Body) for one event capacity and Lowering: every argument and result,
// in order, and the operations the loop runs before the step. Program
// builds it once (Program.Signature); emit.Body, the time loop's writer
// (package jit), sharding and the artifact manifest read their positions
// from it.
//
// Arguments: the state (Program.State order), the events row when any
// block is compacted, the constants (Program.Consts order), the results
// of Pre in order. Results: the new state, the new events row, stop, then
// with Keys one key per compacted block, else the events row again to
// record; then the traces row when the program has traces.
type Step struct {
	// Capacity is the event capacity the step is traced for; Lowering
	// what the loop does around it.
	Capacity int
	Lowering Lowering
	Args     []Value
	Results  []Value
	// Pre are the operations the loop runs before each step, in the order
	// their results follow the constants.
	Pre []PreOp
	// Row is the position of the events row among Args and Results (-1
	// without one); Carried the number of leading arguments that the step
	// returns first, updated (the state, then the row); Consts the
	// position of the first constant among Args; Stop the position of
	// stop among Results.
	Row, Carried, Consts, Stop int
	// Width is the events row's width, TraceWidth the traces row's.
	Width, TraceWidth int
	// Steps is how many steps one call of the traced function runs: 1 for
	// the time loop's step, K for a chunk (ChunkSignature), whose recorded
	// events and traces have a leading axis of K.
	Steps int
	// p is the program the signature lays out.
	p *lower.Program
}

// Step lays out the step of the time loop for the given event
// capacity and lowering, and checks it (Signature.Check): the one place
// the step's argument and result positions are decided.
func ForLoop(p *lower.Program, capacity int, l Lowering) (*Step, error) {
	if capacity < 1 {
		return nil, fmt.Errorf("lower: step signature: event capacity must be ≥ 1, got %d", capacity)
	}
	compact := p.CompactBlocks()
	s := newSignature(p, capacity, 1, len(compact) > 0)
	s.Lowering = l
	if l.Keys && len(compact) == 0 {
		l.Keys, l.ByteKeys, s.Lowering = false, false, Lowering{Precompute: l.Precompute}
	}
	events := Value{Name: "events", Role: RoleEvents, DType: dtypes.Int32, Shape: []int{s.Width}}
	pre, err := preOps(p, s)
	if err != nil {
		return nil, err
	}
	for j, op := range pre {
		op.Result = len(s.Args)
		op.Inputs = s.shares(op.Args, op.Split, op.Devices)
		r := op.result(p)
		s.Args = append(s.Args, Value{Name: op.Name, Role: RolePrecomputed, Of: j, DType: r.DType, Shape: r.Dimensions})
		s.Pre = append(s.Pre, op)
	}
	s.Results = append(s.Results, s.Args[:s.Carried]...)
	s.Stop = len(s.Results)
	s.Results = append(s.Results, Value{Name: "stop", Role: RoleStop, DType: dtypes.Bool})
	if l.Keys {
		kt := dtypes.Float32
		if l.ByteKeys {
			kt = dtypes.Uint8
		}
		for j, b := range compact {
			s.Results = append(s.Results, Value{Name: b.Name + ".key", Role: RoleKey, Of: j, DType: kt, Shape: []int{b.Size}})
		}
	} else if s.Row >= 0 {
		events.Role = RoleRecordEvents
		s.Results = append(s.Results, events)
	}
	if s.TraceWidth > 0 {
		s.Results = append(s.Results, Value{Name: "traces", Role: RoleRecordTraces, DType: p.DType, Shape: []int{s.TraceWidth}})
	}
	if err := s.Check(); err != nil {
		return nil, err
	}
	return s, nil
}

// newSignature starts a signature of steps steps at the given capacity:
// its arguments the state, the events row (withRow), then the constants,
// and the widths of the rows it records.
func newSignature(p *lower.Program, capacity, steps int, withRow bool) *Step {
	_, width := p.EventLayout(capacity)
	s := &Step{Capacity: capacity, Row: -1, Width: width, Steps: steps, p: p}
	for _, t := range p.Traces {
		s.TraceWidth += len(t.Indices)
	}
	for i, v := range p.State {
		s.Args = append(s.Args, Value{Name: v.Name, Role: RoleState, Of: i, DType: v.DType, Shape: v.Shape})
	}
	if withRow {
		s.Row = len(s.Args)
		s.Args = append(s.Args, Value{Name: "events", Role: RoleEvents, DType: dtypes.Int32, Shape: []int{width}})
	}
	s.Carried, s.Consts = len(s.Args), len(s.Args)
	for i, v := range p.Consts {
		s.Args = append(s.Args, Value{Name: v.Name, Role: RoleConst, Of: i, DType: v.DType, Shape: v.Shape})
	}
	return s
}

// ChunkSignature lays out the chunk engine's graph of k unrolled steps
// (package emit's Chunk) for the given event capacity: the arguments are
// the state and the constants; the results the new state, then the events
// of the k steps, Int32 [k, W], when any block is compacted, then the
// traces, Float [k, T], when the program traces. It carries no events row
// and returns no stop flag (Row and Stop are -1); nothing is precomputed.
func ForChunk(p *lower.Program, k, capacity int) (*Step, error) {
	if k < 1 || capacity < 1 {
		return nil, fmt.Errorf("lower: chunk signature: steps per chunk and event capacity must be ≥ 1, got %d and %d", k, capacity)
	}
	s := newSignature(p, capacity, k, false)
	s.Stop = -1
	s.Results = append(s.Results, s.Args[:s.Carried]...)
	if len(p.CompactBlocks()) > 0 {
		s.Results = append(s.Results, Value{Name: "events", Role: RoleRecordEvents, DType: dtypes.Int32, Shape: []int{k, s.Width}})
	}
	if s.TraceWidth > 0 {
		s.Results = append(s.Results, Value{Name: "traces", Role: RoleRecordTraces, DType: p.DType, Shape: []int{k, s.TraceWidth}})
	}
	return s, s.Check()
}

// State is the number of state arrays, which lead Args and Results
// (positions 0 to State()-1, Program.State order).
func (s *Step) State() int { return len(s.p.State) }

// At is the position among Args of the program's array v (a state array
// or a constant).
func (s *Step) At(v *lower.Var) int {
	if v.Const {
		return s.Consts + v.Index
	}
	return v.Index
}

// Records are the positions among Results of the recorded events and
// traces (-1 for what the step does not return: with Lowering.Keys the
// loop builds the events from the keys, see Loop).
func (s *Step) Records() (events, traces int) {
	events, traces = -1, -1
	for i, v := range s.Results {
		switch v.Role {
		case RoleRecordEvents:
			events = i
		case RoleRecordTraces:
			traces = i
		}
	}
	return events, traces
}

// preOps lists the operations the loop runs before the step: the split
// propagation of a program split by target, else, with Precompute and a
// compacted block, the whole fan-out tables and delayed own tables.
func preOps(p *lower.Program, s *Step) ([]PreOp, error) {
	if p.SplitByTarget() {
		if s.Row < 0 {
			return nil, fmt.Errorf("lower: step signature: the program is split by target but compacts no block")
		}
		return splitOps(p, s)
	}
	if !s.Lowering.Precompute || s.Row < 0 {
		return nil, nil
	}
	var out []PreOp
	for _, b := range p.FanBlocks() {
		out = append(out, fanOp(p, b, s, 1))
	}
	for _, pr := range p.DelayedEvents() {
		out = append(out, delayedOp(p, pr, s, 1))
	}
	return out, nil
}

// result is the whole shape of the step argument an operation gives.
func (op *PreOp) result(p *lower.Program) shapes.Shape {
	switch op.Kind {
	case PreFan:
		if op.Devices > 1 {
			return shapes.Make(p.DType, op.Devices, op.Block.Split.Cols)
		}
		return shapes.Make(p.DType, op.Block.Fan.Slots)
	case PreDelayed:
		buf := op.Proj.Delay.Buf
		return shapes.Make(buf.DType, buf.Shape...)
	}
	return shapes.Make(p.DType, op.Devices, p.SplitShare(op.Proj))
}

// shares are the shapes on one device of the step arguments args, each
// split along its axis in split (-1: whole) across devices.
func (s *Step) shares(args, split []int, devices int) []shapes.Shape {
	out := make([]shapes.Shape, len(args))
	for i, a := range args {
		v := s.Args[a]
		dims := slices.Clone(v.Shape)
		if split[i] >= 0 {
			dims[split[i]] /= devices
		}
		out[i] = shapes.Make(v.DType, dims...)
	}
	return out
}

// Check verifies the signature against its program: every argument is
// the program's array of that name, dtype and shape; every operation
// before the step reads arguments that exist and are not precomputed
// themselves; and every propagation the program splits by target, or
// that Precompute leaves to the loop, has its operation. A missing input
// is an error naming it, not a failure while tracing.
func (s *Step) Check() error {
	p := s.p
	bad := func(format string, a ...any) error {
		return fmt.Errorf("lower: step signature (capacity %d): %s", s.Capacity, fmt.Sprintf(format, a...))
	}
	for pos, v := range s.Args {
		var want *lower.Var
		switch v.Role {
		case RoleState:
			want = p.State[v.Of]
		case RoleConst:
			want = p.Consts[v.Of]
		default:
			continue
		}
		if v.Name != want.Name || v.DType != want.DType || !slices.Equal(v.Shape, want.Shape) {
			return bad("argument %d is %s %s %s%v, the program's %s %d is %s %s%v", pos, v.Role, v.Name, v.DType, v.Shape, v.Role, v.Of, want.Name, want.DType, want.Shape)
		}
	}
	for j, op := range s.Pre {
		if len(op.Split) != len(op.Args) || len(op.Inputs) != len(op.Args) {
			return bad("%s: %d arguments, %d split axes, %d input shapes", op.Name, len(op.Args), len(op.Split), len(op.Inputs))
		}
		for _, a := range op.Args {
			if a < 0 || a >= len(s.Args) || s.Args[a].Role == RolePrecomputed {
				return bad("%s reads argument %d, which is not the state, the events row or a constant", op.Name, a)
			}
		}
		if r := s.Args[op.Result]; r.Role != RolePrecomputed || r.Of != j {
			return bad("%s gives argument %d, which is %s %s", op.Name, op.Result, r.Role, r.Name)
		}
	}
	want, err := preOps(p, s) // what the program needs precomputed
	if err != nil {
		return bad("%v", err)
	}
	type key struct {
		kind  PreKind
		block *lower.Block
		proj  *lower.Projection
	}
	have := map[key]bool{}
	for _, op := range s.Pre {
		have[key{op.Kind, op.Block, op.Proj}] = true
	}
	for _, op := range want {
		if !have[key{op.Kind, op.Block, op.Proj}] {
			return bad("no operation before the step gives %q (split across %d devices, or left to the loop)", op.Name, p.Devices)
		}
	}
	return nil
}

// ArgShapes are the shapes of the step's arguments, in order: what the
// step is traced with.
func (s *Step) ArgShapes() []shapes.Shape {
	out := make([]shapes.Shape, len(s.Args))
	for i, v := range s.Args {
		out[i] = v.ShapeOf()
	}
	return out
}

// Program is the program the signature lays out.
func (s *Step) Program() *lower.Program { return s.p }

// Invariant is the number of constants among the arguments.
func (s *Step) Invariant() int {
	return len(s.p.Consts)
}

// LoopOutputs are the positions of the time loop's results (package
// loop's @main) after the carried values: the number of steps run, and
// the recorded events and traces (-1 when the program records none).
type LoopOutputs struct {
	Steps, Events, Traces int
}

// Loop is where the time loop that wraps this step returns what it
// records: after the carried values, the steps run, then the events
// (built by the loop from the keys, or the step's recorded row), then the
// traces.
func (s *Step) Loop() LoopOutputs {
	o := LoopOutputs{Steps: s.Carried, Events: -1, Traces: -1}
	at := s.Carried + 1
	if s.Row >= 0 {
		o.Events, at = at, at+1
	}
	if s.TraceWidth > 0 {
		o.Traces = at
	}
	return o
}

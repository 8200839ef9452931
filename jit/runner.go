// Package jit runs lowered programs. It compiles one executable per event
// capacity — the state's shapes and dtypes are fixed per program, so they
// complete the cache key — and keeps the state on the device between calls.
//
// Two engines run a program. The loop engine (the default on XLA backends)
// runs the time loop inside the executable (package loop): each call runs a
// segment of up to LoopProgram.Rows steps and stops early at a step in which
// more neurons fired than the capacity holds; that step's state is exact, its
// spikes are read from the spike flags, and the next call goes on with a
// larger capacity, so no step is ever computed twice. The chunk engine (the
// pure-Go backend, and the reference the loop is tested against) unrolls K
// steps per executable, loops on the host, and re-runs a chunk whose events
// overflowed. Either way results are exact and never truncated. Compile time
// is measured apart from run time.
package jit

import (
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"time"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"

	"github.com/brainc/brainc/emit"
	"github.com/brainc/brainc/lower"
	"github.com/brainc/brainc/pjrt"
	"github.com/brainc/brainc/signature"
)

// Engine names how a Runner drives the time loop.
type Engine string

// Engines.
const (
	// EngineAuto picks EngineLoop on XLA backends and EngineChunk otherwise.
	EngineAuto Engine = ""
	// EngineLoop runs the time loop inside the executable.
	EngineLoop Engine = "loop"
	// EngineChunk unrolls K steps per executable and loops on the host.
	EngineChunk Engine = "chunk"
)

// Options configures a Runner. The zero value is a sensible default.
type Options struct {
	// Engine selects the loop or the chunk engine (default: loop on XLA).
	Engine Engine
	// K is the number of steps unrolled per chunk of the chunk engine
	// (default DefaultK); the loop engine ignores it. Compile time grows
	// with K.
	K int
	// Capacity is the initial event capacity: how many neurons of one
	// population may fire in one step before the chunk is re-run with a
	// larger one (default DefaultCapacity).
	Capacity int
	// NoShrink keeps the capacity from stepping down again after quiet
	// chunks (tests set it to force overflow in every chunk).
	NoShrink bool
	// ScanCompaction has the loop engine compact spikes in the traced step
	// (prefix sum and scatter, the path a GPU takes) even where the loop
	// would use top-k (the CPU plugin): tests compare the two.
	ScanCompaction bool
	// ComposedOps has the loop engine use composed XLA ops (top-k
	// compaction, gather/scatter propagation) where it would use brainc's
	// CPU custom calls (LoopOps): tests and benchmarks compare the two.
	ComposedOps bool
	// Devices, when > 1, splits the network across that many devices of
	// the backend's PJRT client, neuron by neuron (lower.Program.ShardAxes:
	// build the program with lower.Options.PadTo = Devices so that every
	// block divides and its fan-out tables split by target: a program so
	// built needs exactly that many), and runs the loop as one program partitioned by XLA
	// (Shardy), which exchanges what each step needs between the devices.
	// It needs the loop engine; the CPU custom calls run each device's
	// share of the tables split by target, or, when some table stays
	// whole, the composed operators run instead (ProgramOps). 0 or 1:
	// device 0 only.
	Devices int
	// Log, when set, receives one line per loop-engine call: the steps it
	// ran, the capacity before and after, the largest firing count, whether
	// it stopped at an overflow, and its wall time per step.
	Log io.Writer
}

// Defaults.
const (
	DefaultK = 1
	// maxAutoK bounds AutoK: the chunk engine's compile time grows with
	// every unrolled step.
	maxAutoK        = 100
	DefaultCapacity = 16
	// fineBucketsFrom is the block size from which the chunk engine's
	// capacity buckets are ×2 apart instead of ×4: with many neurons a
	// bucket too large costs more per step (gathers and scatters of
	// capacity × fan-out) than compiling one more bucket; with few, the
	// chunk engine's compiles dominate (COBA, 5 s: ×2 is 25% faster at
	// 40,000 neurons and 30% slower at 4,000). The loop engine compiles a
	// bucket in a fraction of a second and always uses ×2 (COBA 4k, 1 s:
	// 0.37–0.40 s of run against 0.51–0.60 s with ×4, most of it at
	// capacity 32 instead of 64).
	fineBucketsFrom = 8192
	// shrinkAfter is how many chunks in a row must fit in half of the next
	// smaller bucket before the runner steps down.
	shrinkAfter = 3
	// shrinkCompileSteps is the run length left from which stepping down to a
	// bucket not compiled yet pays for its compile (COBA 40k: a compile ≈
	// 0.7 s; a bucket 4× too large ≈ 100 µs per step).
	shrinkCompileSteps = 10_000
)

// Stats reports where a run's time went.
type Stats struct {
	// CompileTime is the total time spent compiling executables.
	CompileTime time.Duration
	// RunTime is the time spent executing chunks and reading monitors, compile excluded.
	RunTime time.Duration
	// Compiles counts executables compiled; Chunks counts chunks accepted
	// (loop engine: calls); Reruns counts chunks re-run after an
	// event-capacity overflow (chunk engine); Overflows counts loop calls
	// that stopped at a step whose firing exceeded the capacity (loop
	// engine: nothing is re-run).
	Compiles, Chunks, Reruns, Overflows int
	// CacheHits counts loop programs found compiled in the process's cache
	// (another runner compiled the same program text); CompileTime then
	// holds only their tracing.
	CacheHits int
	// DiskHits counts loop programs loaded from the disk cache (see
	// UseDiskCache; CompileTime then holds their tracing and loading);
	// DiskErrors counts entries that could not be read, loaded or stored
	// (the program was compiled, or kept in memory only), DiskError the
	// last such error.
	DiskHits, DiskErrors int
	DiskError            error
	// Ops are the operators the loop engine's programs compact and
	// propagate spikes with (see LoopOps).
	Ops Ops
	// Devices is the number of devices the run is split across.
	Devices int
	// Steps is the number of steps simulated.
	Steps int
	// MaxCapacity is the largest event capacity used.
	MaxCapacity int
}

type execKey struct{ k, capacity int }

// Runner advances a program's state on a backend.
type Runner struct {
	backend backends.Backend
	prog    *lower.Program
	opts    Options
	execs   map[execKey]*graph.Exec
	// chunkSigs are the layouts of the chunk executables in execs.
	chunkSigs map[execKey]*signature.Step
	state     []*tensors.Tensor
	consts    []*tensors.Tensor
	// capacity is the current bucket; quiet counts quiet chunks in a row and
	// quietMax is their largest firing count; growth is the bucket ratio.
	capacity, quiet, quietMax, growth int
	stats                             Stats
	engine                            Engine
	// loop is the loop engine's device state (nil before its first run).
	loop *loopRun
	// closed is set by Close: the runner refuses to run after it.
	closed bool
}

// ErrClosed is returned by a Runner's Run, State and SetState after its
// Close.
var ErrClosed = errors.New("jit: the runner is closed")

// NewRunner prepares a runner with the program's initial state.
func NewRunner(backend backends.Backend, prog *lower.Program, opts Options) (*Runner, error) {
	if opts.K == 0 {
		opts.K = DefaultK
	}
	if opts.Capacity == 0 {
		opts.Capacity = DefaultCapacity
	}
	if opts.K < 1 {
		return nil, fmt.Errorf("jit: steps per chunk must be ≥ 1, got %d", opts.K)
	}
	if opts.Capacity < 1 {
		return nil, fmt.Errorf("jit: event capacity must be ≥ 1, got %d", opts.Capacity)
	}
	if opts.Devices < 0 || opts.Devices > lower.MaxDevices {
		return nil, fmt.Errorf("jit: devices must be between 1 and %d, got %d", lower.MaxDevices, opts.Devices)
	}
	if prog.SplitByTarget() && max(opts.Devices, 1) != prog.Devices {
		return nil, fmt.Errorf("jit: the program's propagation is split by target across %d devices (lower.Options.PadTo), but the run asks for %d", prog.Devices, max(opts.Devices, 1))
	}
	engine := opts.Engine
	switch engine {
	case EngineAuto:
		engine = EngineChunk
		if _, err := pjrt.Client(backend); err == nil {
			engine = EngineLoop
		} else if opts.Devices > 1 {
			return nil, fmt.Errorf("jit: running across %d devices needs an XLA backend: %w", opts.Devices, err)
		}
	case EngineLoop:
		if _, err := pjrt.Client(backend); err != nil {
			return nil, fmt.Errorf("jit: the loop engine needs an XLA backend: %w", err)
		}
	case EngineChunk:
		if opts.Devices > 1 {
			return nil, fmt.Errorf("jit: running across %d devices needs the loop engine, not the chunk engine", opts.Devices)
		}
	default:
		return nil, fmt.Errorf("jit: unknown engine %q: expected %q or %q", engine, EngineLoop, EngineChunk)
	}
	r := &Runner{backend: backend, prog: prog, opts: opts, execs: map[execKey]*graph.Exec{}, chunkSigs: map[execKey]*signature.Step{},
		state: prog.InitialState(), consts: prog.ConstTensors(), capacity: opts.Capacity, engine: engine}
	r.stats.MaxCapacity = r.capacity
	largest := 0
	for _, b := range prog.CompactBlocks() {
		largest = max(largest, b.Size)
	}
	r.growth = Growth(largest, engine)
	// Connectivity and weights go to the device once, not with every chunk
	// (across devices, the loop engine places them itself).
	if opts.Devices <= 1 {
		for _, t := range r.consts {
			if err := t.MaterializeOnDevice(backend, false, 0); err != nil {
				return nil, fmt.Errorf("jit: moving constants to the device: %w", err)
			}
		}
	}
	return r, nil
}

// Stats returns the statistics so far.
func (r *Runner) Stats() Stats { return r.stats }

// Capacity is the event capacity the next call starts with (Options.Capacity
// for a runner that takes over, driver.Run.Rebuild).
func (r *Runner) Capacity() int { return r.capacity }

// Engine returns the engine the runner uses.
func (r *Runner) Engine() Engine { return r.engine }

// State returns the current state (Program.State order), as host tensors
// for the loop engine.
func (r *Runner) State() ([]*tensors.Tensor, error) {
	if r.closed {
		return nil, ErrClosed
	}
	if r.loop != nil {
		return r.loopState()
	}
	return r.state, nil
}

// Chunk is what one accepted chunk recorded.
type Chunk struct {
	// Start is the index of the chunk's first step; Steps its length.
	Start, Steps int
	// Spikes holds, per spike-monitored population (lower.Program.SpikeMonitors
	// order), the firing indices of each step.
	Spikes []PopSpikes
	// Traces holds each trace's values, [Steps][len(indices)] row-major.
	Traces [][]float64
}

// PopSpikes are one population's spikes in a chunk.
type PopSpikes struct {
	Pop *lower.Population
	// Index[s] lists the neurons that fired at step Start+s.
	Index [][]int32
}

func (r *Runner) exec(k, capacity int) (*graph.Exec, bool, error) {
	key := execKey{k, capacity}
	if e, ok := r.execs[key]; ok {
		return e, false, nil
	}
	sig, err := signature.ForChunk(r.prog, k, capacity)
	if err != nil {
		return nil, false, err
	}
	e, err := graph.NewExec(r.backend, emit.Chunk(r.prog, sig))
	if err != nil {
		return nil, false, err
	}
	r.chunkSigs[key] = sig
	e.SetMaxCache(1)
	r.execs[key] = e
	return e, true, nil
}

// Run advances the state by steps, calling fn with the monitors of every
// accepted chunk or loop call (fn may be nil). An error from fn stops the
// run there, with the state consistent with the chunks fn was given; a
// later Run continues from it.
func (r *Runner) Run(steps int, fn func(*Chunk) error) error {
	if r.closed {
		return ErrClosed
	}
	if steps < 0 {
		return fmt.Errorf("jit: steps must be ≥ 0, got %d", steps)
	}
	if r.engine == EngineLoop {
		return r.runLoop(steps, fn)
	}
	return r.runChunks(steps, fn)
}

func (r *Runner) runChunks(steps int, fn func(*Chunk) error) error {
	compact := r.prog.CompactBlocks()
	for done := 0; done < steps; {
		n := min(r.opts.K, steps-done)
		for {
			e, fresh, err := r.exec(n, r.capacity)
			if err != nil {
				return err
			}
			sig := r.chunkSigs[execKey{n, r.capacity}]
			args := make([]any, 0, len(sig.Args))
			for _, t := range r.state {
				args = append(args, t)
			}
			for _, t := range r.consts {
				args = append(args, t)
			}
			if fresh {
				t0 := time.Now()
				if err := e.PreCompile(args...); err != nil {
					return fmt.Errorf("jit: compiling %d-step chunk (capacity %d): %w", n, r.capacity, err)
				}
				r.stats.CompileTime += time.Since(t0)
				r.stats.Compiles++
			}
			t0 := time.Now()
			outs, err := e.Exec(args...)
			if err != nil {
				return fmt.Errorf("jit: running chunk at step %d: %w", done, err)
			}
			evAt, trAt := sig.Records()
			ev, maxCount, overflow, err := r.readEvents(output(outs, evAt), compact, n)
			if err != nil {
				return err
			}
			if overflow {
				r.stats.RunTime += time.Since(t0)
				r.stats.Reruns++
				for _, t := range outs {
					_ = t.FinalizeAll()
				}
				// A truncated chunk undercounts what follows the overflow: aim at twice the count seen.
				r.capacity = r.bucketFor(r.capacity, 2*maxCount)
				r.stats.MaxCapacity = max(r.stats.MaxCapacity, r.capacity)
				r.quiet, r.quietMax = 0, 0
				continue
			}
			chunk, err := r.readChunk(done, n, output(outs, trAt), compact, ev)
			if err != nil {
				return err
			}
			for _, t := range r.state {
				_ = t.FinalizeAll()
			}
			r.state = outs[:sig.State()]
			for _, t := range outs[sig.State():] {
				_ = t.FinalizeAll()
			}
			r.stats.RunTime += time.Since(t0)
			r.stats.Chunks++
			r.stats.Steps += n
			done += n
			r.maybeShrink(maxCount, steps-done)
			diverged, err := findNonFinite(r.prog, func(i int) (*tensors.Tensor, error) { return r.state[i], nil }, r.stats.Steps)
			if err != nil {
				return err
			}
			if err := deliver(fn, chunk, diverged); err != nil {
				return err
			}
			break
		}
	}
	return nil
}

// events is a chunk's events output read to the host (see lower's chunk
// layout): per step, each compacted block's count then its indices.
type events struct {
	flat    []int32
	width   int
	offsets []int
}

// count is population j's firing count at step s.
func (ev *events) count(s, j int) int { return int(ev.flat[s*ev.width+ev.offsets[j]]) }

// indices are population j's firing neurons at step s.
func (ev *events) indices(s, j int) []int32 {
	at := s*ev.width + ev.offsets[j] + 1
	return ev.flat[at : at+ev.count(s, j)]
}

// output is outs[at], nil when at is -1 (the chunk does not return it).
func output(outs []*tensors.Tensor, at int) *tensors.Tensor {
	if at < 0 {
		return nil
	}
	return outs[at]
}

// readEvents reads the events output and returns it with the largest
// per-step count of the chunk and whether any population's count exceeded
// its capacity (then the indices are incomplete and the chunk must re-run).
func (r *Runner) readEvents(out *tensors.Tensor, compact []*lower.Block, n int) (*events, int, bool, error) {
	if out == nil {
		return &events{}, 0, false, nil
	}
	offsets, width := r.prog.EventLayout(r.capacity)
	flat, err := tensors.CopyFlatData[int32](out)
	if err != nil {
		return nil, 0, false, err
	}
	ev := &events{flat: flat, width: width, offsets: offsets}
	maxCount, overflow := 0, false
	for j, b := range compact {
		for s := range n {
			c := ev.count(s, j)
			maxCount = max(maxCount, c)
			overflow = overflow || c > lower.Capacity(b, r.capacity)
		}
	}
	return ev, maxCount, overflow, nil
}

// maybeShrink lowers the capacity after several quiet chunks, so that one
// early burst does not slow the rest of the run. It jumps straight to the
// smallest bucket that holds twice the largest count of those chunks, so no
// bucket in between is compiled on the way down. A bucket not compiled yet
// is taken only when it is at most a quarter of the current one or at least
// shrinkCompileSteps steps remain: a compile costs as much as many chunks.
func (r *Runner) maybeShrink(maxCount, remaining int) {
	if r.opts.NoShrink || r.capacity <= r.opts.Capacity {
		return
	}
	if 2*maxCount*r.growth > r.capacity {
		r.quiet, r.quietMax = 0, 0
		return
	}
	r.quietMax = max(r.quietMax, maxCount)
	if r.quiet++; r.quiet >= shrinkAfter {
		c := r.bucketFor(r.opts.Capacity, 2*r.quietMax)
		if r.compiled(c) || 4*c <= r.capacity || remaining >= shrinkCompileSteps {
			r.capacity = c
		}
		r.quiet, r.quietMax = 0, 0
	}
}

// compiled reports whether a chunk with the given capacity was compiled.
func (r *Runner) compiled(capacity int) bool {
	for key := range r.execs {
		if key.capacity == capacity {
			return true
		}
	}
	return false
}

func (r *Runner) readChunk(start, n int, t *tensors.Tensor, compact []*lower.Block, ev *events) (*Chunk, error) {
	c := &Chunk{Start: start, Steps: n}
	for _, pop := range r.prog.SpikeMonitors {
		j := slices.Index(compact, pop.Block)
		ps := PopSpikes{Pop: pop, Index: make([][]int32, n)}
		for s := range n {
			ps.Index[s] = pop.Local(slices.Clone(ev.indices(s, j)))
		}
		c.Spikes = append(c.Spikes, ps)
	}
	if t == nil {
		return c, nil
	}
	var all []float64
	if err := t.ConstFlatData(func(flat any) { all = floats(flat) }); err != nil {
		return nil, err
	}
	if all == nil {
		return nil, fmt.Errorf("jit: traces of dtype %s, expected a float type", t.DType())
	}
	c.Traces = splitTraces(r.prog, all, n)
	return c, nil
}

// AutoK picks the steps per chunk for a run of steps on a backend kind
// ("cpu", "cuda", "go", ...). On XLA's CPU backend a step's cost is its
// kernels, not the dispatch, while compile time grows with every unrolled
// step (0.25–0.9 s per step for COBA 4k), so K grows only with the square
// root of the run length (fitted to COBA 4k timings: K=2 for 10,000 steps).
// On GPUs dispatch dominates small steps (COBA 4k on an H100: 1.6 ms/step at
// K=1, 0.14 ms at K=50), but compile time also grows with K (41 s at K=50),
// so K grows with the run up to maxAutoK. It concerns the chunk engine
// only; the loop engine's program does not depend on the run length.
func AutoK(kind string, steps int) int {
	switch kind {
	case "cuda":
		return max(1, min(maxAutoK, int(math.Round(math.Sqrt(float64(steps)*0.1)))))
	case "go":
		return 1
	}
	return max(1, min(maxAutoK, int(math.Round(math.Sqrt(float64(steps)*5e-4)))))
}

// bucketFor is the first capacity bucket from c up (×growth each) that
// holds n neurons.
func (r *Runner) bucketFor(c, n int) int {
	for c < n {
		c *= r.growth
	}
	return c
}

// Growth is the ratio between capacity buckets for a program whose largest
// compacted block has maxSize neurons, run by engine: 2, but 4 for the
// chunk engine below fineBucketsFrom neurons.
func Growth(maxSize int, engine Engine) int {
	if engine == EngineChunk && maxSize < fineBucketsFrom {
		return 4
	}
	return 2
}

// Buckets lists the event capacities a loop-engine run may use: initial,
// then ×Growth each, up to the first that holds maxSize neurons (the
// largest compacted block), which never overflows.
func Buckets(initial, maxSize int) []int {
	if initial < 1 {
		initial = DefaultCapacity
	}
	out := []int{initial}
	for c := initial; c < maxSize; {
		c *= Growth(maxSize, EngineLoop)
		out = append(out, c)
	}
	return out
}

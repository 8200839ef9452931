package jit

import (
	"fmt"
	"slices"
	"strings"
	"time"

	xlapjrt "github.com/gomlx/go-xla/pkg/pjrt"
	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"

	"github.com/brainc/brainc/cpuops"
	"github.com/brainc/brainc/emit"
	"github.com/brainc/brainc/loop"
	"github.com/brainc/brainc/lower"
	"github.com/brainc/brainc/pjrt"
	"github.com/brainc/brainc/signature"
)

// Segment sizes of the loop engine.
const (
	// MaxRows is the most steps one loop call records (and so runs).
	MaxRows = 4096
	// maxRecordBytes bounds one call's record buffers (events and traces),
	// which sets the rows of programs with wide rows (large capacities).
	maxRecordBytes = 32 << 20
	// minRows is the fewest rows a program records, whatever its row width.
	minRows = 16
	// segmentWall is the wall time one call aims at, so that progress and
	// cancellation stay responsive; the host sizes each call from the last.
	segmentWall = 200 * time.Millisecond
	// firstSegment is the length of the first call, and of the first call
	// after the capacity grew (short, so that the capacity can step down
	// soon after a burst).
	firstSegment = 64
)

// LoopProgram is the looping executable's program for one event capacity
// (package loop): StableHLO text and the layout of its inputs and outputs.
//
// Inputs: the step's carried and constant arguments (Signature: the
// state, the events row when Width > 0, the constants), and n (Int32
// scalar, 0 ≤ n ≤ Rows). Outputs: the carried values after the steps run
// (the state, the events row of the last step), the number of steps run
// (Int32 scalar; fewer than n when a step overflowed its capacity: that is
// the last one), the events of every step run, Int32 [Rows, Width] (when
// Width > 0), and the traces, Float [Rows, TraceWidth] (when TraceWidth >
// 0): Signature.Loop gives their positions.
type LoopProgram struct {
	Text string
	// Capacity is the event capacity; Width the events row width
	// (lower.Program.EventLayout), TraceWidth the traces row width, Rows the
	// most steps per call.
	Capacity, Width, TraceWidth, Rows int
	// CustomCalls are the custom-call targets the text calls (package
	// cpuops): a runtime must have their handlers registered to run it.
	CustomCalls []string
	// Signature is the traced step's layout, which sets the loop's
	// arguments and results.
	Signature *signature.Step
}

// NewLoopProgram traces one step of p with the given event capacity on the
// XLA backend b (without compiling it) and wraps it in the time loop, with
// the operators the backend runs best (LoopOps).
func NewLoopProgram(b backends.Backend, p *lower.Program, name string, capacity int) (*LoopProgram, error) {
	return NewLoopProgramWith(b, p, name, capacity, false)
}

// NewLoopProgramWith is NewLoopProgram with composed operators forced
// (see LoopOps) when composed is set.
func NewLoopProgramWith(b backends.Backend, p *lower.Program, name string, capacity int, composed bool) (*LoopProgram, error) {
	ops, _ := LoopOps(b, composed)
	return newLoopProgram(b, p, name, capacity, ops)
}

// Ops say how the time loop compacts spikes and propagates them.
type Ops int

const (
	// OpsScan compacts in the traced step with a prefix sum and a scatter
	// (ops.Compact) and propagates with gathers and scatters (the GPU's
	// path).
	OpsScan Ops = iota
	// OpsTopK compacts in the loop with XLA's top-k (loop.Compaction);
	// propagation stays in the step.
	OpsTopK
	// OpsCustom compacts and propagates the fan-out tables (and the own
	// tables of projections with per-synapse delays) with brainc's CPU
	// custom calls (package cpuops): one call each per step.
	OpsCustom
)

// String names the ops as --explain and brainc devices say them.
func (o Ops) String() string {
	switch o {
	case OpsTopK:
		return "composed XLA ops (top-k compaction in the loop, gather/scatter propagation)"
	case OpsCustom:
		return "brainc custom calls (" + cpuops.CompactTarget + ", " + cpuops.CSRTarget + ", " + cpuops.CSRDelayedTarget + ")"
	}
	return "composed XLA ops (prefix-sum compaction, gather/scatter propagation)"
}

// Name is the ops' short name: "scan", "topk" or "custom".
func (o Ops) Name() string {
	switch o {
	case OpsTopK:
		return "topk"
	case OpsCustom:
		return "custom"
	}
	return "scan"
}

// LoopOps chooses the loop's operators on backend b: custom calls on the
// CPU plugin when their handlers are registered there (cpuops.Register;
// composed forces the composed ops), top-k compaction on the CPU plugin
// otherwise, the scan elsewhere. why says why custom calls are not used
// ("" when they are).
func LoopOps(b backends.Backend, composed bool) (ops Ops, why string) {
	c, err := pjrt.Client(b)
	if err != nil {
		return OpsScan, err.Error()
	}
	if !strings.EqualFold(c.Platform(), "cpu") {
		return OpsScan, "custom calls are written for the CPU plugin only; platform " + c.Platform()
	}
	if composed {
		return OpsTopK, "composed ops asked for"
	}
	if err := cpuops.Register(c); err != nil {
		return OpsTopK, err.Error()
	}
	return OpsCustom, ""
}

// ProgramOps chooses the loop's operators for program p split across
// devices (1: not split) on backend b: LoopOps, but the composed ones for
// a split program whose fan-out or delay tables are not all split by
// target (custom calls run on each device's share of a table, in a manual
// computation; a table left whole would sit in the partitioned step,
// where they have no partitioning rule). why says why custom calls are
// not used ("" when they are).
func ProgramOps(b backends.Backend, p *lower.Program, devices int, composed bool) (ops Ops, why string) {
	if devices > 1 && !p.SplitCovers() {
		ops, why = LoopOps(b, true)
		if ops != OpsScan {
			why = fmt.Sprintf("split across %d devices with tables that stay whole on every device (blocks that do not divide), where the custom calls have no partitioning rule", devices)
		}
		return ops, why
	}
	return LoopOps(b, composed)
}

// newLoopProgram is NewLoopProgram with the given operators.
func newLoopProgram(b backends.Backend, p *lower.Program, name string, capacity int, ops Ops) (*LoopProgram, error) {
	if p.SplitByTarget() && ops == OpsCustom && !p.SplitCovers() {
		return nil, fmt.Errorf("jit: the program's propagation is split by target across %d devices with tables left whole, which brainc's custom calls cannot run: use composed operators", p.Devices)
	}
	sig, err := signature.ForLoop(p, capacity, ops.lowering())
	if err != nil {
		return nil, err
	}
	lp := &LoopProgram{Capacity: capacity, Width: sig.Width, TraceWidth: sig.TraceWidth, Signature: sig}
	rowBytes := 4*sig.Width + p.DType.Size()*sig.TraceWidth
	lp.Rows = MaxRows
	if rowBytes > 0 {
		lp.Rows = max(minRows, min(MaxRows, maxRecordBytes/rowBytes))
	}
	spec := loop.Spec{Name: name, Carried: sig.Carried, Invariant: sig.Invariant(), Rows: lp.Rows}
	if sig.Lowering.Keys {
		spec.Compact = &loop.Compaction{Row: sig.Row}
		for _, blk := range p.CompactBlocks() {
			cb := loop.CompactBlock{Size: blk.Size, Capacity: lower.Capacity(blk, capacity)}
			if p.Devices > 1 && blk.Size%p.Devices == 0 {
				cb.Devices = p.Devices // each device compacts its own neurons
			}
			spec.Compact.Blocks = append(spec.Compact.Blocks, cb)
		}
	}
	var targets []string // the custom calls of the operations before the step, in order of first use
	at := rowOffsets(p, capacity)
	for j, op := range sig.Pre {
		c, t, err := precompute(b, p, sig, op, fmt.Sprintf("%s_split%d", name, j), ops, at)
		if err != nil {
			return nil, err
		}
		if t != "" && !slices.Contains(targets, t) {
			targets = append(targets, t)
		}
		spec.Computed = append(spec.Computed, c)
	}
	if sig.Lowering.ByteKeys {
		spec.Compact.Target, spec.Compact.KeyType = cpuops.CompactTarget, "ui8"
		if p.SplitByTarget() {
			targets = append(targets, cpuops.CompactTarget)
		} else {
			targets = append([]string{cpuops.CompactTarget}, targets...)
		}
	}
	lp.CustomCalls = targets
	step, err := pjrt.TraceStableHLO(b, name+"_step", sig.ArgShapes(), emit.Body(p, sig))
	if err != nil {
		return nil, err
	}
	lp.Text, err = loop.Module(step, spec)
	return lp, err
}

// lowering is what the loop does around the step with these operators:
// the top-k and custom compactions leave it to the loop (keys, bytes for
// the custom one), and the custom calls propagate the whole tables before
// the step.
func (o Ops) lowering() signature.Lowering {
	return signature.Lowering{Keys: o != OpsScan, ByteKeys: o == OpsCustom, Precompute: o == OpsCustom}
}

// precompute is the one place that chooses how an operation before the
// step runs: a whole table by its custom call (only the custom operators
// precompute whole tables); one device's share of a split one by its
// custom call with the custom operators when one computes it (fan-out
// and delayed tables), else by its composed graph traced on its own
// (procedural rows, STP-scaled tables, composed operators). It returns
// the custom call's target ("" when composed).
func precompute(b backends.Backend, p *lower.Program, sig *signature.Step, op signature.PreOp, name string, ops Ops, at map[*lower.Block]int) (loop.Computed, string, error) {
	target, meta := customOp(op, at, sig.Capacity, p)
	if ops != OpsCustom {
		target = ""
	}
	if op.Devices == 1 {
		if target == "" {
			return loop.Computed{}, "", fmt.Errorf("jit: %s: a whole table is precomputed by a custom call only", op.Name)
		}
		return loop.Computed{Target: target, Meta: meta, Args: op.Args}, target, nil
	}
	m := &loop.Manual{Split: op.Split, ResultAxis: op.ResultAxis}
	if target != "" {
		m.Target, m.Meta, m.Devices = target, meta, op.Devices
	} else {
		fn, err := emit.PreFn(p, sig, op)
		if err != nil {
			return loop.Computed{}, "", err
		}
		if m.Text, err = pjrt.TraceStableHLO(b, name, op.Inputs, fn); err != nil {
			return loop.Computed{}, "", fmt.Errorf("jit: %s: %w", op.Name, err)
		}
	}
	return loop.Computed{Manual: m, Args: op.Args}, target, nil
}

// rowOffsets is where each compacted block's count lies in the events
// row (EventLayout), what the custom calls' meta operands give them.
func rowOffsets(p *lower.Program, capacity int) map[*lower.Block]int {
	offsets, _ := p.EventLayout(capacity)
	at := map[*lower.Block]int{}
	for j, blk := range p.CompactBlocks() {
		at[blk] = offsets[j]
	}
	return at
}

// csrMeta is brainc_csr's meta operand for block blk's fan-out table
// (whole, or one device's share): the block's count offset in the events
// row, its capacity, its size and the weight mode (one weight per
// synapse, per target slot, or one for all).
func csrMeta(p *lower.Program, blk *lower.Block, at map[*lower.Block]int, capacity int) []int32 {
	wmode := cpuops.WeightScalar
	switch {
	case blk.Fan.PerSynapse:
		wmode = cpuops.WeightSynapse
	case len(blk.Fan.Weight.Shape) > 0: // whole [slots+1] or split [devices, cols+1]
		wmode = cpuops.WeightSlot
	}
	return []int32{int32(at[blk]), int32(lower.Capacity(blk, capacity)), int32(blk.Size), int32(wmode)}
}

// csrDelayedMeta is brainc_csr_delayed's meta operand for a delayed
// projection's own table (whole, or one device's share): its source
// block's count offset and capacity, the source's offset and size in the
// block, and the weight mode.
func csrDelayedMeta(pr *lower.Projection, at map[*lower.Block]int, capacity int) []int32 {
	wmode := cpuops.WeightScalar
	if pr.Own.Weights != nil {
		wmode = cpuops.WeightSynapse
	}
	blk := pr.Pre.Block
	return []int32{int32(at[blk]), int32(lower.Capacity(blk, capacity)), int32(pr.Pre.Offset), int32(pr.Pre.Size), int32(wmode)}
}

// customOp is the custom call (and its meta operand) that computes an
// operation before the step, on a whole table or one device's share (a
// fan-out table, a delayed own table), or "" when none does (procedural
// rows, STP-scaled tables: traced). at is rowOffsets.
func customOp(op signature.PreOp, at map[*lower.Block]int, capacity int, p *lower.Program) (string, []int32) {
	switch op.Kind {
	case signature.PreFan:
		return cpuops.CSRTarget, csrMeta(p, op.Block, at, capacity)
	case signature.PreDelayed:
		return cpuops.CSRDelayedTarget, csrDelayedMeta(op.Proj, at, capacity)
	}
	return "", nil
}

// loopExec is a compiled LoopProgram.
type loopExec struct {
	*LoopProgram
	exe *xlapjrt.LoadedExecutable
}

// loopRun is the loop engine's device state.
type loopRun struct {
	client *xlapjrt.Client
	execs  map[int]*loopExec
	// shard lays the arrays across the devices.
	shard *sharding
	// state[d] and row[d] are device d's, owned by the runner (donated to
	// each call); consts[d] are device d's constants: on one device the
	// constants' tensors' buffers, else the runner's own (ownConsts).
	state     [][]*xlapjrt.Buffer
	row       []*xlapjrt.Buffer
	consts    [][]*xlapjrt.Buffer
	ownConsts bool
	// last holds, per compacted block, the neurons that fired in the
	// last step run (to rebuild the row when the capacity changes).
	last [][]int32
	// segment is the length of the next call.
	segment int
}

func (r *Runner) startLoop() error {
	client, err := pjrt.Client(r.backend)
	if err != nil {
		return err
	}
	sh := newSharding(r.prog, r.opts.Devices)
	if have := len(client.AddressableDevices()); sh.devices > have {
		return fmt.Errorf("jit: running across %d devices: the backend has %d (the CPU plugin gives as many as pjrt.Options.Devices asks)", sh.devices, have)
	}
	D := sh.devices
	l := &loopRun{client: client, execs: map[int]*loopExec{}, segment: firstSegment, shard: sh,
		state: make([][]*xlapjrt.Buffer, D), consts: make([][]*xlapjrt.Buffer, D), row: make([]*xlapjrt.Buffer, D), ownConsts: D > 1}
	for j, t := range r.consts {
		if D > 1 {
			bufs, err := sh.upload(client, t, sh.consts[j])
			if err != nil {
				return fmt.Errorf("jit: moving %s to the devices: %w", r.prog.Consts[j].Name, err)
			}
			for d, b := range bufs {
				l.consts[d] = append(l.consts[d], b)
			}
			continue
		}
		buf, err := t.Buffer(r.backend, 0)
		if err != nil {
			return fmt.Errorf("jit: constants on the device: %w", err)
		}
		pb, ok := buf.(*xlapjrt.Buffer)
		if !ok {
			return fmt.Errorf("jit: constant buffer is a %T, not a PJRT buffer", buf)
		}
		l.consts[0] = append(l.consts[0], pb)
	}
	state, err := l.upload(r.prog, r.state)
	if err != nil {
		return err
	}
	l.state = state
	for _, b := range r.prog.CompactBlocks() {
		idx, err := firing(r.state[b.Spike.Index])
		if err != nil {
			return err
		}
		l.last = append(l.last, idx)
		r.capacity = r.bucketFor(r.capacity, len(idx)) // a checkpoint may start mid-burst
	}
	r.loop = l
	r.state = nil // the device buffers are the state now
	return l.setRow(r.prog, r.capacity)
}

// upload copies host state (Program.State order) into buffers the runner
// owns, split across the devices: [device][state array].
func (l *loopRun) upload(p *lower.Program, state []*tensors.Tensor) ([][]*xlapjrt.Buffer, error) {
	out := make([][]*xlapjrt.Buffer, l.shard.devices)
	for i, t := range state {
		bufs, err := l.shard.upload(l.client, t, l.shard.state[i])
		if err != nil {
			for _, d := range out {
				destroyAll(d)
			}
			return nil, fmt.Errorf("jit: moving %s to the device: %w", p.State[i].Name, err)
		}
		for d, b := range bufs {
			out[d] = append(out[d], b)
		}
	}
	return out, nil
}

// stateTensor reads state array i from the devices into one host tensor.
func (l *loopRun) stateTensor(i int) (*tensors.Tensor, error) {
	bufs := make([]*xlapjrt.Buffer, len(l.state))
	for d := range l.state {
		bufs[d] = l.state[d][i]
	}
	return l.shard.join(bufs, l.shard.state[i])
}

// destroyState frees the state buffers of every device.
func (l *loopRun) destroyState() {
	for _, d := range l.state {
		destroyAll(d)
	}
}

// firing lists the true entries of a Bool spike-flag tensor.
func firing(t *tensors.Tensor) ([]int32, error) {
	flags, err := tensors.CopyFlatData[bool](t)
	if err != nil {
		return nil, err
	}
	var idx []int32
	for i, f := range flags {
		if f {
			idx = append(idx, int32(i))
		}
	}
	return idx, nil
}

// setRow uploads the events row of the last step for the given capacity
// (every count fits it: the caller grew the capacity first).
func (l *loopRun) setRow(p *lower.Program, capacity int) error {
	compact := p.CompactBlocks()
	if len(compact) == 0 {
		return nil
	}
	offsets, width := p.EventLayout(capacity)
	row := make([]int32, width)
	for j, b := range compact {
		c := lower.Capacity(b, capacity)
		if len(l.last[j]) > c {
			return fmt.Errorf("jit: %d neurons of %s fired in the last step, more than the capacity %d", len(l.last[j]), b.Name, c)
		}
		at := offsets[j]
		row[at] = int32(len(l.last[j]))
		fill := row[at+1 : at+1+c]
		for k := range fill {
			fill[k] = int32(b.Size) // the padding index
		}
		copy(fill, l.last[j])
	}
	for d := range l.row { // the row is whole on every device
		if l.row[d] != nil {
			_ = l.row[d].Destroy()
		}
		var err error
		if l.row[d], err = l.client.BufferFromHost().ToDeviceNum(d).FromFlatDataWithDimensions(row, []int{width}).Done(); err != nil {
			return err
		}
	}
	return nil
}

// loopExec returns the compiled program of a capacity, compiling it once.
func (r *Runner) loopExec(capacity int) (*loopExec, error) {
	if e, ok := r.loop.execs[capacity]; ok {
		return e, nil
	}
	t0 := time.Now()
	ops := OpsScan
	sh := r.loop.shard
	if !r.opts.ScanCompaction {
		ops, _ = ProgramOps(r.backend, r.prog, sh.devices, r.opts.ComposedOps)
	}
	r.stats.Ops, r.stats.Devices = ops, sh.devices
	lp, err := newLoopProgram(r.backend, r.prog, fmt.Sprintf("loop_c%d", capacity), capacity, ops)
	if err != nil {
		return nil, err
	}
	text, err := sh.shardText(lp, r.prog)
	if err != nil {
		return nil, err
	}
	exe, from, diskErr, err := compiled.get(r.loop.client, text, sh.devices, func(named string) (*xlapjrt.LoadedExecutable, error) {
		return sh.compile(r.loop.client, named)
	})
	if diskErr != nil {
		r.stats.DiskErrors++
		r.stats.DiskError = diskErr
	}
	if err != nil {
		return nil, fmt.Errorf("jit: compiling the time loop (capacity %d): %w", capacity, err)
	}
	r.stats.CompileTime += time.Since(t0)
	switch from {
	case fromMemory:
		r.stats.CacheHits++
	case fromDisk:
		r.stats.DiskHits++
	default:
		r.stats.Compiles++
	}
	e := &loopExec{LoopProgram: lp, exe: exe}
	r.loop.execs[capacity] = e
	return e, nil
}

// runLoop advances the state by steps with the loop engine: one call per
// segment, each running up to its segment length inside the executable.
func (r *Runner) runLoop(steps int, fn func(*Chunk) error) error {
	if r.loop == nil {
		if err := r.startLoop(); err != nil {
			return err
		}
	}
	l := r.loop
	p := r.prog
	compact := p.CompactBlocks()
	for done := 0; done < steps; {
		e, err := r.loopExec(r.capacity)
		if err != nil {
			return err
		}
		n := min(l.segment, e.Rows, steps-done)
		t0 := time.Now()
		// Device after device: its state, its events row, its constants, n.
		var args, nbufs []*xlapjrt.Buffer
		var donate []bool // the state and the row: the outputs may reuse them
		for d := range l.shard.devices {
			nbuf, err := l.client.BufferFromHost().ToDeviceNum(d).FromFlatDataWithDimensions([]int32{int32(n)}, []int{}).Done()
			if err != nil {
				destroyAll(nbufs)
				return err
			}
			nbufs = append(nbufs, nbuf)
			args = append(args, l.state[d]...)
			if e.Signature.Row >= 0 {
				args = append(args, l.row[d])
			}
			for range len(args) - len(donate) {
				donate = append(donate, true)
			}
			args = append(args, l.consts[d]...)
			args = append(args, nbuf)
			for range len(args) - len(donate) {
				donate = append(donate, false)
			}
		}
		outs, err := e.exe.Execute(args...).SetDonate(donate).Done()
		destroyAll(nbufs)
		if err != nil {
			if path := compiled.forget(e.exe); path != "" {
				delete(l.execs, r.capacity)
				return fmt.Errorf("jit: running the time loop at step %d: %w (the program came from the disk cache: %s removed; the next run compiles it)", r.stats.Steps, err, path)
			}
			return fmt.Errorf("jit: running the time loop at step %d: %w", r.stats.Steps, err)
		}
		per := len(outs) / l.shard.devices
		sig := e.Signature
		lo := sig.Loop()
		l.destroyState()
		for d := range l.shard.devices {
			o := outs[d*per : (d+1)*per]
			l.state[d] = o[:sig.State()]
			if sig.Row >= 0 {
				_ = l.row[d].Destroy()
				l.row[d] = o[sig.Row]
			}
			if d > 0 { // the steps run and the records are whole on every device: device 0's are read
				destroyAll(o[sig.Carried:])
			}
		}
		outs = outs[:per]
		ran, err := xlapjrt.BufferToScalar[int32](outs[lo.Steps])
		_ = outs[lo.Steps].Destroy()
		if err != nil {
			return err
		}
		k := int(ran)
		chunk := &Chunk{Start: r.stats.Steps, Steps: k}
		var ev *events
		if lo.Events >= 0 {
			flat, _, err := xlapjrt.BufferToArray[int32](outs[lo.Events])
			_ = outs[lo.Events].Destroy()
			if err != nil {
				return err
			}
			offsets, width := p.EventLayout(e.Capacity)
			ev = &events{flat: flat, width: width, offsets: offsets}
		}
		if lo.Traces >= 0 {
			flat, _, err := outs[lo.Traces].ToFlatDataAndDimensions()
			_ = outs[lo.Traces].Destroy()
			if err != nil {
				return err
			}
			chunk.Traces = splitTraces(p, floats(flat)[:k*e.TraceWidth], k)
		}
		// The last step's firing, exact even when it overflowed: then it is
		// read from the spike flags, and the capacity grows before going on.
		overflow, maxCount := false, 0
		if ev != nil {
			for j, b := range compact {
				for s := range k {
					maxCount = max(maxCount, ev.count(s, j))
				}
				overflow = overflow || ev.count(k-1, j) > lower.Capacity(b, e.Capacity)
			}
			for j, b := range compact {
				if overflow {
					flags, err := l.stateTensor(b.Spike.Index)
					if err != nil {
						return err
					}
					if l.last[j], err = firing(flags); err != nil {
						return err
					}
					// The events row counts at most capacity+1 (top-k
					// compaction): the flags give the step's true count.
					maxCount = max(maxCount, len(l.last[j]))
				} else {
					l.last[j] = slices.Clone(ev.indices(k-1, j))
				}
			}
			for _, pop := range p.SpikeMonitors {
				j := slices.Index(compact, pop.Block)
				ps := PopSpikes{Pop: pop, Index: make([][]int32, k)}
				for s := range k - 1 {
					ps.Index[s] = pop.Local(slices.Clone(ev.indices(s, j)))
				}
				ps.Index[k-1] = pop.Local(slices.Clone(l.last[j]))
				chunk.Spikes = append(chunk.Spikes, ps)
			}
		}
		elapsed := time.Since(t0)
		r.stats.RunTime += elapsed
		r.stats.Chunks++
		r.stats.Steps += k
		done += k
		before := r.capacity
		if overflow {
			r.stats.Overflows++
			r.capacity = r.bucketFor(r.capacity, 2*maxCount)
			r.stats.MaxCapacity = max(r.stats.MaxCapacity, r.capacity)
			l.segment = firstSegment
		} else {
			r.shrinkLoop(maxCount, steps-done)
			// Segments grow at most ×4 a call: after a burst the capacity
			// comes back down within a few short calls.
			l.segment = max(minRows, min(MaxRows, 4*k, int(float64(k)*segmentWall.Seconds()/max(elapsed.Seconds(), 1e-6))))
		}
		var diverged *NonFiniteError
		if k < n { // stopped early: an overflow, or a state went non-finite (or both in one step)
			if diverged, err = findNonFinite(p, l.stateTensor, r.stats.Steps); err != nil {
				return err
			}
			if diverged == nil && !overflow {
				return fmt.Errorf("jit: the time loop stopped after %d of %d steps without an overflow or a non-finite state", k, n)
			}
		}
		if r.opts.Log != nil {
			fmt.Fprintf(r.opts.Log, "loop call: steps %d-%d (%d asked), capacity %d -> %d, most firing %d, overflow %v, %.1f µs/step\n",
				chunk.Start, chunk.Start+k-1, n, before, r.capacity, maxCount, overflow, 1e6*elapsed.Seconds()/float64(k))
		}
		if r.capacity != before && diverged == nil {
			if err := l.setRow(p, r.capacity); err != nil {
				return err
			}
		}
		if err := deliver(fn, chunk, diverged); err != nil {
			return err
		}
	}
	return nil
}

// shrinkLoop steps the capacity down after a call that fit in a smaller
// bucket: straight to the smallest bucket holding its largest count, when
// that bucket is compiled already, is at most a quarter of the current one,
// or enough steps remain to pay its compile. (A later step that overflows
// costs one call boundary, not a re-run: the loop stops at it and goes on
// with a larger bucket, compiled once.)
func (r *Runner) shrinkLoop(maxCount, remaining int) {
	c := r.bucketFor(r.opts.Capacity, maxCount)
	if r.opts.NoShrink || c >= r.capacity {
		return
	}
	if _, ok := r.loop.execs[c]; ok || 4*c <= r.capacity || remaining >= shrinkCompileSteps {
		r.capacity = c
	}
}

// loopState copies the loop engine's device state to host tensors.
func (r *Runner) loopState() ([]*tensors.Tensor, error) {
	out := make([]*tensors.Tensor, len(r.prog.State))
	for i := range out {
		t, err := r.loop.stateTensor(i)
		if err != nil {
			return nil, fmt.Errorf("jit: reading %s: %w", r.prog.State[i].Name, err)
		}
		out[i] = t
	}
	return out, nil
}

// bufferTensor copies a device buffer into a host tensor.
func bufferTensor(b *xlapjrt.Buffer) (*tensors.Tensor, error) {
	flat, dims, err := b.ToFlatDataAndDimensions()
	if err != nil {
		return nil, err
	}
	return HostTensor(flat, dims)
}

// HostTensor makes a host tensor of flat data ([]float32, []float64,
// []int32 or []bool: the dtypes of a program's state) and its dimensions.
func HostTensor(flat any, dims []int) (*tensors.Tensor, error) {
	switch v := flat.(type) {
	case []float32:
		return tensors.FromFlatDataAndDimensions(v, dims...), nil
	case []float64:
		return tensors.FromFlatDataAndDimensions(v, dims...), nil
	case []int32:
		return tensors.FromFlatDataAndDimensions(v, dims...), nil
	case []bool:
		return tensors.FromFlatDataAndDimensions(v, dims...), nil
	}
	return nil, fmt.Errorf("jit: state of unsupported type %T", flat)
}

// floats converts float32 or float64 flat data to float64.
func floats(flat any) []float64 {
	switch v := flat.(type) {
	case []float32:
		out := make([]float64, len(v))
		for i, x := range v {
			out[i] = float64(x)
		}
		return out
	case []float64:
		return slices.Clone(v)
	}
	return nil
}

// splitTraces splits n rows of side-by-side traces into one series per
// trace, [n][len(indices)] row-major each.
func splitTraces(p *lower.Program, all []float64, n int) [][]float64 {
	if n == 0 {
		return make([][]float64, len(p.Traces))
	}
	width := len(all) / n
	var out [][]float64
	col := 0
	for _, tr := range p.Traces {
		m := len(tr.Indices)
		vals := make([]float64, 0, n*m)
		for s := range n {
			vals = append(vals, all[s*width+col:s*width+col+m]...)
		}
		out = append(out, vals)
		col += m
	}
	return out
}

// Close releases the runner's executables and device state; a later Run,
// State or SetState returns ErrClosed. Closing again does nothing.
func (r *Runner) Close() {
	r.closed = true
	for _, e := range r.execs {
		e.Finalize()
	}
	r.execs = map[execKey]*graph.Exec{}
	if l := r.loop; l != nil {
		// The loop programs belong to the process's cache (execCache), which
		// other runners share: they are freed when no one holds them.
		l.destroyState()
		destroyAll(l.row)
		if l.ownConsts {
			for _, c := range l.consts {
				destroyAll(c)
			}
		}
		r.loop = nil
	}
}

// SetState replaces the runner's state (Program.State order, host tensors
// of the program's dtypes and shapes), e.g. one saved by a checkpoint; the
// next Run continues from it. The constants stay.
func (r *Runner) SetState(state []*tensors.Tensor) error {
	if r.closed {
		return ErrClosed
	}
	if len(state) != len(r.prog.State) {
		return fmt.Errorf("jit: SetState: %d arrays, the program has %d state arrays", len(state), len(r.prog.State))
	}
	for i, v := range r.prog.State {
		s := state[i].Shape()
		if s.DType != v.DType || !slices.Equal(s.Dimensions, v.Shape) && !(len(v.Shape) == 0 && len(s.Dimensions) == 0) {
			return fmt.Errorf("jit: SetState: %s is %s%v, expected %s%v", v.Name, s.DType, s.Dimensions, v.DType, v.Shape)
		}
	}
	if r.loop == nil {
		r.state = state
		return nil
	}
	l := r.loop
	bufs, err := l.upload(r.prog, state)
	if err != nil {
		return err
	}
	l.destroyState()
	l.state = bufs
	for j, b := range r.prog.CompactBlocks() {
		idx, err := firing(state[b.Spike.Index])
		if err != nil {
			return err
		}
		l.last[j] = idx
		r.capacity = r.bucketFor(r.capacity, len(idx))
	}
	return l.setRow(r.prog, r.capacity)
}

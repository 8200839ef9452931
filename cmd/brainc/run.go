package main

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/brainc/brainc/atomicfile"
	"github.com/brainc/brainc/bptt"
	"github.com/brainc/brainc/catalog"
	"github.com/brainc/brainc/driver"
	"github.com/brainc/brainc/explain"
	"github.com/brainc/brainc/ir"
	"github.com/brainc/brainc/jit"
	"github.com/brainc/brainc/lower"
	"github.com/brainc/brainc/models"
	"github.com/brainc/brainc/pjrt"
	"github.com/brainc/brainc/plan"
	"github.com/brainc/brainc/results"
	"github.com/brainc/brainc/snapshot"
)

// loadNetwork reads a spec file, or a built-in model when arg names one and
// is not a file.
func loadNetwork(arg string) (*ir.Network, error) {
	net, _, err := loadSpec(arg)
	return net, err
}

// loadSpec is loadNetwork that also returns the spec text.
func loadSpec(arg string) (*ir.Network, []byte, error) { return models.LoadSpec(arg) }

// simFlags are the flags shared by commands that build a simulation.
type simFlags struct {
	duration, dt, backend, kernel, engine string
	// params is --params: an .npz of trained values (brainc train's
	// params.npz) laid onto the network (bptt.ApplyParams).
	params                string
	seed                  int64
	k, capacity           int
	logCalls, composedOps bool
	float64               bool
	cpuThreads            int
	maxMemoryGiB          float64
	// devices is --devices, then (after apply) the devices the run uses:
	// the flag, else the spec's devices:, else 1.
	devices int
	// oneDevice is set by commands that run on one device (sweep,
	// compile): --devices is refused and the spec's devices: ignored.
	oneDevice string
}

func addSimFlags(fs interface {
	StringVar(*string, string, string, string)
	Int64Var(*int64, string, int64, string)
	IntVar(*int, string, int, string)
	BoolVar(*bool, string, bool, string)
	Float64Var(*float64, string, float64, string)
}, f *simFlags) {
	fs.StringVar(&f.duration, "duration", "", `simulated time, e.g. "5 s" (default: the spec's)`)
	fs.StringVar(&f.dt, "dt", "", `integration step, e.g. "0.1 ms" (default: the spec's)`)
	fs.StringVar(&f.params, "params", "", "run with trained values: the params.npz `brainc train` wrote for this network (weights, inputs)")
	fs.Int64Var(&f.seed, "seed", -1, "random seed for connectivity and initial state (default: the spec's)")
	fs.StringVar(&f.backend, "backend", "", "cpu|cuda|go|/abs/path/plugin.so (default: $BRAINC_BACKEND, else automatic)")
	fs.StringVar(&f.kernel, "kernel", "", "force every projection's kernel: event|dense|procedural (default: per projection)")
	fs.StringVar(&f.engine, "engine", "", "loop: the time loop runs inside the executable; chunk: K unrolled steps per call, looped on the host (default: loop on XLA backends, chunk on go)")
	fs.IntVar(&f.k, "k", 0, "steps per compiled chunk of --engine chunk (default: chosen from backend and run length)")
	fs.Float64Var(&f.maxMemoryGiB, "max-memory", 0, "refuse a network whose estimated memory exceeds this many GiB (default: the memory available)")
	fs.IntVar(&f.cpuThreads, "cpu-threads", 0, fmt.Sprintf("run the XLA CPU backend on this many CPUs (default: 1 up to %d neurons, where hand-offs between threads cost more than they save; else all)", pjrt.OneCPUUpTo))
	fs.BoolVar(&f.float64, "float64", false, "simulate in float64 (default: the spec's precision, float32 unless it says float64)")
	fs.BoolVar(&f.logCalls, "log-calls", false, "print one line per loop-engine call to stderr (steps, capacity, firing, µs per step)")
	fs.BoolVar(&f.composedOps, "composed-ops", false, "compact and propagate spikes with composed XLA ops instead of brainc's CPU custom calls")
	fs.IntVar(&f.capacity, "capacity", 0, fmt.Sprintf("initial event capacity per population and step (default %d; grows when exceeded)", jit.DefaultCapacity))
	fs.IntVar(&f.devices, "devices", 0, "split the network neuron by neuron across this many devices (the CPU plugin makes them virtual devices sharing the CPUs; default: the spec's devices:, else 1)")
}

// apply overrides the network's clock and seed from flags.
func (f *simFlags) apply(net *ir.Network) error {
	if f.duration != "" {
		v, err := ir.ParseQuantity(f.duration, ir.Time)
		if err != nil {
			return &usageError{"--duration: " + err.Error()}
		}
		net.Duration = v
	}
	if f.dt != "" {
		v, err := ir.ParseQuantity(f.dt, ir.Time)
		if err != nil {
			return &usageError{"--dt: " + err.Error()}
		}
		net.Dt = v
	}
	if f.seed < -1 {
		return &usageError{fmt.Sprintf("--seed: must be ≥ 0, got %d", f.seed)}
	}
	if f.params != "" {
		if err := bptt.ApplyParams(net, f.params); err != nil {
			return &usageError{"--params: " + err.Error()}
		}
	}
	if f.seed >= 0 {
		net.Seed = uint64(f.seed)
	}
	if err := f.checkEngine(); err != nil {
		return err
	}
	if !(f.maxMemoryGiB >= 0 && f.maxMemoryGiB <= 1<<30) {
		return &usageError{fmt.Sprintf("--max-memory: expected GiB in [0, 2^30], got %g", f.maxMemoryGiB)}
	}
	if f.cpuThreads < 0 {
		return &usageError{fmt.Sprintf("--cpu-threads: must be ≥ 0, got %d", f.cpuThreads)}
	}
	if f.capacity < 0 {
		return &usageError{fmt.Sprintf("--capacity: must be ≥ 1, got %d", f.capacity)}
	}
	if f.devices < 0 || f.devices > ir.MaxDevices {
		return &usageError{fmt.Sprintf("--devices: must be between 1 and %d, got %d", ir.MaxDevices, f.devices)}
	}
	if f.oneDevice != "" && f.devices > 1 {
		return &usageError{"--devices: " + f.oneDevice}
	}
	if f.oneDevice != "" {
		net.Devices = 1
	}
	devicesFlag := f.devices > 0
	if devicesFlag {
		net.Devices = f.devices
	}
	f.devices = max(net.Devices, 1)
	if f.devices > 1 && f.engine == string(jit.EngineChunk) {
		return &usageError{"--devices: a run split across devices needs the loop engine, not --engine chunk"}
	}
	if f.kernel != "" && f.kernel != string(plan.KernelEvent) && f.kernel != string(plan.KernelDense) && f.kernel != string(plan.KernelProcedural) {
		return &usageError{fmt.Sprintf("--kernel: expected %q, %q or %q, got %q", plan.KernelEvent, plan.KernelDense, plan.KernelProcedural, f.kernel)}
	}
	if err := net.Validate(); err != nil {
		return &usageError{err.Error()}
	}
	if err := plan.CheckDeviceCount(net, f.devices); err != nil { // before anything is built or opened
		if !devicesFlag {
			return &usageError{(&ir.SpecError{File: net.File, Field: "devices", Msg: err.Error()}).Error()}
		}
		return &usageError{"--devices: " + err.Error()}
	}
	return nil
}

// build loads the spec or model named by arg, applies the flags and lowers
// it; it also returns the spec text.
func (f *simFlags) build(arg string) (*ir.Network, []byte, *lower.Program, error) {
	net, spec, err := loadSpec(arg)
	if err != nil {
		return nil, nil, nil, err
	}
	if err := f.apply(net); err != nil {
		return nil, nil, nil, err
	}
	if f.float64 {
		net.Precision = ir.PrecisionFloat64
	}
	opts := lower.OptionsFor(net, lower.Choices{Kernel: plan.Kernel(f.kernel), MaxMemory: int64(f.maxMemoryGiB * (1 << 30)), Devices: f.devices})
	prog, err := lower.Build(net, opts)
	return net, spec, prog, err
}

// checkEngine checks --engine and --k.
func (f *simFlags) checkEngine() error {
	if f.k < 0 {
		return &usageError{fmt.Sprintf("--k: must be ≥ 1, got %d", f.k)}
	}
	if f.engine != "" && f.engine != string(jit.EngineLoop) && f.engine != string(jit.EngineChunk) {
		return &usageError{fmt.Sprintf("--engine: expected %q or %q, got %q", jit.EngineLoop, jit.EngineChunk, f.engine)}
	}
	if f.k > 0 && f.engine != string(jit.EngineChunk) {
		return &usageError{"--k: steps per chunk apply to --engine chunk only (the loop engine's executable does not depend on the run length)"}
	}
	return nil
}

// open opens the backend the flags ask for, on the CPUs they ask for
// (default pjrt.AutoCPUThreads of the network's size; every CPU for a
// run split across devices), with the devices the run uses.
func (f *simFlags) open(net *ir.Network, stderr io.Writer) (*pjrt.Backend, error) {
	threads := f.cpuThreads
	if threads == 0 && f.devices <= 1 {
		threads = pjrt.AutoCPUThreads(neurons(net))
	}
	b, err := pjrt.Open(pjrt.Options{Backend: f.backend, Stderr: stderr, CPUThreads: threads, Devices: f.devices})
	if err != nil {
		return nil, err
	}
	if err := b.CheckDevices(f.devices); err != nil {
		b.Finalize()
		return nil, &usageError{"--devices: " + err.Error()}
	}
	return b, nil
}

// eventOps says, for --explain, which operators the loop engine compacts
// and propagates spikes with on b ("" for the chunk engine).
func eventOps(b *pjrt.Backend, prog *lower.Program, opts jit.Options) string {
	if opts.Engine != jit.EngineLoop {
		return ""
	}
	ops, why := jit.ProgramOps(b, prog, opts.Devices, opts.ComposedOps)
	if why != "" && ops != jit.OpsCustom {
		return fmt.Sprintf("; spikes compacted and propagated by %s (no custom calls: %s)", ops, why)
	}
	return fmt.Sprintf("; spikes compacted and propagated by %s", ops)
}

// runOptions are the runner options the flags ask for on a platform, for
// a run of steps, and the engine described for --explain.
func (f *simFlags) runOptions(platform string, steps int) (jit.Options, string) {
	opts := jit.Options{Engine: jit.Engine(f.engine), Capacity: f.capacity, ComposedOps: f.composedOps, Devices: f.devices}
	if f.logCalls {
		opts.Log = os.Stderr
	}
	if opts.Engine == jit.EngineAuto {
		opts.Engine = jit.EngineLoop
		if platform == "go" {
			opts.Engine = jit.EngineChunk
		}
	}
	if opts.Engine == jit.EngineLoop {
		return opts, "time loop in the executable"
	}
	opts.K = f.k
	if opts.K == 0 {
		opts.K = jit.AutoK(platform, steps)
	}
	return opts, fmt.Sprintf("chunks of %d unrolled steps looped on the host", opts.K)
}

// capacityOrDefault is the initial event capacity a run uses.
func capacityOrDefault(c int) int {
	if c == 0 {
		return jit.DefaultCapacity
	}
	return c
}

// steps is the number of steps the duration takes.
func steps(net *ir.Network) int { return int(net.Duration/net.Dt + 0.5) }

func cmdRun(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("run", "SPEC|MODEL", stderr)
	var sf simFlags
	addSimFlags(fs, &sf)
	out := fs.String("out", "out", "directory for spikes.npz, traces.npz, summary.json, raster.png")
	quiet := fs.Bool("quiet", false, "no progress bar")
	overwrite := fs.Bool("overwrite", false, "replace the files of an earlier run in --out")
	every := fs.String("checkpoint-every", "", `write a checkpoint every this much model time, e.g. "1 s" (to --checkpoint-dir)`)
	ckDir := fs.String("checkpoint-dir", "", "directory of the checkpoints (default: --out followed by .checkpoint)")
	resume := fs.String("resume", "", "continue the run saved in this checkpoint directory (same spec and flags)")
	explainPlan := fs.Bool("explain", false, "print the plan (synaptic states, kernels, bytes, monitors) before running")
	plotFormat := fs.String("plot", "png", "format of raster and traces plots: png or svg")
	saveNet := fs.String("save-network", "", "write every drawn value (connectivity, weights, delays, per-neuron values) into this directory, with network.yaml, a spec that rebuilds the identical network from them")
	pos, err := parseFlags(fs, args, 1)
	if err != nil {
		return err
	}
	if *plotFormat != "png" && *plotFormat != "svg" {
		return &usageError{fmt.Sprintf("--plot: expected png or svg, got %q", *plotFormat)}
	}
	net, spec, prog, err := sf.build(pos[0])
	if err != nil {
		return err
	}
	if *saveNet != "" {
		if err := saveNetwork(*saveNet, *overwrite, spec, prog, stdout); err != nil {
			return fmt.Errorf("--save-network: %w", err)
		}
	}
	// --out is checked (and held against other runs) before anything runs.
	outLock, err := results.ReserveOutput(*out, *overwrite)
	if err != nil {
		return err
	}
	defer outLock.Release()
	b, err := sf.open(net, stderr)
	if err != nil {
		return err
	}
	defer b.Finalize()
	n := steps(net)
	opts, engine := sf.runOptions(b.Platform(), n)
	engine += eventOps(b, prog, opts)
	if *explainPlan {
		fmt.Fprintln(stdout, explain.Program(prog, engine, capacityOrDefault(sf.capacity), n))
		fmt.Fprintln(stdout, "devices: "+explain.Devices(prog, sf.devices))
	}
	so := driver.Options{Jit: opts, CheckpointDir: *ckDir}
	if so.CheckpointDir == "" {
		so.CheckpointDir = filepath.Clean(*out) + ".checkpoint"
	}
	if *every != "" {
		v, err := ir.ParseQuantity(*every, ir.Time)
		if err != nil || !(v >= net.Dt && v <= net.Duration) {
			return &usageError{fmt.Sprintf("--checkpoint-every: expected a time in [dt, duration] = [%g ms, %g ms], got %q", net.Dt, net.Duration, *every)}
		}
		so.CheckpointEvery = int(math.Round(v / net.Dt))
		ckLock, err := results.ReserveCheckpoints(so.CheckpointDir)
		if err != nil {
			return fmt.Errorf("--checkpoint-dir: %w", err)
		}
		defer ckLock.Release()
	}
	if *resume != "" {
		if so.FromState, so.FromRec, err = results.LoadCheckpoint(*resume, prog); err != nil {
			return err
		}
	}
	progress := newProgress(stderr, n, net.Dt, *quiet)
	so.Progress, so.Compiled = progress.update, progress.compiled
	progress.compiling()
	intr := watchInterrupts(stderr, "run", "stopping at the next segment boundary to write what was recorded")
	defer intr.close()
	so.Stop = intr.Stop
	so.CheckpointFailed = func(e *results.CheckpointError) {
		progress.clearBar()
		fmt.Fprintf(stderr, "brainc run: %v; the run goes on without checkpoints\n", e)
	}
	resumedAt := 0 // the steps done before this run (those of a checkpoint)
	if so.FromRec != nil {
		resumedAt = so.FromRec.Steps
	}
	rec, st, err := driver.Simulate(b, prog, n, so)
	progress.done()
	var diverged *jit.NonFiniteError
	var ckFailed *results.CheckpointError // the run completed all the same
	stopped := errors.Is(err, driver.ErrStopped)
	if err != nil && !errors.As(err, &diverged) && !stopped && !errors.As(err, &ckFailed) {
		return err
	}
	// A diverged run writes what it recorded up to the failing step, marked
	// partial, and fails: its rates describe only that stretch.
	reached := rec.Steps
	modelMS := float64(reached) * net.Dt
	// Speeds are of the steps this run took (none when resumed at the end).
	stepsPerS, realtime := 0.0, 0.0
	if ran := reached - resumedAt; ran > 0 && st.RunTime > 0 {
		stepsPerS, realtime = float64(ran)/st.RunTime.Seconds(), st.RunTime.Seconds()/(float64(ran)*net.Dt/1000)
	}
	sum := results.Summary{Model: net.Name, Backend: b.Label(), DT: net.Dt, Duration: net.Duration, Seed: net.Seed,
		Precision: strings.ToLower(prog.DType.String()),
		Steps:     n, Complete: diverged == nil && !stopped, StepsDone: reached, Engine: string(opts.Engine), K: opts.K,
		Populations: map[string]results.PopStats{},
		CompileS:    st.CompileTime.Seconds(), RunS: st.RunTime.Seconds(),
		StepsPerS: stepsPerS, RealtimeFactor: realtime,
		Compiles: st.Compiles, DiskHits: st.DiskHits, Reruns: st.Reruns, Overflows: st.Overflows, MaxCapacity: st.MaxCapacity}
	if opts.Engine == jit.EngineLoop {
		sum.EventOps = st.Ops.Name()
	}
	sum.Devices = sf.devices
	if diverged != nil {
		sum.Error = diverged.Error()
	}
	if stopped {
		sum.Error = fmt.Sprintf("interrupted after step %d (t = %.10g ms)", reached, modelMS)
	}
	for _, s := range rec.Spikes {
		sum.Populations[s.Pop] = s.Stats(modelMS)
	}
	intr.Writing()
	progress.writing(*out)
	rec.PlotFormat = *plotFormat
	if err := rec.Write(*out, &sum, *overwrite); err != nil {
		return err
	}
	if stopped {
		return &interruptedError{Steps: reached, MS: modelMS, Out: *out}
	}
	if diverged != nil {
		return fmt.Errorf("%w (what was recorded up to there is in %s, marked \"complete\": false)", diverged, *out)
	}
	if st.DiskErrors > 0 {
		fmt.Fprintf(stderr, "brainc run: disk cache: %v\n", st.DiskError)
	}
	fromDisk := ""
	switch programs := st.DiskHits + st.Compiles + st.CacheHits; {
	case st.DiskHits > 0:
		fromDisk = fmt.Sprintf(" (%d of %d programs from the disk cache)", st.DiskHits, programs)
	case programs > 1: // the progress line reported the first one's compile
		fromDisk = fmt.Sprintf(" (%d programs: the firing outgrew the first one's event capacity)", programs)
	}
	fmt.Fprintf(stdout, "%s: %g ms in %d steps on %s: compile %.2f s%s, run %.2f s (%.0f steps/s)\n",
		net.Name, net.Duration, n, b.Label(), sum.CompileS, fromDisk, sum.RunS, sum.StepsPerS)
	for _, s := range rec.Spikes {
		ps := sum.Populations[s.Pop]
		cv := "n/a"
		if ps.CVISI != nil {
			cv = fmt.Sprintf("%.2f", *ps.CVISI)
		}
		fmt.Fprintf(stdout, "  %-8s %7d neurons  %8.2f Hz  CV(ISI) %s\n", s.Pop, ps.Size, ps.RateHz, cv)
	}
	fmt.Fprintf(stdout, "wrote %s/{%s}\n", *out, strings.Join(sum.Files, ","))
	if ckFailed != nil {
		return fmt.Errorf("%w (the run went on to its end without checkpoints; its outputs are in %s)", ckFailed, *out)
	}
	return nil
}

// progress reports a run's advance on stderr, in model time: on a terminal
// a bar redrawn every 0.2 s (after the first second), elsewhere one line
// every progressEvery; each with the time elapsed, the speed (model
// seconds per wall second, from the first report on, so that the compile
// does not count) and the time left at that speed.
type progress struct {
	w       io.Writer
	total   int     // steps
	dt      float64 // ms per step
	tty     bool
	enabled bool
	now     func() time.Time
	start   time.Time
	last    time.Time
	// first is when the first report came, with the steps done by then.
	first     time.Time
	firstDone int
	drawn     bool
	// reportedCompile is set once the compile time was said.
	reportedCompile bool
}

// progressEvery is how often a run that is not on a terminal reports.
const progressEvery = 5 * time.Second

func newProgress(w io.Writer, total int, dt float64, quiet bool) *progress {
	f, ok := w.(*os.File)
	tty := ok && term.IsTerminal(int(f.Fd()))
	p := &progress{w: w, total: total, dt: dt, tty: tty, enabled: !quiet, now: time.Now}
	p.start, p.last = p.now(), p.now()
	return p
}

func (p *progress) update(done int) {
	if !p.enabled {
		return
	}
	now := p.now()
	if p.first.IsZero() {
		p.first, p.firstDone = now, done
	}
	every := progressEvery
	if p.tty {
		every = 200 * time.Millisecond
	}
	if now.Sub(p.last) < every || now.Sub(p.start) < time.Second {
		return
	}
	p.last = now
	line := p.line(done, now)
	if p.tty {
		const width = 30
		filled := width * done / p.total
		fmt.Fprintf(p.w, "\r[%s%s] %s\033[K", strings.Repeat("#", filled), strings.Repeat(".", width-filled), line)
		p.drawn = true
		return
	}
	fmt.Fprintf(p.w, "brainc run: %s\n", line)
}

// line says where a run is: e.g. "1200 / 20000 ms (6%), 3.1 s elapsed,
// 0.52 model s per s, 36 s left".
func (p *progress) line(done int, now time.Time) string {
	ms, totalMS := float64(done)*p.dt, float64(p.total)*p.dt
	s := fmt.Sprintf("%.10g / %.10g ms (%d%%), %.1f s elapsed", ms, totalMS, 100*done/p.total, now.Sub(p.start).Seconds())
	if wall := now.Sub(p.first).Seconds(); wall > 0 && done > p.firstDone {
		speed := float64(done-p.firstDone) * p.dt / 1000 / wall // model s per wall s
		s += fmt.Sprintf(", %.3g model s per s, %.0f s left", speed, (totalMS-ms)/1000/speed)
	}
	return s
}

// compiling says the run starts by compiling (the first call compiles its
// program before any step runs).
func (p *progress) compiling() {
	if p.enabled {
		fmt.Fprintln(p.w, "brainc run: compiling …")
	}
}

// compiled reports the first compile's time; later ones (another event
// capacity) go into the summary, whose line says how many programs its
// compile time covers.
func (p *progress) compiled(compiles int, total time.Duration) {
	if !p.enabled || p.reportedCompile {
		return
	}
	p.reportedCompile = true
	p.clearBar()
	fmt.Fprintf(p.w, "brainc run: compiled in %.2f s, running\n", total.Seconds())
}

func (p *progress) clearBar() {
	if p.drawn {
		fmt.Fprint(p.w, "\r\033[K")
		p.drawn = false
	}
}

// writing says the outputs are being written (plots of long runs take
// seconds).
func (p *progress) writing(dir string) {
	if p.enabled {
		fmt.Fprintf(p.w, "brainc run: writing %s …\n", dir)
	}
}

func (p *progress) done() {
	if p.drawn {
		fmt.Fprint(p.w, "\r\033[K")
	}
}

func cmdValidate(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("validate", "SPEC", stderr)
	pos, err := parseFlags(fs, args, 1)
	if err != nil {
		return err
	}
	net, err := loadNetwork(pos[0])
	if err != nil {
		return err
	}
	// Lowering reads conn and spike files and draws the connectivity, which
	// finds the problems parsing cannot; nothing is compiled.
	prog, err := lower.Build(net, lower.Options{})
	if err != nil {
		return err
	}
	synapses := 0
	for _, pr := range prog.Projs {
		if pr.Matrix != nil {
			synapses += pr.Matrix.NumSynapses()
		}
	}
	fmt.Fprintf(stdout, "%s: valid: %d populations, %d projections (%d stored synapses), dt %g ms, duration %g ms\n",
		pos[0], len(net.Populations), len(net.Projections), synapses, net.Dt, net.Duration)
	return nil
}

func cmdModels(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("models", "", stderr)
	if _, err := parseFlags(fs, args, 0); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "Built-in networks (brainc run NAME):")
	for _, name := range models.Names() {
		net, err := models.Load(name)
		if err != nil {
			return err
		}
		size := 0
		for _, p := range net.Populations {
			size += p.Size
		}
		fmt.Fprintf(stdout, "  %-8s %d neurons, %d populations, %d projections\n", name, size, len(net.Populations), len(net.Projections))
	}
	for _, m := range catalog.Models() {
		fmt.Fprintf(stdout, "\n%s %s: %s\n", m.Kind, m.Name, m.Doc)
		for _, p := range m.Params {
			unit := p.Dim.BaseUnit()
			fmt.Fprintf(stdout, "    %-10s default %g %s  %s\n", p.Name, p.Default, unit, p.Doc)
		}
		for _, s := range m.States {
			fmt.Fprintf(stdout, "    state %-4s %s\n", s.Name, s.Doc)
		}
	}
	return nil
}

// neurons is the number of neurons of a network.
func neurons(net *ir.Network) int {
	n := 0
	for _, p := range net.Populations {
		n += p.Size
	}
	return n
}

// saveNetwork writes the network's drawn values and a spec that reads
// them into dir (package snapshot), all or nothing.
func saveNetwork(dir string, overwrite bool, spec []byte, prog *lower.Program, stdout io.Writer) error {
	files, err := snapshot.Save(dir, atomicfile.DirOptions{Overwrite: overwrite}, prog, spec)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "saved the network: %d files in %s; %s rebuilds it\n", len(files), dir, filepath.Join(dir, snapshot.SpecFile))
	return nil
}

// Package brainc is the Go front door of the brainc simulator: load or
// build a network, run it (and run it on), read its spikes and traces as Go
// slices, and save them as `brainc run` does.
//
//	net, err := brainc.Load("coba")            // a built-in network or a spec file
//	res, err := brainc.Run(ctx, net, brainc.Options{})
//	fmt.Println(len(res.Spikes["E"].Times))
//
// A network built in Go is an ir.Network: fill in its populations,
// projections and monitors; New fills the defaults and validates it.
// Cancelling the context stops a run at the next call boundary (a fraction
// of a second) with everything recorded so far.
package brainc

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"sync"

	"github.com/brainc/brainc/atomicfile"
	"github.com/brainc/brainc/driver"
	"github.com/brainc/brainc/ir"
	"github.com/brainc/brainc/jit"
	"github.com/brainc/brainc/lower"
	"github.com/brainc/brainc/models"
	"github.com/brainc/brainc/netspec"
	"github.com/brainc/brainc/pjrt"
	"github.com/brainc/brainc/plan"
	"github.com/brainc/brainc/results"
)

// Options configure a simulation. The zero value runs in float32 on the
// best backend found (a GPU, else the XLA CPU plugin, else pure Go).
// Compiled programs are kept in the user's disk cache
// (~/.cache/brainc/executables; jit.DefaultDiskCache reads
// BRAINC_CACHE_DIR, BRAINC_CACHE_MAX_MB and BRAINC_CACHE=off), so that a
// later process running the same network compiles nothing.
type Options struct {
	// Backend is "cpu", "cuda", "go" or a PJRT plugin path; "" chooses
	// automatically (see docs/backends.md). The backend is opened once per
	// process and shared by every simulation.
	Backend string
	// Float64 simulates in float64 (as does a network whose Precision is
	// "float64").
	Float64 bool
	// Devices, when > 1, splits the network neuron by neuron across that
	// many devices (the CPU plugin: virtual devices sharing the CPUs), as
	// brainc run --devices does; 0 takes the network's Devices. Spikes are
	// those of one device.
	Devices int
	// Progress, when set, is called after every call of the executable with
	// the steps done so far in this Run and the steps it was asked for.
	Progress func(done, total int)
	// CheckpointEvery, when > 0, writes a checkpoint into CheckpointDir
	// each time the simulation passes a multiple of this many ms of model
	// time (counted from its start, Run after Run), as brainc run
	// --checkpoint-every does: a Run that misses one (the directory cannot
	// be written) still completes, and returns a *results.CheckpointError.
	// At least the network's dt; CheckpointDir is then required.
	CheckpointEvery float64
	CheckpointDir   string
	// Resume, when set, is a checkpoint directory (written by brainc run
	// or by a Sim with CheckpointEvery) to start from: the simulation goes
	// on after its steps, which Result includes. It must come from the same
	// network, seed, values and options (results.LoadCheckpoint checks).
	Resume string
}

// Sim is a network lowered and compiled for one backend, with its state
// and what it recorded; successive Run calls continue where the last one
// stopped. A Sim runs one Run at a time: a second Run while one is under
// way is refused. Close may be called from any goroutine at any time (see
// Close). The zero Sim is not usable: make one with New.
type Sim struct {
	net  *ir.Network
	prog *lower.Program
	opts Options
	// devices is the number of devices the run is split across.
	devices int
	// changed is set once SetInput, SetParam or SetWeights changed the
	// network: its spec file no longer describes it.
	changed bool
	// mu guards the fields below; the run (package driver: the runner,
	// what it recorded) is advanced by the one Run under way (running)
	// and closed by Close or, when Close came during that Run, by the Run
	// as it returns.
	mu      sync.Mutex
	run     *driver.Run
	running bool
	// lock holds the checkpoint directory (nil without checkpoints) until
	// the run is released.
	lock *atomicfile.Lock
	// closing is set by Close; closed once the runner is released; done
	// is closed when the Run under way returns; inProgress is set while
	// that Run calls Options.Progress.
	closing, closed, inProgress bool
	done                        chan struct{}
}

// errClosedDuringRun is what a Run stopped by Close returns.
var errClosedDuringRun = errors.New("brainc: the Sim was closed during Run")

// Load reads a network: a spec file (YAML or JSON) when path names one,
// else the built-in network of that name (brainc models lists them).
func Load(path string) (*ir.Network, error) {
	net, _, err := models.LoadSpec(path)
	return net, err
}

var (
	backendsMu sync.Mutex
	opened     = map[string]*pjrt.Backend{}
	// diskCacheSet is true once the first backend opened set the user's
	// disk cache of compiled programs up (jit.DefaultDiskCache).
	diskCacheSet bool
)

// backend opens a backend once per process (from names the option that
// asked for it; cpuFlags are XLA flags for the CPU plugin, used only by
// the call that opens it).
func backend(name, from string, cpuFlags []string, devices int) (*pjrt.Backend, error) {
	backendsMu.Lock()
	defer backendsMu.Unlock()
	if !diskCacheSet {
		d, err := jit.DefaultDiskCache()
		if err != nil {
			return nil, fmt.Errorf("brainc: %w", err)
		}
		jit.UseDiskCache(d)
		diskCacheSet = true
	}
	key := fmt.Sprintf("%s|%d", name, devices)
	if b, ok := opened[key]; ok {
		return b, nil
	}
	b, err := pjrt.Open(pjrt.Options{Backend: name, From: from, CPUFlags: cpuFlags, Devices: devices})
	if err != nil {
		return nil, err
	}
	opened[key] = b
	return b, nil
}

// New copies the network, fills the copy's defaults, validates and lowers
// it and prepares it to run on the backend of opts; nothing is compiled
// before the first Run. A network without monitors (Monitors zero)
// records every population's spikes, as a spec without monitors: does;
// Monitors.Spikes set to an empty slice records none. The Sim keeps its own deep copy (ir.Network.Clone):
// changing net after New (its dt, sizes, parameters, monitors) changes
// nothing in the Sim, and New leaves net as it was. Errors name the field
// (and, for spec files, the line) at fault.
func New(net *ir.Network, opts Options) (*Sim, error) {
	if net == nil {
		return nil, fmt.Errorf("brainc: nil network")
	}
	net = net.Clone()
	net.FillDefaults()
	if m := net.Monitors; m.Spikes == nil && m.Traces == nil && m.SpikeNeurons == nil && m.Rates == nil {
		// No monitors given: every population's spikes, as a spec without
		// monitors: (an empty, non-nil Spikes records nothing).
		for _, p := range net.Populations {
			if p != nil {
				net.Monitors.Spikes = append(net.Monitors.Spikes, p.Name)
			}
		}
	}
	if opts.Devices < 0 || opts.Devices > ir.MaxDevices {
		return nil, fmt.Errorf("brainc: Options.Devices: must be between 1 and %d, got %d", ir.MaxDevices, opts.Devices)
	}
	devices := max(net.Devices, 1)
	if opts.Devices > 0 {
		devices = opts.Devices
		if err := net.Validate(); err != nil {
			return nil, err
		}
		if err := plan.CheckDeviceCount(net, devices); err != nil {
			return nil, fmt.Errorf("brainc: Options.Devices: %w", err)
		}
	}
	if err := netspec.ReadData(net); err != nil {
		return nil, err
	}
	prog, err := lower.Build(net, lower.OptionsFor(net, lower.Choices{Float64: opts.Float64, Devices: devices}))
	if err != nil {
		return nil, err
	}
	b, err := backend(opts.Backend, "Options.Backend", nil, devices)
	if err != nil {
		return nil, err
	}
	if err := b.CheckDevices(devices); err != nil {
		return nil, fmt.Errorf("brainc: Options.Devices: %w", err)
	}
	do := driver.Options{Jit: jit.Options{Devices: devices}}
	var lock *atomicfile.Lock
	if opts.CheckpointEvery != 0 || opts.CheckpointDir != "" {
		if !(opts.CheckpointEvery >= net.Dt) || math.IsInf(opts.CheckpointEvery, 0) || opts.CheckpointDir == "" {
			return nil, fmt.Errorf("brainc: Options.CheckpointEvery: expected a time of at least dt (%g ms) with a CheckpointDir, got %g ms and %q", net.Dt, opts.CheckpointEvery, opts.CheckpointDir)
		}
		if lock, err = results.ReserveCheckpoints(opts.CheckpointDir); err != nil {
			return nil, fmt.Errorf("brainc: Options.CheckpointDir: %w", err)
		}
		do.CheckpointDir, do.CheckpointEvery = opts.CheckpointDir, int(min(math.Round(opts.CheckpointEvery/net.Dt), ir.MaxSteps))
	}
	if opts.Resume != "" {
		if do.FromState, do.FromRec, err = results.LoadCheckpoint(opts.Resume, prog); err != nil {
			lock.Release()
			return nil, fmt.Errorf("brainc: Options.Resume: %w", err)
		}
	}
	run, err := driver.Start(b.Backend, prog, do)
	if err != nil {
		lock.Release()
		return nil, err
	}
	return &Sim{net: net, prog: prog, run: run, opts: opts, lock: lock, devices: devices}, nil
}

// begin marks a Run (or the call op that reads or changes the Sim) under
// way, or says why none may start.
func (s *Sim) begin(op string) error {
	if s == nil || s.prog == nil {
		return fmt.Errorf("brainc: %s on a zero Sim: make one with New", op)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.closing:
		return fmt.Errorf("brainc: %s on a closed Sim", op)
	case s.running:
		return fmt.Errorf("brainc: %s while a Run of this Sim is under way (a Sim does one thing at a time)", op)
	}
	s.running, s.done = true, make(chan struct{})
	return nil
}

// end marks the Run under way as returned; when Close came during it, it
// releases the run.
func (s *Sim) end() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing && !s.closed {
		s.release()
	}
	s.running = false
	close(s.done)
}

// release frees the run and the checkpoint directory (s.mu held).
func (s *Sim) release() {
	s.run.Close()
	s.lock.Release()
	s.closed = true
}

// Run advances the simulation by duration ms (rounded to whole steps of
// the network's dt; at least one step). It returns ctx's error when ctx is
// cancelled first: the run then stops at the next call boundary, and the
// steps run until there are recorded and the next Run goes on from there.
// A Close during the Run stops it the same way (what was recorded stays in
// Result) and Run returns an error saying so. Run on a closed or zero Sim,
// with a nil ctx, or while another Run is under way returns an error.
func (s *Sim) Run(ctx context.Context, duration float64) error {
	if ctx == nil {
		return errors.New("brainc: Run: nil context (use context.Background())")
	}
	if err := s.begin("Run"); err != nil {
		return err
	}
	defer s.end()
	done := s.run.Steps()
	steps := math.Round(duration / s.net.Dt)
	if !(steps >= 1) || steps > ir.MaxSteps || done+int(steps) > ir.MaxSteps {
		return fmt.Errorf("brainc: Run: duration %g ms is %g steps of %g ms; expected 1 to %d steps in all (%d run so far)",
			duration, steps, s.net.Dt, ir.MaxSteps, done)
	}
	n, start := int(steps), done
	return s.run.Advance(n, func(recorded int) error {
		closing := s.isClosing()
		if s.opts.Progress != nil {
			s.setInProgress(true)
			s.opts.Progress(recorded-start, n)
			s.setInProgress(false)
		}
		if recorded-start < n {
			if s.isClosing() || closing {
				return errClosedDuringRun
			}
			return ctx.Err()
		}
		return nil
	})
}

func (s *Sim) setInProgress(v bool) {
	s.mu.Lock()
	s.inProgress = v
	s.mu.Unlock()
}

func (s *Sim) isClosing() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closing
}

// Result returns what the simulation recorded from its start, copied: a
// later Run does not change it. During a Run it is what was recorded up to
// the last call boundary; after Close, what was recorded before it.
func (s *Sim) Result() *Result {
	if s == nil || s.prog == nil {
		return &Result{Spikes: map[string]Spikes{}, rec: &results.Recorder{}, net: &ir.Network{}}
	}
	rec := s.run.Recorded()
	s.mu.Lock()
	net := s.net // (SetInput, SetParam and SetWeights replace it)
	s.mu.Unlock()
	r := &Result{Dt: net.Dt, Steps: rec.Steps, Spikes: map[string]Spikes{}, rec: rec, net: net}
	for _, sp := range rec.Spikes {
		r.Spikes[sp.Pop] = Spikes{Size: sp.Size, Times: sp.Times, Indices: sp.Indices, rec: sp}
	}
	var times []float64
	if len(rec.Traces) > 0 { // one time per recorded row: O(steps), as the traces themselves
		times = rec.TraceTimes()
	}
	for _, tr := range rec.Traces {
		r.Traces = append(r.Traces, Trace{Pop: tr.Pop, Var: tr.Var, Indices: tr.Indices, Times: times, Values: tr.Values})
	}
	return r
}

// Close releases the simulation's device memory; a later Run returns an
// error, Result still returns what was recorded. Closing again, or a zero
// or nil Sim, does nothing. A Close during a Run (from another goroutine)
// stops that Run at its next call boundary and waits for it to return; the
// memory is released before the Run returns. Called from Options.Progress
// (inside the Run), or while the Run is calling it, Close returns at once
// and the Run releases the memory as it returns.
func (s *Sim) Close() {
	if s == nil || s.prog == nil {
		return
	}
	s.mu.Lock()
	s.closing = true
	if !s.running {
		if !s.closed {
			s.release()
		}
		s.mu.Unlock()
		return
	}
	done, wait := s.done, !s.inProgress
	s.mu.Unlock()
	if wait {
		<-done
	}
}

// Run simulates a network for its duration and returns what it recorded:
// New, Sim.Run and Sim.Close in one call. When ctx is cancelled, the
// result holds the steps run until then and the error is ctx's.
func Run(ctx context.Context, net *ir.Network, opts Options) (*Result, error) {
	if ctx == nil {
		return nil, errors.New("brainc: Run: nil context (use context.Background())")
	}
	s, err := New(net, opts)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	err = s.Run(ctx, s.net.Duration)
	return s.Result(), err
}

// Result is what a simulation recorded.
type Result struct {
	// Dt is the step (ms) and Steps the number of steps recorded.
	Dt    float64
	Steps int
	// Spikes holds the spikes of every spike-monitored population, by name.
	Spikes map[string]Spikes
	// Traces holds every recorded variable, in the spec's order.
	Traces []Trace
	rec    *results.Recorder
	net    *ir.Network
}

// Spikes are one population's spikes: spike k is neuron Indices[k] at
// Times[k] ms (the start of the step it was detected in: a spike in the
// step from t to t + dt is at t, as in spikes.npz), in time order, ties by
// index.
type Spikes struct {
	// Size is the population's number of neurons.
	Size int
	// Times (ms) and Indices of the spikes recorded.
	Times   []float64
	Indices []int32
	rec     *results.Spikes
}

// Trace is one recorded variable: Values[r*len(Indices)+j] is neuron (or
// synapse) Indices[j] at Times[r] (every step, or every monitors.every
// within monitors.window).
type Trace struct {
	// Pop and Var name the variable ("E", "V"; or a projection and "g").
	Pop, Var string
	// Indices are the neurons (or synapses) recorded.
	Indices []int
	// Times (ms) are the rows' times, shared by every trace of a result.
	Times []float64
	// Values holds len(Times) rows of len(Indices) values.
	Values []float64
}

// Rate is a population's mean firing rate (Hz) over the first steps steps
// of dt ms: per neuron recorded, over the recording window's part of them.
func (s Spikes) Rate(steps int, dt float64) float64 {
	if s.rec == nil {
		if s.Size == 0 || steps == 0 {
			return 0
		}
		return float64(len(s.Times)) / float64(s.Size) / (float64(steps) * dt / 1000)
	}
	return s.rec.Stats(float64(steps) * dt).RateHz
}

// Rate is a spike-monitored population's mean firing rate (Hz) over the
// steps recorded, as Spikes.Rate gives it; a population whose spikes are
// not recorded (a misspelt name, say) is an error naming those that are.
func (r *Result) Rate(pop string) (float64, error) {
	s, ok := r.Spikes[pop]
	if !ok {
		names := slices.Sorted(maps.Keys(r.Spikes))
		return 0, fmt.Errorf("brainc: no recorded spikes of population %q (recorded: %s)", pop, strings.Join(names, ", "))
	}
	return s.Rate(r.Steps, r.Dt), nil
}

// Save writes the result into dir as `brainc run` does: spikes.npz,
// traces.npz, weights.npz (STDP), summary.json and raster.png, all or
// nothing. A dir holding files brainc did not write is refused.
func (r *Result) Save(dir string) error {
	if r == nil || r.rec == nil || r.net == nil || !(r.net.Dt > 0) {
		return errors.New("brainc: Save of an empty Result (one not made by Run or Sim.Result)")
	}
	modelMS := float64(r.Steps) * r.Dt
	n := int(math.Round(r.net.Duration / r.net.Dt))
	sum := results.Summary{Model: r.net.Name, DT: r.Dt, Duration: r.net.Duration, Seed: r.net.Seed,
		Steps: n, StepsDone: r.Steps, Complete: r.Steps >= n, Populations: map[string]results.PopStats{}}
	for _, s := range r.rec.Spikes {
		sum.Populations[s.Pop] = s.Stats(modelMS)
	}
	return r.rec.Write(dir, &sum, true)
}

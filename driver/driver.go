// Package driver runs a lowered program: one jit.Runner, the recorder of
// its monitors (package results), its checkpoints, and the hooks that stop
// it. brainc run, brainc sweep, brainc bench and the Go API (brainc.Sim)
// all run through it; results only records and writes.
package driver

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/tensors"

	"github.com/brainc/brainc/fingerprint"
	"github.com/brainc/brainc/jit"
	"github.com/brainc/brainc/lower"
	"github.com/brainc/brainc/results"
)

// Options are the optional parts of a run.
type Options struct {
	// Jit configures the runner (engine, devices, capacity …).
	Jit jit.Options
	// Progress, when set, is called at every call boundary with the steps
	// recorded in all, before the checkpoint due there.
	Progress func(done int)
	// Compiled, when set, is called after a call boundary at which
	// programs were compiled, with the compiles and compile time of the
	// run so far.
	Compiled func(compiles int, total time.Duration)
	// FromState and FromRec, when set, resume a checkpoint
	// (results.LoadCheckpoint): the run starts from that state, after the
	// steps FromRec recorded.
	FromState []*tensors.Tensor
	FromRec   *results.Recorder
	// CheckpointEvery, when > 0, writes a checkpoint into CheckpointDir
	// each time the run passes a multiple of that many steps.
	CheckpointEvery int
	CheckpointDir   string
	// CheckpointFailed, when set, is told at once of a checkpoint that
	// could not be written; the run goes on without further checkpoints and
	// ends with a *results.CheckpointError.
	CheckpointFailed func(err *results.CheckpointError)
	// Stop, when closed, ends the run at the next call boundary (a segment
	// of the loop engine, a chunk of the chunk engine): what was recorded up
	// to there is returned with ErrStopped (Simulate).
	Stop <-chan struct{}
}

// ErrStopped is returned by Simulate with the recording up to where a run
// was stopped (Options.Stop).
var ErrStopped = errors.New("stopped before the end of the run")

// Run is a program under way on one backend: its runner, what it
// recorded, and its checkpoints. Advance goes on from where the last one
// stopped. Recorded and Steps may be called from another goroutine during
// Advance; the rest may not.
type Run struct {
	b      backends.Backend
	prog   *lower.Program
	runner *jit.Runner
	o      Options
	// mu guards rec, which Advance grows at every call boundary.
	mu  sync.Mutex
	rec *results.Recorder
	// next is the step of the next checkpoint, fp the program's
	// fingerprint (computed once), ckErr the checkpoint that failed,
	// compiles the compiles reported so far.
	next     int
	fp       fingerprint.Parts
	ckErr    *results.CheckpointError
	compiles int
}

// Start prepares p to run on backend b (nothing is compiled before the
// first Advance), from its initial state or from the checkpoint o names.
func Start(b backends.Backend, p *lower.Program, o Options) (*Run, error) {
	runner, err := jit.NewRunner(b, p, o.Jit)
	if err != nil {
		return nil, err
	}
	r := &Run{b: b, prog: p, runner: runner, o: o, rec: results.NewRecorder(p)}
	if o.FromRec != nil {
		r.rec = o.FromRec
		if err := runner.SetState(o.FromState); err != nil {
			runner.Close()
			return nil, err
		}
	}
	if o.CheckpointEvery > 0 {
		r.next = (r.rec.Steps/o.CheckpointEvery + 1) * o.CheckpointEvery
		r.fp = fingerprint.Of(p)
	}
	return r, nil
}

// Advance runs steps more steps, recording the monitors, reporting
// Options.Progress and writing the checkpoints due. after, when not nil,
// is called at every call boundary, last, with the steps recorded in all;
// an error from it stops the run there and is returned. The final weights of plastic projections are recorded when
// the state is that of the last step recorded: after all the steps, after
// a stop by after, or after a step that went non-finite (the
// *jit.NonFiniteError is returned). A run that completed but missed a
// checkpoint returns the *results.CheckpointError.
func (r *Run) Advance(steps int, after func(recorded int) error) error {
	stopped := false
	err := r.runner.Run(steps, func(c *jit.Chunk) error {
		r.mu.Lock()
		err := r.rec.Add(c)
		recorded := r.rec.Steps
		r.mu.Unlock()
		if err != nil {
			return err
		}
		if st := r.runner.Stats(); r.o.Compiled != nil && st.Compiles > r.compiles {
			r.compiles = st.Compiles
			r.o.Compiled(st.Compiles, st.CompileTime)
		}
		if r.o.Progress != nil {
			r.o.Progress(recorded)
		}
		if err := r.checkpoint(recorded); err != nil {
			return err
		}
		if after != nil {
			if err := after(recorded); err != nil {
				stopped = true
				return err
			}
		}
		return nil
	})
	var diverged *jit.NonFiniteError
	if err == nil || stopped || errors.As(err, &diverged) {
		state, serr := r.runner.State()
		if serr != nil {
			return serr
		}
		r.mu.Lock()
		r.rec.Weights = results.FinalWeights(r.prog, state)
		r.mu.Unlock()
	}
	if err == nil && r.ckErr != nil {
		err = r.ckErr
	}
	return err
}

// checkpoint writes the checkpoint due at recorded steps, if any. A write
// that fails is reported (Options.CheckpointFailed) and ends the
// checkpoints, not the run: the run is worth more than its checkpoints.
func (r *Run) checkpoint(recorded int) error {
	every := r.o.CheckpointEvery
	if every <= 0 || recorded < r.next {
		return nil
	}
	state, err := r.runner.State()
	if err != nil {
		return err
	}
	r.next = (recorded/every + 1) * every
	r.mu.Lock()
	err = results.SaveCheckpointOf(r.o.CheckpointDir, r.prog, r.fp, state, r.rec)
	r.mu.Unlock()
	if err != nil {
		r.ckErr = &results.CheckpointError{Step: recorded, MS: float64(recorded) * r.prog.Net.Dt, Dir: r.o.CheckpointDir, Err: err}
		if r.o.CheckpointFailed != nil {
			r.o.CheckpointFailed(r.ckErr)
		}
		r.o.CheckpointEvery = 0
	}
	return nil
}

// State is the current state (lower.Program.State order, host tensors).
func (r *Run) State() ([]*tensors.Tensor, error) { return r.runner.State() }

// SetState replaces the state (lower.Program.State order, the program's
// dtypes and shapes); the next Advance goes on from it.
func (r *Run) SetState(state []*tensors.Tensor) error { return r.runner.SetState(state) }

// Program is the program the run runs.
func (r *Run) Program() *lower.Program { return r.prog }

// Rebuild goes on with p, the program of the same network with other
// values (inputs, parameters, weights): a runner of p takes over the
// current state and what was recorded, and the next Advance runs p. p must
// hold the same state (names, dtypes and shapes) and monitors; the
// executable of a program whose text is unchanged comes from the cache,
// compiled once. On error the run goes on with its program as before.
func (r *Run) Rebuild(p *lower.Program) error {
	if len(p.State) != len(r.prog.State) {
		return fmt.Errorf("driver: the new program has %d state arrays, the running one %d", len(p.State), len(r.prog.State))
	}
	for i, v := range r.prog.State {
		w := p.State[i]
		if w.Name != v.Name || w.DType != v.DType || !slices.Equal(w.Shape, v.Shape) {
			return fmt.Errorf("driver: the new program's state %s %s%v differs from the running one's %s %s%v", w.Name, w.DType, w.Shape, v.Name, v.DType, v.Shape)
		}
	}
	names := func(p *lower.Program) []string {
		var out []string
		for _, q := range p.SpikeMonitors {
			out = append(out, q.Name)
		}
		for _, t := range p.Traces {
			out = append(out, t.Pop+"."+t.Var)
		}
		return out
	}
	if !slices.Equal(names(p), names(r.prog)) {
		return fmt.Errorf("driver: the new program records other monitors")
	}
	state, err := r.runner.State()
	if err != nil {
		return err
	}
	o := r.o.Jit
	o.Capacity = r.runner.Capacity() // the same program text as far as the events go
	runner, err := jit.NewRunner(r.b, p, o)
	if err != nil {
		return err
	}
	if err := runner.SetState(state); err != nil {
		runner.Close()
		return err
	}
	r.runner.Close()
	r.prog, r.runner = p, runner
	if r.o.CheckpointEvery > 0 {
		r.fp = fingerprint.Of(p)
	}
	return nil
}

// Steps is the number of steps recorded so far.
func (r *Run) Steps() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.rec.Steps
}

// Recorded is a copy of what the run recorded so far.
func (r *Run) Recorded() *results.Recorder {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.rec.Clone()
}

// Stats are the runner's counters (compiles, run time, …).
func (r *Run) Stats() jit.Stats { return r.runner.Stats() }

// Close releases the runner; a later Advance returns jit.ErrClosed.
func (r *Run) Close() { r.runner.Close() }

// Simulate runs p for steps in all (counting those of a resumed
// checkpoint) and returns what it recorded: Start, Advance and Close in
// one call, stopping at the first call boundary after Options.Stop is
// closed (ErrStopped).
func Simulate(b backends.Backend, p *lower.Program, steps int, o Options) (*results.Recorder, jit.Stats, error) {
	r, err := Start(b, p, o)
	if err != nil {
		return nil, jit.Stats{}, err
	}
	defer r.Close()
	if r.rec.Steps > steps {
		return nil, jit.Stats{}, fmt.Errorf("resume: the checkpoint is at step %d, past the run's %d steps", r.rec.Steps, steps)
	}
	err = r.Advance(steps-r.rec.Steps, func(recorded int) error {
		if o.Stop != nil && recorded < steps {
			select {
			case <-o.Stop:
				return ErrStopped
			default:
			}
		}
		return nil
	})
	return r.rec, r.Stats(), err
}

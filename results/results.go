// Package results collects what a simulation recorded — spikes and traces —
// computes its summary statistics (mean rates, CV of inter-spike intervals)
// and writes the run's output files: spikes.npz, traces.npz, summary.json and
// raster.png.
package results

import (
	"fmt"
	"math"
	"slices"

	"github.com/gomlx/gomlx/pkg/core/tensors"

	"github.com/brainc/brainc/ir"
	"github.com/brainc/brainc/jit"
	"github.com/brainc/brainc/lower"
	"github.com/brainc/brainc/plan"
	"github.com/brainc/brainc/plot"
)

// Spikes are one population's recorded spikes.
type Spikes struct {
	Pop  string
	Size int
	// Neurons are the neurons recorded when not all are (nil: all);
	// record is their mask.
	Neurons []int32
	record  []bool
	// RateBin, when > 0, is the bin (ms) of the population rate written to
	// rates.npz.
	RateBin float64
	// From and To are the recording window (ms; To 0: no end): spikes
	// outside it are not recorded, and rates are over its time.
	From, To float64
	// Times (ms) and Indices of every spike, in time order (ties by index).
	Times   []float64
	Indices []int32
}

// Trace is one recorded state variable.
type Trace struct {
	Pop, Var string
	// Unit is the unit its values are in ("mV"; "" when a pure number or
	// not known), for plots.
	Unit    string
	Indices []int
	// Values is [rows][len(Indices)], row-major: one row per recorded step
	// (Recorder.TraceTimes).
	Values []float64
	// FC is set when the run writes the trace's functional connectivity
	// (ir.Monitors.FC; Trace.Correlation).
	FC bool
}

// Recorder accumulates the monitors of a run chunk by chunk.
type Recorder struct {
	dt     float64
	Spikes []*Spikes
	Traces []*Trace
	Steps  int
	// window is when spikes are recorded, twindow traces, in steps.
	window, twindow window
	// Weights are the final weights of every plastic (STDP) projection,
	// read when the run ends.
	Weights []*Weights
	// PlotFormat is the plots' format when written: "png" (or ""), "svg", or
	// "none" for no plots.
	PlotFormat string
	// Marks are the windows of the network's timed Poisson inputs (e.g. a
	// stimulus), shown on the raster.
	Marks []plot.Mark
	// MaxSpikes, when > 0, bounds the spikes recorded in all: Add fails
	// once they are more (NewRecorder sets it to plan.SpikeBudget, so a
	// run that fires more than memory holds stops with an error instead
	// of running out of memory).
	MaxSpikes int64
}

// Weights are a plastic projection's synapses and their weights at the end
// of a run.
type Weights struct {
	Proj      string
	Pre, Post []int32
	W         []float64
}

// NewRecorder prepares a recorder for a program's monitors.
func NewRecorder(p *lower.Program) *Recorder {
	m := p.Net.Monitors
	tm := m
	tm.Start, tm.Stop = m.TraceWindow()
	r := &Recorder{dt: p.Net.Dt, window: newWindow(m, p.Net.Dt), twindow: newWindow(tm, p.Net.Dt)}
	for _, pop := range p.SpikeMonitors {
		s := &Spikes{Pop: pop.Name, Size: pop.Size, From: m.Start, To: m.Stop}
		s.RateBin = p.Net.Monitors.Rates[pop.Name]
		if idx, ok := p.Net.Monitors.SpikeNeurons[pop.Name]; ok {
			s.record = make([]bool, pop.Size)
			for _, i := range idx {
				s.Neurons = append(s.Neurons, int32(i))
				s.record[i] = true
			}
		}
		r.Spikes = append(r.Spikes, s)
	}
	if len(r.Spikes) > 0 {
		if budget, ok := plan.SpikeBudget(p.Net, plan.Budget{MaxMemory: p.MaxMemory}); ok {
			r.MaxSpikes = max(budget, 1)
		}
	}
	for _, t := range p.Traces {
		r.Traces = append(r.Traces, &Trace{Pop: t.Pop, Var: t.Var, Unit: traceUnit(p.Net, t.Pop, t.Var), Indices: t.Indices,
			FC: slices.Contains(p.Net.Monitors.FC, t.Pop+"."+t.Var)})
	}
	r.Marks = inputWindows(p.Net)
	return r
}

// traceUnit is the unit a population's state variable is held in: its
// catalogue dimension's base unit (ms, mV, Hz), or for a model given by
// equations its coherent unit (mV, µA, mS …); "" for a projection's
// variables, derived currents and pure numbers.
func traceUnit(net *ir.Network, pop, v string) string {
	p := net.Population(pop)
	if p == nil {
		return ""
	}
	if p.Equations != nil {
		for _, eq := range p.Equations.States {
			if eq.Var == v {
				return eq.Dim.CoherentUnit()
			}
		}
		return ""
	}
	if m, ok := p.ModelSpec(); ok {
		if st, ok := m.State(v); ok {
			return st.Dim.BaseUnit()
		}
	}
	return ""
}

// inputWindows are the windows of the Poisson inputs that start late or
// stop early, one per window, naming its inputs.
func inputWindows(net *ir.Network) []plot.Mark {
	var marks []plot.Mark
	for _, pr := range net.Projections {
		in := pr.Poisson
		if in == nil || in.Start <= 0 && in.Stop <= 0 {
			continue
		}
		at := slices.IndexFunc(marks, func(m plot.Mark) bool { return m.Start == in.Start && m.Stop == in.Stop })
		if at < 0 {
			marks = append(marks, plot.Mark{Start: in.Start, Stop: in.Stop, Label: "input " + pr.Name})
			continue
		}
		marks[at].Label += ", " + pr.Name
	}
	return marks
}

// window is when a recorder records, in steps: spikes at steps in
// [start, stop), trace rows at every every-th of them from start.
type window struct {
	start, stop, every int
}

// newWindow converts a network's recording times to steps (stop -1: no
// end).
func newWindow(m ir.Monitors, dt float64) window {
	w := window{start: int(math.Ceil(m.Start/dt - 1e-9)), stop: -1, every: 1}
	if m.Stop > 0 { // a stop past any run (up to 1e308 ms passes validation) is no end
		if steps := math.Ceil(m.Stop/dt - 1e-9); steps <= ir.MaxSteps {
			w.stop = int(steps)
		}
	}
	if m.Every > 0 {
		w.every = max(1, int(math.Round(m.Every/dt)))
	}
	return w
}

// spikes reports whether spikes of step k are recorded.
func (w window) spikes(k int) bool { return k >= w.start && (w.stop < 0 || k < w.stop) }

// trace reports whether the traces' values after step k are recorded.
func (w window) trace(k int) bool { return w.spikes(k) && (k-w.start)%w.every == 0 }

// TraceTimes are the times (ms) of the traces' rows: step·dt of every
// recorded step.
func (r *Recorder) TraceTimes() []float64 {
	var t []float64
	for k := range r.Steps {
		if r.twindow.trace(k) {
			t = append(t, float64(k)*r.dt)
		}
	}
	return t
}

// Add records one chunk; use it as the callback of jit.Runner.Run. Chunks
// follow the steps the recorder holds (after a resumed checkpoint, the
// runner's own count restarts, so the recorder's is the clock). Only the
// steps within the monitors' window are kept, and the trace rows of every
// Every ms.
func (r *Recorder) Add(c *jit.Chunk) error {
	for j, ps := range c.Spikes {
		s := r.Spikes[j]
		for k, idx := range ps.Index {
			if !r.window.spikes(r.Steps + k) {
				continue
			}
			t := float64(r.Steps+k) * r.dt
			for _, i := range idx {
				if s.record != nil && !s.record[i] {
					continue
				}
				s.Times = append(s.Times, t)
				s.Indices = append(s.Indices, i)
			}
		}
	}
	if r.MaxSpikes > 0 {
		n := int64(0)
		for _, s := range r.Spikes {
			n += int64(len(s.Times))
		}
		if n > r.MaxSpikes {
			end := r.Steps + c.Steps
			return fmt.Errorf("spike monitors: %d spikes recorded by step %d (t = %.10g ms), more than the %d (%.3g MiB at %d B each) the memory left for them holds; "+
				"record fewer neurons (monitors: spikes), a shorter window (monitors: window) or a shorter run, or raise --max-memory",
				n, end, float64(end)*r.dt, r.MaxSpikes, float64(r.MaxSpikes*plan.BytesPerSpike)/(1<<20), plan.BytesPerSpike)
		}
	}
	for j, v := range c.Traces {
		tr := r.Traces[j]
		if r.twindow == (window{stop: -1, every: 1}) {
			tr.Values = append(tr.Values, v...)
			continue
		}
		n := len(tr.Indices)
		for k := range c.Steps {
			if r.twindow.trace(r.Steps + k) {
				tr.Values = append(tr.Values, v[k*n:(k+1)*n]...)
			}
		}
	}
	r.Steps += c.Steps
	return nil
}

// PopStats summarises one population's activity.
type PopStats struct {
	// Size is the number of neurons recorded (the population's, or those
	// its spike monitor names).
	Size   int `json:"size"`
	Spikes int `json:"spikes"`
	// RateHz is the mean firing rate over neurons and time.
	RateHz float64 `json:"rate_hz"`
	// CVISI is the coefficient of variation of inter-spike intervals,
	// averaged over neurons with at least 3 spikes; nil when none has.
	CVISI *float64 `json:"cv_isi"`
	// CVNeurons is the number of neurons CVISI averages over.
	CVNeurons int `json:"cv_neurons"`
}

// span is the time (ms) the spikes were recorded over in a run of
// duration ms: the window's part of it.
func (s *Spikes) span(duration float64) (from, to float64) {
	to = duration
	if s.To > 0 {
		to = min(to, s.To)
	}
	return s.From, max(s.From, to)
}

// Stats computes a population's statistics over a run of duration ms (the
// recording window's part of it).
func (s *Spikes) Stats(duration float64) PopStats {
	recorded := s.Size
	if s.Neurons != nil {
		recorded = len(s.Neurons)
	}
	st := PopStats{Size: recorded, Spikes: len(s.Times)}
	if from, to := s.span(duration); to > from {
		st.RateHz = float64(len(s.Times)) / float64(recorded) / ((to - from) / 1000)
	}
	perNeuron := make([][]float64, s.Size)
	for k, i := range s.Indices {
		perNeuron[i] = append(perNeuron[i], s.Times[k])
	}
	sum, n := 0.0, 0
	for _, times := range perNeuron {
		if cv, ok := CV(times); ok {
			sum += cv
			n++
		}
	}
	if n > 0 {
		v := sum / float64(n)
		st.CVISI, st.CVNeurons = &v, n
	}
	return st
}

// CV is the coefficient of variation (standard deviation / mean, population
// standard deviation) of the intervals between sorted spike times; ok is
// false with fewer than 3 spikes (2 intervals).
func CV(times []float64) (cv float64, ok bool) {
	if len(times) < 3 || !slices.IsSorted(times) {
		return 0, false
	}
	n := float64(len(times) - 1)
	mean := (times[len(times)-1] - times[0]) / n
	if mean == 0 {
		return 0, false
	}
	ss := 0.0
	for i := 1; i < len(times); i++ {
		d := times[i] - times[i-1] - mean
		ss += d * d
	}
	return math.Sqrt(ss/n) / mean, true
}

// CheckpointError is the error of a run (package driver) that completed (its
// recording whole) but whose checkpoint at Step could not be written.
type CheckpointError struct {
	// Step and MS (model time) are where the checkpoint was due.
	Step int
	MS   float64
	// Dir is the checkpoint directory, Err why the write failed.
	Dir string
	Err error
}

func (e *CheckpointError) Error() string {
	return fmt.Sprintf("checkpoint at step %d (t = %.10g ms) into %s failed: %v", e.Step, e.MS, e.Dir, e.Err)
}

func (e *CheckpointError) Unwrap() error { return e.Err }

// FinalWeights reads the weights of every plastic projection from a state
// (Program.State order).
func FinalWeights(p *lower.Program, state []*tensors.Tensor) []*Weights {
	var out []*Weights
	for _, pr := range p.Projs {
		if pr.Plastic == nil {
			continue
		}
		pre, post := pr.Matrix.COO()
		w := &Weights{Proj: pr.Name, Pre: pre, Post: post}
		switch v := state[pr.Plastic.W.Index].Value().(type) { // the event form has a pad entry at the end
		case []float32:
			w.W = make([]float64, len(pre))
			for i := range w.W {
				w.W[i] = float64(v[i])
			}
		case []float64:
			w.W = append([]float64(nil), v[:len(pre)]...)
		}
		out = append(out, w)
	}
	return out
}

// Clone returns a deep copy of the recorder: what it holds now, unchanged
// by later chunks.
func (r *Recorder) Clone() *Recorder {
	c := &Recorder{dt: r.dt, Steps: r.Steps, window: r.window, twindow: r.twindow, PlotFormat: r.PlotFormat, Marks: slices.Clone(r.Marks)}
	for _, s := range r.Spikes {
		c.Spikes = append(c.Spikes, &Spikes{Pop: s.Pop, Size: s.Size, Neurons: slices.Clone(s.Neurons), record: slices.Clone(s.record), RateBin: s.RateBin, From: s.From, To: s.To,
			Times: slices.Clone(s.Times), Indices: slices.Clone(s.Indices)})
	}
	for _, t := range r.Traces {
		c.Traces = append(c.Traces, &Trace{Pop: t.Pop, Var: t.Var, Unit: t.Unit, Indices: slices.Clone(t.Indices), Values: slices.Clone(t.Values), FC: t.FC})
	}
	for _, w := range r.Weights {
		c.Weights = append(c.Weights, &Weights{Proj: w.Proj, Pre: slices.Clone(w.Pre), Post: slices.Clone(w.Post), W: slices.Clone(w.W)})
	}
	return c
}

// Select returns the part of the recording whose populations and
// projections rename maps (true), under the names it gives: the spikes,
// traces and weights of one instance of a batch (package sweep). It shares
// the recorder's arrays; the input windows' marks are left out.
func (r *Recorder) Select(rename func(name string) (string, bool)) *Recorder {
	c := &Recorder{dt: r.dt, Steps: r.Steps, window: r.window, twindow: r.twindow, PlotFormat: r.PlotFormat}
	for _, s := range r.Spikes {
		if name, ok := rename(s.Pop); ok {
			cs := *s
			cs.Pop = name
			c.Spikes = append(c.Spikes, &cs)
		}
	}
	for _, t := range r.Traces {
		if name, ok := rename(t.Pop); ok {
			ct := *t
			ct.Pop = name
			c.Traces = append(c.Traces, &ct)
		}
	}
	for _, w := range r.Weights {
		if name, ok := rename(w.Proj); ok {
			cw := *w
			cw.Proj = name
			c.Weights = append(c.Weights, &cw)
		}
	}
	return c
}

// Rate is the population rate (Hz per recorded neuron) in bins of bin ms
// over steps steps of dt ms (from the recording window's start to its end
// or the run's): one value per bin, the last one over what is left; t
// holds the bins' starts (ms).
func (s *Spikes) Rate(bin float64, steps int, dt float64) (t, hz []float64) {
	recorded := s.Size
	if s.Neurons != nil {
		recorded = len(s.Neurons)
	}
	from, to := s.span(float64(steps) * dt)
	n := int(math.Ceil((to-from)/bin - 1e-9))
	counts := make([]float64, n)
	for _, x := range s.Times {
		if k := min(int((x-from)/bin+1e-9), n-1); k >= 0 {
			counts[k]++
		}
	}
	t, hz = make([]float64, n), make([]float64, n)
	for k := range counts {
		t[k] = from + float64(k)*bin
		width := min(bin, to-t[k])
		hz[k] = counts[k] / float64(recorded) / (width / 1000)
	}
	return t, hz
}

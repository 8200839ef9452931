package results

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"

	"github.com/brainc/brainc/atomicfile"
	"github.com/brainc/brainc/npyio"
	"github.com/brainc/brainc/plot"
)

// Summary is the content of summary.json.
type Summary struct {
	Model    string  `json:"model"`
	Backend  string  `json:"backend"`
	DT       float64 `json:"dt_ms"`
	Duration float64 `json:"duration_ms"`
	Seed     uint64  `json:"seed"`
	// Precision is the simulation's float type, "float32" or "float64".
	Precision string `json:"precision"`
	Steps     int    `json:"steps"`
	// Complete is false when the run stopped early (StepsDone < Steps);
	// Error then says why, and the statistics cover the steps done.
	Complete  bool   `json:"complete"`
	StepsDone int    `json:"steps_done"`
	Error     string `json:"error,omitempty"`
	// Engine is "loop" (time loop in the executable) or "chunk".
	Engine string `json:"engine"`
	// K is the steps per chunk of the chunk engine (0 for the loop engine).
	K           int                 `json:"steps_per_chunk,omitempty"`
	Populations map[string]PopStats `json:"populations"`
	CompileS    float64             `json:"compile_s"`
	RunS        float64             `json:"run_s"`
	StepsPerS   float64             `json:"steps_per_s"`
	// RealtimeFactor is wall time (run only) per simulated second.
	RealtimeFactor float64 `json:"run_s_per_model_s"`
	Compiles       int     `json:"compiles"`
	// EventOps names the operators the loop engine compacted and
	// propagated spikes with: "custom" (brainc's CPU custom calls), "topk"
	// (composed XLA ops) or "scan" (GPU); empty for the chunk engine.
	EventOps string `json:"event_ops,omitempty"`
	// Devices is how many devices the run was split across (0 or 1: one).
	Devices int `json:"devices,omitempty"`
	// DiskHits counts programs loaded from the disk cache instead of
	// compiled (jit.Stats.DiskHits).
	DiskHits int `json:"disk_cache_hits"`
	Reruns   int `json:"capacity_reruns"`
	// Overflows counts loop calls that stopped at a step whose firing
	// exceeded the event capacity (the run went on with a larger one).
	Overflows   int      `json:"capacity_overflows"`
	MaxCapacity int      `json:"max_event_capacity"`
	Files       []string `json:"files"`
}

// Write writes spikes.npz, traces.npz and traces.png (when traces were
// recorded), rates.npz (when rates were asked for), summary.json,
// raster.png and stats.png (histograms of rates, ISIs and CVs, when a
// neuron fired twice) into dir, and lists them in sum.Files. A
// failure leaves no partial output (see atomicfile.Dir).
//
// A dir holding an earlier run's files is refused unless overwrite is set;
// then those files are replaced.
func (r *Recorder) Write(dir string, sum *Summary, overwrite bool) error {
	return atomicfile.Dir(dir, outputOptions(overwrite), func(stage string) ([]string, error) {
		sum.Files = nil
		err := r.writeFiles(stage, sum)
		return sum.Files, err
	})
}

// outputOptions are the atomicfile options of a run's output directory.
func outputOptions(overwrite bool) atomicfile.DirOptions {
	known := []string{"spikes.npz", "traces.npz", "rates.npz", "weights.npz", "fc.npz", "summary.json",
		"raster.png", "traces.png", "stats.png", "raster.svg", "traces.svg", "stats.svg"}
	return atomicfile.DirOptions{Overwrite: overwrite, Known: known}
}

// ReserveOutput checks, before a run, that Write can write into dir (see
// atomicfile.Reserve) and holds dir against other writers until Release.
func ReserveOutput(dir string, overwrite bool) (*atomicfile.Lock, error) {
	return atomicfile.Reserve(dir, outputOptions(overwrite))
}

// ReserveCheckpoints is ReserveOutput for a checkpoint directory, whose
// earlier checkpoint each new one replaces.
func ReserveCheckpoints(dir string) (*atomicfile.Lock, error) {
	return atomicfile.Reserve(dir, atomicfile.DirOptions{Overwrite: true})
}

func (r *Recorder) writeFiles(stage string, sum *Summary) error {
	if err := r.writeData(stage, sum); err != nil {
		return err
	}
	if len(r.Weights) > 0 {
		var names []string
		var arrays []npyio.Array
		for _, w := range r.Weights {
			n := len(w.W)
			names = append(names, w.Proj+".pre", w.Proj+".post", w.Proj+".w")
			arrays = append(arrays, npyio.Array{Shape: []int{n}, Data: w.Pre}, npyio.Array{Shape: []int{n}, Data: w.Post},
				npyio.Array{Shape: []int{n}, Data: w.W})
		}
		if err := npyio.WriteNPZ(filepath.Join(stage, "weights.npz"), names, arrays); err != nil {
			return err
		}
		sum.Files = append(sum.Files, "weights.npz")
	}
	if r.PlotFormat != "none" {
		if err := r.writePlots(stage, sum); err != nil {
			return err
		}
	}
	sum.Files = append(sum.Files, "summary.json")
	js, err := json.MarshalIndent(sum, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(stage, "summary.json"), append(js, '\n'), 0o644)
}

// writePlots writes raster, stats and traces plots into stage.
func (r *Recorder) writePlots(stage string, sum *Summary) error {
	if len(r.Spikes) > 0 {
		sets := make([]plot.SpikeSet, len(r.Spikes))
		for i, s := range r.Spikes {
			sets[i] = plot.SpikeSet{Name: s.Pop, Size: s.Size, Times: s.Times, Indices: s.Indices}
		}
		title := fmt.Sprintf("%s: %d neurons, %g ms", sum.Model, totalSize(r.Spikes), sum.Duration)
		from, to := r.Spikes[0].span(sum.Duration) // the recording window's part of the run
		if !(to > from) {
			from, to = 0, sum.Duration
		}
		if from > 0 || to < sum.Duration {
			title += fmt.Sprintf(", recorded from %g to %g ms", from, to)
		}
		if err := plot.RasterFrom(filepath.Join(stage, "raster."+r.plotExt()), title, sets, from, to, r.rasterBin(to-from, sum.DT), r.marks(from, to)...); err != nil {
			return err
		}
		sum.Files = append(sum.Files, "raster."+r.plotExt())
	}
	panels, err := r.statsPanels(float64(r.Steps) * r.dt)
	if err != nil {
		return err
	}
	if len(panels) > 0 {
		if err := plot.Curves(filepath.Join(stage, "stats."+r.plotExt()), panels); err != nil {
			return err
		}
		sum.Files = append(sum.Files, "stats."+r.plotExt())
	}
	if len(r.Traces) > 0 && len(r.TraceTimes()) > 0 {
		if err := plot.Stack(filepath.Join(stage, "traces."+r.plotExt()), r.tracePanels(), tracePanelPx); err != nil {
			return err
		}
		sum.Files = append(sum.Files, "traces."+r.plotExt())
	}
	return nil
}

// writeData writes what was recorded: spikes.npz and traces.npz (when there
// are traces), listing them in sum.Files.
func (r *Recorder) writeData(stage string, sum *Summary) error {
	var names []string
	var arrays []npyio.Array
	for _, s := range r.Spikes {
		names = append(names, s.Pop+"_times", s.Pop+"_indices")
		arrays = append(arrays, npyio.Array{Shape: []int{len(s.Times)}, Data: s.Times},
			npyio.Array{Shape: []int{len(s.Indices)}, Data: s.Indices})
	}
	if len(names) > 0 {
		if err := npyio.WriteNPZ(filepath.Join(stage, "spikes.npz"), names, arrays); err != nil {
			return err
		}
		sum.Files = append(sum.Files, "spikes.npz")
	}
	names, arrays = nil, nil
	for _, s := range r.Spikes {
		if s.RateBin > 0 && r.Steps > 0 {
			t, hz := s.Rate(s.RateBin, r.Steps, r.dt)
			names = append(names, s.Pop+"_t", s.Pop)
			arrays = append(arrays, npyio.Array{Shape: []int{len(t)}, Data: t}, npyio.Array{Shape: []int{len(hz)}, Data: hz})
		}
	}
	if len(names) > 0 {
		if err := npyio.WriteNPZ(filepath.Join(stage, "rates.npz"), names, arrays); err != nil {
			return err
		}
		sum.Files = append(sum.Files, "rates.npz")
	}
	if len(r.Traces) > 0 {
		times := r.TraceTimes()
		names, arrays = []string{"t"}, []npyio.Array{{Shape: []int{len(times)}, Data: times}}
		for _, t := range r.Traces {
			idx := make([]int32, len(t.Indices))
			for i, x := range t.Indices {
				idx[i] = int32(x)
			}
			names = append(names, t.Pop+"."+t.Var, t.Pop+"."+t.Var+"_indices")
			arrays = append(arrays, npyio.Array{Shape: []int{len(times), len(t.Indices)}, Data: t.Values},
				npyio.Array{Shape: []int{len(idx)}, Data: idx})
		}
		if err := npyio.WriteNPZ(filepath.Join(stage, "traces.npz"), names, arrays); err != nil {
			return err
		}
		sum.Files = append(sum.Files, "traces.npz")
	}
	names, arrays = nil, nil
	for _, t := range r.Traces {
		if t.FC {
			k := len(t.Indices)
			names = append(names, t.Pop+"."+t.Var)
			arrays = append(arrays, npyio.Array{Shape: []int{k, k}, Data: t.Correlation()})
		}
	}
	if len(names) > 0 {
		if err := npyio.WriteNPZ(filepath.Join(stage, "fc.npz"), names, arrays); err != nil {
			return err
		}
		sum.Files = append(sum.Files, "fc.npz")
	}
	return nil
}

// readData reads what writeData wrote in dir, for a recorder of steps
// steps, replacing what the recorder holds. Nothing is believed: every
// population's spikes are of its recorded neurons, at steps within the
// recording window and before steps, in time order; every trace has the
// rows of the steps recorded.
func (r *Recorder) readData(dir string, steps int) error {
	r.Steps = steps
	if len(r.Spikes) > 0 {
		path := filepath.Join(dir, "spikes.npz")
		byName, err := npyio.ReadNPZMap(path)
		if err != nil {
			return err
		}
		for _, s := range r.Spikes {
			times, ok1 := byName[s.Pop+"_times"].Data.([]float64)
			idx, ok2 := byName[s.Pop+"_indices"].Data.([]int32)
			if !ok1 || !ok2 || len(times) != len(idx) {
				return fmt.Errorf("%s: no spikes of %s (expected %s_times, float64, and %s_indices, int32, of one length)", path, s.Pop, s.Pop, s.Pop)
			}
			if err := r.checkSpikes(s, times, idx, steps); err != nil {
				return fmt.Errorf("%s: %s: %w", path, s.Pop, err)
			}
			s.Times, s.Indices = times, idx
		}
	}
	if len(r.Traces) > 0 {
		path := filepath.Join(dir, "traces.npz")
		byName, err := npyio.ReadNPZMap(path)
		if err != nil {
			return err
		}
		rows := r.traceRows()
		for _, t := range r.Traces {
			a := byName[t.Pop+"."+t.Var]
			v, ok := a.Data.([]float64)
			if !ok || !slices.Equal(a.Shape, []int{rows, len(t.Indices)}) {
				return fmt.Errorf("%s: no trace %s.%s of %d rows (float64 [%d, %d]), got %T %v", path, t.Pop, t.Var, rows, rows, len(t.Indices), a.Data, a.Shape)
			}
			t.Values = v
		}
	}
	return nil
}

// checkSpikes checks spikes read back for s over steps steps: each of a
// recorded neuron, at a step's time within the recording window and before
// steps, in time order.
func (r *Recorder) checkSpikes(s *Spikes, times []float64, idx []int32, steps int) error {
	last := math.Inf(-1)
	for k, t := range times {
		i := idx[k]
		if i < 0 || int(i) >= s.Size || s.record != nil && !s.record[i] {
			return fmt.Errorf("spike %d is of neuron %d, expected one of the %d neurons recorded", k, i, s.Size)
		}
		step := math.Round(t / r.dt)
		if !(step >= 0 && step < float64(steps)) || float64(int(step))*r.dt != t || !r.window.spikes(int(step)) {
			return fmt.Errorf("spike %d is at %g ms, expected the time of a step recorded before step %d (%g ms)", k, t, steps, float64(steps)*r.dt)
		}
		if t < last {
			return fmt.Errorf("spike %d at %g ms is before the one at %g ms: expected time order", k, t, last)
		}
		last = t
	}
	return nil
}

// traceRows is the number of trace rows recorded in r.Steps steps
// (len(TraceTimes()), without listing them).
func (r *Recorder) traceRows() int {
	w, end := r.twindow, r.Steps
	if w.stop >= 0 {
		end = min(end, w.stop)
	}
	if end <= w.start {
		return 0
	}
	return (end-w.start-1)/w.every + 1
}

func totalSize(s []*Spikes) int {
	n := 0
	for _, x := range s {
		n += x.Size
	}
	return n
}

// rateBin picks the population-rate bin: 1 ms for runs up to 400 ms, then
// duration/400 (5 ms for 2 s: a rate a reader can follow), never below dt.
func rateBin(duration, dt float64) float64 {
	return max(dt, max(1, duration/400))
}

// rasterBin is the raster's rate-panel bin: the bin monitors.rates asks
// for, when it asks one for every spike-monitored population (the
// largest when they differ), else rateBin's.
func (r *Recorder) rasterBin(duration, dt float64) float64 {
	bin := 0.0
	for _, s := range r.Spikes {
		if s.RateBin <= 0 {
			return rateBin(duration, dt)
		}
		bin = max(bin, s.RateBin)
	}
	if bin == 0 || duration/bin > 1e6 {
		return rateBin(duration, dt)
	}
	return bin
}

// Traces are drawn one neuron per panel, stacked (tracePanelPx pixels
// high each): at most tracedPerVar neurons of each of the first
// tracedVars variables, each curve thinned to at most tracePoints points
// (the lowest and highest value of each stretch kept, so spikes and
// troughs stay drawn).
const (
	tracePanelPx = 150
	tracedPerVar = 3
	tracedVars   = 4
	tracePoints  = 4000
)

// tracePanels are traces.png's panels: one per traced neuron (at most
// tracedPerVar of each of the first tracedVars variables), its values
// against time, the y axis labelled with the variable's unit.
func (r *Recorder) tracePanels() []plot.Panel {
	var panels []plot.Panel
	times := r.TraceTimes()
	for _, t := range r.Traces[:min(len(r.Traces), tracedVars)] {
		n := len(t.Indices)
		label := t.Var
		if t.Unit != "" {
			label += " (" + t.Unit + ")"
		}
		for j := range min(n, tracedPerVar) {
			y := make([]float64, len(times))
			for k := range times {
				y[k] = t.Values[k*n+j]
			}
			x, y := thin(times, y, tracePoints)
			panels = append(panels, plot.Panel{Title: fmt.Sprintf("%s.%s, neuron %d", t.Pop, t.Var, t.Indices[j]), XLabel: "time (ms)",
				YLabel: label, Lines: true, At: "t = %g ms", Series: []plot.Series{{Name: fmt.Sprintf("%s %d", t.Pop, t.Indices[j]), X: x, Y: y}}})
		}
	}
	return panels
}

// thin keeps at most about limit points of a curve: every point when it
// has that few, else, for each of limit/2 equal stretches, the points of
// its lowest and highest value in time order (a point that is not finite
// is kept as such, so that the plot still notes it).
func thin(x, y []float64, limit int) ([]float64, []float64) {
	if len(x) <= limit {
		return x, y
	}
	buckets := limit / 2
	var ox, oy []float64
	for b := range buckets {
		lo, hi := b*len(x)/buckets, (b+1)*len(x)/buckets
		imin, imax, bad := -1, -1, -1
		for i := lo; i < hi; i++ {
			switch {
			case math.IsNaN(y[i]) || math.IsInf(y[i], 0):
				if bad < 0 {
					bad = i
				}
			case imin < 0:
				imin, imax = i, i
			case y[i] < y[imin]:
				imin = i
			case y[i] > y[imax]:
				imax = i
			}
		}
		keep := []int{imin, imax, bad}
		slices.Sort(keep)
		for _, i := range keep {
			if i >= 0 && (len(ox) == 0 || ox[len(ox)-1] != x[i]) {
				ox, oy = append(ox, x[i]), append(oy, y[i])
			}
		}
	}
	return ox, oy
}

// plotExt is the plots' file extension: PlotFormat, "png" by default.
func (r *Recorder) plotExt() string {
	if r.PlotFormat == "svg" {
		return "svg"
	}
	return "png"
}

// marks are the input windows that start within [from, to] ms (a partial
// run's plot leaves out those that had not begun; a recording window
// those outside it).
func (r *Recorder) marks(from, to float64) []plot.Mark {
	var out []plot.Mark
	for _, m := range r.Marks {
		if m.Start >= from && m.Start <= to {
			out = append(out, m)
		}
	}
	return out
}

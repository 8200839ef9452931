package sweep

import (
	"context"
	"fmt"
	"math"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"

	"github.com/brainc/brainc/driver"
	"github.com/brainc/brainc/ir"
	"github.com/brainc/brainc/lower"
	"github.com/brainc/brainc/results"
)

// Options configure Run.
type Options struct {
	// DType is the simulation's float type (Float32 by default).
	DType dtypes.DType
	// Batch is how many instances run as one program (see Batch): 0 picks
	// BatchSize's, 1 runs them one by one.
	Batch int
	// Done, when set, is called after every instance with its row, the
	// recording (to save it) and the instances done and in all; an error
	// stops the sweep.
	Done func(row Row, rec *results.Recorder, done, total int) error
}

// Measures are one population's summary statistics in one instance.
type Measures struct {
	// RateHz is the mean rate, CV the mean CV of inter-spike intervals
	// (NaN: no neuron fired 3 times), Fano the mean Fano factor of the
	// neurons' spike counts in FanoWindow windows (NaN: no spikes), and
	// Synchrony Golomb's χ² of spike counts in SynchronyBin bins: the
	// variance of the population's mean count over the mean of the
	// neurons' variances (1: fully synchronous, ~1/N: asynchronous).
	RateHz, CV, Fano, Synchrony float64
}

// Windows of the statistics.
const (
	// FanoWindow is the window (ms) of the Fano factor's counts.
	FanoWindow = 100.0
	// SynchronyBin is the bin (ms) of the synchrony's counts.
	SynchronyBin = 5.0
)

// Row is one instance's result.
type Row struct {
	Instance
	// Pops holds each spike-monitored population's measures, by name.
	Pops map[string]Measures
	// Steps is the number of steps run; RunS and CompileS the instance's
	// run and compile time (0 compile: its programs were compiled; an
	// instance of a batch of n gets 1/n of the batch's), Batch the size
	// of its batch.
	Steps          int
	RunS, CompileS float64
	Batch          int
}

// Run simulates every instance of the grid on b and returns their rows, in
// instance order. Instances run in batches (Options.Batch; see Batch): one
// program advances every instance of a batch, and batches of the same
// shapes share compiled programs (jit's cache). A cancelled ctx stops
// between batches (and within one at a call boundary) with the rows done.
func Run(ctx context.Context, b backends.Backend, net *ir.Network, g Grid, opts Options) ([]Row, error) {
	insts, err := g.Instances(net.Seed)
	if err != nil {
		return nil, err
	}
	size := opts.Batch
	if size <= 0 {
		size = BatchSize(net, len(insts), lower.Options{DType: opts.DType})
	}
	size = min(size, MaxBatch)
	var rows []Row
	for start := 0; start < len(insts); start += size {
		if err := ctx.Err(); err != nil {
			return rows, err
		}
		done, err := runBatch(ctx, b, net, g, insts[start:min(start+size, len(insts))], opts)
		if err != nil {
			return rows, err
		}
		for k, d := range done {
			rows = append(rows, d.row)
			if opts.Done != nil {
				if err := opts.Done(d.row, d.rec, start+k+1, len(insts)); err != nil {
					return rows, err
				}
			}
		}
	}
	return rows, nil
}

// instanceRun is one instance's row and recording.
type instanceRun struct {
	row Row
	rec *results.Recorder
}

// runBatch simulates one batch and splits its recording by instance. Each
// row's run and compile times are the batch's shared equally.
func runBatch(ctx context.Context, b backends.Backend, net *ir.Network, g Grid, insts []Instance, opts Options) ([]instanceRun, error) {
	batch, err := NewBatch(net, g, insts)
	if err != nil {
		return nil, err
	}
	which := func() string {
		if len(insts) == 1 {
			return fmt.Sprintf("instance %d", insts[0].Index)
		}
		return fmt.Sprintf("instances %d-%d", insts[0].Index, insts[len(insts)-1].Index)
	}
	prog, err := lower.Build(batch.Net, lower.Options{DType: opts.DType})
	if err != nil {
		return nil, fmt.Errorf("sweep: %s: %w", which(), batch.explain(err))
	}
	steps := int(math.Round(batch.Net.Duration / batch.Net.Dt))
	rec, st, err := driver.Simulate(b, prog, steps, driver.Options{Stop: ctx.Done()})
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("sweep: %s: %w", which(), batch.explain(err))
	}
	n := float64(len(insts))
	out := make([]instanceRun, len(insts))
	for k, r := range batch.Split(rec) {
		row := Row{Instance: insts[k], Pops: map[string]Measures{}, Steps: r.Steps,
			RunS: st.RunTime.Seconds() / n, CompileS: st.CompileTime.Seconds() / n, Batch: len(insts)}
		for _, s := range r.Spikes {
			row.Pops[s.Pop] = Measure(s, float64(r.Steps)*batch.Net.Dt)
		}
		out[k] = instanceRun{row, r}
	}
	return out, nil
}

// Measure computes a population's measures over a run of duration ms.
func Measure(s *results.Spikes, duration float64) Measures {
	st := s.Stats(duration)
	m := Measures{RateHz: st.RateHz, CV: math.NaN(), Fano: math.NaN(), Synchrony: math.NaN()}
	if st.CVISI != nil {
		m.CV = *st.CVISI
	}
	neurons := s.Size
	index := func(i int32) int { return int(i) }
	if s.Neurons != nil {
		neurons = len(s.Neurons)
		pos := map[int32]int{}
		for k, i := range s.Neurons {
			pos[i] = k
		}
		index = func(i int32) int { return pos[i] }
	}
	counts := func(bin float64) [][]float64 { // [neuron][bin]
		n := int(duration / bin)
		if n < 2 {
			return nil
		}
		c := make([][]float64, neurons)
		for i := range c {
			c[i] = make([]float64, n)
		}
		for k, t := range s.Times {
			if b := int((t - s.From) / bin); b >= 0 && b < n {
				c[index(s.Indices[k])][b]++
			}
		}
		return c
	}
	if c := counts(FanoWindow); c != nil {
		sum, used := 0.0, 0
		for _, row := range c {
			mean, v := meanVar(row)
			if mean > 0 {
				sum += v / mean
				used++
			}
		}
		if used > 0 {
			m.Fano = sum / float64(used)
		}
	}
	if c := counts(SynchronyBin); c != nil {
		pop := make([]float64, len(c[0]))
		single := 0.0
		for _, row := range c {
			for b, x := range row {
				pop[b] += x / float64(len(c))
			}
			_, v := meanVar(row)
			single += v / float64(len(c))
		}
		if _, v := meanVar(pop); single > 0 {
			m.Synchrony = v / single
		}
	}
	return m
}

// meanVar is the mean and (population) variance of v.
func meanVar(v []float64) (mean, variance float64) {
	for _, x := range v {
		mean += x
	}
	mean /= float64(len(v))
	for _, x := range v {
		variance += (x - mean) * (x - mean)
	}
	return mean, variance / float64(len(v))
}

package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/brainc/brainc/atomicfile"
	"github.com/brainc/brainc/lower"
	"github.com/brainc/brainc/results"
	"github.com/brainc/brainc/sweep"
)

func cmdSweep(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("sweep", "SPEC|MODEL", stderr)
	var sf simFlags
	addSimFlags(fs, &sf)
	sets := fs.StringArray("set", nil, `a swept value: Target.key=from..to/count or =[a, b, …] (e.g. E.tau=10ms..30ms/11, I2E.weight=[4,6,8], E.input=[15,20]); repeat for a grid`)
	seeds := fs.String("seeds", "", "seeds of every combination: a..b or a,b,c (default: the spec's)")
	out := fs.String("out", "sweep", "directory for summary.csv, summary.npz, sweep.png and run-NNNN/ of each instance")
	overwrite := fs.Bool("overwrite", false, "replace an earlier sweep in --out")
	quiet := fs.Bool("quiet", false, "no progress lines")
	batch := fs.Int("batch", 0, fmt.Sprintf("instances run as one program (0: as many as an estimated %d MiB holds; 1: one by one)", sweep.DefaultBatchBytes>>20))
	pos, err := parseFlags(fs, args, 1)
	if err != nil {
		return err
	}
	sf.oneDevice = "a sweep runs its instances batched on one device"
	net, _, _, err := sf.build(pos[0]) // parses, applies the flags and checks that the network lowers
	if err != nil {
		return err
	}
	var g sweep.Grid
	for _, s := range *sets {
		a, err := sweep.ParseSet(s, net)
		if err != nil {
			return &usageError{err.Error()}
		}
		g.Axes = append(g.Axes, a)
	}
	if *seeds != "" {
		if g.Seeds, err = sweep.ParseSeeds(*seeds); err != nil {
			return &usageError{err.Error()}
		}
	}
	insts, err := g.Instances(net.Seed)
	if err != nil {
		return &usageError{err.Error()}
	}
	if *batch < 0 || *batch > sweep.MaxBatch {
		return &usageError{fmt.Sprintf("--batch: expected 0 (automatic) to %d instances, got %d", sweep.MaxBatch, *batch)}
	}
	b, err := sf.open(net, stderr)
	if err != nil {
		return err
	}
	defer b.Finalize()
	pops := slices.Clone(net.Monitors.Spikes)
	intr := watchInterrupts(stderr, "sweep", "stopping after the instances running now to write the table of those done")
	defer intr.close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		<-intr.Stop
		cancel()
	}()
	dtype := lower.OptionsFor(net, lower.Choices{}).DType
	// The sweep fills --out as one set, as a run does (atomicfile.Dir): a
	// directory holding files brainc did not write is refused, --overwrite
	// replaces only an earlier sweep's (never a plain file), and both are
	// found before any instance runs. An interrupted sweep keeps the
	// instances it ran; a failed one leaves nothing.
	var rows []sweep.Row
	interrupted := false
	start, last := time.Now(), time.Now()
	opts := atomicfile.DirOptions{Overwrite: *overwrite, Known: []string{"summary.csv", "summary.npz", "sweep.png"}}
	err = atomicfile.Dir(*out, opts, func(stage string) ([]string, error) {
		var files []string
		var err error
		rows, err = sweep.Run(ctx, b, net, g, sweep.Options{DType: dtype, Batch: *batch, Done: func(row sweep.Row, rec *results.Recorder, done, total int) error {
			rec.PlotFormat = "none"
			sum := &results.Summary{Model: net.Name, Backend: b.Label(), DT: net.Dt, Duration: net.Duration, Seed: row.Seed,
				Precision: dtype.String(), Steps: row.Steps, StepsDone: row.Steps, Complete: true, Engine: "loop",
				Populations: map[string]results.PopStats{}, RunS: row.RunS, CompileS: row.CompileS}
			for _, s := range rec.Spikes {
				sum.Populations[s.Pop] = s.Stats(float64(rec.Steps) * net.Dt)
			}
			name := fmt.Sprintf("run-%04d", row.Index)
			if err := rec.Write(filepath.Join(stage, name), sum, false); err != nil {
				return err
			}
			files = append(files, name)
			if !*quiet && (time.Since(last) > 5*time.Second || done == total) {
				last = time.Now()
				fmt.Fprintf(stderr, "brainc sweep: %d / %d instances, %.1f s elapsed\n", done, total, time.Since(start).Seconds())
			}
			return nil
		}})
		if err != nil && ctx.Err() == nil {
			return nil, err
		}
		interrupted = err != nil
		intr.Writing() // a second signal waits for the table and the commit
		if err := sweep.WriteTable(stage, g, pops, rows); err != nil {
			return nil, err
		}
		files = append(files, "summary.csv", "summary.npz")
		if _, err := os.Stat(filepath.Join(stage, "sweep.png")); err == nil {
			files = append(files, "sweep.png")
		}
		return files, nil
	})
	if err != nil {
		return err
	}
	if interrupted { // a signal: exit 130, as brainc run
		return &interruptedError{Msg: fmt.Sprintf("interrupted after %d of %d instances: their rows are in %s/summary.csv, their runs in run-*/",
			len(rows), len(insts), *out)}
	}
	compile := 0.0
	for _, r := range rows {
		compile += r.CompileS
	}
	fmt.Fprintf(stdout, "%s: %d instances in %.2f s (compile %.2f s); wrote %s/{summary.csv,summary.npz,sweep.png,run-*/}\n",
		net.Name, len(rows), time.Since(start).Seconds(), compile, *out)
	return nil
}

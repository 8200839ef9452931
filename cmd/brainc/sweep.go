package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/gomlx/gomlx/pkg/core/dtypes"

	"github.com/brainc/brainc/ir"
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
	if entries, err := os.ReadDir(*out); err == nil && len(entries) > 0 && !*overwrite {
		return fmt.Errorf("%s holds files already: use --overwrite to replace the sweep, or another --out", *out)
	}
	if *overwrite {
		if err := os.RemoveAll(*out); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
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
	dtype := dtypes.Float32
	if net.Precision == ir.PrecisionFloat64 {
		dtype = dtypes.Float64
	}
	start, last := time.Now(), time.Now()
	rows, err := sweep.Run(ctx, b, net, g, sweep.Options{DType: dtype, Batch: *batch, Done: func(row sweep.Row, rec *results.Recorder, done, total int) error {
		rec.PlotFormat = "none"
		sum := &results.Summary{Model: net.Name, Backend: b.Label(), DT: net.Dt, Duration: net.Duration, Seed: row.Seed,
			Precision: dtype.String(), Steps: row.Steps, StepsDone: row.Steps, Complete: true, Engine: "loop",
			Populations: map[string]results.PopStats{}, RunS: row.RunS, CompileS: row.CompileS}
		for _, s := range rec.Spikes {
			sum.Populations[s.Pop] = s.Stats(float64(rec.Steps) * net.Dt)
		}
		intr.Writing()
		err := rec.Write(filepath.Join(*out, fmt.Sprintf("run-%04d", row.Index)), sum, false)
		intr.Written()
		if err != nil {
			return err
		}
		if !*quiet && (time.Since(last) > 5*time.Second || done == total) {
			last = time.Now()
			fmt.Fprintf(stderr, "brainc sweep: %d / %d instances, %.1f s elapsed\n", done, total, time.Since(start).Seconds())
		}
		return nil
	}})
	intr.Writing()
	if werr := sweep.WriteTable(*out, g, pops, rows); werr != nil && err == nil {
		err = werr
	}
	if err != nil {
		if ctx.Err() != nil { // a signal: exit 130, as brainc run
			return &interruptedError{Msg: fmt.Sprintf("interrupted after %d of %d instances: their rows are in %s/summary.csv, their runs in run-*/",
				len(rows), len(insts), *out)}
		}
		return err
	}
	compile := 0.0
	for _, r := range rows {
		compile += r.CompileS
	}
	fmt.Fprintf(stdout, "%s: %d instances in %.2f s (compile %.2f s); wrote %s/{summary.csv,summary.npz,sweep.png,run-*/}\n",
		net.Name, len(rows), time.Since(start).Seconds(), compile, *out)
	return nil
}

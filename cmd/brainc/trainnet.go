package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/brainc/brainc/artifact"
	"github.com/brainc/brainc/atomicfile"
	"github.com/brainc/brainc/bptt"
	"github.com/brainc/brainc/ir"
	"github.com/brainc/brainc/learn"
	"github.com/brainc/brainc/netspec"
	"github.com/brainc/brainc/pjrt"
	"github.com/brainc/brainc/results"
	"github.com/brainc/brainc/signature"
)

// netSummary is summary.json of a spec network's training.
type netSummary struct {
	Name         string             `json:"name"`
	Version      string             `json:"version"`
	Backend      string             `json:"backend"`
	Model        string             `json:"model"`
	Training     learn.LoopTraining `json:"training"`
	Steps        int                `json:"steps"`
	DtMS         float64            `json:"dt_ms"`
	Batch        int                `json:"batch"`
	LR           float64            `json:"lr"`
	Surrogate    string             `json:"surrogate"`
	Loss         string             `json:"loss"`
	Segment      int                `json:"segment"`
	TrainSamples int                `json:"train_samples"`
	TestSamples  int                `json:"test_samples"`
	Initial      *bptt.Epoch        `json:"initial"`
	Epochs       []bptt.Epoch       `json:"epochs"`
	Interrupted  bool               `json:"interrupted"`
	TestAccuracy float64            `json:"test_accuracy"`
	WallS        float64            `json:"wall_s"`
	Files        []string           `json:"files"`
}

// netTraining is what brainc train's flags ask of a model spec's training.
type netTraining struct {
	backend, out  string
	overwrite     bool
	checkpointDir string // write a checkpoint there after every epoch
	resume        string // the checkpoint directory to go on from
}

// trainNetwork trains the spec network spec.Model names through the time
// loop (package bptt) and writes metrics.jsonl, params.npz and
// summary.json into o.out.
func trainNetwork(spec *learn.Spec, o netTraining, stdout, stderr io.Writer) error {
	backend, out, overwrite := o.backend, o.out, o.overwrite
	c := &spec.Config
	var net *ir.Network
	var err error
	if spec.ModelText != nil { // the training spec holds its network
		net, err = netspec.Parse(spec.ModelText, spec.Model)
	} else {
		net, err = netspec.ParseFile(spec.Model)
	}
	if err != nil {
		return err
	}
	if spec.Randman != nil { // the data's bins are the network's steps
		spec.Randman.Dt, c.Dt = net.Dt/1000, net.Dt
	}
	trainSet, testSet, err := spec.Data()
	if err != nil {
		return err
	}
	outLock, err := atomicfile.Reserve(out, atomicfile.DirOptions{Overwrite: overwrite})
	if err != nil {
		return err
	}
	defer outLock.Release()
	if o.checkpointDir != "" {
		ckLock, err := results.ReserveCheckpoints(o.checkpointDir)
		if err != nil {
			return fmt.Errorf("--checkpoint-dir: %w", err)
		}
		defer ckLock.Release()
	}
	b, err := pjrt.Open(pjrt.Options{Backend: backend, Stderr: stderr})
	if err != nil {
		return err
	}
	defer b.Finalize()
	start := time.Now()
	l := spec.Loop
	units, classes := max(trainSet.Units, testSet.Units), max(trainSet.Classes, testSet.Classes)
	tr, err := bptt.NewTrainer(b, net, bptt.Config{Batch: c.Batch, Input: l.Input, Readout: l.Readout, ReadoutVar: l.Var,
		Reduce: signature.Reduce(l.Reduce), Params: l.Params, Surrogate: c.Surrogate, LR: c.LR, Segment: l.Segment,
		Loss: lossOf(c), TargetHigh: c.TargetHigh, TargetLow: c.TargetLow, Bounds: l.Bounds, ClipNorm: l.Clip,
		Optimizer: l.Optimizer, Momentum: l.Momentum, Schedule: bptt.Schedule(l.Schedule),
		RateReg: c.RateReg, RateTarget: c.RateTarget, RatePops: ratePops(net, spec)}, units, classes, c.Steps)
	if err != nil {
		return fmt.Errorf("%s: %w", spec.Model, err)
	}
	fmt.Fprintf(stdout, "%s: network %s, %d steps of %g ms, %d training / %d test samples, batch %d, lr %g, %s, states stored every %d steps, on %s (compiled in %.1f s)\n",
		spec.Name, spec.Model, c.Steps, net.Dt, len(trainSet.Samples), len(testSet.Samples), c.Batch, c.LR, c.Surrogate,
		tr.Segment(), b.Label(), time.Since(start).Seconds())
	sum := netSummary{Name: spec.Name, Version: artifact.Version, Backend: b.Label(), Model: spec.Model, Training: l,
		Steps: c.Steps, DtMS: net.Dt, Batch: c.Batch, LR: c.LR, Surrogate: c.Surrogate.String(), Loss: lossOf(c), Segment: tr.Segment(),
		TrainSamples: len(trainSet.Samples), TestSamples: len(testSet.Samples)}
	ev0, err := tr.Evaluate(testSet)
	if err != nil {
		return err
	}
	sum.Initial = &bptt.Epoch{TestLoss: ev0.Loss, TestAccuracy: ev0.Accuracy}
	fmt.Fprintf(stdout, "epoch   0  test %.3f (loss %.4f)  before training\n", ev0.Accuracy, ev0.Loss)
	intr := watchInterrupts(stderr, "train", "stopping after this batch to write the epochs done")
	defer intr.close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-intr.Stop:
			cancel()
		case <-ctx.Done():
		}
	}()
	first := 1
	if o.resume != "" {
		done, err := tr.Resume(filepath.Join(o.resume, "checkpoint.npz"))
		if err != nil {
			return fmt.Errorf("--resume: %w", err)
		}
		first = done + 1
		fmt.Fprintf(stdout, "resumed after epoch %d from %s\n", done, o.resume)
	}
	var ckErr error
	sum.Epochs, err = tr.FitFrom(ctx, trainSet, testSet, first, c.Epochs, c.Seed, func(e bptt.Epoch) {
		lr := ""
		if k := l.Schedule.Kind; k != "" && k != "constant" {
			lr = fmt.Sprintf("  lr %.3g", e.LR)
		}
		fmt.Fprintf(stdout, "epoch %3d  loss %.4f  train %.3f  test %.3f (loss %.4f)  %.1f s (step %.0f ms)%s\n",
			e.Epoch, e.Loss, e.TrainAccuracy, e.TestAccuracy, e.TestLoss, e.Seconds, e.StepMS, lr)
		if o.checkpointDir != "" && ckErr == nil {
			intr.Writing()
			ckErr = atomicfile.Dir(o.checkpointDir, atomicfile.DirOptions{Overwrite: true}, func(stage string) ([]string, error) {
				return []string{"checkpoint.npz"}, tr.Checkpoint(filepath.Join(stage, "checkpoint.npz"), e.Epoch)
			})
			intr.Written()
			if ckErr != nil {
				fmt.Fprintf(stderr, "brainc train: writing the checkpoint after epoch %d: %v; training goes on without checkpoints\n", e.Epoch, ckErr)
			}
		}
	})
	if err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	sum.Interrupted = err != nil
	sum.TestAccuracy = ev0.Accuracy
	if n := len(sum.Epochs); n > 0 {
		sum.TestAccuracy = sum.Epochs[n-1].TestAccuracy
	}
	sum.WallS = time.Since(start).Seconds()
	intr.Writing()
	defer intr.Written()
	err = atomicfile.Dir(out, atomicfile.DirOptions{Overwrite: overwrite}, func(stage string) ([]string, error) {
		sum.Files = []string{"metrics.jsonl", "params.npz", "summary.json"}
		if err := writeJSONLines(filepath.Join(stage, "metrics.jsonl"), sum.Epochs); err != nil {
			return nil, err
		}
		if err := tr.Save(filepath.Join(stage, "params.npz")); err != nil {
			return nil, err
		}
		data, err := json.MarshalIndent(sum, "", "  ")
		if err != nil {
			return nil, err
		}
		return sum.Files, os.WriteFile(filepath.Join(stage, "summary.json"), append(data, '\n'), 0o644)
	})
	if err != nil {
		return err
	}
	if ckErr != nil {
		return fmt.Errorf("writing a checkpoint: %w (training went on to its end without checkpoints; its outputs are in %s)", ckErr, out)
	}
	if sum.Interrupted {
		return &interruptedError{Msg: fmt.Sprintf("interrupted after %d epochs: their metrics and the parameters reached are in %s (summary.json says \"interrupted\": true)",
			len(sum.Epochs), out)}
	}
	model := spec.Model
	if _, err := os.Stat(model); err != nil && spec.ModelText != nil { // a built-in: brainc run takes its name
		model = strings.TrimSuffix(model, ".yaml")
	}
	fmt.Fprintf(stdout, "test accuracy %.3f after %d epochs, %.1f s; wrote %s/{%s}\nsimulate the trained network: brainc run %s --params %s\n",
		sum.TestAccuracy, len(sum.Epochs), sum.WallS, out, strings.Join(sum.Files, ","), model, filepath.Join(out, "params.npz"))
	return nil
}

// lossOf is a model spec's loss: count_mse, or cross-entropy (ce_max and
// ce_mean name the fixed architecture's readout; a model spec's readout
// says its reduction).
func lossOf(c *learn.Config) string {
	if c.Loss == learn.LossCountMSE {
		return bptt.LossCountMSE
	}
	return bptt.LossCE
}

// ratePops are the populations a model spec's rate regulariser acts on:
// train.rate_populations, else (with rate_reg) every population but the
// input, the readout and spike sources (SpikeTimes, Poisson).
func ratePops(net *ir.Network, spec *learn.Spec) []string {
	if spec.Config.RateReg <= 0 || spec.Loop.RatePops != nil {
		return spec.Loop.RatePops
	}
	var out []string
	for _, pop := range net.Populations {
		if pop.Name != spec.Loop.Input && pop.Name != spec.Loop.Readout && pop.Model != "SpikeTimes" && pop.Model != "Poisson" {
			out = append(out, pop.Name)
		}
	}
	return out
}

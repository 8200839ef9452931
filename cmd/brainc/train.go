package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/brainc/brainc/artifact"
	"github.com/brainc/brainc/atomicfile"
	"github.com/brainc/brainc/learn"
	"github.com/brainc/brainc/models"
	"github.com/brainc/brainc/ops"
	"github.com/brainc/brainc/pjrt"
	"github.com/brainc/brainc/plot"
)

// loadTrainingSpec reads a training spec file, or a built-in one by name.
func loadTrainingSpec(arg string) (*learn.Spec, error) {
	if _, err := os.Stat(arg); err == nil {
		return learn.ParseSpecFile(arg)
	}
	if strings.ContainsAny(arg, "./") {
		return nil, fmt.Errorf("training spec %q: %w", arg, os.ErrNotExist)
	}
	data, err := models.TrainingSpec(arg)
	if err != nil {
		if slices.Contains(models.Names(), arg) {
			return nil, fmt.Errorf("%q is a built-in network, not a training spec: write a training spec whose model: names its spec file (models/%s.yaml in the source tree), with train.input, train.readout and train.params (docs/training.md); built-in training specs: %q", arg, arg, models.TrainingNames())
		}
		return nil, err
	}
	return learn.ParseSpec(data, arg+".yaml")
}

// trainSummary is summary.json of a training run.
type trainSummary struct {
	Name          string        `json:"name"`
	Version       string        `json:"version"`
	Backend       string        `json:"backend"`
	Config        learn.Config  `json:"config"`
	SurrogateName string        `json:"surrogate"`
	TrainSamples  int           `json:"train_samples"`
	TestSamples   int           `json:"test_samples"`
	Epochs        []learn.Epoch `json:"epochs"`
	TestAccuracy  float64       `json:"test_accuracy"`
	WallS         float64       `json:"wall_s"`
	Files         []string      `json:"files"`
}

func cmdTrain(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("train", "SPEC|NAME", stderr)
	out := fs.StringP("out", "o", "", "directory for metrics.jsonl, params.npz, summary.json, training.png (default out/NAME-train)")
	epochs := fs.Int("epochs", -1, "epochs (default: the spec's)")
	batch := fs.Int("batch", 0, "batch size (default: the spec's)")
	lr := fs.Float64("lr", 0, "Adam learning rate (default: the spec's)")
	sur := fs.String("surrogate", "", "surrogate spike function, NAME or NAME:ALPHA (default: the spec's)")
	seed := fs.Int64("seed", -1, "seed for initial weights and batch order (default: the spec's)")
	backend := fs.String("backend", "", "cpu|cuda|go|/abs/path/plugin.so (default: $BRAINC_BACKEND, else automatic)")
	writeData := fs.String("write-data", "", "write the training and test sets to DIR/train.npz and DIR/test.npz and stop (for the peer harness)")
	overwrite := fs.Bool("overwrite", false, "replace the files of an earlier training run in --out")
	ckDir := fs.String("checkpoint-dir", "", "with a model spec: write DIR/checkpoint.npz (parameters, Adam's state, epochs) after every epoch")
	resume := fs.String("resume", "", "with a model spec: go on from the checkpoint in this directory (same spec and flags)")
	pos, err := parseFlags(fs, args, 1)
	if err != nil {
		return err
	}
	spec, err := loadTrainingSpec(pos[0])
	if err != nil {
		return err
	}
	c := &spec.Config
	if *epochs >= 0 {
		c.Epochs = *epochs
	}
	if *batch > 0 {
		c.Batch = *batch
	} else if *batch < 0 {
		return &usageError{fmt.Sprintf("--batch: must be > 0, got %d", *batch)}
	}
	if *lr != 0 {
		c.LR = *lr
	}
	if *seed >= 0 {
		c.Seed = uint64(*seed)
	}
	if *sur != "" {
		name, alpha, _ := strings.Cut(*sur, ":")
		a := 0.0
		if alpha != "" {
			if _, err := fmt.Sscanf(alpha, "%g", &a); err != nil {
				return &usageError{fmt.Sprintf("--surrogate: alpha %q is not a number", alpha)}
			}
		}
		s, err := ops.NewSurrogate(name, a)
		if err != nil {
			return &usageError{"--surrogate: " + err.Error()}
		}
		c.Surrogate = s
	}
	if *out == "" {
		*out = filepath.Join("out", spec.Name+"-train")
	}
	if spec.Model != "" {
		if *writeData != "" {
			return &usageError{"--write-data: writes the fixed architecture's data; a model spec's data are the same spec without model:"}
		}
		if err := c.Validate(); err != nil {
			return err
		}
		return trainNetwork(spec, netTraining{backend: *backend, out: *out, overwrite: *overwrite, checkpointDir: *ckDir, resume: *resume}, stdout, stderr)
	}
	if *ckDir != "" || *resume != "" {
		return &usageError{"--checkpoint-dir and --resume: checkpoints are written for model specs (model:), not the fixed architecture"}
	}
	trainSet, testSet, err := spec.Data()
	if err != nil {
		return err
	}
	if err := c.Validate(); err != nil {
		return err
	}
	if *writeData != "" {
		err := atomicfile.Dir(*writeData, atomicfile.DirOptions{Overwrite: *overwrite}, func(stage string) ([]string, error) {
			if err := trainSet.WriteNPZ(filepath.Join(stage, "train.npz")); err != nil {
				return nil, err
			}
			return []string{"train.npz", "test.npz"}, testSet.WriteNPZ(filepath.Join(stage, "test.npz"))
		})
		if err == nil {
			fmt.Fprintf(stdout, "wrote %s/{train.npz,test.npz}: %d and %d samples\n", *writeData, len(trainSet.Samples), len(testSet.Samples))
		}
		return err
	}
	outLock, err := atomicfile.Reserve(*out, atomicfile.DirOptions{Overwrite: *overwrite}) // checked before training
	if err != nil {
		return err
	}
	defer outLock.Release()
	b, err := pjrt.Open(pjrt.Options{Backend: *backend, Stderr: stderr, CPUFlags: learn.CPUFlags})
	if err != nil {
		return err
	}
	defer b.Finalize()
	start := time.Now()
	tr, err := learn.NewTrainer(b, *c)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: %d→%d→%d, %d steps of %g ms, %d training / %d test samples, batch %d, lr %g, %s, on %s\n",
		spec.Name, c.Inputs, c.Hidden, c.Outputs, c.Steps, c.Dt, len(trainSet.Samples), len(testSet.Samples),
		c.Batch, c.LR, c.Surrogate, b.Label())
	last := time.Now()
	tr.OnBatch = func(epoch, done, batches int, loss float64) {
		if done < batches && time.Since(last) >= trainProgressEvery {
			last = time.Now()
			fmt.Fprintf(stderr, "brainc train: epoch %d, batch %d/%d, loss %.4f so far, %.1f s elapsed\n",
				epoch, done, batches, loss, time.Since(start).Seconds())
		}
	}
	log, err := tr.Fit(trainSet, testSet, func(e learn.Epoch) {
		fmt.Fprintf(stdout, "epoch %3d  loss %.4f  train %.3f  test %.3f (loss %.4f)  rate %.1f Hz  %.1f s (step %.0f ms)\n",
			e.Epoch, e.Loss, e.TrainAccuracy, e.TestAccuracy, e.TestLoss, e.Rate, e.Seconds, 1000*e.StepSeconds)
	})
	if err != nil {
		return err
	}
	sum := trainSummary{Name: spec.Name, Version: artifact.Version, Backend: b.Label(), Config: *c,
		SurrogateName: c.Surrogate.String(), TrainSamples: len(trainSet.Samples), TestSamples: len(testSet.Samples),
		Epochs: log, WallS: time.Since(start).Seconds()}
	if len(log) > 0 {
		sum.TestAccuracy = log[len(log)-1].TestAccuracy
	}
	err = atomicfile.Dir(*out, atomicfile.DirOptions{Overwrite: *overwrite}, func(stage string) ([]string, error) {
		return writeTraining(stage, tr, &sum)
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "test accuracy %.3f after %d epochs, %.1f s; wrote %s/{%s}\n",
		sum.TestAccuracy, len(log), sum.WallS, *out, strings.Join(sum.Files, ","))
	return nil
}

// writeTraining writes a training run's files into dir.
func writeTraining(dir string, tr *learn.Trainer, sum *trainSummary) ([]string, error) {
	sum.Files = []string{"metrics.jsonl", "params.npz", "summary.json"}
	if err := writeJSONLines(filepath.Join(dir, "metrics.jsonl"), sum.Epochs); err != nil {
		return nil, err
	}
	if err := tr.Save(filepath.Join(dir, "params.npz")); err != nil {
		return nil, err
	}
	if len(sum.Epochs) > 0 {
		var x, loss, testLoss, trainAcc, testAcc []float64
		for _, e := range sum.Epochs {
			x = append(x, float64(e.Epoch))
			loss, testLoss = append(loss, e.Loss), append(testLoss, e.TestLoss)
			trainAcc, testAcc = append(trainAcc, e.TrainAccuracy), append(testAcc, e.TestAccuracy)
		}
		err := plot.Curves(filepath.Join(dir, "training.png"), []plot.Panel{
			{Title: sum.Name + ": loss", XLabel: "epoch", YLabel: "loss",
				Series: []plot.Series{{Name: "train", X: x, Y: loss}, {Name: "test", X: x, Y: testLoss}}},
			{Title: "accuracy", XLabel: "epoch", YLabel: "accuracy",
				Series: []plot.Series{{Name: "train", X: x, Y: trainAcc}, {Name: "test", X: x, Y: testAcc}}},
		})
		if err != nil {
			return nil, err
		}
		sum.Files = append(sum.Files, "training.png")
	}
	data, err := json.MarshalIndent(sum, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "summary.json"), append(data, '\n'), 0o644); err != nil {
		return nil, err
	}
	return sum.Files, nil
}

// trainProgressEvery is how often brainc train reports within an epoch.
const trainProgressEvery = 5 * time.Second

// writeJSONLines writes one JSON object per row, a line each (metrics.jsonl).
func writeJSONLines[T any](path string, rows []T) error {
	var lines []byte
	for _, r := range rows {
		b, err := json.Marshal(r)
		if err != nil {
			return err
		}
		lines = append(append(lines, b...), '\n')
	}
	return os.WriteFile(path, lines, 0o644)
}

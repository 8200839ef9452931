// Package train holds the training benchmark (`make bench`): one BPTT step
// (forward, backward, Adam) of the randman classifier. It is a package of
// its own because XLA reads its flags once per process and training runs
// with learn.CPUFlags, which simulation does not want.
package train

import (
	"slices"
	"testing"
	"time"

	"github.com/gomlx/gomlx/pkg/core/tensors"

	"github.com/brainc/brainc/learn"
	"github.com/brainc/brainc/models"
	"github.com/brainc/brainc/pjrt"
)

// BenchmarkTrainStep times training steps of the built-in randman spec
// (100 → 128 recurrent LIF → 10, 100 steps, batch 128) after a compile step,
// and reports the compile time and the median step.
func BenchmarkTrainStep(b *testing.B) {
	backend, err := pjrt.Open(pjrt.Options{CPUFlags: learn.CPUFlags})
	if err != nil {
		b.Fatal(err)
	}
	data, err := models.TrainingSpec("randman")
	if err != nil {
		b.Fatal(err)
	}
	spec, err := learn.ParseSpec(data, "randman.yaml")
	if err != nil {
		b.Fatal(err)
	}
	trainSet, _, err := spec.Data()
	if err != nil {
		b.Fatal(err)
	}
	c := spec.Config
	for i := 0; i < b.N; i++ {
		tr, err := learn.NewTrainer(backend, c)
		if err != nil {
			b.Fatal(err)
		}
		idx := trainSet.Batches(c.Batch, true, c.Seed, 1)
		dense, labels := trainSet.Dense(idx[0], c.Steps, c.Dt/1000)
		x := tensors.FromFlatDataAndDimensions(dense, c.Steps, c.Batch, c.Inputs)
		y := tensors.FromFlatDataAndDimensions(labels, c.Batch)
		start := time.Now()
		if _, err := tr.TrainBatch(x, y); err != nil {
			b.Fatal(err)
		}
		compile := time.Since(start)
		var steps []float64
		for range 20 {
			t0 := time.Now()
			if _, err := tr.TrainBatch(x, y); err != nil {
				b.Fatal(err)
			}
			steps = append(steps, time.Since(t0).Seconds())
		}
		slices.Sort(steps)
		b.ReportMetric(compile.Seconds(), "compile-s")
		b.ReportMetric(1000*steps[len(steps)/2], "step-ms")
		b.ReportMetric(1000*steps[0], "min-step-ms")
	}
}

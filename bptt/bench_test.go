package bptt

import (
	"fmt"
	"math"
	"os"
	"testing"
	"time"

	"github.com/brainc/brainc/dataset"
	"github.com/brainc/brainc/netspec"
	"github.com/brainc/brainc/ops"
	"github.com/brainc/brainc/pjrt"
	"github.com/brainc/brainc/signature"
)

// BenchmarkTrainStep measures one training step (forward, loss, backward
// through the loop, Adam) of docs/examples/train/randman-net.yaml over
// T = 100 and T = 1,000 steps: at batch 16 storing the state every ⌈√T⌉
// steps or every T steps (the whole sequence recomputed and kept in one
// segment), and at batch 128 (the BrainPy comparison's, with its
// inv_square surrogate) every ⌈√T⌉ steps or every step (nothing
// recomputed), and reports the compile time.
func BenchmarkTrainStep(b *testing.B) {
	src, err := os.ReadFile("../docs/examples/train/randman-net.yaml")
	if err != nil {
		b.Fatal(err)
	}
	type config struct{ batch, steps, segment int }
	var configs []config
	for _, steps := range []int{100, 1000} {
		configs = append(configs, config{16, steps, sqrtSteps(steps)}, config{16, steps, steps})
	}
	configs = append(configs, config{128, 100, 10}, config{128, 100, 1}, config{128, 1000, 32}, config{128, 1000, 1})
	for _, c := range configs {
		b.Run(fmt.Sprintf("batch=%d/T=%d/segment=%d", c.batch, c.steps, c.segment), func(b *testing.B) {
			t0 := time.Now()
			tr, data := benchTrainer(b, src, c.batch, c.steps, c.segment)
			compile := time.Since(t0).Seconds()
			idx := data.Batches(c.batch, false, 0, 0)[0]
			if _, err := tr.TrainBatch(data, idx); err != nil { // warm-up
				b.Fatal(err)
			}
			b.ResetTimer()
			for range b.N {
				if _, err := tr.TrainBatch(data, idx); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(compile, "compile_s")
			b.ReportMetric(tr.prog.TraceTime.Seconds(), "trace_s")
		})
	}
}

// sqrtSteps is ⌈√steps⌉.
func sqrtSteps(steps int) int { return int(math.Ceil(math.Sqrt(float64(steps)))) }

// BenchmarkEvaluateBatch measures the evaluation of one batch (the
// forward program, Program.Loss) of randman-net.yaml at batch 128, T = 100
// and T = 1,000, against BenchmarkTrainStep's training step.
func BenchmarkEvaluateBatch(b *testing.B) {
	src, err := os.ReadFile("../docs/examples/train/randman-net.yaml")
	if err != nil {
		b.Fatal(err)
	}
	for _, steps := range []int{100, 1000} {
		b.Run(fmt.Sprintf("batch=128/T=%d", steps), func(b *testing.B) {
			tr, data := benchTrainer(b, src, 128, steps, 1)
			idx := data.Batches(128, false, 0, 0)[0]
			if _, err := tr.Readout(data, idx); err != nil { // warm-up and compile
				b.Fatal(err)
			}
			b.ResetTimer()
			for range b.N {
				if _, err := tr.Readout(data, idx); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// benchTrainer is the trainer of the benchmarks: the randman-net.yaml
// network (src) on a 5-class randman task of steps steps, batch copies,
// states stored every segment steps; the fast sigmoid surrogate, or at
// batch 128 the inv_square of the BrainPy comparison.
func benchTrainer(b *testing.B, src []byte, batch, steps, segment int) (*Trainer, *dataset.Set) {
	be, err := pjrt.Open(pjrt.Options{Backend: "cpu"})
	if err != nil {
		b.Fatal(err)
	}
	net, err := netspec.Parse(src, "randman-net.yaml")
	if err != nil {
		b.Fatal(err)
	}
	o := dataset.RandmanOptions{Classes: 5, Units: 30, SamplesPerClass: 200, ManifoldDim: 1, Alpha: 2, Steps: steps, Dt: 1e-3, SpikesPerUnit: 1, Seed: 7}
	data, err := dataset.Randman(o)
	if err != nil {
		b.Fatal(err)
	}
	s, _ := ops.NewSurrogate("fast_sigmoid", 10)
	if batch == 128 {
		s, _ = ops.NewSurrogate("inv_square", 100)
	}
	tr, err := NewTrainer(be, net, Config{Batch: batch, Input: "In", Readout: "Out", ReadoutVar: "V", Reduce: signature.ReduceMax,
		Params: []string{"in2h.weight", "h2h.weight", "h2out.weight"}, Surrogate: s, LR: 0.01, Segment: segment}, o.Units, o.Classes, steps)
	if err != nil {
		b.Fatal(err)
	}
	return tr, data
}

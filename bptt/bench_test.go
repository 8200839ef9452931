package bptt

import (
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/brainc/brainc/dataset"
	"github.com/brainc/brainc/lower"
	"github.com/brainc/brainc/netspec"
	"github.com/brainc/brainc/ops"
	"github.com/brainc/brainc/pjrt"
)

// BenchmarkTrainStep measures one training step (forward, loss, backward
// through the loop, Adam) of docs/examples/train/randman-net.yaml at batch
// 16 over T = 100 and T = 1,000 steps, storing the state every ⌈√T⌉ steps
// or every T steps (the whole sequence recomputed and kept in one
// segment), and reports the compile time.
func BenchmarkTrainStep(b *testing.B) {
	src, err := os.ReadFile("../docs/examples/train/randman-net.yaml")
	if err != nil {
		b.Fatal(err)
	}
	for _, steps := range []int{100, 1000} {
		for _, whole := range []bool{false, true} {
			seg := 0
			if whole {
				seg = steps
			}
			b.Run(fmt.Sprintf("T=%d/segment=%d", steps, seg), func(b *testing.B) {
				be, err := pjrt.Open(pjrt.Options{Backend: "cpu"})
				if err != nil {
					b.Fatal(err)
				}
				net, err := netspec.Parse(src, "randman-net.yaml")
				if err != nil {
					b.Fatal(err)
				}
				o := dataset.RandmanOptions{Classes: 5, Units: 30, SamplesPerClass: 20, ManifoldDim: 1, Alpha: 2, Steps: steps, Dt: 1e-3, SpikesPerUnit: 1, Seed: 7}
				data, err := dataset.Randman(o)
				if err != nil {
					b.Fatal(err)
				}
				s, _ := ops.NewSurrogate("fast_sigmoid", 10)
				t0 := time.Now()
				tr, err := NewTrainer(be, net, Config{Batch: 16, Input: "In", Readout: "Out", ReadoutVar: "V", Reduce: lower.ReduceMax,
					Params: []string{"in2h.weight", "h2h.weight", "h2out.weight"}, Surrogate: s, LR: 0.01, Segment: seg}, o.Units, o.Classes, steps)
				if err != nil {
					b.Fatal(err)
				}
				compile := time.Since(t0).Seconds()
				idx := data.Batches(16, false, 0, 0)[0]
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
}

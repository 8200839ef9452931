// Package bench holds brainc's Go benchmarks (`make bench`): whole-network
// simulations on the XLA CPU backend, reporting compile and run time apart.
package bench

import (
	"fmt"
	"testing"

	"github.com/brainc/brainc/jit"
	"github.com/brainc/brainc/lower"
	"github.com/brainc/brainc/models"
	"github.com/brainc/brainc/pjrt"
	"github.com/brainc/brainc/results"
)

// benchModel simulates a built-in model for durationMS and reports, per run:
// compile-s, run-s (compile excluded), steps/s and run-s/model-s.
func benchModel(b *testing.B, model string, durationMS float64, kernel lower.Kernel) {
	backend, err := pjrt.Open(pjrt.Options{})
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < b.N; i++ {
		net, err := models.Load(model)
		if err != nil {
			b.Fatal(err)
		}
		net.Duration = durationMS
		prog, err := lower.Build(net, lower.Options{Kernel: kernel})
		if err != nil {
			b.Fatal(err)
		}
		steps := int(net.Duration/net.Dt + 0.5)
		rec, st, err := results.Simulate(backend, prog, steps, jit.Options{K: jit.AutoK(backend.Platform(), steps)}, nil)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(st.CompileTime.Seconds(), "compile-s")
		b.ReportMetric(st.RunTime.Seconds(), "run-s")
		b.ReportMetric(float64(steps)/st.RunTime.Seconds(), "steps/s")
		b.ReportMetric(st.RunTime.Seconds()/(durationMS/1000), "run-s/model-s")
		b.ReportMetric(rec.Spikes[0].Stats(net.Duration).RateHz, "E-Hz")
		if i == 0 {
			b.Logf("%s %g ms on %s: K=%d, %d compiles, %d capacity re-runs", model, durationMS, backend.Label(),
				jit.AutoK(backend.Platform(), steps), st.Compiles, st.Reruns)
		}
	}
}

func BenchmarkCOBA4k(b *testing.B) {
	for _, d := range []float64{1000, 5000} {
		b.Run(fmt.Sprintf("%gs", d/1000), func(b *testing.B) { benchModel(b, "coba", d, "") })
	}
}

func BenchmarkCUBA4k(b *testing.B) {
	b.Run("1s", func(b *testing.B) { benchModel(b, "cuba", 1000, "") })
}

func BenchmarkCOBA4kDense(b *testing.B) {
	b.Run("1s", func(b *testing.B) { benchModel(b, "coba", 1000, lower.KernelDense) })
}

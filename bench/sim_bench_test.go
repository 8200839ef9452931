// Package bench holds brainc's Go benchmarks (`make bench`): whole-network
// simulations on the XLA CPU backend, reporting compile and run time apart,
// for the loop engine (the default) and the chunk engine it replaced.
package bench

import (
	"fmt"
	"strings"
	"testing"

	"github.com/brainc/brainc/driver"
	"github.com/brainc/brainc/ir"
	"github.com/brainc/brainc/jit"
	"github.com/brainc/brainc/lower"
	"github.com/brainc/brainc/models"
	"github.com/brainc/brainc/netspec"
	"github.com/brainc/brainc/pjrt"
	"github.com/brainc/brainc/plan"
)

// benchNet simulates a network for durationMS with an engine and reports,
// per run: compile-s, run-s (compile excluded), steps/s and run-s/model-s.
func benchNet(b *testing.B, load func() (*ir.Network, error), durationMS float64, kernel plan.Kernel, engine jit.Engine) {
	backend, err := pjrt.Open(pjrt.Options{})
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < b.N; i++ {
		net, err := load()
		if err != nil {
			b.Fatal(err)
		}
		net.Duration = durationMS
		prog, err := lower.Build(net, lower.Options{Kernel: kernel})
		if err != nil {
			b.Fatal(err)
		}
		steps := int(net.Duration/net.Dt + 0.5)
		opts := jit.Options{Engine: engine}
		if engine == jit.EngineChunk {
			opts.K = jit.AutoK(backend.Platform(), steps)
		}
		rec, st, err := driver.Simulate(backend, prog, steps, driver.Options{Jit: opts})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(st.CompileTime.Seconds(), "compile-s")
		b.ReportMetric(st.RunTime.Seconds(), "run-s")
		b.ReportMetric(float64(steps)/st.RunTime.Seconds(), "steps/s")
		b.ReportMetric(st.RunTime.Seconds()/(durationMS/1000), "run-s/model-s")
		b.ReportMetric(rec.Spikes[0].Stats(net.Duration).RateHz, "E-Hz")
		if i == 0 {
			b.Logf("%s %g ms on %s, %s engine (K=%d): %d compiles, %d overflow stops, %d chunk re-runs", net.Name, durationMS,
				backend.Label(), engine, opts.K, st.Compiles, st.Overflows, st.Reruns)
		}
	}
}

func builtin(name string) func() (*ir.Network, error) {
	return func() (*ir.Network, error) { return models.Load(name) }
}

// coba40k is COBA with 40,000 neurons (80% E) and fixed_prob 80/N (the
// network of `brainc bench scale`).
func coba40k() (*ir.Network, error) {
	net, err := models.Load("coba")
	if err != nil {
		return nil, err
	}
	net.Population("E").Size, net.Population("I").Size = 32000, 8000
	for _, pr := range net.Projections {
		pr.Conn = ir.Conn{Rule: ir.ConnFixedProb, Prob: 80.0 / 40000}
	}
	net.Monitors.Traces = nil
	return net, net.Validate()
}

var engines = []jit.Engine{jit.EngineLoop, jit.EngineChunk}

// BenchmarkCOBA4k: compile time must not grow with the run (1 s vs 20 s).
func BenchmarkCOBA4k(b *testing.B) {
	for _, e := range engines {
		for _, d := range []float64{1000, 5000, 20000} {
			b.Run(fmt.Sprintf("%s/%gs", e, d/1000), func(b *testing.B) { benchNet(b, builtin("coba"), d, "", e) })
		}
	}
}

func BenchmarkCUBA4k(b *testing.B) {
	for _, e := range engines {
		b.Run(fmt.Sprintf("%s/5s", e), func(b *testing.B) { benchNet(b, builtin("cuba"), 5000, "", e) })
	}
}

func BenchmarkCOBA4kDense(b *testing.B) {
	b.Run("loop/1s", func(b *testing.B) { benchNet(b, builtin("coba"), 1000, plan.KernelDense, jit.EngineLoop) })
}

func BenchmarkCOBA40k(b *testing.B) {
	for _, e := range engines {
		b.Run(fmt.Sprintf("%s/5s", e), func(b *testing.B) { benchNet(b, coba40k, 5000, "", e) })
	}
}

func BenchmarkDecision(b *testing.B) {
	for _, e := range engines {
		b.Run(fmt.Sprintf("%s/2s", e), func(b *testing.B) { benchNet(b, builtin("decision"), 2000, "", e) })
	}
}

// plasticRules are learning rules on COBA's E2E projection (204,800
// synapses), with learning rates small enough that the rates stay those of
// the static network: none; the built-in pair STDP (traces per neuron);
// Brian2's STDP (traces per synapse, event-driven); and reward-modulated
// STDP (an eligibility and the weight clock-driven at every synapse, traces
// per synapse, a modulator read from a one-neuron population).
var plasticRules = []struct{ name, rule string }{
	{"none", ""},
	{"stdp", `
    stdp: {A_plus: 0.000001, A_minus: 0.0000012, w_min: 0, w_max: 1.2}`},
	{"synapse-traces", `
    plasticity:
      equations: |
        dApre/dt = -Apre/taupre : 1 (event-driven)
        dApost/dt = -Apost/taupost : 1 (event-driven)
      on_pre: |
        Apre += 0.000001
        w = clip(w + Apost, 0, 1.2)
      on_post: |
        Apost -= 0.0000012
        w = clip(w + Apre, 0, 1.2)
      params: {taupre: 20 ms, taupost: 20 ms}`},
	{"reward-modulated", `
    plasticity:
      equations: |
        dc/dt = -c/tau_c : 1 (clock-driven)
        dw/dt = c*DA/tau_w : 1 (clock-driven)
        dApre/dt = -Apre/taupre : 1 (event-driven)
        dApost/dt = -Apost/taupost : 1 (event-driven)
        DA : 1
      on_pre: |
        Apre += 0.000001
        c = clip(c + Apost, -1, 1)
        w = clip(w, 0, 1.2)
      on_post: |
        Apost -= 0.0000012
        c = clip(c + Apre, -1, 1)
      params: {tau_c: 1000 ms, tau_w: 1000 ms, taupre: 20 ms, taupost: 20 ms}
      modulators: {DA: Dopamine.d}`},
}

// cobaWithRule is models/coba.yaml with a learning rule on E2E (and, for
// a rule that reads DA, a one-neuron population relaxing to 0.5).
func cobaWithRule(rule string) func() (*ir.Network, error) {
	return func() (*ir.Network, error) {
		spec, err := models.Spec("coba")
		if err != nil {
			return nil, err
		}
		text := strings.Replace(string(spec), "    output: {COBA: {E: 0 mV}}\n  E2I:", "    output: {COBA: {E: 0 mV}}"+rule+"\n  E2I:", 1)
		if strings.Contains(rule, "Dopamine") {
			text = strings.Replace(text, "projections:", `  Dopamine:
    size: 1
    model: {equations: "dd/dt = (0.5 - d)/tau_d : 1", params: {tau_d: 200 ms}}
projections:`, 1)
		}
		return netspec.Parse([]byte(text), "coba-plastic.yaml")
	}
}

// BenchmarkCOBA4kPlasticity: what a learning rule costs per step, against
// the same network without it (loop engine, 1 s).
func BenchmarkCOBA4kPlasticity(b *testing.B) {
	for _, r := range plasticRules {
		b.Run("rule="+r.name, func(b *testing.B) {
			benchNet(b, cobaWithRule(r.rule), 1000, "", jit.EngineLoop)
		})
	}
}

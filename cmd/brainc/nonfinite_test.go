package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/internal/tier"
	"github.com/brainc/brainc/npyio"
)

// readSummary reads a run's summary.json.
func readSummary(t *testing.T, out string) map[string]any {
	t.Helper()
	var sum map[string]any
	js, err := os.ReadFile(filepath.Join(out, "summary.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(js, &sum))
	return sum
}

// A diverged run whose traced neuron went NaN (COBAHH at dt = 1 ms, neuron
// 2033 of E) writes everything it recorded up to the failing step: the
// summary marked partial with the divergence as its error, the spikes, the
// traces with the NaN as it is, and plots that draw what is finite and say
// where the rest begins; it exits with the divergence message, on both
// engines.
func TestDivergedTracedRunWritesEverything(t *testing.T) {
	tier.Slow(t)
	cobahh, err := os.ReadFile("../../models/cobahh.yaml")
	require.NoError(t, err)
	spec := strings.Replace(string(cobahh), "traces: {E.V: [0, 1, 2]}", "traces: {E.V: [0, 2033], E.h: [2033]}", 1)
	require.NotEqual(t, string(cobahh), spec)
	dir := t.TempDir()
	path := filepath.Join(dir, "cobahh.yaml")
	require.NoError(t, os.WriteFile(path, []byte(spec), 0o644))
	for _, engine := range []string{"loop", "chunk"} {
		out := filepath.Join(dir, engine)
		code, _, stderr := runCLI("run", path, "--dt", "1 ms", "--duration", "100 ms", "--engine", engine,
			"--backend", "cpu", "--quiet", "--plot", "svg", "--out", out)
		assert.Equal(t, 1, code, engine)
		const diverged = "E.h of neuron 2033 is NaN after step 27 (t = 27 ms)"
		assert.Contains(t, stderr, "brainc run: "+diverged, engine)
		assert.NotContains(t, stderr, "plot:", engine)
		sum := readSummary(t, out)
		assert.Equal(t, false, sum["complete"], engine)
		assert.Equal(t, 27.0, sum["steps_done"], engine)
		assert.Contains(t, sum["error"], diverged, engine)
		assert.ElementsMatch(t, []any{"spikes.npz", "traces.npz", "raster.svg", "stats.svg", "traces.svg", "summary.json"}, sum["files"], engine)

		traces, err := npyio.ReadNPZMap(filepath.Join(out, "traces.npz"))
		require.NoError(t, err, engine)
		h := traces["E.h"].Data.([]float64) // one column: neuron 2033
		require.Len(t, h, 27, engine)
		for k, v := range h[:26] {
			assert.False(t, math.IsNaN(v) || math.IsInf(v, 0), "%s: E.h at row %d is %g", engine, k, v)
		}
		assert.True(t, math.IsNaN(h[26]), "%s: the NaN is kept as it is", engine)
		svg, err := os.ReadFile(filepath.Join(out, "traces.svg"))
		require.NoError(t, err, engine)
		assert.Contains(t, string(svg), "E 2033: not finite from t = 26 ms", engine)
	}
}

// plasticSpec is a Poisson source onto LIF neurons through a plastic
// projection PN (RULE: its rule; KERNEL: its kernel), its weights traced.
const plasticSpec = `
name: plastic
seed: 8
duration: 100 ms
populations:
  P: {size: 200, model: Poisson, params: {rate: 25 Hz}}
  N: {size: 60, model: LifRef, params: {V_th: 10, tau: 10 ms}}
projections:
  PN:
    pre: P
    post: N
    conn: {fixed_prob: 0.3}
    weight: 1.5
    synapse: {Expon: {tau: 5 ms}}
    output: CUBA
    kernel: KERNEL
    RULE
monitors: {spikes: [N], traces: {PN.w: [0, 1]}}
`

// Plastic weights and the learning rules' traces are inside the
// non-finite guard: a rule whose parameters make them blow up stops the
// run at the step they do, naming the projection, the variable and the
// synapse (its pre and post neurons) or neuron, on both kernels and both
// engines; the partial results are written, weights.npz with the weights
// as they are. (Before, the weights went on into the neurons and the run
// stopped later blaming N.V, or with a trace that feeds nothing ran to the
// end and wrote a plausible summary.)
func TestPlasticityDivergenceNamesTheProjection(t *testing.T) {
	tier.Slow(t)
	eqRule := func(equations, onPre, onPost, params string) string {
		return `plasticity: {equations: "` + equations + `", on_pre: "` + onPre + `", on_post: "` + onPost + `", params: ` + params + `}`
	}
	for _, tc := range []struct {
		name, rule string
		kernels    []string
		want       string
	}{
		{"stdp A_plus beyond float32", "stdp: {A_plus: 1e39, A_minus: 0.06, w_max: 3}", []string{"event"},
			"projection PN: w of synapse 23 (P 1 → N 31) is NaN after step 143 (t = 14.3 ms): its plasticity diverged"},
		{"stdp A_plus beyond float32, dense", "stdp: {A_plus: 1e39, A_minus: 0.06, w_max: 3}", []string{"dense"},
			"projection PN: w of synapse 0 (P 0 → N 2) is NaN after step 1 (t = 0.1 ms): its plasticity diverged"},
		{"unbounded weights", eqRule(`dx_pre/dt = -x_pre/tau : 1 (pre)\ndx_post/dt = -x_post/tau : 1 (post)`,
			"w = w - A*x_post; x_pre += 1", "w = w + A*x_pre; x_post += 1", "{tau: 20 ms, A: 1e38}"), []string{"event", "dense"},
			"projection PN: w of synapse 1547 (P 87 → N 31) is +Inf after step 152 (t = 15.2 ms): its plasticity diverged"},
		{"runaway trace", eqRule(`dx_pre/dt = -x_pre/tau : 1 (pre)\ndy_post/dt = y_post/tau : 1 (post)`,
			"w = clip(w + 0.01*x_pre, 0, 3); x_pre += 1", "y_post += 1", "{tau: 0.5 ms}"), []string{"event", "dense"},
			"projection PN: y_post of neuron 31 of N is +Inf after step 587 (t = 58.7 ms): its plasticity diverged"},
		{"runaway per-synapse variable", eqRule(`dc/dt = c/tau : 1 (clock-driven)`,
			"c += 1; w = clip(w + 0.001*c, 0, 3)", "c += 0", "{tau: 0.5 ms}"), []string{"event", "dense"},
			"projection PN: c of synapse 2136 (P 122 → N 3) is +Inf after step 446 (t = 44.6 ms): its plasticity diverged"},
		{"runaway event-driven variable", eqRule(`dA/dt = A/tau : 1 (event-driven)`,
			"A += 1; w = clip(w + 0.001*A, 0, 3)", "A += 0", "{tau: 0.5 ms}"), []string{"event", "dense"},
			"projection PN: A of synapse 2281 (P 130 → N 2) is "}, // NaN on the event kernel (its scattered difference is inf − inf), +Inf on the dense
	} {
		for _, kernel := range tc.kernels {
			dir := t.TempDir()
			path := filepath.Join(dir, "plastic.yaml")
			spec := strings.NewReplacer("KERNEL", kernel, "RULE", tc.rule).Replace(plasticSpec)
			require.NoError(t, os.WriteFile(path, []byte(spec), 0o644))
			for _, engine := range []string{"loop", "chunk"} {
				what := tc.name + ", " + kernel + ", " + engine
				out := filepath.Join(dir, engine)
				code, _, stderr := runCLI("run", path, "--engine", engine, "--backend", "cpu", "--quiet", "--out", out)
				assert.Equal(t, 1, code, what)
				assert.Contains(t, stderr, "brainc run: "+tc.want, what)
				assert.NotContains(t, stderr, "plot:", what)
				sum := readSummary(t, out)
				assert.Equal(t, false, sum["complete"], what)
				assert.Contains(t, sum["error"], tc.want, what)
				weights, err := npyio.ReadNPZMap(filepath.Join(out, "weights.npz"))
				require.NoError(t, err, what)
				finite := true
				for _, w := range weights["PN.w"].Data.([]float64) {
					finite = finite && !math.IsNaN(w) && !math.IsInf(w, 0)
				}
				assert.Equal(t, !strings.HasPrefix(tc.want, "projection PN: w "), finite, "%s: the weights as they are", what)
			}
		}
	}
}

// A run that diverges under a weight far above the target model's own
// values of its dimension (1 mS beside a leak of 10 nS: a weight written
// without its unit onto a model given by equations) says so beside dt.
func TestDivergenceNamesASuspectWeight(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "div.yaml")
	require.NoError(t, os.WriteFile(path, []byte(`
name: div
dt: 0.1 ms
duration: 20 ms
populations:
  P: {size: 50, model: Poisson, params: {rate: 100 Hz}}
  E:
    size: 10
    model:
      equations: |
        dv/dt = (gl*(El - v) + I)/C : volt
        I : amp
      params: {gl: 10 nS, El: -60 mV, C: 200 pF}
    integrator: euler
projections:
  PE: {pre: P, post: E, conn: {fixed_prob: 0.5}, weight: 1, synapse: {Expon: {tau: 5 ms}}, output: {COBA: {E: 0 mV}}}
`), 0o644))
	code, _, stderr := runCLI("run", path, "--backend", "cpu", "--quiet", "--out", filepath.Join(dir, "out"))
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr, "the integration diverged; try a smaller dt")
	assert.Contains(t, stderr, "projection PE's weight 1 is 1e+05 times E's gl (1e-05), both in mS: was the weight written without its unit (e.g. 10 nS)?")
}

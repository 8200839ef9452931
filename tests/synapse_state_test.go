package tests

import (
	"cmp"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/driver"
	"github.com/brainc/brainc/ir"
	"github.com/brainc/brainc/jit"
	"github.com/brainc/brainc/lower"
	"github.com/brainc/brainc/plan"
	"github.com/brainc/brainc/results"
)

// brian2STDP is Brian2's STDP example (Song, Miller & Abbott 2000) written
// as Brian2 writes it: traces kept per synapse, event-driven.
func brian2STDP(dApre, dApost, wMax float64) string {
	return fmt.Sprintf(`plasticity: {equations: "dApre/dt = -Apre/taupre : 1 (event-driven)\ndApost/dt = -Apost/taupost : 1 (event-driven)",
       on_pre: "Apre += dApre; w = clip(w + Apost, 0, wmax)", on_post: "Apost += dApost; w = clip(w + Apre, 0, wmax)",
       params: {taupre: 20 ms, taupost: 20 ms, dApre: %g, dApost: %g, wmax: %g}}`, dApre, dApost, wMax)
}

// Traces kept per synapse and brought up to date only at their synapse's
// events (Brian2's event-driven STDP) hold, at every event, what traces
// kept per neuron and decayed every step hold: the two rules give the
// built-in rule's spikes and weights (to 1e-12, float64), on the event and
// the dense kernels.
func TestEventDrivenSynapseTracesEqualNeuronTraces(t *testing.T) {
	builtin := builtinSTDP.Replace(stdpNet)
	perSynapse := strings.NewReplacer("RULE1", brian2STDP(0.05, -0.06, 3), "RULE2", brian2STDP(0.02, -0.02, 1)).Replace(stdpNet)
	run := func(s, kernel string) (*results.Recorder, [][2][]float64) {
		net := parse(t, fmt.Sprintf(s, kernel, kernel))
		prog, err := lower.Build(net, lower.Options{DType: dtypes.Float64})
		require.NoError(t, err)
		assert.Equal(t, plan.Kernel(kernel), prog.Projs[0].Kernel)
		rec, _ := simulate(t, net, lower.Options{DType: dtypes.Float64}, jit.Options{K: 4})
		return rec, spikeTrains(rec)
	}
	b, bTrains := run(builtin, "event")
	e, eTrains := run(perSynapse, "event")
	d, dTrains := run(perSynapse, "dense")
	require.Greater(t, len(bTrains[0][0]), 200)
	assert.Equal(t, bTrains, eTrains, "per-synapse traces == built-in, event kernel")
	assert.Equal(t, eTrains, dTrains, "per-synapse traces: dense == event")
	sameSTDPWeights(t, b, e, d)
}

// givenTrains are a fixture's spike trains: presynaptic and postsynaptic
// spikes on the 0.1 ms grid (steps), as the bench/peers scripts give them
// to Brian2.
type givenTrains struct {
	DurationMS float64 `json:"duration_ms"`
	NPre       int     `json:"n_pre"`
	NPost      int     `json:"n_post"`
	PreI       []int   `json:"pre_i"`
	PreStep    []int   `json:"pre_step"`
	PostI      []int   `json:"post_i"`
	PostStep   []int   `json:"post_step"`
}

// spec writes a network that replays the trains for brainc: Pre emits the
// presynaptic spikes, and each postsynaptic spike of Post is caused by a
// driver's spike one step before it (a Delta jump far past threshold);
// projections from Pre onto Post (with Delta outputs, their jumps far below
// threshold) and extra populations are added as given. brainc delivers a
// step's spikes to the synapses in the next step (as BrainPy does), Brian2
// in the same step: the spikes are given one step earlier, so that a rule
// sees each at the step Brian2's does.
func (g *givenTrains) spec(populations, projections, monitors string) string {
	times := func(steps []int, shift int) string {
		out := make([]string, len(steps))
		for k, s := range steps {
			out[k] = fmt.Sprintf("%.1f ms", float64(s+shift)/10)
		}
		return "[" + strings.Join(out, ", ") + "]"
	}
	ints := func(v []int) string { return strings.Join(strings.Fields(fmt.Sprint(v)), ", ") }
	return fmt.Sprintf(`
dt: 0.1 ms
duration: %g ms
populations:
  Pre: {size: %d, model: SpikeTimes, spikes: {times: %s, indices: %s}}
  Drv: {size: %d, model: SpikeTimes, spikes: {times: %s, indices: %s}}
  Post: {size: %d, model: LifRef, params: {V_rest: 0 mV, V_reset: 0 mV, V_th: 500 mV, tau: 20 ms, tau_ref: 1 ms}, init: {V: 0 mV}}
%sprojections:
  DrvPost: {pre: Drv, post: Post, conn: {one_to_one: true}, weight: 10000, synapse: Delta, output: Delta}
%smonitors: %s
`, g.DurationMS, g.NPre, times(g.PreStep, -1), ints(g.PreI), g.NPost, times(g.PostStep, -2), ints(g.PostI), g.NPost,
		populations, projections, monitors)
}

// checkPostSpikes requires Post's spikes to fall where the trains put them
// (one step early, see spec).
func (g *givenTrains) checkPostSpikes(t *testing.T, rec *results.Recorder) {
	t.Helper()
	s := rec.Spikes[0]
	require.Equal(t, "Post", s.Pop)
	want := make([][2]int, len(g.PostStep)) // (step, neuron), in the recording's order
	for k := range want {
		want[k] = [2]int{g.PostStep[k] - 1, g.PostI[k]}
	}
	slices.SortFunc(want, func(a, b [2]int) int { return cmp.Or(a[0]-b[0], a[1]-b[1]) })
	require.Len(t, s.Times, len(want))
	for k := range s.Times {
		require.InDelta(t, float64(want[k][0])/10, s.Times[k], 1e-9, "post spike %d", k)
		require.EqualValues(t, want[k][1], s.Indices[k], "post spike %d", k)
	}
}

// rstdpFixture is bench/peers/rstdp_brian2.py's output.
type rstdpFixture struct {
	givenTrains
	Version           string
	Params            map[string]float64
	SynI              []int `json:"syn_i"`
	SynJ              []int `json:"syn_j"`
	W, C, Apre, Apost []float64
	DEnd              float64 `json:"d_end"`
}

// rstdpRule is the fixture's rule: an eligibility trace c per synapse
// (clock-driven), STDP traces per synapse (event-driven) that move c, and
// a weight that follows c times the modulator DA.
const rstdpRule = `
    plasticity:
      equations: |
        dc/dt = -c/tau_c : 1 (clock-driven)
        dw/dt = c*DA/tau_w : 1 (clock-driven)
        dApre/dt = -Apre/taupre : 1 (event-driven)
        dApost/dt = -Apost/taupost : 1 (event-driven)
        DA : 1
      on_pre: |
        Apre += dApre
        c = clip(c + Apost, -cmax, cmax)
        w = clip(w, 0, wmax)
      on_post: |
        Apost += dApost
        c = clip(c + Apre, -cmax, cmax)
      params: {tau_c: %g ms, tau_w: %g ms, taupre: %g ms, taupost: %g ms, dApre: %g, dApost: %g, cmax: %g, wmax: %g}
      modulators: {DA: Dopamine.d}
`

// rstdpSpec writes the fixture's network for brainc (givenTrains.spec),
// with DA a one-neuron equation population.
func rstdpSpec(f *rstdpFixture, kernel string) string {
	p := f.Params
	return f.spec(fmt.Sprintf(`  Dopamine:
    size: 1
    model: {equations: "dd/dt = (d0 - d)/tau_d : 1", params: {d0: %g, tau_d: %g ms}}
`, p["d0"], p["tau_d"]), fmt.Sprintf(`  PrePost:
    pre: Pre
    post: Post
    conn: {all_to_all: true}
    weight: %g
    synapse: Delta
    output: Delta
    kernel: %s
%s`, p["w0"], kernel, fmt.Sprintf(rstdpRule, p["tau_c"], p["tau_w"], p["taupre"], p["taupost"], p["dApre"], p["dApost"], p["cmax"], p["wmax"])),
		"{spikes: [Post]}")
}

// Reward-modulated STDP with an eligibility trace per synapse
// (clock-driven), STDP traces per synapse (event-driven) and a
// neuromodulator read from a population gives Brian2's weights, traces and
// eligibilities on the same spike trains (bench/peers/rstdp_brian2.py: 200
// synapses, 2 s), to 1e-12 (float64), on the dense and the event kernels.
func TestRewardModulatedSTDPMatchesBrian2(t *testing.T) {
	var f rstdpFixture
	readJSON(t, "testdata/peers/rstdp_brian2.json", &f)
	require.Len(t, f.W, f.NPre*f.NPost)
	for _, kernel := range []string{"dense", "event"} {
		net := parse(t, rstdpSpec(&f, kernel))
		rec, last := simulateState(t, net, lower.Options{DType: dtypes.Float64}, jit.Options{})
		f.checkPostSpikes(t, rec)
		w := rec.Weights[0]
		at := map[[2]int]int{}
		for k := range w.Pre {
			at[[2]int{int(w.Pre[k]), int(w.Post[k])}] = k
		}
		vals := last("PrePost")
		changed := 0
		for n := range f.W {
			k, ok := at[[2]int{f.SynI[n], f.SynJ[n]}]
			require.True(t, ok)
			assert.InDelta(t, f.W[n], w.W[k], 1e-12, "%s: w of %d→%d", kernel, f.SynI[n], f.SynJ[n])
			assert.InDelta(t, f.C[n], vals["c"][k], 1e-12, "%s: c of %d→%d", kernel, f.SynI[n], f.SynJ[n])
			assert.InDelta(t, f.Apre[n], vals["Apre"][k], 1e-12, "%s: Apre of %d→%d", kernel, f.SynI[n], f.SynJ[n])
			assert.InDelta(t, f.Apost[n], vals["Apost"][k], 1e-12, "%s: Apost of %d→%d", kernel, f.SynI[n], f.SynJ[n])
			if math.Abs(f.W[n]-f.Params["w0"]) > 0.05 {
				changed++
			}
		}
		assert.Greater(t, changed, len(f.W)/2, "the rule moved most weights")
	}
}

// readJSON reads a fixture.
func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(data, v))
}

// simulateState runs a network for its duration and returns what it
// recorded and a reader of each plastic projection's final per-synapse
// variables (Matrix order, the event table's pad entry dropped).
func simulateState(t *testing.T, net *ir.Network, lopts lower.Options, jopts jit.Options) (*results.Recorder, func(proj string) map[string][]float64) {
	t.Helper()
	prog, err := lower.Build(net, lopts)
	require.NoError(t, err)
	r, err := driver.Start(cpu(t), prog, driver.Options{Jit: jopts})
	require.NoError(t, err)
	defer r.Close()
	require.NoError(t, r.Advance(int(net.Duration/net.Dt+0.5), nil))
	state, err := r.State()
	require.NoError(t, err)
	return r.Recorded(), func(proj string) map[string][]float64 {
		out := map[string][]float64{}
		for _, pr := range prog.Projs {
			if pr.Name != proj {
				continue
			}
			for name, i := range pr.Plastic.SynVars {
				out[name] = lower.HostFloats(state[i.Index])[:pr.Matrix.NumSynapses()]
			}
		}
		return out
	}
}

// modSpec is a small network whose plastic projection reads a modulator.
const modSpec = `dt: 0.1 ms
duration: 10 ms
populations:
  Pre: {size: 4, model: SpikeTimes, spikes: {times: [1 ms], indices: [0]}}
  Post: {size: 2, model: LifRef}
  Dopamine:
    size: 1
    model: {equations: "dd/dt = (1 - d)/tau_d : 1", params: {tau_d: 300 ms}}
projections:
  PrePost:
    pre: Pre
    post: Post
    conn: {all_to_all: true}
    weight: 0.5
    synapse: Delta
    output: Delta
    plasticity:
      equations: |
        dc/dt = -c/tau_c : 1 (clock-driven)
        dw/dt = c*DA/tau_c : 1 (clock-driven)
        DA : 1
      on_pre: c += 1
      params: {tau_c: 200 ms}
      modulators: {DA: Dopamine.d}
`

// A modulator that is missing, unknown or of the wrong dimension is
// refused with the field and its line.
func TestModulatorErrors(t *testing.T) {
	_, err := parseErr(modSpec)
	require.NoError(t, err)
	for _, tc := range []struct{ from, to, want string }{
		{"{DA: Dopamine.d}", "{DA: Dopamine}", `test.yaml:24: projections.PrePost.plasticity.modulators.DA: expected population.variable (e.g. Dopamine.d), got "Dopamine"`},
		{"{DA: Dopamine.d}", "{DA: Dopa.d}", `test.yaml:24: projections.PrePost.plasticity.modulators.DA: unknown population "Dopa"`},
		{"{DA: Dopamine.d}", "{DA: Dopamine.x}", `test.yaml:24: projections.PrePost.plasticity.modulators.DA: population Dopamine has no state variable "x" (its variables: d)`},
		{"{DA: Dopamine.d}", "{DA: Dopamine.d, ACh: Dopamine.d}", `projections.PrePost.plasticity.modulators.ACh: modulator ACh is not used by the equations, on_pre or on_post`},
		{"      modulators: {DA: Dopamine.d}\n", "", `test.yaml:21: projections.PrePost.plasticity.equations: in "DA : 1": DA is declared but given no value: give it in params ({DA: …}), or read it from a population as a modulator (modulators: {DA: Pop.var})`},
		{"DA : 1", "DA : mV", `projections.PrePost.plasticity.equations`},
		{"{DA: Dopamine.d}", "{DA: Post.v}", `test.yaml:24: projections.PrePost.plasticity.modulators.DA: population Post (LifRef) has no state variable "v" (its variables: V)`},
	} {
		bad := strings.Replace(modSpec, tc.from, tc.to, 1)
		require.NotEqual(t, modSpec, bad, tc.from)
		for range 4 {
			_, err := parseErr(bad)
			require.Error(t, err, tc.to)
			assert.Contains(t, err.Error(), tc.want)
		}
	}
	// A catalogue model's variable is read as its number: the rule
	// declares it dimensionless.
	bad := strings.NewReplacer("DA : 1", "DA : mV", "c*DA/tau_c", "c*DA/(tau_c*mV)", "{DA: Dopamine.d}", "{DA: Post.V}").Replace(modSpec)
	_, err = parseErr(bad)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "test.yaml:24: projections.PrePost.plasticity.modulators.DA: Post.V of a catalogue model is read as a number in the model's unit: declare DA dimensionless (DA : 1), not V")
	bad = strings.NewReplacer("DA : 1", "DA : mV", "c*DA/tau_c", "c*DA/(tau_c*mV)").Replace(modSpec)
	_, err = parseErr(bad)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "test.yaml:24: projections.PrePost.plasticity.modulators.DA: Dopamine.d is 1, but the rule declares DA as V")
}

// hebbRule is a coincidence rule: an eligibility c per synapse driven by
// the product of the neurons' traces (clock-driven, reading traces kept
// per neuron), and a weight that follows it.
func hebbRule(eta float64) string {
	return fmt.Sprintf(`plasticity: {equations: "dx_pre/dt = -x_pre/tau : 1 (pre)\ndx_post/dt = -x_post/tau : 1 (post)\ndc/dt = (x_pre*x_post - c)/tau_c : 1 (clock-driven)\ndw/dt = eta*c/ms : 1 (clock-driven)",
       on_pre: "x_pre += 1; w = clip(w, 0, 3)", on_post: "x_post += 1",
       params: {tau: 20 ms, tau_c: 50 ms, eta: %g}}`, eta)
}

// Clock-driven variables that read the neurons' traces give the same
// spikes and values on the event kernel (each synapse's neurons from
// tables in the event table's order) as on the dense one (float64).
func TestClockDrivenEventEqualsDense(t *testing.T) {
	spec := strings.NewReplacer("RULE1", hebbRule(0.00002), "RULE2", hebbRule(0.00001)).Replace(stdpNet)
	var trains [2][][2][]float64
	var ws [2][]*results.Weights
	var cs [2][]float64
	for i, kernel := range []string{"dense", "event"} {
		rec, last := simulateState(t, parse(t, fmt.Sprintf(spec, kernel, kernel)), lower.Options{DType: dtypes.Float64}, jit.Options{K: 4})
		trains[i], ws[i], cs[i] = spikeTrains(rec), rec.Weights, last("NN")["c"]
	}
	require.Greater(t, len(trains[0][0][0]), 200)
	assert.Equal(t, trains[0], trains[1])
	require.Len(t, cs[0], len(ws[0][1].W))
	for k := range cs[0] {
		require.InDelta(t, cs[0][k], cs[1][k], 1e-12, "NN c of synapse %d", k)
	}
	for p := range ws[0] {
		moved := 0
		for k, w := range ws[0][p].W {
			require.InDelta(t, w, ws[1][p].W[k], 1e-12, "%s synapse %d", ws[0][p].Proj, k)
			if math.Abs(w-[]float64{1.5, 0.5}[p]) > 1e-3 {
				moved++
			}
		}
		assert.Greater(t, moved, len(ws[0][p].W)/2, "%s: the rule moved most weights", ws[0][p].Proj)
	}
}

// tripletFixture is bench/peers/triplet_brian2.py's output.
type tripletFixture struct {
	givenTrains
	Pairs  int
	Params map[string]float64
	Cases  []struct {
		RhoHz float64 `json:"rho_hz"`
		DtMS  float64 `json:"dt_ms"`
		W     float64
	}
}

// Triplet STDP (Pfister & Gerstner 2006, visual-cortex parameters), written
// with traces per neuron and as Brian2 writes it (w declared, traces per
// synapse, event-driven), gives Brian2's weights under the pairing protocol at 1–50 Hz, Δt = ±10 ms, and
// Sjöström et al.'s (2001) frequency dependence: pairs with the post spike
// first depress at low frequencies and potentiate at 50 Hz; pre-then-post
// pairs potentiate more the higher the frequency.
func TestTripletSTDPMatchesBrian2(t *testing.T) {
	var f tripletFixture
	readJSON(t, "testdata/peers/triplet_brian2.json", &f)
	n := len(f.Cases)
	f.NPre, f.NPost = n, n
	p := f.Params
	spec := f.spec("", fmt.Sprintf(`  PrePost:
    pre: Pre
    post: Post
    conn: {one_to_one: true}
    weight: %g
    synapse: Delta
    output: Delta
    plasticity:
      equations: |
        dr1/dt = -r1/tau_plus : 1 (pre)
        dr2/dt = -r2/tau_x : 1 (pre)
        do1/dt = -o1/tau_minus : 1 (post)
        do2/dt = -o2/tau_y : 1 (post)
      on_pre: |
        w = clip(w - o1*(A2m + A3m*r2), 0, wmax)
        r1 += 1
        r2 += 1
      on_post: |
        w = clip(w + r1*(A2p + A3p*o2), 0, wmax)
        o1 += 1
        o2 += 1
      params: {tau_plus: %g ms, tau_minus: %g ms, tau_x: %g ms, tau_y: %g ms, A2p: %g, A3p: %g, A2m: %g, A3m: %g, wmax: %g}
`, p["w0"], p["tau_plus"], p["tau_minus"], p["tau_x"], p["tau_y"], p["A2p"], p["A3p"], p["A2m"], p["A3m"], p["wmax"]), "{spikes: [Post]}")
	// Brian2's own form: w declared, traces per synapse, event-driven.
	brian2Form := strings.NewReplacer("      equations: |\n", "      equations: |\n        w : 1\n", "(pre)", "(event-driven)", "(post)", "(event-driven)").Replace(spec)
	require.NotEqual(t, spec, brian2Form)
	dw := map[[2]float64]float64{}
	for _, form := range []string{spec, brian2Form} {
		rec, _ := simulate(t, parse(t, form), lower.Options{DType: dtypes.Float64}, jit.Options{})
		f.checkPostSpikes(t, rec)
		w := rec.Weights[0].W
		require.Len(t, w, n)
		for k, c := range f.Cases {
			assert.InDelta(t, c.W, w[k], 1e-12, "ρ = %g Hz, Δt = %g ms", c.RhoHz, c.DtMS)
			dw[[2]float64{c.RhoHz, c.DtMS}] = w[k] - p["w0"]
		}
	}
	assert.Less(t, dw[[2]float64{1, -10}], -0.05, "post-then-pre at 1 Hz depresses")
	assert.Greater(t, dw[[2]float64{50, -10}], 0.05, "post-then-pre at 50 Hz potentiates")
	for _, pair := range [][2]float64{{1, 5}, {5, 10}, {10, 20}, {20, 40}, {40, 50}} {
		assert.Greater(t, dw[[2]float64{pair[1], 10}], dw[[2]float64{pair[0], 10}], "pre-then-post grows with the frequency")
	}
}

// rateRulesFixture is bench/peers/rate_rules_brian2.py's output.
type rateRulesFixture struct {
	givenTrains
	Params map[string]float64
	SynI   []int     `json:"syn_i"`
	SynJ   []int     `json:"syn_j"`
	OjaW   []float64 `json:"oja_w"`
	BCMW   []float64 `json:"bcm_w"`
	Theta  []float64
}

// Oja's rule and BCM (a sliding threshold kept per postsynaptic neuron),
// written as clock-driven weights reading rate traces kept per neuron, give
// Brian2's weights on the same spike trains (bench/peers/rate_rules_brian2.py,
// 3 s, Brian2's method="euler": its exponential Euler divides by zero where
// Oja's coefficient of w is 0) to 1e-12 with integrator: euler, on both
// kernels. With brainc's default, exponential Euler, BCM's weights (whose
// right side does not read w) are the same and Oja's differ by Euler's own
// O(dt) error, below 5e-4.
func TestOjaAndBCMMatchBrian2(t *testing.T) {
	var f rateRulesFixture
	readJSON(t, "testdata/peers/rate_rules_brian2.json", &f)
	p := f.Params
	proj := func(name, eqs string) string {
		return fmt.Sprintf(`  %s:
    pre: Pre
    post: Post
    conn: {all_to_all: true}
    weight: %g
    synapse: Delta
    output: Delta
    plasticity:
      equations: |
        dx_pre/dt = -x_pre/tau_x : 1 (pre)
        dx_post/dt = -x_post/tau_x : 1 (post)
%s
      on_pre: x_pre += 1
      on_post: x_post += 1
      params: {%s}
`, name, p["w0"], eqs, map[string]string{
			"Oja": fmt.Sprintf("tau_x: %g ms, eta: %g", p["tau_x"], p["eta_oja"]),
			"BCM": fmt.Sprintf("tau_x: %g ms, tau_theta: %g ms, eta: %g", p["tau_x"], p["tau_theta"], p["eta_bcm"])}[name])
	}
	spec := f.spec("", proj("Oja", "        dw/dt = eta*(x_pre*x_post - x_post**2*w)/ms : 1 (clock-driven)")+
		proj("BCM", "        dtheta/dt = (x_post**2 - theta)/tau_theta : 1 (post)\n        dw/dt = eta*x_pre*x_post*(x_post - theta)/ms : 1 (clock-driven)"),
		"{spikes: [Post], traces: {BCM.theta: [0, 1, 2]}}")
	for _, run := range []struct{ kernel, integrator string }{{"dense", "euler"}, {"event", "euler"}, {"event", "exp_euler"}} {
		kernel := run.kernel
		text := strings.ReplaceAll(spec, "    output: Delta\n", "    output: Delta\n    kernel: "+kernel+"\n")
		text = strings.ReplaceAll(text, "      on_pre: x_pre += 1\n", "      on_pre: x_pre += 1\n      integrator: "+run.integrator+"\n")
		rec, _ := simulate(t, parse(t, text), lower.Options{DType: dtypes.Float64}, jit.Options{})
		f.checkPostSpikes(t, rec)
		require.Len(t, rec.Weights, 2)
		for r, want := range [][]float64{f.OjaW, f.BCMW} {
			w := rec.Weights[r]
			tol := 1e-12
			if r == 0 && run.integrator == "exp_euler" { // Euler's own O(dt) error against exponential Euler's
				tol = 5e-4
			}
			moved := 0
			for n := range want {
				k := f.SynI[n]*f.NPost + f.SynJ[n] // all_to_all: row-major
				require.EqualValues(t, f.SynI[n], w.Pre[k])
				require.EqualValues(t, f.SynJ[n], w.Post[k])
				assert.InDelta(t, want[n], w.W[k], tol, "%s, %s: w of %d→%d", kernel, w.Proj, f.SynI[n], f.SynJ[n])
				if math.Abs(want[n]-p["w0"]) > 0.01 {
					moved++
				}
			}
			assert.Greater(t, moved, len(want)/2, "%s moved most weights", w.Proj)
		}
		theta := rec.Traces[0].Values[len(rec.Traces[0].Values)-3:]
		for j := range f.Theta {
			assert.InDelta(t, f.Theta[j], theta[j], 1e-12, "%s: BCM's threshold of Post %d", kernel, j)
		}
	}
}

package lower_test

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/lower"
	"github.com/brainc/brainc/netspec"
	"github.com/brainc/brainc/npyio"
)

// valuesSpec is a small LifRef population whose parameter PARAM takes the
// value VALUE, in a spec file that names data files beside it.
const valuesSpec = `
name: values
duration: 10 ms
populations:
  N:
    size: 5
    model: LifRef
    params: {V_rest: -60 mV, V_reset: -60 mV, V_th: -50 mV, PARAM: VALUE}
    input: 20
projections:
  NN: {pre: N, post: N, conn: CONN, weight: 0.5, synapse: {Expon: {tau: 5 ms}}, output: CUBA}
`

// buildSpec writes spec to dir and parses and lowers it, as brainc
// validate does; it fails the test if that takes over 10 s (a hang).
func buildSpec(t *testing.T, dir, spec string) (*lower.Program, error) {
	t.Helper()
	path := filepath.Join(dir, "spec.yaml")
	require.NoError(t, os.WriteFile(path, []byte(spec), 0o644))
	type result struct {
		prog *lower.Program
		err  error
	}
	done := make(chan result, 1)
	go func() {
		net, err := netspec.ParseFile(path)
		if err != nil {
			done <- result{nil, err}
			return
		}
		prog, err := lower.Build(net, lower.Options{})
		done <- result{prog, err}
	}()
	select {
	case r := <-done:
		return r.prog, r.err
	case <-time.After(10 * time.Second):
		t.Fatalf("validating %q hangs", spec)
		return nil, nil
	}
}

func writeNPY(t *testing.T, path string, v []float64) {
	t.Helper()
	f, err := os.Create(path)
	require.NoError(t, err)
	require.NoError(t, npyio.WriteNPY(f, npyio.Array{Shape: []int{len(v)}, Data: v}))
	require.NoError(t, f.Close())
}

// Per-neuron parameters given by an expression or a file are evaluated or
// read first, then each neuron's value is range-checked: a valid
// expression or file is accepted (it was refused as "must be > 0, got 0
// ms", the stand-in), an invalid one is refused with its real value and
// the first neuron out of range, and file errors surface as they are.
func TestPerNeuronValuesAreCheckedAsTheyAre(t *testing.T) {
	dir := t.TempDir()
	writeNPY(t, filepath.Join(dir, "tau.npy"), []float64{10, 12, 14, 16, 18})
	writeNPY(t, filepath.Join(dir, "bad.npy"), []float64{10, 12, 0, 16, 18})
	writeNPY(t, filepath.Join(dir, "ref.npy"), []float64{1, 1, 1, -2, 1})
	writeNPY(t, filepath.Join(dir, "short.npy"), []float64{10, 12})
	for _, tc := range []struct{ param, value, want string }{
		{"tau", "10 ms + 2 ms*i", ""},
		{"tau", "{file: tau.npy}", ""},
		{"tau", "-2 ms + 1 ms*i", "spec.yaml:5: populations.N: params.tau: the value of neuron 0 is -2 ms: tau must be > 0"},
		{"tau", "1 ms*(i - 3)", "params.tau: the value of neuron 0 is -3 ms: tau must be > 0"},
		{"tau", "{file: bad.npy}", "params.tau: the value of neuron 2 is 0 ms: tau must be > 0"},
		{"tau", "{file: none.npy}", "params.tau: open " + filepath.Join(dir, "none.npy") + ": no such file or directory"},
		{"tau", "{file: short.npy}", "short.npy holds an array of shape [2], expected 5 values (one per neuron)"},
		{"tau_ref", "{file: ref.npy}", "params.tau_ref: the value of neuron 3 is -2 ms: tau_ref must be ≥ 0"},
		{"tau", "uniform(-5 ms, 5 ms)", "tau must be > 0 (bound the distribution with clip(…, lo, hi))"},
		// The ordered pair V_reset < V_th holds neuron by neuron.
		{"tau", "20 ms, V_th: -62 mV + 2 mV*i", "params.V_reset: the value of neuron 0 is -60 mV: it must be below V_th, which is -62 mV there"},
	} {
		spec := strings.NewReplacer("PARAM", tc.param, "VALUE", tc.value, "CONN", "{one_to_one: true}").Replace(valuesSpec)
		if strings.Contains(tc.value, "V_th") {
			spec = strings.Replace(spec, "V_th: -50 mV, ", "", 1)
		}
		prog, err := buildSpec(t, dir, spec)
		if tc.want == "" {
			require.NoError(t, err, tc.value)
			assert.Len(t, prog.Pops[0].Values[tc.param], 5, tc.value)
			continue
		}
		require.Error(t, err, tc.value)
		assert.Contains(t, err.Error(), tc.want, tc.value)
	}
}

// A file a spec names for values or connectivity must be a regular file
// (a FIFO hung validate); an error about its content says what format was
// expected and quotes none of its bytes (any readable file could be
// named, and its first bytes were echoed).
func TestDataFilesAreBoundedRegularFilesWhoseBytesAreNotEchoed(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, syscall.Mkfifo(filepath.Join(dir, "fifo.npy"), 0o600))
	require.NoError(t, syscall.Mkfifo(filepath.Join(dir, "fifo.npz"), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "secret.npy"), []byte("root:x:0:0:SECRET-TOKEN\n"), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "secret.npz"), []byte("root:x:0:0:SECRET-TOKEN\n"), 0o600))
	sub := filepath.Join(dir, "sub")
	require.NoError(t, os.Mkdir(sub, 0o755))
	for _, tc := range []struct{ value, conn, want string }{
		{"{file: fifo.npy}", "{one_to_one: true}", "params.tau: npy file " + filepath.Join(dir, "fifo.npy") + ": a named pipe (FIFO), not a regular file"},
		{"20 ms", "{file: fifo.npy}", "npy file " + filepath.Join(dir, "fifo.npy") + ": a named pipe (FIFO), not a regular file"},
		{"20 ms", "{file: fifo.npz}", "npz file " + filepath.Join(dir, "fifo.npz") + ": a named pipe (FIFO), not a regular file"},
		{"{file: /dev/zero}", "{one_to_one: true}", "npy file /dev/zero: a device, not a regular file"},
		{"{file: secret.npy}", "{one_to_one: true}", "secret.npy: npyio: not an NPY file (it does not start with the NPY magic \\x93NUMPY)"},
		{"20 ms", "{file: secret.npy}", "secret.npy: npyio: not an NPY file"},
		{"20 ms", "{file: secret.npz}", "secret.npz: not an NPZ file (a zip archive of .npy arrays)"},
		// Paths are relative to the spec's directory; '..' may leave it.
		{"{file: sub/../secret.npy}", "{one_to_one: true}", "not an NPY file"},
	} {
		spec := strings.NewReplacer("PARAM", "tau", "VALUE", tc.value, "CONN", tc.conn).Replace(valuesSpec)
		_, err := buildSpec(t, dir, spec)
		require.Error(t, err, tc.value+" "+tc.conn)
		assert.Contains(t, err.Error(), tc.want)
		assert.NotContains(t, err.Error(), "root", "the file's bytes are not echoed")
		assert.NotContains(t, err.Error(), "SECRET")
	}
	// A SpikeTimes population's file is read the same way.
	spec := `
populations:
  S: {size: 2, model: SpikeTimes, spikes: {file: fifo.npz}}
`
	_, err := buildSpec(t, dir, spec)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "a named pipe (FIFO), not a regular file")
}

// stdpSpec is a plastic projection whose weights are WEIGHT.
const stdpSpec = `
name: stdp-weights
duration: 10 ms
populations:
  P: {size: 20, model: LifRef, input: 30}
  Q: {size: 20, model: LifRef}
projections:
  PQ: {pre: P, post: Q, conn: {fixed_prob: 0.5}, weight: WEIGHT, synapse: {Expon: {tau: 5 ms}}, output: CUBA,
       stdp: {A_plus: 0.01, A_minus: 0.01, w_min: 0, w_max: WMAX}}
`

// Drawn weights are checked at build time, synapse by synapse, against
// the stdp bounds (a constant outside them was refused, a draw outside
// them accepted) and for being finite and bounded (NaN or 1e300 drawn
// weights were caught only at the first spike), like a file's weights.
func TestDrawnWeightsAreCheckedUpFront(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct{ weight, wmax, want string }{
		{"5", "1", "test.yaml:8: projections.PQ.weight: must lie in the stdp bounds [0, 1], got 5"},
		{"uniform(5, 10)", "1", "projections.PQ: weight: synapse 0 (neuron 0 of P → neuron "},
		{"uniform(5, 10)", "1", "outside the stdp bounds [w_min, w_max] = [0, 1] (bound the distribution with clip(…, lo, hi))"},
		{"uniform(0, 0.5)", "0.5", ""}, // was refused: the scale 1 stood for the weights
		{"clip(normal(0.5, 1), 0, 1)", "1", ""},
		{"uniform(-1e308, 1e308)", "1e308", "weights must be finite numbers of magnitude ≤ 1e+30"},
		{"lognormal(1e300, 1)", "1e308", "has weight 9.99"},
		{"1e300", "1e308", "projections.PQ.weight: must be a finite number of magnitude ≤ 1e+30, got 1e+300"},
	} {
		spec := strings.NewReplacer("WEIGHT", tc.weight, "WMAX", tc.wmax).Replace(stdpSpec)
		net, err := parseErr(spec)
		if err == nil {
			_, err = lower.Build(net, lower.Options{})
		}
		if tc.want == "" {
			require.NoError(t, err, tc.weight)
			continue
		}
		require.Error(t, err, tc.weight)
		assert.Contains(t, err.Error(), tc.want, tc.weight)
	}
	// Without stdp, a non-finite draw is refused the same way.
	spec := strings.NewReplacer("WEIGHT", "uniform(-1e308, 1e308)", "WMAX", "1").Replace(stdpSpec)
	spec = strings.Replace(spec, ",\n       stdp: {A_plus: 0.01, A_minus: 0.01, w_min: 0, w_max: 1}", "", 1)
	_, err := buildSpec(t, dir, spec)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "weights must be finite numbers of magnitude ≤ 1e+30")
}

// rateSpec projects out of a rate population.
const rateSpec = `
name: rate
duration: 50 ms
populations:
  A: {size: 4, model: WilsonCowan, input: 2}
  B: {size: 4, model: WilsonCowan}
  L: {size: 4, model: LifRef, input: 30}
projections:
  AB:
    pre: A
    post: B
    conn: {one_to_one: true}
    weight: 1
    synapse: {Expon: {tau: 5 ms}}
    output: CUBA
`

// A projection out of a population that emits no spikes (a rate model, an
// equation model without a threshold) carries a state variable of it each
// step (rate coupling: WilsonCowan's E by default). What would act on
// spikes that never come is refused with the reason and the spec line:
// receptors gated by presynaptic spikes, synapses given by equations, STP,
// learning rules (either side), event and procedural kernels; an equation
// model must name the variable, and a spiking population carries spikes.
func TestRateCouplingRules(t *testing.T) {
	const why = "population A (WilsonCowan, a rate model) emits no spikes: a projection out of it carries a value each step (rate coupling), and "
	for _, tc := range []struct{ from, to, want string }{
		{"", "", ""},
		{"pre: A", "pre: L", ""},
		{"output: CUBA", "output: CUBA\n    kernel: dense\n    carries: I", ""},
		{"output: CUBA", "output: CUBA\n    stdp: {A_plus: 0.01}", "test.yaml:16: projections.AB.stdp: " + why + "stdp learns from presynaptic spikes"},
		{"output: CUBA", "output: CUBA\n    stp: {U: 0.2}", "projections.AB.stp: " + why + "short-term plasticity acts on spikes"},
		{"output: CUBA", "output: CUBA\n    kernel: event", "projections.AB.kernel: " + why + "kernel event propagates the sources that fired; every source sends each step: use dense or all_to_all (auto)"},
		{"output: CUBA", "output: CUBA\n    carries: V", "projections.AB.carries: " + why + "A has no variable \"V\" (variables: E, I)"},
		{"synapse: {Expon: {tau: 5 ms}}", "synapse: AMPA", "projections.AB.synapse: " + why + "synapse AMPA is a receptor gated by presynaptic spikes"},
		{"output: CUBA", "output: CUBA\n    stdp: {A_plus: 0.01}\n    pre_: L", "test.yaml:16: projections.AB.stdp: population B (WilsonCowan, a rate model) emits no spikes, and stdp learns from postsynaptic spikes: it would never see one"},
		{"A: {size: 4, model: WilsonCowan, input: 2}", "A: {size: 4, model: {equations: \"dv/dt = -v/(10*ms) : 1\"}}",
			"projections.AB.carries: population A (a model given by equations without a threshold) emits no spikes: a projection out of it carries a value each step (rate coupling), and it names none: set carries to one of its variables (v)"},
		{"output: CUBA", "output: CUBA\n    coupling: difference", ""},
		{"output: CUBA", "output: CUBA\n    coupling: {sigmoid: {max: 1, midpoint: 0.5, slope: 4}}", ""},
		{"output: CUBA", "output: CUBA\n    coupling: cubic", "projections.AB.coupling: unknown coupling \"cubic\" (valid: linear, sigmoid, difference)"},
		{"output: CUBA", "output: CUBA\n    coupling: sigmoid", "projections.AB.coupling: sigmoid takes its shape: {sigmoid: {max: …, midpoint: …, slope: …}}"},
		{"output: CUBA", "output: CUBA\n    coupling: difference\n    pre_: L", "projections.AB.coupling: a coupling function shapes what a rate population sends; L carries spikes"},
		{"output: CUBA", "output: CUBA\n    carries: E\n    pre_: L", "projections.AB.carries: population L spikes: a projection out of it carries its spikes; carries names the variable a rate population sends"},
		{"conn: {one_to_one: true}\n    weight: 1\n    synapse: {Expon: {tau: 5 ms}}", "conn: {all_to_all: true}\n    weight: 0.1\n    synapse: GapJunction\n    post_: A", ""},
	} {
		spec := strings.Replace(rateSpec, tc.from, tc.to, 1)
		if strings.Contains(spec, "pre_: L") {
			spec = strings.Replace(strings.Replace(spec, "\n    pre_: L", "", 1), "pre: A", "pre: L", 1)
		}
		if strings.Contains(spec, "post_: A") {
			spec = strings.Replace(strings.Replace(spec, "\n    post_: A", "", 1), "post: B", "post: A", 1)
		}
		net, err := parseErr(spec)
		if err == nil {
			_, err = lower.Build(net, lower.Options{})
		}
		if tc.want == "" {
			require.NoError(t, err, tc.to)
			continue
		}
		require.Error(t, err, tc.to)
		assert.Contains(t, err.Error(), tc.want, tc.to)
	}

	// A rate model given by equations takes the input I as a current
	// (CUBA); what reads a membrane potential it has not is refused.
	rateTarget := strings.Replace(rateSpec, "B: {size: 4, model: WilsonCowan}", "B: {size: 4, model: {equations: \"dr/dt = (-r + I)/(10*ms) : 1\"}}", 1)
	_, err := lower.Build(parse(t, rateTarget), lower.Options{})
	require.NoError(t, err)
	_, err = lower.Build(parse(t, strings.Replace(rateTarget, "output: CUBA", "output: {COBA: {E: 0 mV}}", 1)), lower.Options{})
	assert.EqualError(t, err, "test.yaml:9: projections.AB: output COBA reads the membrane potential, and post population B (equations) has no state of voltage dimension: use output CUBA, which adds the synaptic variable to its input I")
	_, err = parseErr(strings.Replace(strings.Replace(rateSpec, "post: B", "post: L", 1), "output: CUBA", "output: CUBA\n    coupling: difference", 1))
	assert.ErrorContains(t, err, "projections.AB.coupling: difference coupling subtracts the target's own E, and population L (LifRef) has no variable E")
}

package lower_test

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/ir"
	"github.com/brainc/brainc/lower"
	"github.com/brainc/brainc/netspec"
	"github.com/brainc/brainc/npyio"
	"github.com/brainc/brainc/plan"
)

// Specs that parse and lower, or must not, with no backend: what the
// lowering builds (connectivity, weights) and the errors it gives.

func parse(t *testing.T, spec string) *ir.Network {
	t.Helper()
	net, err := netspec.Parse([]byte(spec), "test.yaml")
	require.NoError(t, err)
	return net
}

func parseErr(spec string) (*ir.Network, error) { return netspec.Parse([]byte(spec), "test.yaml") }

// floats reads a host tensor of float32 or float64 as float64.
func floats(t *tensors.Tensor) []float64 {
	var out []float64
	t.ConstFlatData(func(flat any) {
		switch v := flat.(type) {
		case []float32:
			for _, x := range v {
				out = append(out, float64(x))
			}
		case []float64:
			out = append(out, v...)
		}
	})
	return out
}

// The connectivity rules added with the model library parse, lower and
// check their constraints with the field and the line.
func TestMoreConnectivityRules(t *testing.T) {
	base := `
populations:
  A: {size: 30, model: LifRef}
  B: {size: %d, model: LifRef}
projections:
  P: {pre: A, post: B, conn: %s, weight: 1, synapse: Expon, output: CUBA}
`
	for conn, synapses := range map[string]int{"{one_to_one: true}": 30, "{all_to_all: true}": 900, "{fixed_out_degree: 7}": 210} {
		prog, err := lower.Build(parse(t, fmt.Sprintf(base, 30, conn)), lower.Options{Kernel: plan.KernelDense})
		require.NoError(t, err, conn)
		assert.Equal(t, synapses, prog.Projs[0].Matrix.NumSynapses(), conn)
	}
	for conn, msg := range map[string]string{
		"{one_to_one: true}":     "test.yaml:6: projections.P.conn.one_to_one: needs populations of the same size, got A 30 and B 20",
		"{one_to_one: false}":    "test.yaml:6: projections.P.conn.one_to_one: write one_to_one: true (or leave the rule out)",
		"{fixed_out_degree: 21}": "test.yaml:6: projections.P.conn.fixed_out_degree: out-degree 21 is more than 20 (the size of post population B)",
	} {
		_, err := parseErr(fmt.Sprintf(base, 20, conn))
		require.Error(t, err, conn)
		assert.Equal(t, msg, err.Error(), conn)
	}
}

// Gaussian-distance connectivity from a spec, with its errors.
func TestGaussianConnectivitySpec(t *testing.T) {
	base := `
populations:
  A: {size: 400, model: LifRef}
projections:
  P: {pre: A, post: A, conn: {gaussian: %s}, weight: 1, synapse: Expon, output: CUBA}
`
	prog, err := lower.Build(parse(t, fmt.Sprintf(base, "{sigma: 0.1, p_max: 0.5}")), lower.Options{})
	require.NoError(t, err)
	n := prog.Projs[0].Matrix.NumSynapses()
	// Expected ≈ 0.5·2πσ²·N²·(edge losses): between 1,000 and 5,000 here.
	assert.True(t, n > 1000 && n < 5000, "%d synapses", n)
	_, err = parseErr(fmt.Sprintf(base, "{sigma: 0.1, p_max: 2}"))
	assert.EqualError(t, err, "test.yaml:5: projections.P.conn.gaussian.p_max: must be in (0, 1], got 2")
	_, err = parseErr(fmt.Sprintf(base, "{p_max: 0.5}"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), `missing required key "sigma"`)
}

// The reproductions of the reliability issue that are specs: each is now
// one error with the file, line and field, found by parsing or lowering
// (what `brainc validate` does, so validate and run agree), instead of a
// panic, an out-of-memory crash or a plausible summary. docs/reliability.md
// lists them.
func TestHostileSpecsAreErrors(t *testing.T) {
	for _, tc := range []struct{ name, spec, want string }{
		{"huge delay", "name: d\nduration: 10 ms\npopulations:\n  A: {size: 10, model: LifRef}\nprojections:\n" +
			"  AA: {pre: A, post: A, conn: {fixed_prob: 0.5}, weight: 1, delay: 1e9 ms, synapse: Expon, output: CUBA}\n",
			"t.yaml:6: projections.AA: a delay of 1e+09 ms is 1e+10 steps at dt 0.1 ms, over the limit of 65535 steps"},
		{"huge drawn delay", "name: d\nduration: 10 ms\npopulations:\n  A: {size: 10, model: LifRef}\nprojections:\n" +
			"  AA: {pre: A, post: A, conn: {fixed_prob: 0.5}, weight: 1, delay: uniform(1 ms, 1e12 ms), synapse: Expon, output: CUBA}\n",
			"t.yaml:6: projections.AA: a delay of"},
		{"size 2^31", "name: s\npopulations:\n  S: {size: 2147483648, model: LifRef}\n",
			"t.yaml:3: populations.S.size: must be in [1, 1073741824], got 2147483648"},
		{"size 1e12", "name: s\npopulations:\n  S: {size: 1000000000000, model: LifRef}\n",
			"t.yaml:3: populations.S.size: must be in [1, 1073741824], got 1000000000000"},
		{"duration 1e300 s", "name: s\nduration: 1e300 s\npopulations:\n  S: {size: 2, model: LifRef}\n",
			"t.yaml:2: duration: 1e+303 ms at dt 0.1 ms is 1e+304 steps, over the limit of 1073741824 steps (use a larger dt or a shorter run)"},
		{"Poisson population past one spike per step", "name: p\npopulations:\n  P: {size: 3, model: Poisson, params: {rate: 1e300 Hz}}\n",
			"t.yaml:3: populations.P: params.rate: 1e+300 Hz fires more than once per step of 0.1 ms (at most 10000 Hz)"},
		{"Poisson input of 1e18 trains", "name: p\npopulations:\n  N: {size: 3, model: LifRef}\nprojections:\n" +
			"  PN: {poisson: {num: 1000000000000000000, rate: 10 Hz}, post: N, weight: 1, synapse: Expon, output: CUBA}\n",
			"t.yaml:5: projections.PN: poisson: num × rate × dt is 1e+15 arrivals per neuron and step, over the limit of 1e+06"},
		{"dt 1e-9 ms", "name: s\ndt: 1e-9 ms\npopulations:\n  S: {size: 2, model: LifRef}\n",
			"t.yaml: duration: 1000 ms at dt 1e-09 ms is 1e+12 steps, over the limit of 1073741824 steps (use a larger dt or a shorter run)"},
	} {
		net, err := netspec.Parse([]byte(tc.spec), "t.yaml")
		if err == nil {
			_, err = lower.Build(net, lower.Options{})
		}
		require.Error(t, err, tc.name)
		assert.Contains(t, err.Error(), tc.want, tc.name)
	}
}

// Plasticity needs spikes: stp and stdp on a kinetic synapse are errors
// that name the projection; STDP starts from a conn file's per-synapse
// weights.
func TestPlasticityNeedsSpikeSynapses(t *testing.T) {
	dir := t.TempDir()
	base := `
populations:
  A: {size: 4, model: LifRef}
projections:
  P: {pre: A, post: A, conn: {one_to_one: true, allow_self: true}, weight: 0.5, synapse: %s, output: CUBA, %s}
`
	for _, plastic := range []string{"stdp: {}", "stp: {}"} {
		_, err := lower.Build(parse(t, fmt.Sprintf(base, "NMDA", plastic)), lower.Options{})
		assert.EqualError(t, err, "test.yaml:5: projections.P: stp and stdp act on spikes; NMDA transmits a continuous g kept per presynaptic neuron (use Expon, DualExpon or Alpha)")
	}
	require.NoError(t, npyio.WriteNPZ(filepath.Join(dir, "w.npz"), []string{"pre", "post", "weight"}, []npyio.Array{
		{Shape: []int{2}, Data: []int64{0, 1}}, {Shape: []int{2}, Data: []int64{1, 2}}, {Shape: []int{2}, Data: []float64{1, 1.5}}}))
	net, err := netspec.Parse([]byte(fmt.Sprintf(base, "Expon", "stdp: {}")+"    \n"), filepath.Join(dir, "p.yaml"))
	require.NoError(t, err)
	net.Projections[0].Conn = ir.Conn{Rule: ir.ConnFromFile, File: filepath.Join(dir, "w.npz")}
	_, err = lower.Build(net, lower.Options{})
	assert.ErrorContains(t, err, "w.npz was not read: a network that names data files is loaded with them", "lowering reads no file")
	require.NoError(t, netspec.ReadData(net))
	prog, err := lower.Build(net, lower.Options{})
	require.NoError(t, err)
	w := floats(prog.InitialState()[prog.Projs[0].Plastic.W.Index])
	assert.Equal(t, []float64{0.5, 0.75}, w)
}

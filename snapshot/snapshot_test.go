package snapshot

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/lower"
	"github.com/brainc/brainc/netspec"
	"github.com/brainc/brainc/npyio"
)

// drawnNet draws what a spec can draw: connectivity of three rules,
// per-synapse weights and delays, per-neuron parameters of a catalogue
// model (in a flow mapping, normal(a, b) split by YAML) and of a model
// given by equations, initial values (a distribution and an expression)
// and per-neuron inputs; one projection draws nothing. Its conn file is
// relative to the spec.
const drawnNet = `
name: drawn
dt: 0.1 ms
seed: 11
populations:
  E:
    size: 60
    model: LifRef
    params: {V_rest: -60 mV, V_th: -50 mV, V_reset: -60 mV, tau: normal(20 ms, 2 ms), tau_ref: 2 ms}
    init: {V: -60 mV + 10 mV*r**2}
    input: normal(11, 0.5)
  Q:
    size: 20
    model:
      equations: |
        dv/dt = (-(v - v0) + I)/tau : volt
      threshold: v > -50 mV
      reset: v = -60 mV
      params: {v0: -60 mV, tau: 10 ms}
    params: {v0: uniform(-62 mV, -58 mV)}
    init: {v: uniform(-60 mV, -55 mV)}
projections:
  E2E: {pre: E, post: E, conn: {fixed_prob: 0.2}, weight: normal(0.5, 0.1), delay: uniform(0.5 ms, 3 ms), synapse: {Expon: {tau: 5 ms}}, output: CUBA, kernel: event}
  E2Q: {pre: E, post: Q, conn: {fixed_in_degree: 5}, weight: 1.5, synapse: {Expon: {tau: 5 ms}}, output: CUBA}
  Q2E: {pre: Q, post: E, conn: {all_to_all: true}, weight: -0.1, synapse: {Expon: {tau: 10 ms}}, output: CUBA}
  F2Q: {pre: E, post: Q, conn: {file: conn.npz}, weight: 0.3, synapse: {Expon: {tau: 5 ms}}, output: CUBA}
`

// The rewritten spec, with another seed, lowers to the same program: every
// constant (connectivity, weights, delays, per-neuron values) and the
// initial state equal the original's, value for value.
func TestRebuildsTheIdenticalNetwork(t *testing.T) {
	src := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(src, "conn.npz"), connNPZ(t), 0o644))
	path := filepath.Join(src, "drawn.yaml")
	require.NoError(t, os.WriteFile(path, []byte(drawnNet), 0o644))
	net, err := netspec.ParseFile(path)
	require.NoError(t, err)
	p, err := lower.Build(net, lower.Options{})
	require.NoError(t, err)
	dir := t.TempDir()
	files, err := Write(dir, p, []byte(drawnNet))
	require.NoError(t, err)
	require.Equal(t, []string{"E2E.conn.npz", "E2Q.conn.npz", "E.tau.npy", "E.init.V.npy", "E.input.npy", "Q.v0.npy", "Q.init.v.npy", SpecFile}, files)
	text, err := os.ReadFile(filepath.Join(dir, SpecFile))
	require.NoError(t, err)
	require.Contains(t, string(text), filepath.Join(src, "conn.npz"), "a relative file reference is made absolute")
	require.NotContains(t, string(text), "normal(", "a drawn value is left in the spec")

	again, err := netspec.ParseFile(filepath.Join(dir, SpecFile))
	require.NoError(t, err)
	again.Seed = 12345
	q, err := lower.Build(again, lower.Options{})
	require.NoError(t, err)
	consts := func(p *lower.Program) map[string]string {
		out := map[string]string{}
		for _, c := range p.Consts {
			out[c.Name] = c.Value.String()
		}
		return out
	}
	require.Equal(t, consts(p), consts(q))
	a, b := p.InitialState(), q.InitialState()
	require.Len(t, b, len(a))
	for i := range a {
		if strings.HasSuffix(p.State[i].Name, ".key") { // the random stream's key follows the seed
			continue
		}
		require.Equal(t, a[i].String(), b[i].String(), "%s", p.State[i].Name)
	}
}

// connNPZ is a conn file of three synapses from E to Q.
func connNPZ(t *testing.T) []byte {
	t.Helper()
	path := filepath.Join(t.TempDir(), "c.npz")
	require.NoError(t, writeConn(path))
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	return data
}

// writeConn writes a conn file of three synapses.
func writeConn(path string) error {
	return npyio.WriteNPZ(path, []string{"pre", "post"}, []npyio.Array{{Shape: []int{3}, Data: []int32{0, 5, 9}}, {Shape: []int{3}, Data: []int32{1, 2, 3}}})
}

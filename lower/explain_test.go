package lower

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/netspec"
)

// --explain names the kernels of a network without stored event tables
// (it said "every projection uses the dense kernel" for all_to_all, Poisson
// and procedural ones) and counts a plastic weight trace in synapses.
func TestExplainNamesKernelsAndUnits(t *testing.T) {
	net, err := netspec.Parse([]byte(`
name: k
populations:
  A: {size: 50, model: LifRef}
  B: {size: 40, model: LifRef}
projections:
  AA: {pre: A, post: A, conn: {all_to_all: true}, weight: 0.1, synapse: Expon, output: CUBA}
  PA: {poisson: {num: 10, rate: 5 Hz}, post: A, weight: 1, synapse: Expon, output: CUBA}
  AB: {pre: A, post: B, conn: {fixed_prob: 0.2}, weight: 1, synapse: Expon, output: CUBA, kernel: dense,
       stdp: {A_plus: 0.01, A_minus: 0.01}}
monitors: {traces: {AB.w: [0, 1, 2], B.V: [0]}}
`), "k.yaml")
	require.NoError(t, err)
	p, err := Build(net, Options{})
	require.NoError(t, err)
	text := p.Explain("time loop in the executable", 16, 100)
	assert.Contains(t, text, "event-driven propagation:\n  none (no stored event table; kernels: 1 all_to_all, 1 poisson, 1 dense)\n")
	assert.Contains(t, text, "  trace AB.w of 3 synapses:")
	assert.Contains(t, text, "  trace B.V of 1 neurons:")
}

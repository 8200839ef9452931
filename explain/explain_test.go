package explain

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/internal/testspecs"
	"github.com/brainc/brainc/lower"
	"github.com/brainc/brainc/models"
	"github.com/brainc/brainc/netspec"
	"github.com/brainc/brainc/plan"
)

// build lowers a spec.
func build(t *testing.T, spec string, opts lower.Options) *lower.Program {
	t.Helper()
	net, err := netspec.Parse([]byte(spec), "t.yaml")
	require.NoError(t, err)
	p, err := lower.Build(net, opts)
	require.NoError(t, err)
	return p
}

// packed is testspecs.Packed with B2A's weight 2: the fan-out table then
// has one weight per slot, which splits with it.
var packed = strings.Replace(testspecs.Packed, "weight: 1, synapse: Expon, output: CUBA, kernel: event", "weight: 2, synapse: Expon, output: CUBA, kernel: event", 1)

// Describe names a packed block's populations and the synaptic state its
// projections merge into; decision's block says which parameters vary.
func TestDescribeNamesBlocksAndMergedStates(t *testing.T) {
	d := Describe(build(t, packed, lower.Options{}))
	assert.Contains(t, d, "synaptic state A2A+B2A+A2B.g → A+B: Expon(tau=8), CUBA, fed by A2A, B2A (onto A); A2B (onto B)")
	assert.Contains(t, d, "population B: 20 × LifRef (exp_euler), neurons 300–319 of block A+B")
	net, err := models.Load("decision")
	require.NoError(t, err)
	p, err := lower.Build(net, lower.Options{})
	require.NoError(t, err)
	assert.Contains(t, Describe(p), "block A+B+N+I: 2000 neurons packed (one state array per variable, one compaction, one fan-out table, 3 synaptic states), per-neuron tau, tau_ref\n")
}

// --explain names the kernels of a network without stored event tables
// (it said "every projection uses the dense kernel" for all_to_all, Poisson
// and procedural ones) and counts a plastic weight trace in synapses.
func TestExplainNamesKernelsAndUnits(t *testing.T) {
	p := build(t, `
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
`, lower.Options{})
	text := Program(p, "time loop in the executable", 16, 100)
	assert.Contains(t, text, "event-driven propagation:\n  none (no stored event table; kernels: 1 all_to_all, 1 poisson, 1 dense)\n")
	assert.Contains(t, text, "  trace AB.w of 3 synapses:")
	assert.Contains(t, text, "  trace B.V of 1 neurons:")
}

// --explain says which tables a program laid out for several devices
// splits by target: the fan-out table, procedural rows, and own tables
// (per-synapse delays; rows scaled by STP), each device's share with its
// synapses.
func TestExplainSaysWhatSplitsByTarget(t *testing.T) {
	for _, devices := range []int{2, 4} {
		p := build(t, packed, lower.Options{PadTo: devices})
		assert.Contains(t, Program(p, "loop", 16, 10), fmt.Sprintf("split by target across %d devices", devices))
		assert.Contains(t, Devices(p, devices), fmt.Sprintf("%d devices: ", devices))
	}
	p := build(t, packed, lower.Options{PadTo: 4, Kernel: plan.KernelProcedural})
	split := p.SplitProcedural()
	require.NotEmpty(t, split)
	assert.Contains(t, Program(p, "loop", 16, 10), split[0].Name+": procedural rows, split by target across 4 devices: each regenerates the rows of the neurons that fired and keeps the synapses onto its own 80 neurons of A+B")

	own := strings.Join([]string{
		"dt: 0.1 ms",
		"populations:",
		"  E: {size: 120, model: LifRef}",
		"  E2: {size: 120, model: LifRef, integrator: rk2}",
		"  I: {size: 40, model: LifRef, integrator: rk2}",
		"projections:",
		"  EE: {pre: E, post: E, conn: {fixed_prob: 0.2}, weight: 0.5, delay: uniform(0.5 ms, 3 ms), kernel: event, synapse: Expon, output: CUBA}",
		"  EI: {pre: E, post: I, conn: {fixed_prob: 0.3}, weight: 0.5, stp: {U: 0.2, tau_d: 150 ms, tau_f: 400 ms}, kernel: event, synapse: Expon, output: CUBA}",
	}, "\n")
	for _, devices := range []int{2, 4} {
		p := build(t, own, lower.Options{PadTo: devices})
		text := Program(p, "loop", 16, 10)
		split := append(p.SplitDelayed(), p.SplitScaled()...)
		require.Len(t, split, 2)
		for _, sp := range split {
			assert.Contains(t, text, sp.Name+": its own CSR table")
		}
		assert.Contains(t, text, fmt.Sprintf("split by target across %d devices: each holds up to %d synapses, those onto its own neurons", devices, split[0].SplitOwn.Synapses))
	}
}

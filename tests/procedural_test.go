package tests

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/connect"
	"github.com/brainc/brainc/explain"
	"github.com/brainc/brainc/ir"
	"github.com/brainc/brainc/jit"
	"github.com/brainc/brainc/lower"
	"github.com/brainc/brainc/netspec"
	"github.com/brainc/brainc/ops"
	"github.com/brainc/brainc/plan"
)

// A network whose fixed_prob projections regenerate their connectivity each
// step spikes exactly as the same network with that connectivity stored
// (built once from the same generator), over 1,000 steps, with the stored
// side running either the event-driven or the dense kernel.
func TestProceduralEqualsStored(t *testing.T) {
	b := cpu(t)
	store := func(pr ops.Procedural) (*connect.Matrix, error) { return ops.ProceduralMatrix(b, pr) }
	proc, _ := simulate(t, parse(t, smallCOBA), lower.Options{Kernel: plan.KernelProcedural}, jit.Options{K: 5})
	event, _ := simulate(t, parse(t, smallCOBA), lower.Options{Kernel: plan.KernelEvent, StoreProcedural: store}, jit.Options{K: 5})
	dense, _ := simulate(t, parse(t, smallCOBA), lower.Options{Kernel: plan.KernelDense, StoreProcedural: store}, jit.Options{K: 5})
	require.Greater(t, totalSpikes(proc), 400, "the network must be active for the comparison to mean anything")
	assert.Equal(t, spikeTrains(event), spikeTrains(proc))
	assert.Equal(t, spikeTrains(dense), spikeTrains(proc))

	// The plan says what was chosen and that procedural projections hold no
	// connectivity; fixed in-degree projections stay stored.
	prog, err := lower.Build(parse(t, smallCOBA), lower.Options{Kernel: plan.KernelProcedural})
	require.NoError(t, err)
	d := explain.Describe(prog)
	assert.Contains(t, d, "projection E2E: E→E ≈25536 synapses (regenerated, ")
	assert.Contains(t, d, "kernel procedural (forced by option), 4 B")
	assert.Contains(t, d, "projection I2E: I→E 6400 synapses (max fan-out")
	assert.Contains(t, d, "(procedural needs fixed_prob with 0 < p < 1)")
}

// kernel: procedural in a spec needs fixed_prob; the error names the field
// and the line.
func TestProceduralSpecErrors(t *testing.T) {
	spec := strings.Replace(smallCOBA, "conn: {fixed_in_degree: 16}, weight: 6.7,", "conn: {fixed_in_degree: 16}, kernel: procedural, weight: 6.7,", 1)
	_, err := lowerSpec(spec)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "test.yaml:14: projections.I2E.kernel: procedural connectivity regenerates fixed_prob rows: it needs conn fixed_prob with 0 < p < 1")
}

func lowerSpec(spec string) (*lower.Program, error) {
	net, err := parseErr(spec)
	if err != nil {
		return nil, err
	}
	return lower.Build(net, lower.Options{})
}

func parseErr(spec string) (*ir.Network, error) { return netspec.Parse([]byte(spec), "test.yaml") }

package lower

import (
	"maps"
	"slices"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/internal/testspecs"
	"github.com/brainc/brainc/models"
	"github.com/brainc/brainc/netspec"
	"github.com/brainc/brainc/plan"
)

const spec = testspecs.Packed // A+B packed; A2A, B2A on its fan-out table, A2B dense

func TestBuild(t *testing.T) {
	net, err := netspec.Parse([]byte(spec), "t.yaml")
	require.NoError(t, err)
	p, err := Build(net, Options{})
	require.NoError(t, err)
	assert.Equal(t, dtypes.Float32, p.DType)
	require.Len(t, p.Projs, 3)
	// A2A: ~9,000 synapses → event; B2A: forced by the spec; A2B: 100 synapses → dense.
	assert.Equal(t, plan.KernelEvent, p.Projs[0].Kernel)
	assert.Contains(t, p.Projs[0].Why, "auto:")
	assert.Equal(t, plan.KernelEvent, p.Projs[1].Kernel)
	assert.Equal(t, "set in spec", p.Projs[1].Why)
	assert.Equal(t, plan.KernelDense, p.Projs[2].Kernel)
	assert.Equal(t, 100, p.Projs[2].Matrix.NumSynapses())
	// A and B share model and parameters: one block, A's neurons first.
	require.Len(t, p.Blocks, 1)
	blk := p.Blocks[0]
	assert.Equal(t, "A+B", blk.Name)
	assert.Equal(t, 320, blk.Size)
	assert.Equal(t, []int{0, 300}, []int{p.Pops[0].Offset, p.Pops[1].Offset})
	// A2A and B2A merge onto A (same post, synapse, output); A2B onto B has
	// the same synapse and output: one synaptic state over the block.
	require.Len(t, p.Groups, 1)
	assert.Equal(t, "A2A+B2A+A2B", p.Groups[0].Name)
	require.Len(t, p.Groups[0].Parts, 2)
	assert.Equal(t, "A2A+B2A", p.Groups[0].Parts[0].Name)
	assert.Equal(t, []int{320}, p.Groups[0].G.Shape)
	// Compaction: the block is an event source and B is monitored.
	assert.True(t, blk.Compact)
	// Event-driven projections sit in their source block's fan-out table:
	// A2A at the group's slots for A; B2A feeds the same part, so it gets
	// slots of its own after the group's (its part sums the two in order).
	assert.Equal(t, []*Projection{p.Projs[0], p.Projs[1]}, blk.Events)
	assert.Equal(t, Segment{Start: 0, Size: 300}, p.Projs[0].Segment)
	assert.Equal(t, Segment{Start: 320, Size: 300}, p.Projs[1].Segment)
	assert.Equal(t, 620, blk.Fan.Slots)
	// The CSR table holds each synapse once, plus pad entries up to a
	// rounded length; row pointers per neuron and an empty row; the
	// longest row rounded up.
	m0, m1 := p.Projs[0].Matrix, p.Projs[1].Matrix
	assert.Equal(t, []int{roundUp(m0.NumSynapses()+m1.NumSynapses()+1, 16)}, blk.Fan.Targets.Shape)
	assert.Equal(t, []int{320 + 2}, blk.Fan.Ptr.Shape)
	assert.Equal(t, roundUp(max(m0.MaxRow(), m1.MaxRow()), 8), blk.Fan.Width)
	assert.Equal(t, int64(4*m1.NumSynapses()+4), p.ProjectionBytes(p.Projs[1]), "4 B per synapse plus the weight")

	// The initial state: V from its init distribution (or the V_rest default), never refractory.
	s0 := p.InitialState()
	v := s0[blk.States["V"].Index].Value().([]float32)
	for _, x := range v[:300] {
		require.True(t, x >= -1 && x < 1)
	}
	assert.Equal(t, float32(0), v[300], "B starts at V_rest")
	assert.Equal(t, int32(-1<<30), s0[blk.States["last_spike"].Index].Value().([]int32)[303])

	// Unpacked, each population has its block and its synaptic states.
	apart, err := Build(net, Options{NoPack: true})
	require.NoError(t, err)
	require.Len(t, apart.Blocks, 2)
	assert.Equal(t, []string{"A2A+B2A", "A2B"}, []string{apart.Groups[0].Name, apart.Groups[1].Name})
	assert.Equal(t, Segment{Start: 0, Size: 300}, apart.Projs[1].Segment)
	assert.Equal(t, "B.V", apart.Blocks[1].States["V"].Name)

	forced, err := Build(net, Options{Kernel: plan.KernelDense})
	require.NoError(t, err)
	for _, pr := range forced.Projs {
		assert.Equal(t, plan.KernelDense, pr.Kernel)
	}
	_, err = Build(net, Options{DType: dtypes.Int32})
	assert.EqualError(t, err, "lower: simulation dtype must be Float32 or Float64, got Int32")
	_, err = Build(net, Options{Kernel: "magic"})
	assert.EqualError(t, err, `lower: unknown kernel "magic": expected "event", "dense" or "procedural"`)
}

// The decision network packs its four LifRef populations into one block
// (I's tau and tau_ref vary per neuron), and its 28 all_to_all projections
// take their presynaptic sums from one product.
func TestPackVaryingParamsAndSums(t *testing.T) {
	net, err := models.Load("decision")
	require.NoError(t, err)
	p, err := Build(net, Options{})
	require.NoError(t, err)
	require.Len(t, p.Blocks, 1)
	b := p.Blocks[0]
	assert.Equal(t, "A+B+N+I", b.Name)
	assert.Equal(t, []string{"tau", "tau_ref"}, slices.Sorted(maps.Keys(b.Varying)))
	tau := b.Varying["tau"]
	require.Len(t, tau, 2000)
	assert.Equal(t, []float64{20, 20, 10, 10}, []float64{tau[0], tau[1599], tau[1600], tau[1999]})
	assert.Equal(t, 1.0, b.Varying["tau_ref"][1999])

	s := p.Sums
	require.NotNil(t, s)
	assert.Len(t, s.Pops, 4)
	assert.Equal(t, []int{0, 240, 480, 1600}, s.Offsets)
	assert.Equal(t, []string{"spikes", "pre:" + p.PreStates[0].Synapse.Key()}, s.Kinds)
	assert.Equal(t, []int{2000, 4}, s.Indicator.Shape)

	apart, err := Build(net, Options{NoPack: true})
	require.NoError(t, err)
	assert.Len(t, apart.Blocks, 4)
	assert.Nil(t, apart.Blocks[3].Varying)
	assert.Equal(t, s.Offsets, apart.Sums.Offsets, "the sums' layout does not depend on packing")
}

// roundUp pads by at most n/(2·frac), to a multiple of a power of two.
func TestRoundUp(t *testing.T) {
	for _, tc := range [][3]int{{1, 8, 1}, {15, 8, 15}, {16, 8, 16}, {17, 8, 17}, {46, 8, 46}, {64, 8, 64}, {65, 8, 68}, {110, 8, 112}, {9543, 16, 9728}, {320000, 16, 327680}} {
		assert.Equal(t, tc[2], roundUp(tc[0], tc[1]), "roundUp(%d, %d)", tc[0], tc[1])
	}
}

// OptionsFor is the one derivation of a run's lowering options.
func TestOptionsFor(t *testing.T) {
	net, err := netspec.Parse([]byte(spec), "t.yaml")
	require.NoError(t, err)
	for _, tc := range []struct {
		precision string
		c         Choices
		want      Options
	}{
		{"", Choices{}, Options{DType: dtypes.Float32}},
		{"", Choices{Float64: true}, Options{DType: dtypes.Float64}},
		{"float64", Choices{}, Options{DType: dtypes.Float64}},
		{"", Choices{Kernel: plan.KernelDense, MaxMemory: 1 << 30, Devices: 1}, Options{DType: dtypes.Float32, Kernel: plan.KernelDense, MaxMemory: 1 << 30}},
		{"", Choices{Devices: 3}, Options{DType: dtypes.Float32, PadTo: 3}},
	} {
		net.Precision = tc.precision
		assert.Equal(t, tc.want, OptionsFor(net, tc.c), "%+v", tc.c)
	}
}

package lower

import (
	"testing"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/netspec"
)

const spec = `
name: t
populations:
  A: {size: 300, model: LifRef, init: {V: uniform(-1 mV, 1 mV)}}
  B: {size: 20, model: LifRef}
projections:
  A2A: {pre: A, post: A, conn: {fixed_prob: 0.1}, weight: 1, synapse: Expon, output: CUBA}
  B2A: {pre: B, post: A, conn: {fixed_prob: 0.1}, weight: 1, synapse: Expon, output: CUBA, kernel: event}
  A2B: {pre: A, post: B, conn: {fixed_in_degree: 5}, weight: 1, synapse: Expon, output: CUBA}
monitors: {spikes: [B]}
`

func TestBuild(t *testing.T) {
	net, err := netspec.Parse([]byte(spec), "t.yaml")
	require.NoError(t, err)
	p, err := Build(net, Options{})
	require.NoError(t, err)
	assert.Equal(t, dtypes.Float32, p.DType)
	require.Len(t, p.Projs, 3)
	// A2A: ~9,000 synapses → event; B2A: forced by the spec; A2B: 100 synapses → dense.
	assert.Equal(t, KernelEvent, p.Projs[0].Kernel)
	assert.Contains(t, p.Projs[0].Why, "auto:")
	assert.Equal(t, KernelEvent, p.Projs[1].Kernel)
	assert.Equal(t, "set in spec", p.Projs[1].Why)
	assert.Equal(t, KernelDense, p.Projs[2].Kernel)
	assert.Equal(t, 100, p.Projs[2].Matrix.NumSynapses())
	// A2A and B2A merge (same post, synapse, output); A2B is alone.
	require.Len(t, p.Groups, 2)
	assert.Equal(t, "A2A+B2A", p.Groups[0].Name)
	// Compaction: A and B are event sources, B is also monitored.
	assert.True(t, p.Pops[0].Compact)
	assert.True(t, p.Pops[1].Compact)
	// Event-driven projections sit in their source's fan-out table.
	assert.Equal(t, []*Projection{p.Projs[0]}, p.Pops[0].Events)
	assert.Equal(t, 300, p.Pops[0].FanoutSize)
	assert.Equal(t, []*Projection{p.Projs[1]}, p.Pops[1].Events)
	assert.Equal(t, Segment{Start: 0, Size: 300}, p.Projs[1].Segment)
	// The CSR table holds each synapse once, plus a pad; row pointers per neuron and an empty row.
	m := p.Projs[1].Matrix
	assert.Equal(t, []int{m.NumSynapses() + 1}, p.Consts[p.Pops[1].Fanout].Shape)
	assert.Equal(t, []int{20 + 2}, p.Consts[p.Pops[1].FanoutPtr].Shape)
	assert.Equal(t, m.MaxRow(), p.Pops[1].FanoutWidth)
	assert.Equal(t, int64(4*m.NumSynapses()+4), p.ProjectionBytes(p.Projs[1]), "4 B per synapse plus the weight")
	assert.Contains(t, p.Describe(), "synaptic state A2A+B2A.g → A: Expon(tau=8), CUBA, fed by A2A, B2A")

	// The initial state: V from its init distribution (or the V_rest default), never refractory.
	s0 := p.InitialState()
	v := s0[p.Pops[0].States["V"]].Value().([]float32)
	for _, x := range v {
		require.True(t, x >= -1 && x < 1)
	}
	assert.Equal(t, float32(0), s0[p.Pops[1].States["V"]].Value().([]float32)[0], "B starts at V_rest")
	assert.Equal(t, int32(-1<<30), s0[p.Pops[1].States["last_spike"]].Value().([]int32)[3])

	forced, err := Build(net, Options{Kernel: KernelDense})
	require.NoError(t, err)
	for _, pr := range forced.Projs {
		assert.Equal(t, KernelDense, pr.Kernel)
	}
	_, err = Build(net, Options{DType: dtypes.Int32})
	assert.EqualError(t, err, "lower: simulation dtype must be Float32 or Float64, got Int32")
	_, err = Build(net, Options{Kernel: "magic"})
	assert.EqualError(t, err, `lower: unknown kernel "magic": expected "event", "dense" or "procedural"`)
}

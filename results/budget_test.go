package results

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/jit"
	"github.com/brainc/brainc/lower"
	"github.com/brainc/brainc/netspec"
	"github.com/brainc/brainc/plan"
)

// The recorder is bounded: past MaxSpikes (set by NewRecorder from the
// memory left, plan.SpikeBudget) Add fails with what to change, instead
// of the process running out of memory.
func TestRecorderSpikeBudget(t *testing.T) {
	net, err := netspec.Parse([]byte(`
name: b
populations:
  E: {size: 10, model: LifRef}
monitors: {spikes: [E]}
`), "b.yaml")
	require.NoError(t, err)
	prog, err := lower.Build(net, lower.Options{MaxMemory: 1 << 20})
	require.NoError(t, err)
	rec := NewRecorder(prog)
	want, ok := plan.SpikeBudget(net, lower.Options{MaxMemory: 1 << 20}.Budget())
	require.True(t, ok)
	assert.Equal(t, want, rec.MaxSpikes)
	assert.Equal(t, int64((1<<20-10*64)/plan.BytesPerSpike), rec.MaxSpikes)

	rec.MaxSpikes = 5
	chunk := func(start int, idx ...[]int32) *jit.Chunk {
		return &jit.Chunk{Start: start, Steps: len(idx), Spikes: []jit.PopSpikes{{Pop: prog.SpikeMonitors[0], Index: idx}}}
	}
	require.NoError(t, rec.Add(chunk(0, []int32{0, 1}, []int32{2, 3, 4})))
	err = rec.Add(chunk(2, []int32{}, []int32{5}))
	assert.EqualError(t, err, "spike monitors: 6 spikes recorded by step 4 (t = 0.4 ms), more than the 5 (0.000114 MiB at 24 B each) "+
		"the memory left for them holds; record fewer neurons (monitors: spikes), a shorter window (monitors: window) or a shorter run, or raise --max-memory")
}

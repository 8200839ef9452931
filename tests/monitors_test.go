package tests

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/jit"
	"github.com/brainc/brainc/lower"
)

// A spike monitor of some neurons records exactly their spikes of the whole
// population's recording; its rate counts only them.
func TestSpikeMonitorOfSomeNeurons(t *testing.T) {
	part := strings.Replace(smallCOBA, "  spikes: [E, I]\n", "  spikes: {E: [0:50, 399], I: all}\n", 1)
	require.NotEqual(t, smallCOBA, part)
	whole, _ := simulate(t, parse(t, smallCOBA), lower.Options{}, jit.Options{})
	some, _ := simulate(t, parse(t, part), lower.Options{}, jit.Options{})
	require.Len(t, some.Spikes, 2)
	e, eAll := some.Spikes[0], whole.Spikes[0]
	var times []float64
	var idx []int32
	for k, i := range eAll.Indices {
		if i < 50 || i == 399 {
			times, idx = append(times, eAll.Times[k]), append(idx, i)
		}
	}
	require.NotEmpty(t, idx)
	assert.Equal(t, idx, e.Indices)
	assert.Equal(t, times, e.Times)
	assert.Equal(t, whole.Spikes[1].Indices, some.Spikes[1].Indices, "I whole")
	st := e.Stats(100)
	assert.Equal(t, 51, st.Size)
	assert.InDelta(t, float64(len(idx))/51/0.1, st.RateHz, 1e-9)

	for _, tc := range []struct{ spikes, want string }{
		{"{E: [0:50, 400]}", `test.yaml:17: monitors.spikes.E: neuron index 400 out of range (population E has 400 neurons: 0..399)`},
		{"{E: [\"9:3\"]}", `test.yaml:17: monitors.spikes.E[0]: expected a range a:b of neuron indices with 0 ≤ a < b ≤ 400, got "9:3"`},
		{"{E: [3, 2]}", `test.yaml:17: monitors.spikes.E: neuron indices must increase, without repeats: 2 after 3`},
		{"{X: all}", `test.yaml:17: monitors.spikes: unknown population "X" (populations: E, I)`},
	} {
		_, err := parseErr(strings.Replace(smallCOBA, "  spikes: [E, I]\n", "  spikes: "+tc.spikes+"\n", 1))
		require.Error(t, err, tc.spikes)
		assert.Contains(t, err.Error(), tc.want, tc.spikes)
	}
}

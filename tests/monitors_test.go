package tests

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/jit"
	"github.com/brainc/brainc/lower"
	"github.com/brainc/brainc/npyio"
	"github.com/brainc/brainc/results"
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

// A rate monitor writes the population rate in bins: rates.npz holds each
// bin's start and rate, and the bins add up to the spikes recorded.
func TestRateMonitor(t *testing.T) {
	spec := strings.Replace(smallCOBA, "  spikes: [E, I]\n", "  spikes: [E, I]\n  rates: {E: 7 ms}\n", 1)
	rec, _ := simulate(t, parse(t, spec), lower.Options{}, jit.Options{})
	e := rec.Spikes[0]
	require.Equal(t, 7.0, e.RateBin)
	times, hz := e.Rate(7, rec.Steps, 0.1)
	require.Len(t, hz, 15) // 100 ms: 14 bins of 7 ms and one of 2 ms
	assert.Equal(t, 98.0, times[14])
	total := 0.0
	for k, r := range hz {
		width := min(7, 100-times[k])
		total += r * 400 * width / 1000
	}
	assert.InDelta(t, float64(len(e.Times)), total, 1e-6)

	dir := filepath.Join(t.TempDir(), "out")
	require.NoError(t, rec.Write(dir, &results.Summary{Duration: 100}, false))
	arrs, err := npyio.ReadNPZMap(filepath.Join(dir, "rates.npz"))
	require.NoError(t, err)
	got, err := npyio.Float64s(arrs["E"])
	require.NoError(t, err)
	assert.Equal(t, hz, got)
	_, ok := arrs["I"]
	assert.False(t, ok, "no rate asked for I")

	for _, tc := range []struct{ rates, want string }{
		{"{E: 0.01 ms}", `test.yaml:18: monitors.rates.E: bin must be in [dt, duration] = [0.1 ms, 100 ms], got 0.01 ms`},
		{"{E: 5 mV}", `test.yaml:18: monitors.rates.E: expected a time`},
	} {
		_, err := parseErr(strings.Replace(smallCOBA, "  spikes: [E, I]\n", "  spikes: [E, I]\n  rates: "+tc.rates+"\n", 1))
		require.Error(t, err, tc.rates)
		assert.Contains(t, err.Error(), tc.want, tc.rates)
	}
	_, err = parseErr(strings.Replace(smallCOBA, "  spikes: [E, I]\n", "  spikes: [E]\n  rates: {I: 5 ms}\n", 1))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "monitors.rates.I: the rate of I is computed from its spikes: record them (monitors.spikes)")
}

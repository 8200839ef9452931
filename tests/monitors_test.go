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

// A recording window keeps exactly the spikes of a whole run within it, and
// traces every n-th step keep exactly those rows of the whole run's traces;
// rates are over the window.
func TestRecordingWindowAndEvery(t *testing.T) {
	spec := strings.Replace(smallCOBA, "  traces: {E.V: [0, 7]}\n", "  traces: {E.V: [0, 7]}\n  every: 1 ms\n  window: [20 ms, 70 ms]\n", 1)
	require.NotEqual(t, smallCOBA, spec)
	whole, _ := simulate(t, parse(t, smallCOBA), lower.Options{}, jit.Options{})
	part, _ := simulate(t, parse(t, spec), lower.Options{}, jit.Options{})
	for j, s := range whole.Spikes {
		var times []float64
		var idx []int32
		for k, x := range s.Times {
			if x >= 20-1e-9 && x < 70-1e-9 {
				times, idx = append(times, x), append(idx, s.Indices[k])
			}
		}
		require.NotEmpty(t, idx, s.Pop)
		assert.Equal(t, times, part.Spikes[j].Times, s.Pop)
		assert.Equal(t, idx, part.Spikes[j].Indices, s.Pop)
		st := part.Spikes[j].Stats(100)
		assert.InDelta(t, float64(len(idx))/float64(s.Size)/0.05, st.RateHz, 1e-9, "rate over the 50 ms window")
	}
	times := part.TraceTimes()
	require.Len(t, times, 50)
	assert.InDelta(t, 20.0, times[0], 1e-9)
	assert.InDelta(t, 69.0, times[49], 1e-9)
	v, all := part.Traces[0].Values, whole.Traces[0].Values
	require.Len(t, v, 50*2)
	for r := range 50 {
		step := 200 + 10*r
		assert.Equal(t, all[2*step:2*step+2], v[2*r:2*r+2], "row %d (step %d)", r, step)
	}
	dir := filepath.Join(t.TempDir(), "out")
	require.NoError(t, part.Write(dir, &results.Summary{Duration: 100}, false))
	arrs, err := npyio.ReadNPZMap(filepath.Join(dir, "traces.npz"))
	require.NoError(t, err)
	assert.Equal(t, []int{50}, arrs["t"].Shape)
	assert.Equal(t, []int{50, 2}, arrs["E.V"].Shape)

	endless, _ := simulate(t, parse(t, strings.Replace(smallCOBA, "  traces: {E.V: [0, 7]}\n", "  traces: {E.V: [0, 7]}\n  window: [20 ms, 1e300 s]\n", 1)), lower.Options{}, jit.Options{})
	assert.Len(t, endless.TraceTimes(), 800, "a stop past the run records to its end")

	for _, tc := range []struct{ extra, want string }{
		{"  every: 0.15 ms\n", `test.yaml:19: monitors.every: must be a whole number of steps (dt = 0.1 ms) in [dt, duration] = [0.1 ms, 100 ms], got 0.15 ms`},
		{"  every: 0.01 ms\n", `test.yaml:19: monitors.every: must be a whole number of steps`},
		{"  every: 1 s\n", `test.yaml:19: monitors.every: must be a whole number of steps (dt = 0.1 ms) in [dt, duration] = [0.1 ms, 100 ms], got 1000 ms`},
		{"  every: 5 mV\n", `test.yaml:19: monitors.every: expected a time`},
		{"  window: [70 ms, 20 ms]\n", `test.yaml:19: monitors.window: stop must be after start, got [70 ms, 20 ms]`},
		{"  window: [100 ms, 200 ms]\n", `test.yaml:19: monitors.window: starts at 100 ms, at or after the end of the run (duration 100 ms): nothing would be recorded`},
		{"  window: [-5 ms, 20 ms]\n", `test.yaml:19: monitors.window: start and stop must be finite times ≥ 0, got [-5 ms, 20 ms]`},
		{"  window: [5 ms]\n", `test.yaml:19: monitors.window: expected [start, stop] (e.g. [100 ms, 500 ms]), got 1 values`},
	} {
		_, err := parseErr(strings.Replace(smallCOBA, "  traces: {E.V: [0, 7]}\n", "  traces: {E.V: [0, 7]}\n"+tc.extra, 1))
		require.Error(t, err, tc.extra)
		assert.Contains(t, err.Error(), tc.want, tc.extra)
	}
}

// Current traces are their outputs' currents at the traced potential:
// COBA's g·(E − V) per projection, and a population's summed synaptic
// current is the sum of its projections'.
func TestCurrentTraces(t *testing.T) {
	spec := strings.Replace(smallCOBA, "  traces: {E.V: [0, 7]}\n",
		"  traces: {E.V: [0, 7], E2E.g: [0, 7], I2E.g: [0, 7], E2E.I: [0, 7], I2E.I: [0, 7], E.I_syn: [0, 7]}\n", 1)
	rec, _ := simulate(t, parse(t, spec), lower.Options{}, jit.Options{})
	byName := map[string][]float64{}
	for _, tr := range rec.Traces {
		byName[tr.Pop+"."+tr.Var] = tr.Values
	}
	v, ge, gi := byName["E.V"], byName["E2E.g"], byName["I2E.g"]
	require.Len(t, v, 2*rec.Steps)
	nonzero := 0
	for k := range v {
		ie, ii := ge[k]*(0-v[k]), gi[k]*(-80-v[k])
		assert.InDelta(t, ie, byName["E2E.I"][k], 1e-5*(1+abs(ie)), "E2E.I row %d", k/2)
		assert.InDelta(t, ii, byName["I2E.I"][k], 1e-5*(1+abs(ii)), "I2E.I row %d", k/2)
		assert.InDelta(t, ie+ii, byName["E.I_syn"][k], 1e-5*(1+abs(ie)+abs(ii)), "E.I_syn row %d", k/2)
		if ie != 0 && ii != 0 {
			nonzero++
		}
	}
	assert.Greater(t, nonzero, rec.Steps, "both currents flow most of the run")

	_, err := parseErr(strings.Replace(smallCOBA, "  traces: {E.V: [0, 7]}\n", "  traces: {E2E.J: [0]}\n", 1))
	require.Error(t, err)
	assert.Contains(t, err.Error(), `monitors.traces.E2E.J: projection E2E has no traceable variable "J" (valid: g, I)`)
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

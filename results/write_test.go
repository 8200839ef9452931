package results

import (
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/jit"
	"github.com/brainc/brainc/lower"
	"github.com/brainc/brainc/netspec"
	"github.com/brainc/brainc/npyio"
)

// thin keeps every point of a short curve, and of a long one the lowest
// and highest point of each stretch, in time order, and the first point
// that is not finite.
func TestThin(t *testing.T) {
	x, y := []float64{0, 1, 2}, []float64{5, 6, 7}
	gx, gy := thin(x, y, 10)
	require.Equal(t, x, gx)
	require.Equal(t, y, gy)
	x, y = make([]float64, 100), make([]float64, 100)
	for i := range x {
		x[i], y[i] = float64(i), math.Sin(float64(i))
	}
	y[37], y[81] = 9, math.NaN() // a spike and a break
	gx, gy = thin(x, y, 10)      // 5 stretches of 20
	require.LessOrEqual(t, len(gx), 15)
	require.Contains(t, gy, 9.0)
	require.Contains(t, gx, 81.0)
	require.True(t, math.IsNaN(gy[len(gx)-1-indexFromEnd(gx, 81)]))
	for i := 1; i < len(gx); i++ {
		require.Less(t, gx[i-1], gx[i], "time order")
	}
}

// indexFromEnd is how far from the end of v the value x is.
func indexFromEnd(v []float64, x float64) int {
	for i := len(v) - 1; i >= 0; i-- {
		if v[i] == x {
			return len(v) - 1 - i
		}
	}
	return -1
}

// Traces are labelled with their unit and split one neuron per panel; the
// raster's rate bin is monitors.rates' when every population asks one.
func TestPlotLabels(t *testing.T) {
	net, err := netspec.Parse([]byte(`
name: labels
dt: 0.1 ms
duration: 100 ms
populations:
  A: {size: 4, model: LifRef}
  B:
    size: 2
    model:
      equations: |
        dv/dt = -v/(10*ms) : volt
        dx/dt = -x/(5*ms) : amp
      threshold: v > 10 mV
      reset: v = 0 mV
monitors:
  spikes: [A, B]
  rates: {A: 5 ms, B: 2 ms}
  traces: {A.V: [0, 1, 2, 3], B.v: [0], B.x: [1]}
`), "labels.yaml")
	require.NoError(t, err)
	p, err := lower.Build(net, lower.Options{})
	require.NoError(t, err)
	r := NewRecorder(p)
	units := map[string]string{}
	for _, tr := range r.Traces {
		units[tr.Pop+"."+tr.Var] = tr.Unit
	}
	require.Equal(t, map[string]string{"A.V": "mV", "B.v": "mV", "B.x": "µA"}, units)
	require.Equal(t, 5.0, r.rasterBin(100, 0.1))
	r.Spikes[1].RateBin = 0
	require.Equal(t, 1.0, r.rasterBin(100, 0.1), "a population without a bin: the default")
	require.Equal(t, 5.0, rateBin(2000, 0.1))
	r.Traces[0].Values = make([]float64, 4)
	r.Traces[1].Values, r.Traces[2].Values = make([]float64, 1), make([]float64, 1)
	r.Steps = 1
	var titles, labels []string
	for _, pn := range r.tracePanels() {
		titles, labels = append(titles, pn.Title), append(labels, pn.YLabel)
	}
	require.Equal(t, []string{"A.V, neuron 0", "A.V, neuron 1", "A.V, neuron 2", "B.v, neuron 0", "B.x, neuron 1"}, titles)
	require.Equal(t, []string{"V (mV)", "V (mV)", "V (mV)", "v (mV)", "x (µA)"}, labels)
}

// monitors.traces_window records the traces over their own window while
// the spikes cover monitors.window (here the whole run).
func TestTracesWindow(t *testing.T) {
	net, err := netspec.Parse([]byte(`
name: tw
dt: 1 ms
duration: 10 ms
populations:
  A: {size: 2, model: LifRef}
monitors:
  spikes: [A]
  traces: {A.V: [0, 1]}
  traces_window: [3 ms, 6 ms]
`), "tw.yaml")
	require.NoError(t, err)
	p, err := lower.Build(net, lower.Options{})
	require.NoError(t, err)
	r := NewRecorder(p)
	c := &jit.Chunk{Start: 0, Steps: 10, Spikes: []jit.PopSpikes{{Index: make([][]int32, 10)}}, Traces: [][]float64{make([]float64, 20)}}
	for k := range 10 {
		c.Traces[0][2*k], c.Traces[0][2*k+1] = float64(k), float64(-k)
		c.Spikes[0].Index[k] = []int32{int32(k % 2)}
	}
	require.NoError(t, r.Add(c))
	require.Equal(t, []float64{3, 4, 5}, r.TraceTimes())
	require.Equal(t, []float64{3, -3, 4, -4, 5, -5}, r.Traces[0].Values)
	require.Equal(t, 3, r.traceRows())
	require.Len(t, r.Spikes[0].Times, 10, "spikes follow monitors.window (none: every step)")
	_, err = netspec.Parse([]byte("name: tw\nduration: 10 ms\npopulations:\n  A: {size: 2, model: LifRef}\nmonitors:\n  traces: {A.V: [0]}\n  traces_window: [6 ms, 3 ms]\n"), "tw.yaml")
	require.ErrorContains(t, err, "monitors.traces_window: stop must be after start, got [6 ms, 3 ms]")
}

// monitors.fc writes the Pearson correlation of every pair of a trace's
// entries over the recorded rows to fc.npz: 1 and −1 for entries moving
// together and against each other, NaN for one that does not move; a
// name that is no trace, or a trace of one entry, is refused.
func TestFunctionalConnectivity(t *testing.T) {
	spec := `
name: fc
dt: 1 ms
duration: 6 ms
populations:
  A: {size: 4, model: LifRef}
monitors:
  traces: {A.V: [0, 1, 2, 3]}
  fc: [A.V]
`
	net, err := netspec.Parse([]byte(spec), "fc.yaml")
	require.NoError(t, err)
	p, err := lower.Build(net, lower.Options{})
	require.NoError(t, err)
	r := NewRecorder(p)
	r.PlotFormat = "none"
	c := &jit.Chunk{Start: 0, Steps: 6, Traces: [][]float64{make([]float64, 24)}}
	for k := range 6 {
		x := float64(k * k) // entry 0; 1 is 2x + 3, 2 is −x, 3 is constant
		copy(c.Traces[0][4*k:], []float64{x, 2*x + 3, -x, 7})
	}
	require.NoError(t, r.Add(c))
	dir := filepath.Join(t.TempDir(), "out")
	require.NoError(t, r.Write(dir, &Summary{}, false))
	fc, err := npyio.ReadNPZMap(filepath.Join(dir, "fc.npz"))
	require.NoError(t, err)
	m := fc["A.V"]
	require.Equal(t, []int{4, 4}, m.Shape)
	v := m.Data.([]float64)
	for _, tc := range []struct {
		i, j int
		want float64
	}{{0, 0, 1}, {0, 1, 1}, {1, 0, 1}, {0, 2, -1}, {1, 2, -1}, {2, 2, 1}} {
		assert.InDelta(t, tc.want, v[tc.i*4+tc.j], 1e-12, "[%d, %d]", tc.i, tc.j)
	}
	for i := range 4 {
		assert.True(t, math.IsNaN(v[i*4+3]) && math.IsNaN(v[3*4+i]), "entry 3 does not vary: [%d, 3] is NaN", i)
	}
	for _, bad := range []struct{ fc, want string }{
		{"[A.u]", `fc.yaml:9: monitors.fc: "A.u" is not a traced variable: functional connectivity correlates the entries of a trace (monitors.traces)`},
		{"[A.V, A.V]", "fc.yaml:9: monitors.fc: A.V is listed twice"},
	} {
		_, err := netspec.Parse([]byte(strings.Replace(spec, "fc: [A.V]", "fc: "+bad.fc, 1)), "fc.yaml")
		assert.EqualError(t, err, bad.want)
	}
	_, err = netspec.Parse([]byte(strings.Replace(spec, "[0, 1, 2, 3]", "[2]", 1)), "fc.yaml")
	assert.EqualError(t, err, "fc.yaml:9: monitors.fc: the trace A.V has one entry: functional connectivity needs two or more")
}

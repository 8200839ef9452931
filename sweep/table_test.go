package sweep

import (
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// WriteTable creates its folder (a missing one would lose the sweep's
// results), and the spread across seeds is the sample standard deviation.
func TestWriteTableCreatesItsFolder(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new", "sweep")
	g := Grid{Axes: []Axis{{Target: "E", Key: "tau", Values: []float64{10, 20}, Unit: "ms"}}}
	var rows []Row
	for i, v := range []float64{10, 10, 20, 20} {
		rows = append(rows, Row{Instance: Instance{Index: i, Values: []float64{v}, Seed: uint64(i % 2)},
			Pops: map[string]Measures{"E": {RateHz: v/2 + float64(i%2)}}, Batch: 1})
	}
	require.NoError(t, WriteTable(dir, g, []string{"E"}, rows))
	for _, f := range []string{"summary.csv", "summary.npz", "sweep.png"} {
		_, err := os.Stat(filepath.Join(dir, f))
		require.NoError(t, err, f)
	}
	mean, sd := meanSD([]float64{5, 6})
	require.Equal(t, 5.5, mean)
	require.InDelta(t, math.Sqrt(0.5), sd, 1e-15)
	_, sd = meanSD([]float64{3})
	require.Zero(t, sd)
}

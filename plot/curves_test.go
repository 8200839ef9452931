package plot

import (
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCurves(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "c.png")
	x := []float64{1, 2, 3}
	require.NoError(t, Curves(path, []Panel{
		{Title: "loss", Series: []Series{{Name: "train", X: x, Y: []float64{2, 1, 0.5}}}},
		{Title: "acc", Series: []Series{{Name: "test", X: x, Y: []float64{0.1, 0.5, 0.9}}}},
	}))
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	img, err := png.Decode(f)
	require.NoError(t, err)
	assert.Equal(t, widthPx, img.Bounds().Dx())

	bad := filepath.Join(dir, "bad.png")
	assert.EqualError(t, Curves(bad, nil), "plot: Curves needs at least one panel")
	assert.EqualError(t, Curves(bad, []Panel{{Title: "p", Series: []Series{{Name: "s", X: x, Y: x[:2]}}}}),
		`plot: panel "p", series "s": 3 x values but 2 y values`)
	_, err = os.Stat(bad)
	assert.True(t, os.IsNotExist(err))
}

// Points that are not finite are left out (the curve broken there), the
// panel's title notes them per series, and the plot is written all the
// same: a diverged run's traces.
func TestCurvesNonFinite(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	x := []float64{0, 1, 2, 3}
	for _, tc := range []struct {
		name  string
		y     []float64
		runs  int
		title string
	}{
		{"finite", []float64{1, 2, 3, 4}, 1, "V"},
		{"from the end", []float64{1, 2, nan, nan}, 1, "V\nE 7: not finite from t = 2 ms"},
		{"infinite", []float64{1, inf, -inf, nan}, 1, "V\nE 7: not finite from t = 1 ms"},
		{"gaps", []float64{1, nan, 3, nan}, 2, "V\nE 7: 2 of 4 points not finite, the first at t = 1 ms"},
		{"none finite", []float64{nan, nan, nan, nan}, 0, "V\nE 7: not finite from t = 0 ms"},
		{"too large", []float64{1, 2, math.MaxFloat64, 4}, 2, "V\nE 7: 1 of 4 points not finite or too large to draw, the first at t = 2 ms"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pn := Panel{Title: "V", At: "t = %g ms", Lines: true, Series: []Series{{Name: "E 7", X: x, Y: tc.y}, {Name: "E 8", X: x, Y: []float64{4, 3, 2, 1}}}}
			p, err := panelPlot(pn)
			require.NoError(t, err)
			assert.Equal(t, tc.title, p.Title.Text)
			assert.Len(t, finiteRuns(x, tc.y), tc.runs)
			dir := t.TempDir()
			for _, name := range []string{"c.png", "c.svg"} {
				require.NoError(t, Curves(filepath.Join(dir, name), []Panel{pn}))
			}
			svg, err := os.ReadFile(filepath.Join(dir, "c.svg"))
			require.NoError(t, err)
			for _, line := range strings.Split(tc.title, "\n") {
				assert.Contains(t, string(svg), line)
			}
		})
	}
	p, err := panelPlot(Panel{Title: "p", Series: []Series{{Name: "s", X: []float64{1, 2}, Y: []float64{nan, 1}}}})
	require.NoError(t, err)
	assert.Equal(t, "p\ns: 1 of 2 points not finite, the first at x = 1", p.Title.Text, "the default way to say where")
	// What is left to draw may be one point, or far beyond 2^53: the axes
	// still get a range.
	for _, y := range [][]float64{{nan, 1e300}, {nan, -65}, {3e17, 3e17}, {1e38, 1e38 * (1 + 1e-15)}} {
		require.NoError(t, Curves(filepath.Join(t.TempDir(), "c.png"), []Panel{{Title: "p", Series: []Series{{Name: "s", X: []float64{0, 1}, Y: y}}}}), "%v", y)
	}
}

// A histogram's steps hold each bin's fraction of the values; values
// outside the range count in the total but in no bin.
func TestHistogram(t *testing.T) {
	s, err := Histogram("h", []float64{0, 0.5, 1, 1.5, 3.9, 4, -1}, 4, 0, 4)
	if err != nil {
		t.Fatal(err)
	}
	wantX := []float64{0, 1, 1, 2, 2, 3, 3, 4}
	wantY := []float64{2.0 / 7, 2.0 / 7, 2.0 / 7, 2.0 / 7, 0, 0, 1.0 / 7, 1.0 / 7}
	for i := range wantX {
		if s.X[i] != wantX[i] || math.Abs(s.Y[i]-wantY[i]) > 1e-12 {
			t.Fatalf("point %d: got (%g, %g), want (%g, %g)", i, s.X[i], s.Y[i], wantX[i], wantY[i])
		}
	}
	if _, err := Histogram("bad", nil, 0, 0, 1); err == nil || err.Error() != `plot: histogram "bad" needs bins ≥ 1 and lo < hi, got 0 bins over [0, 1)` {
		t.Fatalf("got %v", err)
	}
}

// Error bars must come one per point.
func TestCurvesErrorBars(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bars.png")
	ok := []Panel{{Title: "p", Series: []Series{{Name: "a", X: []float64{1, 2}, Y: []float64{3, 4}, Err: []float64{0.5, math.NaN()}}}}}
	require.NoError(t, Curves(path, ok))
	bad := []Panel{{Title: "p", Series: []Series{{Name: "a", X: []float64{1, 2}, Y: []float64{3, 4}, Err: []float64{0.5}}}}}
	require.EqualError(t, Curves(filepath.Join(t.TempDir(), "x.png"), bad), `plot: panel "p", series "a": 1 error bars for 2 points`)
}

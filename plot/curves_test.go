package plot

import (
	"image/png"
	"math"
	"os"
	"path/filepath"
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
	assert.EqualError(t, Curves(bad, []Panel{{Title: "p", Series: []Series{{Name: "s", X: x, Y: []float64{1, math.NaN(), 2}}}}}),
		`plot: panel "p", series "s": point 1 is not finite`)
	_, err = os.Stat(bad)
	assert.True(t, os.IsNotExist(err))
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

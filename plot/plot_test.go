package plot

import (
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestRate(t *testing.T) {
	// Population of 4 neurons over 100 ms in 25 ms bins: a spike in a bin
	// is 1 / (4 * 0.025 s) = 10 Hz.
	times := []float64{0, 1, 24.999, 25, 60, 74, 99.9, 100, -1, math.NaN()}
	centers, hz := Rate(times, 4, 100, 25)
	wantCenters := []float64{12.5, 37.5, 62.5, 87.5}
	wantHz := []float64{30, 10, 20, 10} // 100 and -1 are outside [0, 100)
	assertFloats(t, "centers", centers, wantCenters)
	assertFloats(t, "hz", hz, wantHz)

	// 50 ms in 20 ms bins: the last bin is [40, 50), 10 ms wide, so one
	// spike there in a population of 2 is 1 / (2 * 0.010 s) = 50 Hz.
	centers, hz = Rate([]float64{5, 15, 45}, 2, 50, 20)
	assertFloats(t, "centers", centers, []float64{10, 30, 45})
	assertFloats(t, "hz", hz, []float64{50, 0, 50})

	// Rounding: 0.3 ms in 0.1 ms bins is 3 bins, not 4.
	centers, _ = Rate(nil, 1, 0.3, 0.1)
	if len(centers) != 3 {
		t.Errorf("Rate(0.3 ms, 0.1 ms bins) gave %d bins, want 3", len(centers))
	}

	for _, bad := range []struct {
		size          int
		duration, bin float64
	}{{0, 10, 1}, {1, 0, 1}, {1, 10, 0}, {1, math.NaN(), 1}, {1, 10, math.Inf(1)}} {
		if c, h := Rate([]float64{1}, bad.size, bad.duration, bad.bin); c != nil || h != nil {
			t.Errorf("Rate(size=%d, duration=%v, bin=%v) = %v, %v; want nil", bad.size, bad.duration, bad.bin, c, h)
		}
	}
}

func assertFloats(t *testing.T, what string, got, want []float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s = %v, want %v", what, got, want)
	}
	for i := range got {
		if math.Abs(got[i]-want[i]) > 1e-9*math.Max(1, math.Abs(want[i])) {
			t.Fatalf("%s = %v, want %v", what, got, want)
		}
	}
}

// testSets returns two populations with regular spiking.
func testSets(nExc, nInh int) []SpikeSet {
	exc := SpikeSet{Name: "exc", Size: 800}
	for i := range nExc {
		exc.Times = append(exc.Times, float64(i)*1000/float64(nExc))
		exc.Indices = append(exc.Indices, int32(i*7919%800))
	}
	inh := SpikeSet{Name: "inh", Size: 200}
	for i := range nInh {
		inh.Times = append(inh.Times, float64(i)*1000/float64(nInh))
		inh.Indices = append(inh.Indices, int32(i*31%200))
	}
	return []SpikeSet{exc, inh}
}

func checkPNG(t *testing.T, path string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("decoding %s: %v", path, err)
	}
	if b := img.Bounds(); b.Dx() != 1200 || b.Dy() != 800 {
		t.Fatalf("image is %dx%d, want 1200x800", b.Dx(), b.Dy())
	}
}

func TestRasterWritesPNG(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "raster.png")
	if err := Raster(path, "test network", testSets(5000, 2000), 1000, 5); err != nil {
		t.Fatal(err)
	}
	checkPNG(t, path)
	// Overwriting works and leaves no temporary files.
	if err := Raster(path, "again", testSets(10, 0), 1000, 5); err != nil {
		t.Fatal(err)
	}
	checkPNG(t, path)
	assertOnlyFiles(t, dir, "raster.png")
}

func TestRasterSubsamples(t *testing.T) {
	sets := testSets(400_000, 100_000)
	fig, err := newFigure("big", sets, 0, 1000, 1)
	if err != nil {
		t.Fatal(err)
	}
	if want := "big (1 in 3 spikes drawn)"; fig.top.Title.Text != want {
		t.Errorf("title %q, want %q", fig.top.Title.Text, want)
	}
	fig, err = newFigure("small", testSets(150_000, 50_000), 0, 1000, 1)
	if err != nil {
		t.Fatal(err)
	}
	if fig.top.Title.Text != "small" {
		t.Errorf("title %q for exactly 200000 spikes, want no suffix", fig.top.Title.Text)
	}

	path := filepath.Join(t.TempDir(), "big.png")
	start := time.Now()
	if err := Raster(path, "big", sets, 1000, 1); err != nil {
		t.Fatal(err)
	}
	t.Logf("Raster with 500k spikes took %v", time.Since(start))
	checkPNG(t, path)
}

func TestRasterDrawsEveryKthSpike(t *testing.T) {
	// 250 001 spikes need k = 2. Spikes are counted across populations in
	// order, so with 100 001 spikes in the first population (drawing its
	// spikes 0, 2, ..., 100 000) the second starts at its spike 1.
	sets := testSets(100_001, 150_000)
	fig, err := newFigure("t", sets, 0, 1000, 1)
	if err != nil {
		t.Fatal(err)
	}
	if want := "t (1 in 2 spikes drawn)"; fig.top.Title.Text != want {
		t.Fatalf("title %q, want %q", fig.top.Title.Text, want)
	}
	for p, first := range []int{0, 1} {
		s, d := sets[p], fig.dots[p]
		want := (len(s.Times) - first + 1) / 2
		if len(d.xs) != want {
			t.Fatalf("population %d: %d dots, want %d", p, len(d.xs), want)
		}
		offset := float64(p * 800) // the inhibitory rows sit above the 800 excitatory ones
		for i := range d.xs {
			j := first + 2*i
			if d.xs[i] != s.Times[j] || d.ys[i] != offset+float64(s.Indices[j])+0.5 {
				t.Fatalf("population %d dot %d = (%v, %v), want spike %d", p, i, d.xs[i], d.ys[i], j)
			}
		}
	}
	if n := len(fig.dots[0].xs) + len(fig.dots[1].xs); n > MaxDrawnSpikes {
		t.Fatalf("%d dots drawn, more than %d", n, MaxDrawnSpikes)
	}
}

func TestRasterBadInput(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "bad.png")
	good := testSets(10, 10)
	mismatch := testSets(10, 10)
	mismatch[1].Indices = mismatch[1].Indices[:9]
	outOfRange := testSets(10, 10)
	outOfRange[0].Indices[3] = 800
	zeroSize := testSets(0, 0)
	zeroSize[1].Size = 0
	cases := []struct {
		name          string
		sets          []SpikeSet
		duration, bin float64
		want          string
	}{
		{"duration", good, 0, 1, "plot: duration must be positive and finite, got 0"},
		{"duration NaN", good, math.NaN(), 1, "plot: duration must be positive and finite, got NaN"},
		{"binMS", good, 100, -1, "plot: binMS must be positive and finite, got -1"},
		{"tiny bins", good, 100, 1e-6, "plot: binMS 1e-06 is too small"},
		{"no sets", nil, 100, 1, "plot: sets is empty"},
		{"mismatch", mismatch, 100, 1, `plot: sets[1] ("inh"): len(Times) = 10 but len(Indices) = 9`},
		{"index", outOfRange, 100, 1, `plot: sets[0] ("exc"): Indices[3] = 800 is outside [0, 800)`},
		{"size", zeroSize, 100, 1, `plot: sets[1] ("inh"): Size must be positive, got 0`},
	}
	for _, c := range cases {
		err := Raster(path, "bad", c.sets, c.duration, c.bin)
		if err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.name, err, c.want)
		}
	}
	if err := Raster(filepath.Join(dir, "missing", "x.png"), "t", good, 100, 1); err == nil {
		t.Error("expected an error for a missing directory")
	}
	assertOnlyFiles(t, dir)
}

// assertOnlyFiles checks that dir holds exactly the named files (so no
// temporary files were left behind).
func assertOnlyFiles(t *testing.T, dir string, want ...string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("directory holds %q, want %q", got, want)
	}
}

func TestRasterWritesSVG(t *testing.T) {
	path := filepath.Join(t.TempDir(), "raster.svg")
	if err := Raster(path, "test network", testSets(500, 200), 1000, 5); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if s := string(b); !strings.Contains(s, "<svg") || !strings.Contains(s, "test network") {
		t.Errorf("%s is not an SVG of the figure: %.200s", path, s)
	}
}

func TestRasterMarksAndBin(t *testing.T) {
	fig, err := newFigure("m", testSets(100, 50), 0, 1000, 5)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := fig.bottom.Y.Label.Text, "rate (Hz, 5 ms bins)"; got != want {
		t.Errorf("rate axis %q, want %q", got, want)
	}
	n, err := fig.mark([]Mark{{Start: 200, Label: "stimulus"}, {Start: 100, Stop: 300, Label: "w"}}, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if n != 3 {
		t.Errorf("%d edges drawn, want 3 (200; 100 and 300)", n)
	}
	if _, err := fig.mark([]Mark{{Start: 500, Stop: 400, Label: "bad"}}, 1000); err == nil || !strings.Contains(err.Error(), `marks[0] ("bad"): window [500, 400) ms is not within the run of 1000 ms`) {
		t.Errorf("a window that ends before it starts: %v", err)
	}
	path := filepath.Join(t.TempDir(), "r.png")
	if err := Raster(path, "m", testSets(100, 50), 1000, 5, Mark{Start: 200, Label: "stimulus"}); err != nil {
		t.Fatal(err)
	}
	checkPNG(t, path)
}

// RasterFrom draws the recording window alone; a window that does not
// start within the run is refused.
func TestRasterFrom(t *testing.T) {
	dir := t.TempDir()
	sets := testSets(100, 50)
	require.NoError(t, RasterFrom(filepath.Join(dir, "w.png"), "w", sets, 200, 400, 5))
	info, err := os.Stat(filepath.Join(dir, "w.png"))
	require.NoError(t, err)
	require.Positive(t, info.Size())
	require.EqualError(t, RasterFrom(filepath.Join(dir, "x.png"), "w", sets, 500, 400, 5), "plot: the window must start in [0, 400) ms, got 500")
	require.EqualError(t, RasterFrom(filepath.Join(dir, "y.png"), "w", sets, -1, 400, 5), "plot: the window must start in [0, 400) ms, got -1")
}

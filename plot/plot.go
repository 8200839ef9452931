// Package plot draws PNG figures of simulation results: spike rasters with
// population firing rates.
//
// Figures are rendered with gonum.org/v1/plot and written atomically: the PNG
// goes to a temporary file in the destination directory that is renamed into
// place only once complete, so readers never see a partial image and a failed
// call leaves no file behind.
package plot

import (
	"errors"
	"fmt"
	"gonum.org/v1/plot/vg/vgsvg"
	"image/color"
	"io"
	"math"
	"path/filepath"
	"strings"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/brainc/brainc/atomicfile"
)

// SpikeSet holds the spikes of one population for a raster.
type SpikeSet struct {
	// Name labels the population in the legend.
	Name string
	// Size is the number of neurons in the population; it must be positive.
	Size int
	// Times holds the spike times in ms.
	Times []float64
	// Indices holds, for each spike, the index in [0, Size) of the neuron
	// that fired; it must be as long as Times.
	Indices []int32
}

// MaxDrawnSpikes is the most spikes Raster draws. Beyond it, Raster draws
// every k-th spike, with k the smallest integer that keeps the count at or
// below this limit, and notes it in the title.
const MaxDrawnSpikes = 200_000

// Figure geometry and limits.
const (
	// widthPx and heightPx are the size of the PNG written by Raster.
	widthPx, heightPx = 1200, 800
	// dpi is the resolution used to turn the figure's point sizes into pixels.
	dpi = 96
	// rasterFrac is the share of the figure height given to the raster panel.
	rasterFrac = 0.7
	// maxBins bounds the number of rate bins Raster accepts, to refuse
	// bin widths far too small to show in a 1200-pixel-wide figure.
	maxBins = 1_000_000
	// dotSize is the side of the square drawn for each spike.
	dotSize = 1.5 * vg.Length(1) // points: 2 pixels at 96 dpi
)

// palette holds the population colours (the "tab10" palette), used in order
// and repeated when there are more populations than colours.
var palette = []color.RGBA{
	{0x1f, 0x77, 0xb4, 0xff}, {0xff, 0x7f, 0x0e, 0xff}, {0x2c, 0xa0, 0x2c, 0xff},
	{0xd6, 0x27, 0x28, 0xff}, {0x94, 0x67, 0xbd, 0xff}, {0x8c, 0x56, 0x4b, 0xff},
	{0xe3, 0x77, 0xc2, 0xff}, {0x7f, 0x7f, 0x7f, 0xff}, {0xbc, 0xbd, 0x22, 0xff},
	{0x17, 0xbe, 0xcf, 0xff},
}

// Rate computes the firing-rate histogram of a population of size neurons
// over [0, duration) ms, in bins of binMS ms. It returns the bin centers in
// ms and the rate of each bin in Hz: count / (size * bin width in seconds).
//
// If duration is not a multiple of binMS, the last bin is shorter and its
// rate is computed over its actual width. Spike times outside [0, duration)
// and NaNs are ignored. Rate returns nil slices if size, duration or binMS
// is not positive, or duration or binMS is not finite.
func Rate(times []float64, size int, duration, binMS float64) (centers, hz []float64) {
	if size <= 0 || !(duration > 0) || !(binMS > 0) || math.IsInf(duration, 0) || math.IsInf(binMS, 0) {
		return nil, nil
	}
	n := numBins(duration, binMS)
	counts := make([]int, n)
	for _, t := range times {
		if !(t >= 0 && t < duration) {
			continue
		}
		counts[min(int(t/binMS), n-1)]++
	}
	centers = make([]float64, n)
	hz = make([]float64, n)
	for i, c := range counts {
		lo := float64(i) * binMS
		width := binMS
		if i == n-1 {
			width = duration - lo
		}
		centers[i] = lo + width/2
		hz[i] = float64(c) / (float64(size) * width / 1000)
	}
	return centers, hz
}

// numBins returns how many bins of width binMS cover duration. A quotient
// within rounding error of an integer counts as that integer, so that, for
// example, 0.3 ms in bins of 0.1 ms gives 3 bins rather than 4.
func numBins(duration, binMS float64) int {
	q := duration / binMS
	if r := math.Round(q); math.Abs(q-r) <= 1e-9*math.Max(1, q) {
		return max(1, int(r))
	}
	return int(math.Ceil(q))
}

// Raster writes a 1200x800 PNG figure to path (SVG when path ends in
// ".svg"). The top panel (about 70% of
// the height) is a spike raster: the populations are stacked vertically,
// the first at the bottom, each spike a small dot in its population's colour,
// with the y axis "neuron" and a legend of population names right of it. The bottom panel
// (about 30%) plots each population's firing rate in Hz, computed with Rate
// in bins of binMS ms, against "time (ms)". Both panels span 0 to duration ms.
//
// At most MaxDrawnSpikes dots are drawn: with more spikes, Raster draws every
// k-th spike (counting across all populations in order) and appends
// " (1 in k spikes drawn)" to the title. Rates always use every spike.
//
// Raster returns an error naming the offending argument, and creates no
// file, if duration or binMS is not positive and finite, if sets is empty, or
// if a set's Size is not positive, its Times and Indices differ in length, or
// one of its Indices is outside [0, Size).
//
// Marks, when given, are time windows (e.g. a stimulus) drawn as dashed
// lines at their start and stop across both panels, named in the legend.
func Raster(path string, title string, sets []SpikeSet, duration, binMS float64, marks ...Mark) error {
	return RasterFrom(path, title, sets, 0, duration, binMS, marks...)
}

// RasterFrom is Raster over [from, to) ms: both panels span the recording
// window, and the rates are over it (no bins of zero outside it). from
// must be in [0, to).
func RasterFrom(path string, title string, sets []SpikeSet, from, to, binMS float64, marks ...Mark) error {
	if from != 0 && !(from > 0 && from < to) { // (from 0: validate checks the duration)
		return fmt.Errorf("plot: the window must start in [0, %v) ms, got %v", to, from)
	}
	fig, err := newFigure(title, sets, from, to, binMS)
	if err != nil {
		return err
	}
	if _, err := fig.mark(marks, to); err != nil {
		return err
	}
	top, bottom := fig.top, fig.bottom
	w := vg.Length(widthPx) / dpi * vg.Inch
	h := vg.Length(heightPx) / dpi * vg.Inch
	img := newCanvas(path, w, h)
	dc := draw.New(img)
	// The legend sits in a margin right of both panels, outside the data.
	margin := fig.legend.Rectangle(dc).Size().X + 4*vg.Millimeter
	topC := draw.Crop(dc, 0, -margin, (1-rasterFrac)*h, 0)
	bottomC := draw.Crop(dc, 0, -margin, 0, -rasterFrac*h)
	topC, bottomC = alignX(top, topC, bottom, bottomC)
	top.Draw(topC)
	data := top.DataCanvas(topC)
	fig.legend.Top, fig.legend.Left = true, true
	fig.legend.Draw(draw.Canvas{Canvas: dc.Canvas, Rectangle: vg.Rectangle{
		Min: vg.Point{X: data.Max.X + 2*vg.Millimeter, Y: data.Min.Y},
		Max: vg.Point{X: data.Max.X + margin, Y: data.Max.Y}}})
	bottom.Draw(bottomC)
	return writeCanvas(path, img)
}

// newCanvas is a canvas of w × h for the file at path: SVG when path ends
// in ".svg", else PNG.
func newCanvas(path string, w, h vg.Length) vg.CanvasWriterTo {
	if strings.EqualFold(filepath.Ext(path), ".svg") {
		return vgsvg.New(w, h)
	}
	return vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(dpi))}
}

// writeCanvas encodes c at path, atomically.
func writeCanvas(path string, c vg.CanvasWriterTo) error {
	err := atomicfile.Write(path, func(w io.Writer) error {
		if _, err := c.WriteTo(w); err != nil {
			return fmt.Errorf("encoding %s: %w", path, err)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("plot: %w", err)
	}
	return nil
}

// validate checks Raster's arguments and returns the total number of spikes.
func validate(sets []SpikeSet, duration, binMS float64) (int, error) {
	if !(duration > 0) || math.IsInf(duration, 0) {
		return 0, fmt.Errorf("plot: duration must be positive and finite, got %v", duration)
	}
	if !(binMS > 0) || math.IsInf(binMS, 0) {
		return 0, fmt.Errorf("plot: binMS must be positive and finite, got %v", binMS)
	}
	if n := numBins(duration, binMS); n > maxBins {
		return 0, fmt.Errorf("plot: binMS %v is too small: %v ms would need %d bins, more than %d", binMS, duration, n, maxBins)
	}
	if len(sets) == 0 {
		return 0, errors.New("plot: sets is empty")
	}
	total := 0
	for i, s := range sets {
		if s.Size <= 0 {
			return 0, fmt.Errorf("plot: sets[%d] (%q): Size must be positive, got %d", i, s.Name, s.Size)
		}
		if len(s.Times) != len(s.Indices) {
			return 0, fmt.Errorf("plot: sets[%d] (%q): len(Times) = %d but len(Indices) = %d", i, s.Name, len(s.Times), len(s.Indices))
		}
		for j, idx := range s.Indices {
			if idx < 0 || int(idx) >= s.Size {
				return 0, fmt.Errorf("plot: sets[%d] (%q): Indices[%d] = %d is outside [0, %d)", i, s.Name, j, idx, s.Size)
			}
		}
		total += len(s.Times)
	}
	return total, nil
}

// figure holds the two panels of a raster figure.
type figure struct {
	top, bottom *gplot.Plot
	dots        []*dots      // the raster's plotters, one per population
	legend      gplot.Legend // population names, drawn right of the panels
}

// newFigure validates the arguments and builds the raster and rate plots
// over [from, duration) ms.
func newFigure(title string, sets []SpikeSet, from, duration, binMS float64) (*figure, error) {
	total, err := validate(sets, duration-from, binMS)
	if err != nil {
		return nil, err
	}
	stride := 1
	if total > MaxDrawnSpikes {
		stride = (total + MaxDrawnSpikes - 1) / MaxDrawnSpikes
		title += fmt.Sprintf(" (1 in %d spikes drawn)", stride)
	}

	top := gplot.New()
	top.Title.Text = title
	top.Y.Label.Text = "neuron"
	top.X.Min, top.X.Max = from, duration
	top.X.Tick.Marker = ticks{hideLabels: true} // the rate panel below labels time
	top.Y.Tick.Marker = ticks{}

	bottom := gplot.New()
	bottom.X.Label.Text = "time (ms)"
	bottom.Y.Label.Text = fmt.Sprintf("rate (Hz, %g ms bins)", binMS)
	bottom.X.Min, bottom.X.Max = from, duration
	bottom.Y.Min, bottom.Y.Max = 0, 0
	bottom.X.Tick.Marker = ticks{}
	bottom.Y.Tick.Marker = ticks{}

	fig := &figure{top: top, bottom: bottom, legend: gplot.NewLegend()}
	fig.legend.Top = true
	offset := 0
	seen := 0 // spikes so far, across populations, for subsampling
	for i, s := range sets {
		col := palette[i%len(palette)]
		d := &dots{color: col}
		// Spike number seen+j is drawn if it is a multiple of stride.
		for j := (stride - seen%stride) % stride; j < len(s.Times); j += stride {
			t := s.Times[j]
			if t >= from && t < duration { // the range Rate counts
				d.xs = append(d.xs, t)
				d.ys = append(d.ys, float64(offset)+float64(s.Indices[j])+0.5)
			}
		}
		seen += len(s.Times)
		offset += s.Size
		fig.dots = append(fig.dots, d)
		top.Add(d)
		fig.legend.Add(s.Name, d)

		shifted := s.Times
		if from > 0 {
			shifted = make([]float64, len(s.Times))
			for k, t := range s.Times {
				shifted[k] = t - from
			}
		}
		centers, hz := Rate(shifted, s.Size, duration-from, binMS)
		xys := make(plotter.XYs, len(centers))
		for k := range centers {
			xys[k] = plotter.XY{X: centers[k] + from, Y: hz[k]}
			bottom.Y.Max = math.Max(bottom.Y.Max, hz[k])
		}
		line, err := plotter.NewLine(xys)
		if err != nil {
			return nil, fmt.Errorf("plot: rate of sets[%d] (%q): %w", i, s.Name, err)
		}
		line.Color = col
		line.Width = vg.Points(1)
		bottom.Add(line)
	}
	top.Y.Min, top.Y.Max = 0, float64(offset)
	// Line.DataRange widened the x range to the bin centers; restore it.
	bottom.X.Min, bottom.X.Max = from, duration
	if bottom.Y.Max == 0 {
		bottom.Y.Max = 1
	} else {
		bottom.Y.Max *= 1.05
	}
	bottom.Y.Min = 0
	return fig, nil
}

// Mark is a time window to show on a raster: [Start, Stop) ms (Stop 0:
// to the end of the run).
type Mark struct {
	Start, Stop float64
	Label       string
}

// mark draws the windows' edges as dashed grey lines over both panels and
// returns how many edges it drew.
func (f *figure) mark(marks []Mark, duration float64) (int, error) {
	edgesDrawn := 0
	for i, m := range marks {
		if !(m.Start >= 0 && m.Start <= duration) || m.Stop != 0 && !(m.Stop > m.Start) {
			return 0, fmt.Errorf("plot: marks[%d] (%q): window [%v, %v) ms is not within the run of %v ms", i, m.Label, m.Start, m.Stop, duration)
		}
		edges := []float64{m.Start}
		if m.Stop > 0 && m.Stop < duration {
			edges = append(edges, m.Stop)
		}
		for _, x := range edges {
			for _, p := range []*gplot.Plot{f.top, f.bottom} {
				line, err := plotter.NewLine(plotter.XYs{{X: x, Y: p.Y.Min}, {X: x, Y: p.Y.Max}})
				if err != nil {
					return 0, fmt.Errorf("plot: marks[%d]: %w", i, err)
				}
				line.Color = color.Gray{Y: 0x60}
				line.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
				p.Add(line)
				if p == f.top && x == m.Start {
					f.legend.Add(m.Label, line)
				}
			}
			edgesDrawn++
		}
	}
	return edgesDrawn, nil
}

// alignX narrows the two canvases so that the data areas of the two plots
// share the same left and right edges, keeping the time axes aligned however
// wide the y tick labels are.
func alignX(a *gplot.Plot, ac draw.Canvas, b *gplot.Plot, bc draw.Canvas) (draw.Canvas, draw.Canvas) {
	ad, bd := a.DataCanvas(ac), b.DataCanvas(bc)
	aLeft, bLeft := ad.Min.X-ac.Min.X, bd.Min.X-bc.Min.X
	aRight, bRight := ac.Max.X-ad.Max.X, bc.Max.X-bd.Max.X
	left, right := max(aLeft, bLeft), max(aRight, bRight)
	ac = draw.Crop(ac, left-aLeft, -(right - aRight), 0, 0)
	bc = draw.Crop(bc, left-bLeft, -(right - bRight), 0, 0)
	return ac, bc
}

// ticks is gonum's default tick placement with tidier labels: trailing
// zeros are trimmed ("250" rather than "250.00"), or, with hideLabels, all
// labels are dropped.
type ticks struct{ hideLabels bool }

// Ticks implements gonum's plot.Ticker.
func (t ticks) Ticks(lo, hi float64) []gplot.Tick {
	ts := gplot.DefaultTicks{}.Ticks(lo, hi)
	for i := range ts {
		l := ts[i].Label
		switch {
		case t.hideLabels:
			l = ""
		case strings.Contains(l, ".") && !strings.ContainsAny(l, "eE"):
			l = strings.TrimSuffix(strings.TrimRight(l, "0"), ".")
		}
		ts[i].Label = l
	}
	return ts
}

// dots is a plotter drawing one population's spikes as small squares.
//
// It is much cheaper than plotter.Scatter for large counts: dots falling in
// the same sub-pixel cell are drawn once, and squares are filled in batches
// of dotsPerFill rather than one glyph at a time. (Batches are bounded
// because the rasterizer slows down quadratically on paths with many cells
// per row.)
type dots struct {
	xs, ys []float64
	color  color.Color
}

// dotsPerFill is the number of squares drawn with one Fill call.
const dotsPerFill = 256

// Plot implements gonum's plot.Plotter.
func (d *dots) Plot(c draw.Canvas, p *gplot.Plot) {
	trX, trY := p.Transforms(&c)
	const cell = dotSize / 8
	w := int((c.Max.X-c.Min.X)/cell) + 1
	h := int((c.Max.Y-c.Min.Y)/cell) + 1
	seen := make([]uint64, (w*h+63)/64)
	half := dotSize / 2
	c.SetColor(d.color)
	path := make(vg.Path, 0, 5*dotsPerFill)
	for i := range d.xs {
		x, y := trX(d.xs[i]), trY(d.ys[i])
		if x < c.Min.X || x > c.Max.X || y < c.Min.Y || y > c.Max.Y {
			continue
		}
		k := int((y-c.Min.Y)/cell)*w + int((x-c.Min.X)/cell)
		if seen[k/64]&(1<<(k%64)) != 0 {
			continue
		}
		seen[k/64] |= 1 << (k % 64)
		if len(path) >= 5*dotsPerFill {
			c.Fill(path)
			path = path[:0]
		}
		path.Move(vg.Point{X: x - half, Y: y - half})
		path.Line(vg.Point{X: x + half, Y: y - half})
		path.Line(vg.Point{X: x + half, Y: y + half})
		path.Line(vg.Point{X: x - half, Y: y + half})
		path.Close()
	}
	if len(path) > 0 {
		c.Fill(path)
	}
}

// Thumbnail implements gonum's plot.Thumbnailer with a larger square in the
// population's colour.
func (d *dots) Thumbnail(c *draw.Canvas) {
	side := min(c.Max.Y-c.Min.Y, c.Max.X-c.Min.X) * 0.6
	ctr := c.Center()
	var path vg.Path
	path.Move(vg.Point{X: ctr.X - side/2, Y: ctr.Y - side/2})
	path.Line(vg.Point{X: ctr.X + side/2, Y: ctr.Y - side/2})
	path.Line(vg.Point{X: ctr.X + side/2, Y: ctr.Y + side/2})
	path.Line(vg.Point{X: ctr.X - side/2, Y: ctr.Y + side/2})
	path.Close()
	c.SetColor(d.color)
	c.Fill(path)
}

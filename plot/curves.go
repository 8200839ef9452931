package plot

import (
	"fmt"
	"image/color"
	"math"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Series is one named curve: Y[i] at X[i].
type Series struct {
	Name string
	X, Y []float64
}

// Panel is one set of axes with its curves.
type Panel struct {
	Title, XLabel, YLabel string
	Series                []Series
	// Lines draws the curves without a marker per point (long series, such
	// as recorded traces).
	Lines bool
}

var curveColors = []color.Color{
	color.RGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff},
	color.RGBA{R: 0xd6, G: 0x27, B: 0x28, A: 0xff},
	color.RGBA{R: 0x2c, G: 0xa0, B: 0x2c, A: 0xff},
	color.RGBA{R: 0xff, G: 0x7f, B: 0x0e, A: 0xff},
}

// Curves draws panels side by side (line plots with points, e.g. training
// loss and accuracy per epoch) into a PNG at path (SVG when path ends in
// ".svg"), written atomically. It
// returns an error, and creates no file, if there are no panels, a series'
// X and Y differ in length, or a value is not finite.
func Curves(path string, panels []Panel) error {
	if len(panels) == 0 {
		return fmt.Errorf("plot: Curves needs at least one panel")
	}
	plots := make([]*gplot.Plot, len(panels))
	for i, pn := range panels {
		p := gplot.New()
		p.Title.Text, p.X.Label.Text, p.Y.Label.Text = pn.Title, pn.XLabel, pn.YLabel
		p.Add(plotter.NewGrid())
		for k, s := range pn.Series {
			if len(s.X) != len(s.Y) {
				return fmt.Errorf("plot: panel %q, series %q: %d x values but %d y values", pn.Title, s.Name, len(s.X), len(s.Y))
			}
			xy := make(plotter.XYs, len(s.X))
			for j := range s.X {
				if math.IsNaN(s.Y[j]) || math.IsInf(s.Y[j], 0) || math.IsNaN(s.X[j]) || math.IsInf(s.X[j], 0) {
					return fmt.Errorf("plot: panel %q, series %q: point %d is not finite", pn.Title, s.Name, j)
				}
				xy[j] = plotter.XY{X: s.X[j], Y: s.Y[j]}
			}
			line, points, err := plotter.NewLinePoints(xy)
			if err != nil {
				return fmt.Errorf("plot: panel %q, series %q: %w", pn.Title, s.Name, err)
			}
			c := curveColors[k%len(curveColors)]
			line.Color, points.Color = c, c
			points.Radius = vg.Points(2)
			if pn.Lines {
				p.Add(line)
			} else {
				p.Add(line, points)
			}
			p.Legend.Add(s.Name, line)
		}
		p.Legend.Top = true
		plots[i] = p
	}
	w := vg.Length(widthPx) / dpi * vg.Inch
	h := vg.Length(heightPx) / 2 / dpi * vg.Inch
	img := newCanvas(path, w, h)
	dc := draw.New(img)
	cols := draw.Tiles{Rows: 1, Cols: len(plots), PadX: vg.Millimeter * 4, PadTop: vg.Millimeter * 2,
		PadBottom: vg.Millimeter * 2, PadLeft: vg.Millimeter * 2, PadRight: vg.Millimeter * 2}
	canvases := gplot.Align([][]*gplot.Plot{plots}, cols, dc)
	for i, p := range plots {
		p.Draw(canvases[0][i])
	}
	return writeCanvas(path, img)
}

// Histogram is the outline of a histogram of values as a series: bins
// equal bins over [lo, hi) (values outside are left out), each bin's
// fraction of all the values drawn as a step (two points per bin edge), so
// a Panel with Lines shows it as a histogram. It needs bins ≥ 1 and lo < hi.
func Histogram(name string, values []float64, bins int, lo, hi float64) (Series, error) {
	if bins < 1 || !(lo < hi) {
		return Series{}, fmt.Errorf("plot: histogram %q needs bins ≥ 1 and lo < hi, got %d bins over [%g, %g)", name, bins, lo, hi)
	}
	counts := make([]float64, bins)
	width := (hi - lo) / float64(bins)
	for _, v := range values {
		if k := int(math.Floor((v - lo) / width)); v >= lo && k >= 0 && k < bins {
			counts[k]++
		}
	}
	s := Series{Name: name}
	for k, c := range counts {
		if len(values) > 0 {
			c /= float64(len(values))
		}
		a := lo + float64(k)*width
		s.X = append(s.X, a, a+width)
		s.Y = append(s.Y, c, c)
	}
	return s, nil
}

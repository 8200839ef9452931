package plot

import (
	"fmt"
	"image/color"
	"math"
	"strings"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Series is one named curve: Y[i] at X[i], with error bars Y[i] ± Err[i]
// when Err is set (as long as X; a bar that is not finite or 0 is left
// out).
type Series struct {
	Name      string
	X, Y, Err []float64
}

// Panel is one set of axes with its curves.
type Panel struct {
	Title, XLabel, YLabel string
	Series                []Series
	// Lines draws the curves without a marker per point (long series, such
	// as recorded traces).
	Lines bool
	// At formats an x value in the panel's note on points that are not
	// finite, e.g. "t = %g ms" (default "x = %g").
	At string
}

var curveColors = []color.Color{
	color.RGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff},
	color.RGBA{R: 0xd6, G: 0x27, B: 0x28, A: 0xff},
	color.RGBA{R: 0x2c, G: 0xa0, B: 0x2c, A: 0xff},
	color.RGBA{R: 0xff, G: 0x7f, B: 0x0e, A: 0xff},
}

// Curves draws panels side by side (line plots with points, e.g. training
// loss and accuracy per epoch) into a PNG at path (SVG when path ends in
// ".svg"), written atomically. Points that are not finite (NaN, ±Inf: a
// run that diverged) are left out, the curve broken there, and the panel's
// title says so under it, per series: "E 2033: not finite from t = 26 ms".
// It returns an error, and creates no file, if there are no panels or a
// series' X and Y differ in length.
func Curves(path string, panels []Panel) (err error) {
	defer func() { // the plotting library panics on what it cannot lay out: an error, not a crash
		if r := recover(); r != nil {
			err = fmt.Errorf("plot: %s: %v", path, r)
		}
	}()
	if len(panels) == 0 {
		return fmt.Errorf("plot: Curves needs at least one panel")
	}
	plots := make([]*gplot.Plot, len(panels))
	for i, pn := range panels {
		p, err := panelPlot(pn)
		if err != nil {
			return err
		}
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
		p.Draw(legendOutside(p, canvases[0][i], len(panels[i].Series)))
	}
	return writeCanvas(path, img)
}

// Stack draws panels one above the other (traces of one neuron each, say),
// their time axes aligned and spanning the same x range, into a PNG at
// path (SVG when path ends in ".svg"), written atomically; panelPx is
// each panel's height in pixels. Points that are not finite are left out
// as Curves leaves them out. It returns an error, and creates no file, if
// there are no panels or a series' X and Y differ in length.
func Stack(path string, panels []Panel, panelPx int) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("plot: %s: %v", path, r)
		}
	}()
	if len(panels) == 0 {
		return fmt.Errorf("plot: Stack needs at least one panel")
	}
	rows := make([][]*gplot.Plot, len(panels))
	lo, hi := math.Inf(1), math.Inf(-1)
	for i, pn := range panels {
		p, err := panelPlot(pn)
		if err != nil {
			return err
		}
		rows[i] = []*gplot.Plot{p}
		lo, hi = min(lo, p.X.Min), max(hi, p.X.Max)
	}
	for i, row := range rows {
		if !math.IsInf(lo, 0) && !math.IsInf(hi, 0) {
			row[0].X.Min, row[0].X.Max = lo, hi
		}
		if i < len(rows)-1 { // the bottom panel labels time
			row[0].X.Label.Text = ""
		}
	}
	w := vg.Length(widthPx) / dpi * vg.Inch
	h := vg.Length(max(panelPx, 60)*len(panels)) / dpi * vg.Inch
	img := newCanvas(path, w, h)
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: len(rows), Cols: 1, PadY: vg.Millimeter * 2, PadTop: vg.Millimeter * 2,
		PadBottom: vg.Millimeter * 2, PadLeft: vg.Millimeter * 2, PadRight: vg.Millimeter * 2}
	canvases := gplot.Align(rows, tiles, dc)
	for i, row := range rows {
		row[0].Draw(legendOutside(row[0], canvases[i][0], len(panels[i].Series)))
	}
	return writeCanvas(path, img)
}

// legendOutside makes room for p's legend to the right of its data, when
// it names two or more curves (n), and returns the canvas left for the
// plot: the legend is drawn outside the data, never over it. A single
// curve is named by the panel's title.
func legendOutside(p *gplot.Plot, c draw.Canvas, n int) draw.Canvas {
	if n < 2 {
		p.Legend = gplot.NewLegend()
		return c
	}
	width := p.Legend.Rectangle(c).Size().X + 3*vg.Millimeter
	p.Legend.Top, p.Legend.Left = true, false
	p.Legend.XOffs = width
	return draw.Crop(c, 0, -width, 0, 0)
}

// panelPlot is one panel's plot: its curves broken at the points left
// out, and a note on them under the title.
func panelPlot(pn Panel) (*gplot.Plot, error) {
	p := gplot.New()
	p.Title.Text, p.X.Label.Text, p.Y.Label.Text = pn.Title, pn.XLabel, pn.YLabel
	p.X.Tick.Marker, p.Y.Tick.Marker = ticks{}, ticks{} // "25", not "25.00"
	p.Add(plotter.NewGrid())
	var notes []string
	for k, s := range pn.Series {
		if len(s.X) != len(s.Y) {
			return nil, fmt.Errorf("plot: panel %q, series %q: %d x values but %d y values", pn.Title, s.Name, len(s.X), len(s.Y))
		}
		c := curveColors[k%len(curveColors)]
		key := &plotter.Line{LineStyle: plotter.DefaultLineStyle}
		key.Color = c
		for _, run := range finiteRuns(s.X, s.Y) {
			line, points, err := plotter.NewLinePoints(run)
			if err != nil {
				return nil, fmt.Errorf("plot: panel %q, series %q: %w", pn.Title, s.Name, err)
			}
			line.Color, points.Color = c, c
			points.Radius = vg.Points(2)
			if pn.Lines {
				p.Add(line)
			} else {
				p.Add(line, points)
			}
		}
		if s.Err != nil {
			if len(s.Err) != len(s.X) {
				return nil, fmt.Errorf("plot: panel %q, series %q: %d error bars for %d points", pn.Title, s.Name, len(s.Err), len(s.X))
			}
			var bars plotter.XYs
			var errs plotter.YErrors
			for j := range s.X {
				if e := s.Err[j]; e > 0 && drawable(s.X[j], s.Y[j]) && drawable(0, e) {
					bars = append(bars, plotter.XY{X: s.X[j], Y: s.Y[j]})
					errs = append(errs, struct{ Low, High float64 }{e, e})
				}
			}
			if len(bars) > 0 {
				eb, err := plotter.NewYErrorBars(errorBars{bars, errs})
				if err != nil {
					return nil, fmt.Errorf("plot: panel %q, series %q: %w", pn.Title, s.Name, err)
				}
				eb.Color = c
				p.Add(eb)
			}
		}
		if note := nonFiniteNote(s, pn.At); note != "" {
			notes = append(notes, note)
		}
		p.Legend.Add(s.Name, key)
	}
	if len(notes) > 0 {
		p.Title.Text = strings.TrimPrefix(pn.Title+"\n"+strings.Join(notes, "; "), "\n")
	}
	for _, a := range []*gplot.Axis{&p.X, &p.Y} {
		widen(a)
	}
	p.Legend.Top = true
	return p, nil
}

// widen gives an axis whose data span no more than rounding (one point,
// a constant series, values far beyond 2^53) a range of a tenth of its
// value on each side (at least 1): the plot's own widening by ±1 is lost
// in the rounding there, and its ticks panic on an empty range.
func widen(a *gplot.Axis) {
	if math.IsInf(a.Min, 0) || math.IsInf(a.Max, 0) { // no data: the plot's defaults
		return
	}
	if mag := max(math.Abs(a.Min), math.Abs(a.Max)); a.Max-a.Min <= mag*1e-12 {
		pad := max(1, mag/10)
		a.Min, a.Max = a.Min-pad, a.Max+pad
	}
}

// drawable is true for a point a plot can place: both coordinates finite
// and within a quarter of the float64 range (the span between two such
// values, and the axes' ticks over it, stay finite).
func drawable(x, y float64) bool {
	const limit = math.MaxFloat64 / 4
	return math.Abs(x) <= limit && math.Abs(y) <= limit
}

// finite is true for a number that is neither NaN nor infinite.
func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// finiteRuns splits a series into its runs of consecutive drawable points.
func finiteRuns(x, y []float64) []plotter.XYs {
	var runs []plotter.XYs
	var cur plotter.XYs
	for j := range x {
		if !drawable(x[j], y[j]) {
			if len(cur) > 0 {
				runs, cur = append(runs, cur), nil
			}
			continue
		}
		cur = append(cur, plotter.XY{X: x[j], Y: y[j]})
	}
	if len(cur) > 0 {
		runs = append(runs, cur)
	}
	return runs
}

// nonFiniteNote says which points of s were left out ("" for none):
// "E 2033: not finite from t = 26 ms" when every point from the first one
// left out on is, else "E 2033: 3 of 40 points not finite, the first at t
// = 26 ms"; at formats the x value (default "x = %g").
func nonFiniteNote(s Series, at string) string {
	if at == "" {
		at = "x = %g"
	}
	first, bad, allNonFinite := -1, 0, true
	for j := range s.X {
		if !drawable(s.X[j], s.Y[j]) {
			bad++
			allNonFinite = allNonFinite && !(finite(s.X[j]) && finite(s.Y[j]))
			if first < 0 {
				first = j
			}
		}
	}
	if bad == 0 {
		return ""
	}
	what := "not finite"
	if !allNonFinite {
		what = "not finite or too large to draw"
	}
	where := fmt.Sprintf(at, s.X[first])
	if first+bad == len(s.X) {
		return fmt.Sprintf("%s: %s from %s", s.Name, what, where)
	}
	return fmt.Sprintf("%s: %d of %d points %s, the first at %s", s.Name, bad, len(s.X), what, where)
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

// errorBars are points with their error bars, for plotter.NewYErrorBars.
type errorBars struct {
	plotter.XYs
	plotter.YErrors
}

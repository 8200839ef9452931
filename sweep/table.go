package sweep

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/brainc/brainc/npyio"
	"github.com/brainc/brainc/plot"
)

// measureNames are the columns each population adds to the table.
var measureNames = []string{"rate_hz", "cv_isi", "fano", "synchrony"}

func (m Measures) values() []float64 { return []float64{m.RateHz, m.CV, m.Fano, m.Synchrony} }

// Columns are the table's column names: instance, the axes, seed, then
// "<pop>.<measure>" for every population of pops, run_s, compile_s and
// batch (the size of the instance's batch).
func Columns(g Grid, pops []string) []string {
	cols := []string{"instance"}
	for _, a := range g.Axes {
		cols = append(cols, a.Name())
	}
	cols = append(cols, "seed")
	for _, p := range pops {
		for _, m := range measureNames {
			cols = append(cols, p+"."+m)
		}
	}
	return append(cols, "run_s", "compile_s", "batch")
}

// table is the rows as numbers, one slice per column.
func table(g Grid, pops []string, rows []Row) [][]float64 {
	cols := make([][]float64, len(Columns(g, pops)))
	for _, r := range rows {
		v := []float64{float64(r.Index)}
		v = append(v, r.Values...)
		v = append(v, float64(r.Seed))
		for _, p := range pops {
			v = append(v, r.Pops[p].values()...)
		}
		v = append(v, r.RunS, r.CompileS, float64(r.Batch))
		for j := range cols {
			cols[j] = append(cols[j], v[j])
		}
	}
	return cols
}

// WriteTable writes summary.csv and summary.npz (one array per column)
// into dir (created when missing), and sweep.png: each population's mean
// rate against each swept axis (the mean over the other axes' values and
// the seeds, with bars of ± one standard deviation across them).
func WriteTable(dir string, g Grid, pops []string, rows []Row) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("sweep: %w", err)
	}
	names := Columns(g, pops)
	cols := table(g, pops, rows)
	var sb strings.Builder
	sb.WriteString(strings.Join(names, ",") + "\n")
	for i := range rows {
		cells := make([]string, len(cols))
		for j, c := range cols {
			cells[j] = strconv.FormatFloat(c[i], 'g', 10, 64)
		}
		sb.WriteString(strings.Join(cells, ",") + "\n")
	}
	if err := os.WriteFile(filepath.Join(dir, "summary.csv"), []byte(sb.String()), 0o644); err != nil {
		return err
	}
	arrays := make([]npyio.Array, len(cols))
	for j, c := range cols {
		arrays[j] = npyio.Array{Shape: []int{len(c)}, Data: c}
	}
	if err := npyio.WriteNPZ(filepath.Join(dir, "summary.npz"), names, arrays); err != nil {
		return err
	}
	if len(g.Axes) == 0 || len(rows) == 0 {
		return nil
	}
	var panels []plot.Panel
	for j, a := range g.Axes {
		label := a.Name()
		if a.Unit != "" {
			label += " (" + a.Unit + ")"
		}
		pn := plot.Panel{Title: "mean rate vs " + a.Name() + " (over the other values and seeds; bars: ± 1 s.d.)", XLabel: label, YLabel: "rate (Hz)"}
		xs := slices.Clone(a.Values)
		slices.Sort(xs)
		xs = slices.Compact(xs)
		for _, p := range pops {
			s := plot.Series{Name: p}
			for _, x := range xs {
				var v []float64
				for _, r := range rows {
					if r.Values[j] == x && !math.IsNaN(r.Pops[p].RateHz) {
						v = append(v, r.Pops[p].RateHz)
					}
				}
				if len(v) > 0 {
					mean, sd := meanSD(v)
					s.X, s.Y, s.Err = append(s.X, x), append(s.Y, mean), append(s.Err, sd)
				}
			}
			pn.Series = append(pn.Series, s)
		}
		panels = append(panels, pn)
	}
	if err := plot.Curves(filepath.Join(dir, "sweep.png"), panels); err != nil {
		return fmt.Errorf("sweep.png: %w", err)
	}
	return nil
}

// meanSD is the mean of v and its sample standard deviation (0 for one
// value).
func meanSD(v []float64) (mean, sd float64) {
	for _, x := range v {
		mean += x
	}
	mean /= float64(len(v))
	if len(v) < 2 {
		return mean, 0
	}
	for _, x := range v {
		sd += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(sd / float64(len(v)-1))
}

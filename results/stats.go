package results

import (
	"fmt"
	"math"
	"slices"

	"github.com/brainc/brainc/plot"
)

// neuronStats are one population's per-neuron statistics over a run of
// duration ms: the rate (Hz) of every recorded neuron, every inter-spike
// interval (ms), and the CV of the intervals of every neuron with at least
// 3 spikes.
func (s *Spikes) neuronStats(duration float64) (rates, isis, cvs []float64) {
	perNeuron := make([][]float64, s.Size)
	for k, i := range s.Indices {
		perNeuron[i] = append(perNeuron[i], s.Times[k])
	}
	from, to := s.span(duration)
	for i, times := range perNeuron {
		if s.record != nil && !s.record[i] {
			continue
		}
		if to > from {
			rates = append(rates, float64(len(times))/((to-from)/1000))
		}
		for k := 1; k < len(times); k++ {
			isis = append(isis, times[k]-times[k-1])
		}
		if cv, ok := CV(times); ok {
			cvs = append(cvs, cv)
		}
	}
	return rates, isis, cvs
}

// statsBins is the number of bins of every histogram of stats.png.
const statsBins = 25

// statsPanels are stats.png's panels: histograms over the recorded
// neurons of their firing rates, of the inter-spike intervals and of the
// intervals' CV, one curve per population (empty panels left out; nil when
// no neuron fired twice).
func (r *Recorder) statsPanels(duration float64) ([]plot.Panel, error) {
	type pop struct {
		name             string
		rates, isis, cvs []float64
	}
	var pops []pop
	var allRates, allISI, allCV []float64
	for _, s := range r.Spikes {
		rates, isis, cvs := s.neuronStats(duration)
		pops = append(pops, pop{s.Pop, rates, isis, cvs})
		allRates, allISI, allCV = append(allRates, rates...), append(allISI, isis...), append(allCV, cvs...)
	}
	if len(allISI) == 0 {
		return nil, nil
	}
	slices.Sort(allISI)
	specs := []struct {
		title, xlabel, unit string
		hi                  float64
		values              func(p pop) []float64
	}{
		{"firing rate per neuron", "rate (Hz)", " Hz", slices.Max(allRates) * 1.05, func(p pop) []float64 { return p.rates }},
		// The longest intervals of a few silent stretches would squeeze
		// the rest into one bin: the range ends at the 99th percentile.
		{"inter-spike intervals", "ISI (ms)", " ms", allISI[int(0.99*float64(len(allISI)-1))] * 1.05, func(p pop) []float64 { return p.isis }},
		{"CV of ISI per neuron (≥ 3 spikes)", "CV", "", max(1.5, maxOf(allCV)*1.05), func(p pop) []float64 { return p.cvs }},
	}
	var panels []plot.Panel
	for _, sp := range specs {
		if !(sp.hi > 0) {
			continue
		}
		pn := plot.Panel{Title: fmt.Sprintf("%s (bin %.3g%s)", sp.title, sp.hi/statsBins, sp.unit), XLabel: sp.xlabel, YLabel: "fraction", Lines: true}
		for _, p := range pops {
			if v := sp.values(p); len(v) > 0 {
				h, err := plot.Histogram(p.name, v, statsBins, 0, sp.hi)
				if err != nil {
					return nil, err
				}
				pn.Series = append(pn.Series, h)
			}
		}
		if len(pn.Series) > 0 {
			panels = append(panels, pn)
		}
	}
	return panels, nil
}

func maxOf(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	return slices.Max(v)
}

// Correlation is the trace's functional connectivity: the Pearson
// correlation of every pair of its entries over the recorded rows,
// [k][k] row-major (k = len(Indices)), 1 on the diagonal. A pair with an
// entry that does not vary (or fewer than two rows) is NaN: undefined,
// not 0.
func (t *Trace) Correlation() []float64 {
	k := len(t.Indices)
	rows := 0
	if k > 0 {
		rows = len(t.Values) / k
	}
	mean, dev := make([]float64, k), make([]float64, k)
	for r := range rows {
		for i := range k {
			mean[i] += t.Values[r*k+i]
		}
	}
	for i := range k {
		mean[i] /= float64(rows)
	}
	cov := make([]float64, k*k)
	for r := range rows {
		row := t.Values[r*k : (r+1)*k]
		for i := range k {
			dev[i] = row[i] - mean[i]
		}
		for i := range k {
			for j := i; j < k; j++ {
				cov[i*k+j] += dev[i] * dev[j]
			}
		}
	}
	out := make([]float64, k*k)
	for i := range k {
		for j := i; j < k; j++ {
			c := math.NaN()
			if v := cov[i*k+i] * cov[j*k+j]; rows > 1 && v > 0 {
				c = cov[i*k+j] / math.Sqrt(v)
				if i == j {
					c = 1
				}
			}
			out[i*k+j], out[j*k+i] = c, c
		}
	}
	return out
}

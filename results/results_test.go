package results

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCV(t *testing.T) {
	tests := []struct {
		times []float64
		cv    float64
		ok    bool
	}{
		{[]float64{0, 10, 20, 30}, 0, true},   // regular
		{[]float64{0, 10, 30}, 1.0 / 3, true}, // ISIs 10, 20: mean 15, std 5
		{[]float64{0, 1, 2, 12}, 0, true},     // ISIs 1, 1, 10: mean 4, std sqrt(18)
		{[]float64{5, 6}, 0, false},
		{nil, 0, false},
	}
	tests[2].cv = math.Sqrt((9.0+9+36)/3) / 4
	for _, tc := range tests {
		cv, ok := CV(tc.times)
		assert.Equal(t, tc.ok, ok, "%v", tc.times)
		assert.InDelta(t, tc.cv, cv, 1e-12, "%v", tc.times)
	}
}

func TestStats(t *testing.T) {
	s := &Spikes{Pop: "E", Size: 4,
		Times:   []float64{0, 10, 10, 20, 30, 40},
		Indices: []int32{0, 0, 1, 0, 0, 2}}
	st := s.Stats(500)
	assert.Equal(t, 6, st.Spikes)
	assert.InDelta(t, 6.0/4/0.5, st.RateHz, 1e-12)
	// Only neuron 0 has ≥ 3 spikes (0, 10, 20, 30): regular, CV 0.
	assert.Equal(t, 1, st.CVNeurons)
	assert.Equal(t, 0.0, *st.CVISI)
	none := (&Spikes{Size: 2}).Stats(100)
	assert.Nil(t, none.CVISI)
}

// stats.png's histograms count every recorded neuron's rate, every
// interval and every CV once, and leave out neurons not recorded.
func TestStatsPanels(t *testing.T) {
	s := &Spikes{Pop: "E", Size: 3, Times: []float64{10, 20, 30, 40, 50, 60, 70}, Indices: []int32{0, 1, 0, 1, 0, 2, 0}}
	r := &Recorder{dt: 0.1, Steps: 1000, Spikes: []*Spikes{s}}
	rates, isis, cvs := s.neuronStats(100)
	assert.Equal(t, []float64{40, 20, 10}, rates)
	assert.Equal(t, []float64{20, 20, 20, 20}, isis)
	assert.Equal(t, []float64{0}, cvs)
	panels, err := r.statsPanels(100)
	require.NoError(t, err)
	require.Len(t, panels, 3)
	for _, pn := range panels {
		require.Len(t, pn.Series, 1, pn.Title)
		total := 0.0
		for k := 0; k < len(pn.Series[0].Y); k += 2 {
			total += pn.Series[0].Y[k]
		}
		assert.InDelta(t, 1, total, 1e-12, "%s: the fractions add up to 1", pn.Title)
	}
	assert.Equal(t, "firing rate per neuron (bin 1.68 Hz)", panels[0].Title)

	s.record, s.Neurons = []bool{true, false, true}, []int32{0, 2}
	rates, _, _ = s.neuronStats(100)
	assert.Equal(t, []float64{40, 10}, rates, "only the recorded neurons")
	silent := &Recorder{dt: 0.1, Steps: 10, Spikes: []*Spikes{{Pop: "E", Size: 2, Times: []float64{0.5}, Indices: []int32{1}}}}
	panels, err = silent.statsPanels(1)
	require.NoError(t, err)
	assert.Nil(t, panels, "no neuron fired twice: no stats plot")
}

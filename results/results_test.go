package results

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
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

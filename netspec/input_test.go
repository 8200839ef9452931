package netspec

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Malformed inputs are refused with the field and, for files, the line.
func TestInputSpecErrors(t *testing.T) {
	tests := []struct{ input, err string }{
		{"{ramp: {to: 5, end: 30 ms, start: 40 ms}}", "t.yaml:2: populations.P.input.ramp.end: must be after start (40 ms), got 30 ms"},
		{"{ramp: {to: 5}}", `populations.P.input.ramp: missing required key "end"`},
		{"{sinusoid: {amplitude: 1, frequency: 5 ms}}", `t.yaml:2: populations.P.input.sinusoid.frequency: expected a rate`},
		{"{section: {values: [1, 2], durations: [5 ms]}}", "values and durations must be non-empty lists of the same length, got 2 and 1"},
		{"{section: {values: [1], durations: [0 ms]}}", "populations.P.input.section.durations[0]: must be > 0, got 0 ms"},
		{"{constant: 1, ramp: {to: 1, end: 2 ms}}", "populations.P.input: give exactly one input kind (constant, ramp, sinusoid, section, noise, ou)"},
	}
	for _, tc := range tests {
		_, err := Parse([]byte("populations:\n  P: {size: 1, model: LifRef, input: "+tc.input+"}\n"), "t.yaml")
		require.Error(t, err, tc.input)
		assert.Contains(t, err.Error(), tc.err, tc.input)
	}
}

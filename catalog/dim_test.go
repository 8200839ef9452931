package catalog

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestDim(t *testing.T) {
	tests := []struct {
		dim        Dim
		name, unit string
	}{
		{Dimensionless, "dimensionless", ""},
		{Time, "time", "ms"},
		{Voltage, "voltage", "mV"},
		{Rate, "rate", "Hz"},
		{Dim(9), "Dim(9)", ""},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.name, tt.dim.String())
		assert.Equal(t, tt.unit, tt.dim.BaseUnit())
	}
}

package ir

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseQuantity(t *testing.T) {
	tests := []struct {
		in   string
		dim  Dim
		want float64
	}{
		{"0.1 ms", Time, 0.1},
		{"5 s", Time, 5000},
		{"1 s", Time, 1000},
		{"100 us", Time, 0.1},
		{"100 µs", Time, 0.1},
		{"2ms", Time, 2},
		{"  3 ms  ", Time, 3},
		{"1e3 ms", Time, 1000},
		{"-60 mV", Voltage, -60},
		{"1 mV", Voltage, 1},
		{"0.001 V", Voltage, 1},
		{"+2 V", Voltage, 2000},
		{"500 uV", Voltage, 0.5},
		{"20 Hz", Rate, 20},
		{"1 kHz", Rate, 1000},
		{".5 kHz", Rate, 500},
		// Any unit of brainc's one unit system (package eqs) of the dimension.
		{"5 kV", Voltage, 5e6},
		{"1 MHz", Rate, 1e6},
		{"2 ns", Time, 2e-6},
		{"2 millisecond", Time, 2},
		// Plain numbers are in base units, whatever the dimension.
		{"20", Time, 20},
		{"-55", Voltage, -55},
		{"7", Rate, 7},
		{"0.6", Dimensionless, 0.6},
		{"-1.5e-3", Dimensionless, -0.0015},
		{"5.", Dimensionless, 5},
	}
	for _, tt := range tests {
		t.Run(tt.in+"/"+tt.dim.String(), func(t *testing.T) {
			got, err := ParseQuantity(tt.in, tt.dim)
			require.NoError(t, err)
			assert.InDelta(t, tt.want, got, 1e-12)
		})
	}
}

// A value in a unit a power of ten from the base unit is the number times
// that power exactly: the same float as written in the base unit (the
// catalogue's old unit table gave these; eqs's sizes must too).
func TestParseQuantityIsExact(t *testing.T) {
	for _, tc := range []struct {
		in   string
		dim  Dim
		want float64
	}{
		{"0.9 Hz", Rate, 0.9}, {"6.5 Hz", Rate, 6.5}, {"13.3 Hz", Rate, 13.3}, {"0.3 kHz", Rate, 300}, {"2.2 kHz", Rate, 2200},
		{"0.1 ms", Time, 0.1}, {"0.3 s", Time, 300}, {"70 us", Time, 70 * 1e-3},
		{"-65.3 mV", Voltage, -65.3}, {"0.07 V", Voltage, 0.07 * 1000}, {"3 uV", Voltage, 3 * 1e-3},
	} {
		got, err := ParseQuantity(tc.in, tc.dim)
		require.NoError(t, err)
		assert.Equal(t, tc.want, got, tc.in)
	}
}

func TestParseQuantityErrors(t *testing.T) {
	tests := []struct {
		name, in string
		dim      Dim
		want     string
	}{
		{"voltage for time", "5 mV", Time, `expected a time (e.g. "5 ms"), got "5 mV"`},
		{"time for voltage", "5 ms", Voltage, `expected a voltage (e.g. "-65 mV"), got "5 ms"`},
		{"rate for time", "20 Hz", Time, `expected a time (e.g. "5 ms"), got "20 Hz"`},
		{"time for rate", "1 s", Rate, `expected a rate (e.g. "10 Hz"), got "1 s"`},
		{"unit for dimensionless", "5 ms", Dimensionless, `expected a number (e.g. 0.5), got "5 ms" (a dimensionless value takes no unit)`},
		{"unknown time unit", "5 sec", Time, `unknown unit "sec" in "5 sec" (time units: s, ms, us)`},
		{"unknown voltage unit", "5 vlt", Voltage, `unknown unit "vlt" in "5 vlt" (voltage units: V, mV, uV)`},
		{"unknown rate unit", "5 rpm", Rate, `unknown unit "rpm" in "5 rpm" (rate units: Hz, kHz)`},
		{"case matters", "5 MS", Time, `expected a time (e.g. "5 ms"), got "5 MS"`}, // megasiemens
		{"conductance for dimensionless", "5 nS", Dimensionless, `expected a number (e.g. 0.5), got "5 nS" (a dimensionless value takes no unit)`},
		{"unknown unit dimensionless", "5 foo", Dimensionless, `unknown unit "foo" in "5 foo" (a dimensionless value takes no unit)`},
		{"unit only", "ms", Time, `expected a time (e.g. "5 ms"), got "ms"`},
		{"unit first", "ms 5", Time, `expected a time (e.g. "5 ms"), got "ms 5"`},
		{"empty", "", Voltage, `expected a voltage (e.g. "-65 mV"), got ""`},
		{"garbage", "fast", Time, `expected a time (e.g. "5 ms"), got "fast"`},
		{"two units", "5 ms ms", Time, `expected a time (e.g. "5 ms"), got "5 ms ms"`},
		{"trailing junk", "5 ms)", Time, `expected a time (e.g. "5 ms"), got "5 ms)"`},
		{"expression", "5 + 3", Dimensionless, `expected a number (e.g. 0.5), got "5 + 3"`},
		{"infinite", "1e999 ms", Time, `expected a time (e.g. "5 ms"), got "1e999 ms" (number out of range)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseQuantity(tt.in, tt.dim)
			require.Error(t, err)
			assert.Equal(t, tt.want, err.Error())
		})
	}
}

// TestDimBaseUnit checks that catalog.Dim's base units are the IR's.
func TestDimBaseUnit(t *testing.T) {
	assert.Equal(t, "", Dimensionless.BaseUnit())
	assert.Equal(t, UnitTime, Time.BaseUnit())
	assert.Equal(t, UnitVoltage, Voltage.BaseUnit())
	assert.Equal(t, UnitRate, Rate.BaseUnit())
}

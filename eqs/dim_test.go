package eqs

import (
	"math"
	"testing"
)

// CoherentUnit names the unit a dimension's values are held in: one of
// it is the coherent value 1.
func TestCoherentUnit(t *testing.T) {
	for _, c := range []struct {
		d          Dim
		want, spec string // the name, and a spelling LookupUnit reads
	}{
		{Voltage, "mV", "mV"}, {Current, "µA", "uA"}, {Time, "ms", "ms"}, {Frequency, "kHz", "kHz"},
		{Conductance, "mS", "mS"}, {Capacitance, "µF", "uF"}, {Charge, "nC", "nC"}, {Concentration, "mM", "mM"},
		{Length, "cm", "cm"}, {Dimensionless, "", ""},
	} {
		if got := c.d.CoherentUnit(); got != c.want {
			t.Errorf("%v: CoherentUnit %q, want %q", c.d, got, c.want)
		}
		if c.spec == "" {
			continue
		}
		v, d, ok := LookupUnit(c.spec)
		if !ok || d != c.d || math.Abs(v-1) > 1e-12 {
			t.Errorf("%s is %g of dimension %v (ok %v), want 1 of %v", c.spec, v, d, ok, c.d)
		}
	}
}

package ir

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/brainc/brainc/catalog"
	"github.com/brainc/brainc/eqs"
)

// Dim is the physical dimension of a value in a spec. It is an alias for
// catalog.Dim, kept so that callers can write ir.ParseQuantity(s, ir.Time).
// Every dimensioned value is stored in the IR in the base unit of its
// dimension (see UnitTime, UnitVoltage, UnitRate).
type Dim = catalog.Dim

// Dimensions known to the spec language: aliases for the catalog constants of
// the same names.
const (
	// Dimensionless is an alias for catalog.Dimensionless: values that take
	// no unit (weights, conductances, currents, resistances).
	Dimensionless = catalog.Dimensionless
	// Time is an alias for catalog.Time: values stored in ms.
	Time = catalog.Time
	// Voltage is an alias for catalog.Voltage: values stored in mV.
	Voltage = catalog.Voltage
	// Rate is an alias for catalog.Rate: values stored in Hz.
	Rate = catalog.Rate
)

// Expectation is the start of the error message for a value of the wrong
// form of dimension d, e.g. `expected a time (e.g. "5 ms")`.
func Expectation(d Dim) string {
	switch d {
	case Time:
		return `expected a time (e.g. "5 ms")`
	case Voltage:
		return `expected a voltage (e.g. "-65 mV")`
	case Rate:
		return `expected a rate (e.g. "10 Hz")`
	}
	return `expected a number (e.g. 0.5)`
}

// quantityRE splits "<number><optional spaces><optional unit>".
var quantityRE = regexp.MustCompile(`^([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)\s*(.*)$`)

// SplitQuantity splits a quantity written "<number> <unit>" (the space
// optional, leading and trailing spaces ignored) into its number and its
// unit text, "" for a plain number; ok is false when s does not start with
// a number or the number is not finite.
func SplitQuantity(s string) (number float64, unit string, ok bool) {
	m := quantityRE.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return 0, "", false
	}
	x, err := strconv.ParseFloat(m[1], 64)
	if err != nil || math.IsInf(x, 0) || math.IsNaN(x) {
		return 0, m[2], false
	}
	return x, m[2], true
}

// ParseQuantity parses a dimensioned value such as "0.1 ms", "-60 mV",
// "5 s", "100 us", "0.001 V", "20 Hz" or "1 kHz" and returns it in the base
// unit of want (ms, mV or Hz). The space between number and unit is optional.
//
// The unit is any of package eqs's (brainc's one unit system: SI units
// with their prefixes, µ also written u, and the units' names with the
// prefixes as words, such as "millisecond") whose dimension is want's (catalog.Dim.SI); a dimensionless
// value takes no unit.
//
// A plain number with no unit ("20", "-1.5e-3") is accepted for every
// dimension and is taken to be already in the base unit: "20" for a time
// means 20 ms. A unit of another dimension ("5 mV" where a time is wanted),
// an unknown unit, and anything that is not a number are errors.
func ParseQuantity(s string, want Dim) (float64, error) {
	v, unit, ok := SplitQuantity(s)
	switch {
	case !ok && quantityRE.MatchString(strings.TrimSpace(s)):
		return 0, fmt.Errorf("%s, got %q (number out of range)", Expectation(want), s)
	case !ok:
		return 0, fmt.Errorf("%s, got %q", Expectation(want), s)
	}
	if unit == "" {
		return v, nil
	}
	if size, dim, ok := eqs.LookupUnit(unit); ok {
		switch {
		case dim == want.SI():
			// The unit's size in base units first: exact for every unit
			// a power of ten from the base (1 Hz is 1, not 0.001·1000
			// applied to the number), so "0.9 Hz" is 0.9.
			return v * (size * want.FromCoherent()), nil
		case want == Dimensionless:
			return 0, fmt.Errorf("%s, got %q (a dimensionless value takes no unit)", Expectation(want), s)
		}
		return 0, fmt.Errorf("%s, got %q", Expectation(want), s)
	}
	if strings.ContainsAny(unit, " \t") || !isUnitLike(unit) {
		return 0, fmt.Errorf("%s, got %q", Expectation(want), s)
	}
	if want == Dimensionless {
		return 0, fmt.Errorf("unknown unit %q in %q (a dimensionless value takes no unit)", unit, s)
	}
	return 0, fmt.Errorf("unknown unit %q in %q (%s units: %s)",
		unit, s, want, strings.Join(want.Advertised(), ", "))
}

// isUnitLike reports whether s looks like a unit symbol (letters only), so
// that "5 ms)" or "5 + 3" are reported as malformed rather than as unknown
// units.
func isUnitLike(s string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == 'µ' || r == 'μ' || r == 'Ω') {
			return false
		}
	}
	return s != ""
}

package catalog

import "fmt"

// Dim is the physical dimension of a value in a spec. Every dimensioned value
// is stored in the base unit of its dimension (see BaseUnit).
type Dim int

// Dimensions known to the spec language.
const (
	// Dimensionless values (weights, conductances, currents, resistances)
	// take no unit.
	Dimensionless Dim = iota
	// Time values are stored in ms.
	Time
	// Voltage values are stored in mV.
	Voltage
	// Rate values are stored in Hz.
	Rate
)

// String returns the dimension's name: "dimensionless", "time", "voltage"
// or "rate".
func (d Dim) String() string {
	switch d {
	case Dimensionless:
		return "dimensionless"
	case Time:
		return "time"
	case Voltage:
		return "voltage"
	case Rate:
		return "rate"
	}
	return fmt.Sprintf("Dim(%d)", int(d))
}

// BaseUnit returns the unit values of the dimension are stored in ("ms",
// "mV", "Hz"), or "" for Dimensionless. These are the IR's base units
// (ir.UnitTime, ir.UnitVoltage, ir.UnitRate).
func (d Dim) BaseUnit() string {
	switch d {
	case Time:
		return "ms"
	case Voltage:
		return "mV"
	case Rate:
		return "Hz"
	}
	return ""
}

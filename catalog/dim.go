package catalog

import (
	"fmt"

	"github.com/brainc/brainc/eqs"
)

// Dim names the physical dimension of a catalogue model's value and the
// unit it is stored in (BaseUnit). It is a name within brainc's one unit
// system, package eqs: SI gives the dimension there, and every unit a
// value may be written in is eqs's (LookupUnit), so a catalogue value and
// an equation read "1 kHz" or "100 us" alike.
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

// SI is the dimension in package eqs's unit system (rates are
// frequencies, 1/time).
func (d Dim) SI() eqs.Dim {
	switch d {
	case Time:
		return eqs.Time
	case Voltage:
		return eqs.Voltage
	case Rate:
		return eqs.Frequency
	}
	return eqs.Dimensionless
}

// FromCoherent is the factor from eqs's coherent unit of the dimension
// (eqs.Coherent: ms, mV, kHz) to its base unit: 1000 for rates (kHz to
// Hz), else 1.
func (d Dim) FromCoherent() float64 {
	if d == Rate {
		return 1000
	}
	return 1
}

// Advertised lists the units error messages offer for the dimension, the
// common ones in ASCII spelling ("s, ms, us"); every unit of eqs of the
// dimension is accepted.
func (d Dim) Advertised() []string {
	switch d {
	case Time:
		return []string{"s", "ms", "us"}
	case Voltage:
		return []string{"V", "mV", "uV"}
	case Rate:
		return []string{"Hz", "kHz"}
	}
	return nil
}

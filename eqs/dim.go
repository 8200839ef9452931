// Package eqs reads the model equations a spec may give instead of a
// catalogue model name: Brian2-like differential equations, threshold and
// reset statements and unit-carrying parameters. It parses them into
// expression trees, checks every one for dimensional consistency (SI
// dimensions with prefixed units: mV, nS, pF, ms, Hz, MΩ, mM …) and folds
// their units into numbers of one coherent unit system, the one brainc's
// models use: ms, mV, µA, mS, µF, kΩ, cm and mM (see Coherent).
//
// The package only reads and checks text: turning the trees into graph code
// is dynamics' work. It imports nothing of brainc's.
package eqs

import (
	"fmt"
	"math"
	"strings"
)

// Dim is a physical dimension: the exponents of the SI base dimensions
// length, mass, time, current, temperature, amount and luminous intensity,
// each stored doubled so that half-integer exponents (the noise xi has
// time^-1/2) are exact. The storage is wide enough that no product or
// quotient of valid dimensions wraps; a valid dimension (Valid) has every
// exponent within ±MaxExponent, which the reader checks after each step.
type Dim [7]int32

// MaxExponent bounds a valid dimension's exponents: |e| < 128.
const MaxExponent = 127

// Valid reports whether every exponent of d is within ±MaxExponent.
func (d Dim) Valid() bool {
	for _, x := range d {
		if x > 2*MaxExponent+1 || x < -(2*MaxExponent+1) {
			return false
		}
	}
	return true
}

// The SI base dimensions, as indices into Dim.
const (
	length = iota
	mass
	timeDim
	current
	temperature
	amount
	luminosity
)

// Dimensionless is the dimension of pure numbers.
var Dimensionless Dim

// base returns the dimension with exponent 1 at index i.
func base(i int) Dim {
	var d Dim
	d[i] = 2
	return d
}

// Mul is the dimension of a product.
func (d Dim) Mul(e Dim) Dim {
	for i := range d {
		d[i] += e[i]
	}
	return d
}

// Div is the dimension of a quotient.
func (d Dim) Div(e Dim) Dim {
	for i := range d {
		d[i] -= e[i]
	}
	return d
}

// Pow is the dimension raised to p/q (q 1 or 2); ok is false when an
// exponent would not be a multiple of one half.
func (d Dim) Pow(p, q int) (Dim, bool) {
	const limit = 2*MaxExponent + 1
	out := d
	for i := range d {
		if d[i] == 0 {
			continue
		}
		if p > 1<<20 || p < -1<<20 || q <= 0 {
			return d, false
		}
		x := int64(d[i]) * int64(p)
		if x%int64(q) != 0 || x/int64(q) > limit || x/int64(q) < -limit {
			return d, false
		}
		out[i] = int32(x / int64(q))
	}
	return out, true
}

// scaled is d with every exponent times p, unchecked (Valid says whether
// it is in range); |p| is at most 2·MaxExponent+1 where it is used, so it
// does not wrap.
func (d Dim) scaled(p int) Dim {
	for i := range d {
		d[i] *= int32(p)
	}
	return d
}

// IsDimensionless reports whether d is the dimension of pure numbers.
func (d Dim) IsDimensionless() bool { return d == Dimensionless }

// Base dimensions and the derived ones units are named after.
var (
	// Time is the dimension of a duration (s).
	Time = base(timeDim)
	// Voltage is the dimension of a potential (V = kg·m²·s⁻³·A⁻¹).
	Voltage = Dim{4, 2, -6, -2, 0, 0, 0}
	// Current is the dimension of an electric current (A).
	Current = base(current)
	// Frequency is the dimension of a rate (Hz = s⁻¹).
	Frequency = Dimensionless.Div(Time)
	// Conductance is the dimension of a conductance (S = A/V).
	Conductance = Current.Div(Voltage)
	// Resistance is the dimension of a resistance (Ω = V/A).
	Resistance = Voltage.Div(Current)
	// Capacitance is the dimension of a capacitance (F = A·s/V).
	Capacitance = Current.Mul(Time).Div(Voltage)
	// Charge is the dimension of an electric charge (C = A·s).
	Charge = Current.Mul(Time)
	// Length is the dimension of a distance (m).
	Length = base(length)
	// Concentration is the dimension of a molar concentration (M = mol/L).
	Concentration = base(amount).Div(mustPow(Length, 3))
)

func mustPow(d Dim, p int) Dim {
	out, _ := d.Pow(p, 1)
	return out
}

// Coherent gives the size, in SI units, of one unit of each base dimension
// in the unit system values are folded into, as a power of ten: cm,
// 1e-14 kg, ms, µA, K, µmol, cd. It is chosen so that the derived units
// come out as the ones brainc's models are written in: mV, µA, mS, µF, kΩ,
// 1/ms, mM, and per cm² densities (mS/cm², µF/cm²) as plain numbers.
var Coherent = [7]int{-2, -14, -3, -6, 0, -6, 0}

// scale is the size, in SI units, of the coherent unit of dimension d, as
// a power of ten (twice the exponent: half exponents give roots of ten).
func (d Dim) scale() int {
	s := 0
	for i, x := range d {
		s += Coherent[i] * int(x)
	}
	return s
}

// unit is a named unit: its dimension and its size in SI units, 10^si.
type unit struct {
	name string
	dim  Dim
	si   int
}

// unprefixed lists the units that take SI prefixes, by symbol and by name
// (Brian2's spellings), and those that take none.
var unprefixed = []unit{
	{"m", Length, 0}, {"metre", Length, 0}, {"meter", Length, 0},
	{"g", base(mass), -3}, {"gram", base(mass), -3},
	{"s", Time, 0}, {"second", Time, 0},
	{"A", Current, 0}, {"amp", Current, 0}, {"ampere", Current, 0},
	{"K", base(temperature), 0}, {"kelvin", base(temperature), 0},
	{"mol", base(amount), 0}, {"mole", base(amount), 0},
	{"cd", base(luminosity), 0}, {"candela", base(luminosity), 0},
	{"V", Voltage, 0}, {"volt", Voltage, 0},
	{"Hz", Frequency, 0}, {"hertz", Frequency, 0},
	{"S", Conductance, 0}, {"siemens", Conductance, 0},
	{"Ω", Resistance, 0}, {"ohm", Resistance, 0},
	{"F", Capacitance, 0}, {"farad", Capacitance, 0},
	{"C", Charge, 0}, {"coulomb", Charge, 0},
	{"M", Concentration, 3}, {"molar", Concentration, 3},
	{"l", mustPow(Length, 3), -3}, {"L", mustPow(Length, 3), -3}, {"liter", mustPow(Length, 3), -3}, {"litre", mustPow(Length, 3), -3},
}

// prefixes are the SI prefixes, as symbols (for symbols) and as words (for
// unit names: millivolt, nanosiemens).
var prefixes = []struct {
	symbol, word string
	exponent     int
}{
	{"y", "yocto", -24}, {"z", "zepto", -21}, {"a", "atto", -18}, {"f", "femto", -15},
	{"p", "pico", -12}, {"n", "nano", -9}, {"u", "micro", -6}, {"µ", "micro", -6}, {"μ", "micro", -6},
	{"m", "milli", -3}, {"c", "centi", -2}, {"d", "deci", -1}, {"k", "kilo", 3},
	{"M", "mega", 6}, {"G", "giga", 9}, {"T", "tera", 12},
}

// units maps every accepted unit spelling (prefixed or not) to its unit.
var units = buildUnits()

func buildUnits() map[string]unit {
	out := map[string]unit{}
	for _, u := range unprefixed {
		out[u.name] = u
	}
	for _, u := range unprefixed {
		symbol := len(u.name) <= 3 || u.name == "Ω"
		for _, p := range prefixes {
			name := p.word + u.name
			if symbol {
				name = p.symbol + u.name
			}
			if _, taken := out[name]; taken { // "cd", "mol" … keep their own meaning
				continue
			}
			out[name] = unit{name, u.dim, u.si + p.exponent}
		}
	}
	// kg is the SI base unit of mass; "kg" comes from g with k.
	return out
}

// LookupUnit returns a unit's dimension and its size in coherent units
// (1 mV is 1, 1 s is 1000, 1 nS is 1e-6); ok is false for an unknown name.
func LookupUnit(name string) (value float64, d Dim, ok bool) {
	u, ok := units[name]
	if !ok {
		return 0, Dimensionless, false
	}
	// Twice the exponent is even for every unit: its dimension has whole
	// exponents.
	return math.Pow10(u.si - u.dim.scale()/2), u.dim, true
}

// named are the dimensions printed by name in messages, most familiar first.
var named = []struct {
	name string
	dim  Dim
}{
	{"V", Voltage}, {"A", Current}, {"s", Time}, {"Hz", Frequency}, {"S", Conductance}, {"Ω", Resistance},
	{"F", Capacitance}, {"C", Charge}, {"M", Concentration}, {"m", Length},
}

// coherentNames are the coherent units (see Coherent) of the dimensions
// that have a familiar one.
var coherentNames = []struct {
	name string
	dim  Dim
}{
	{"mV", Voltage}, {"µA", Current}, {"ms", Time}, {"kHz", Frequency}, {"mS", Conductance}, {"kΩ", Resistance},
	{"µF", Capacitance}, {"nC", Charge}, {"mM", Concentration}, {"cm", Length},
	{"µA/cm²", Current.Div(mustPow(Length, 2))}, {"mS/cm²", Conductance.Div(mustPow(Length, 2))}, {"µF/cm²", Capacitance.Div(mustPow(Length, 2))},
}

// CoherentUnit is the name of the coherent unit values of dimension d are
// held in ("mV", "µA", "mS/cm²"), or "" for a pure number or a dimension
// without a familiar name.
func (d Dim) CoherentUnit() string {
	for _, n := range coherentNames {
		if d == n.dim {
			return n.name
		}
	}
	return ""
}

// String writes a dimension as a unit: "1" for pure numbers, a named unit
// ("V", "S"), a named unit over or times time or a squared length
// ("V/s", "S/m^2"), else SI base units ("kg m^2 s^-3 A^-1").
func (d Dim) String() string {
	if d.IsDimensionless() {
		return "1"
	}
	for _, n := range named {
		if d == n.dim {
			return n.name
		}
	}
	area := mustPow(Length, 2)
	for _, n := range named {
		switch d {
		case n.dim.Div(Time):
			return n.name + "/s"
		case n.dim.Mul(Time):
			return n.name + "*s"
		case n.dim.Div(area):
			return n.name + "/m^2"
		case n.dim.Div(Time).Div(Time):
			return n.name + "/s^2"
		}
	}
	symbols := []string{"m", "kg", "s", "A", "K", "mol", "cd"}
	var parts []string
	for i, x := range d {
		switch {
		case x == 0:
		case x == 2:
			parts = append(parts, symbols[i])
		case x%2 == 0:
			parts = append(parts, fmt.Sprintf("%s^%d", symbols[i], x/2))
		default:
			parts = append(parts, fmt.Sprintf("%s^%g", symbols[i], float64(x)/2))
		}
	}
	return strings.Join(parts, " ")
}

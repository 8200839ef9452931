package dataset

import (
	"cmp"
	"fmt"
	"math"

	"github.com/brainc/brainc/npyio"
)

// LoadNPZ reads a set from the .npz file at path in the format described in
// the package documentation. Classes is n_classes if present, else max
// label + 1; Units and Duration default likewise. The file is fully
// validated: a missing array, a wrong dtype, shape or length, offsets that do
// not run from 0 to E without decreasing, a negative or out-of-range unit or
// label, or a negative or non-finite time is an error.
func LoadNPZ(path string) (*Set, error) {
	s, err := loadNPZ(path)
	if err != nil {
		return nil, fmt.Errorf("dataset: LoadNPZ %s: %w", path, err)
	}
	return s, nil
}

func loadNPZ(path string) (*Set, error) {
	m, err := npyio.ReadNPZMap(path)
	if err != nil {
		return nil, err
	}
	times, err1 := vector[float64](m, "times", "float32 or float64")
	units, err2 := vector[int64](m, "units", "int32 or int64")
	offsets, err3 := vector[int64](m, "offsets", "int64 or int32")
	labels, err4 := vector[int64](m, "labels", "int32 or int64")
	if err := cmp.Or(err1, err2, err3, err4); err != nil {
		return nil, err
	}
	ne, ns := len(times), len(labels)
	switch {
	case len(units) != ne:
		return nil, fmt.Errorf("units has %d elements, expected %d (one per entry of times)", len(units), ne)
	case len(offsets) != ns+1:
		return nil, fmt.Errorf("offsets has %d elements, expected %d (len(labels)+1)", len(offsets), ns+1)
	case offsets[0] != 0 || offsets[ns] != int64(ne):
		return nil, fmt.Errorf("offsets run from %d to %d, expected 0 to %d (the number of events)", offsets[0], offsets[ns], ne)
	}
	for i := range ns {
		if offsets[i+1] < offsets[i] {
			return nil, fmt.Errorf("offsets decrease: offsets[%d]=%d > offsets[%d]=%d", i, offsets[i], i+1, offsets[i+1])
		}
	}
	maxTime := 0.0
	for i, t := range times {
		if !(t >= 0) || math.IsInf(t, 1) {
			return nil, fmt.Errorf("times[%d] is %g, expected a finite time ≥ 0", i, t)
		}
		maxTime = max(maxTime, t)
	}
	nUnits, err := count(m, "n_units", units, "units")
	if err != nil {
		return nil, err
	}
	nClasses, err := count(m, "n_classes", labels, "labels")
	if err != nil {
		return nil, err
	}
	duration, ok, err := scalar(m, "duration")
	switch {
	case err != nil:
		return nil, err
	case !ok:
		duration = maxTime
	case !(duration >= 0) || math.IsInf(duration, 1):
		return nil, fmt.Errorf("duration is %g, expected a finite time ≥ 0", duration)
	}
	set := &Set{Units: nUnits, Duration: duration, Classes: nClasses, Samples: make([]Sample, ns)}
	u32 := convert[int32](units)
	for i := range ns {
		a, b := offsets[i], offsets[i+1]
		set.Samples[i] = Sample{Times: times[a:b:b], Units: u32[a:b:b], Label: int32(labels[i])}
	}
	return set, nil
}

// vector returns the 1-D array name as []T, also accepting float32 data for
// float64 and int32 data for int64.
func vector[T float64 | int64](m map[string]npyio.Array, name, dtypes string) ([]T, error) {
	a, ok := m[name]
	if !ok {
		return nil, fmt.Errorf("missing array %q", name)
	}
	if len(a.Shape) != 1 {
		return nil, fmt.Errorf("array %q has shape %v, expected 1-D", name, a.Shape)
	}
	var zero T
	switch d := a.Data.(type) {
	case []T:
		return d, nil
	case []float32:
		if _, ok := any(zero).(float64); ok {
			return convert[T](d), nil
		}
	case []int32:
		if _, ok := any(zero).(int64); ok {
			return convert[T](d), nil
		}
	}
	return nil, fmt.Errorf("array %q has element type %T, expected %s", name, a.Data, dtypes)
}

func convert[T, S float64 | int64 | float32 | int32](in []S) []T {
	out := make([]T, len(in))
	for i, v := range in {
		out[i] = T(v)
	}
	return out
}

// scalar returns the optional one-element numeric array name as a float64;
// ok is false if it is absent.
func scalar(m map[string]npyio.Array, name string) (v float64, ok bool, err error) {
	a, ok := m[name]
	if !ok {
		return 0, false, nil
	}
	var vals []float64
	switch d := a.Data.(type) {
	case []float64:
		vals = d
	case []float32:
		vals = convert[float64](d)
	case []int64:
		vals = convert[float64](d)
	case []int32:
		vals = convert[float64](d)
	default:
		return 0, false, fmt.Errorf("scalar %q has element type %T, expected a number", name, a.Data)
	}
	if len(vals) != 1 {
		return 0, false, fmt.Errorf("scalar %q has shape %v, expected a single element", name, a.Shape)
	}
	return vals[0], true, nil
}

// count returns the optional scalar name (n_units or n_classes), or
// max(vals)+1 if absent, checking that every entry of the array valsName lies
// in [0, count) and that count fits an int32.
func count(m map[string]npyio.Array, name string, vals []int64, valsName string) (int, error) {
	hi := int64(-1)
	for i, v := range vals {
		if v < 0 {
			return 0, fmt.Errorf("%s[%d] is %d, expected ≥ 0", valsName, i, v)
		}
		hi = max(hi, v)
	}
	f, ok, err := scalar(m, name)
	switch {
	case err != nil:
		return 0, err
	case !ok && hi >= math.MaxInt32:
		return 0, fmt.Errorf("%s has maximum %d, expected < %d", valsName, hi, math.MaxInt32)
	case !ok:
		f = float64(hi + 1)
	case f != math.Trunc(f) || f < 0 || f > math.MaxInt32:
		return 0, fmt.Errorf("%s is %g, expected an integer in [0, %d]", name, f, math.MaxInt32)
	case hi >= int64(f):
		for i, v := range vals {
			if v >= int64(f) {
				return 0, fmt.Errorf("%s[%d] is %d, expected < %s = %d", valsName, i, v, name, int64(f))
			}
		}
	}
	return int(f), nil
}

// WriteNPZ writes s to path in the format described in the package
// documentation: float64 times, int32 units and labels, int64 offsets, and
// the scalars n_units, duration and n_classes. Equal sets give byte-identical
// files, and the file is replaced atomically. s is validated first: every
// sample must have as many times as units, finite times ≥ 0, units in
// [0, Units) and labels in [0, Classes).
func (s *Set) WriteNPZ(path string) error {
	if err := s.validate(); err != nil {
		return fmt.Errorf("dataset: WriteNPZ %s: %w", path, err)
	}
	offsets, labels := make([]int64, len(s.Samples)+1), make([]int32, len(s.Samples))
	times, units := []float64{}, []int32{}
	for i, smp := range s.Samples {
		times, units = append(times, smp.Times...), append(units, smp.Units...)
		offsets[i+1], labels[i] = int64(len(times)), smp.Label
	}
	vec := func(d any, n int) npyio.Array { return npyio.Array{Shape: []int{n}, Data: d} }
	return npyio.WriteNPZ(path,
		[]string{"times", "units", "offsets", "labels", "n_units", "duration", "n_classes"},
		[]npyio.Array{vec(times, len(times)), vec(units, len(units)), vec(offsets, len(offsets)),
			vec(labels, len(labels)), {Data: []int64{int64(s.Units)}}, {Data: []float64{s.Duration}},
			{Data: []int64{int64(s.Classes)}}})
}

// validate checks the invariants that WriteNPZ and LoadNPZ rely on.
func (s *Set) validate() error {
	if s.Units < 0 || s.Units > math.MaxInt32 || s.Classes < 0 || s.Classes > math.MaxInt32 {
		return fmt.Errorf("Units=%d and Classes=%d, expected both in [0, %d]", s.Units, s.Classes, math.MaxInt32)
	}
	if !(s.Duration >= 0) || math.IsInf(s.Duration, 1) {
		return fmt.Errorf("Duration is %g, expected a finite time ≥ 0", s.Duration)
	}
	for i, smp := range s.Samples {
		if len(smp.Times) != len(smp.Units) {
			return fmt.Errorf("sample %d has %d times but %d units, expected equal", i, len(smp.Times), len(smp.Units))
		}
		if smp.Label < 0 || int(smp.Label) >= s.Classes {
			return fmt.Errorf("sample %d has label %d, expected in [0, %d)", i, smp.Label, s.Classes)
		}
		for e, t := range smp.Times {
			if u := smp.Units[e]; !(t >= 0) || math.IsInf(t, 1) || u < 0 || int(u) >= s.Units {
				return fmt.Errorf("sample %d event %d at %g s on unit %d, expected a finite time ≥ 0 and a unit in [0, %d)",
					i, e, t, u, s.Units)
			}
		}
	}
	return nil
}

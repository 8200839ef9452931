// Package fingerprint identifies what shapes a lowered program's run, part
// by part, so that a checkpoint is resumed only by the network that wrote
// it and a refusal can say which parts differ.
package fingerprint

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash"
	"maps"
	"math"
	"reflect"
	"slices"
	"strings"

	"github.com/brainc/brainc/dynamics"
	"github.com/brainc/brainc/lower"
)

// Parts identifies everything that shapes a program's run, part by
// part: each key names a part of the network ("dt", "seed",
// "populations.E.params", "projections.EE.conn", "projections.EE
// connectivity table", …) and holds a hash of its values. It is the same for
// every device count and padding (a checkpoint may be resumed on another
// number of devices) and leaves out what only says how long to run
// (the duration) or where the spec lives (file names and lines: the values
// read from files are hashed instead).
type Parts map[string]string

// Of computes the program's fingerprint: the run's dt, seed and
// precision; every population's and projection's spec fields (models,
// parameters, equations, inputs, connectivity rules, weights, delays,
// plasticity); the lowered values drawn or read for them (per-neuron
// parameters, inputs and initial values, given spike times, connectivity
// tables, per-synapse weights and delays) and each projection's kernel;
// the monitors and the replicas of a batch.
func Of(p *lower.Program) Parts {
	f := Parts{}
	part := func(name string, values ...any) {
		h := sha256.New()
		seen := map[uintptr]bool{}
		for _, v := range values {
			hashValue(h, reflect.ValueOf(v), seen)
		}
		f[name] = hex.EncodeToString(h.Sum(nil)[:12])
	}
	net := p.Net
	part("dt", net.Dt)
	part("seed", net.Seed)
	part("precision", p.DType.String())
	part("monitors", net.Monitors)
	if len(net.Replicas) > 0 {
		part("replicas", net.Replicas)
	}
	for _, pop := range p.Pops {
		if pop.Pad {
			continue
		}
		structParts(part, "populations."+pop.Name, pop.Population)
		if src, ok := pop.Neuron.(*dynamics.SpikeTimes); ok { // given in the spec or read from a file
			part("populations."+pop.Name+" spike times", src.Times, src.Indices)
		}
	}
	for _, pr := range p.Projs {
		at := "projections." + pr.Name
		structParts(part, at, pr.Projection)
		part(at+" kernel", string(pr.Kernel))
		if m := pr.Matrix; m != nil {
			part(at+" connectivity table", m.NPre, m.NPost, m.Indptr, m.Indices)
		}
		if pr.SynWeights != nil {
			part(at+" synapse weights", pr.SynWeights)
		}
		if d := pr.Delay; d != nil {
			part(at+" delays", d.Steps, d.PerSynapse)
		}
	}
	drawn := p.Drawn()
	for _, stream := range slices.Sorted(maps.Keys(drawn)) { // per-neuron parameters, inputs and initial values
		part("values of "+stream, drawn[stream])
	}
	return f
}

// structParts adds one part per field of the struct *s (skipping Line and
// File), named at.field in lower case.
func structParts(part func(string, ...any), at string, s any) {
	v := reflect.ValueOf(s).Elem()
	for i := range v.NumField() {
		field := v.Type().Field(i)
		if skipField(field.Name) || !field.IsExported() {
			continue
		}
		part(at+"."+strings.ToLower(field.Name), v.Field(i).Interface())
	}
}

// skipField reports whether a struct field is left out of fingerprints:
// where a spec or a file was (line numbers, file names), not what it held.
func skipField(name string) bool { return name == "Line" || name == "File" || name == "Read" }

// hashValue writes v into h, type by type: maps in the order of their
// keys, pointers and interfaces by what they point to (each pointer once),
// floats by their bits; functions and channels are left out.
func hashValue(h hash.Hash, v reflect.Value, seen map[uintptr]bool) {
	var buf [8]byte
	word := func(x uint64) {
		binary.LittleEndian.PutUint64(buf[:], x)
		h.Write(buf[:])
	}
	str := func(s string) {
		word(uint64(len(s)))
		h.Write([]byte(s))
	}
	if !v.IsValid() {
		str("<nil>")
		return
	}
	switch v.Kind() {
	case reflect.Bool:
		if v.Bool() {
			word(1)
		} else {
			word(0)
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		word(uint64(v.Int()))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		word(v.Uint())
	case reflect.Float32, reflect.Float64:
		word(math.Float64bits(v.Float()))
	case reflect.String:
		str(v.String())
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.IsNil() {
			str("<nil>")
			return
		}
		word(uint64(v.Len()))
		var x any
		if v.CanInterface() {
			x = v.Interface()
		}
		switch x := x.(type) { // the large tables, without reflection per entry
		case []int32:
			hashWords(h, x, func(e int32) uint64 { return uint64(e) })
			return
		case []int:
			hashWords(h, x, func(e int) uint64 { return uint64(e) })
			return
		case []float64:
			hashWords(h, x, math.Float64bits)
			return
		}
		for i := range v.Len() {
			hashValue(h, v.Index(i), seen)
		}
	case reflect.Map:
		keys := v.MapKeys()
		slices.SortFunc(keys, func(a, b reflect.Value) int { return strings.Compare(fmt.Sprint(a), fmt.Sprint(b)) })
		word(uint64(len(keys)))
		for _, k := range keys {
			hashValue(h, k, seen)
			hashValue(h, v.MapIndex(k), seen)
		}
	case reflect.Pointer:
		if v.IsNil() {
			str("<nil>")
			return
		}
		if seen[v.Pointer()] {
			str("<seen>")
			return
		}
		seen[v.Pointer()] = true
		hashValue(h, v.Elem(), seen)
	case reflect.Interface:
		if v.IsNil() {
			str("<nil>")
			return
		}
		str(v.Elem().Type().String())
		hashValue(h, v.Elem(), seen)
	case reflect.Struct:
		if pkg := v.Type().PkgPath(); pkg == "sync" || pkg == "sync/atomic" { // locks and caches, not values
			return
		}
		str(v.Type().String())
		for i := range v.NumField() {
			name := v.Type().Field(i).Name
			if skipField(name) || v.Field(i).IsZero() {
				continue // (a zero field is left out, named or not: a field added later changes no fingerprint)
			}
			str(name)
			hashValue(h, v.Field(i), seen)
		}
	}
}

// hashWords writes the entries of v into h as 8-byte words, a block at a
// time.
func hashWords[T any](h hash.Hash, v []T, word func(T) uint64) {
	const block = 4096
	buf := make([]byte, 0, 8*block)
	for len(v) > 0 {
		n := min(len(v), block)
		buf = buf[:0]
		for _, e := range v[:n] {
			buf = binary.LittleEndian.AppendUint64(buf, word(e))
		}
		h.Write(buf)
		v = v[n:]
	}
}

// Differences lists the parts of the fingerprint f that differ from want
// (or that only one of them has), sorted.
func (f Parts) Differences(want Parts) []string {
	var out []string
	for k, v := range f {
		if want[k] != v {
			out = append(out, k)
		}
	}
	for k := range want {
		if _, ok := f[k]; !ok {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

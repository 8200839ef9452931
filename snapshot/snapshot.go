// Package snapshot writes what lowering drew for a network — its
// connectivity, per-synapse weights and delays, per-neuron parameters,
// initial values and inputs — as the files a spec reads back (conn files,
// .npy values), and the spec rewritten to read them: network.yaml builds
// the identical network whatever its seed, and the files carry every
// drawn value to another tool.
package snapshot

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/gomlx/gomlx/pkg/core/dtypes"

	"github.com/brainc/brainc/atomicfile"

	"github.com/brainc/brainc/ir"
	"github.com/brainc/brainc/lower"
	"github.com/brainc/brainc/npyio"
)

// SpecFile is the rewritten spec's file name.
const SpecFile = "network.yaml"

// Save is Write into the directory dir as one set (package atomicfile:
// all files or none; an existing one is replaced only with
// opts.Overwrite, and one holding files brainc did not write is refused).
// A program split across devices is lowered again on one, whose tables
// hold the values in the order a spec reads them.
func Save(dir string, opts atomicfile.DirOptions, p *lower.Program, spec []byte) ([]string, error) {
	if p.Devices > 1 {
		one, err := lower.Build(p.Net, lower.OptionsFor(p.Net, lower.Choices{Float64: p.DType == dtypes.Float64, Devices: 1}))
		if err != nil {
			return nil, err
		}
		p = one
	}
	var files []string
	err := atomicfile.Dir(dir, opts, func(stage string) ([]string, error) {
		var err error
		files, err = Write(stage, p, spec)
		return files, err
	})
	return files, err
}

// Write writes into dir the drawn values of p, lowered from the spec
// whose text is spec (read from the file p.Net.File, "" for a built-in
// network), and SpecFile, the spec rewritten to read them (none when spec
// is nil: a network built in Go); it returns the files written. Per projection with drawn connectivity, weights or
// delays: "<proj>.conn.npz" (int32 pre and post, float64 weight, and
// delay in ms when they differ per synapse), which the spec reads as
// conn: {file: …} with weight 1. Per population: "<pop>.<param>.npy" for
// a parameter drawn per neuron, "<pop>.init.<var>.npy" for an initial
// value drawn per neuron, "<pop>.input.npy" for a per-neuron input.
// Projections regenerated every step (the procedural kernel) and rules
// that draw nothing (all_to_all, one_to_one, a conn file) keep their spec
// entries. Relative file references of the spec are made absolute.
func Write(dir string, p *lower.Program, spec []byte) ([]string, error) {
	var doc yaml.MapSlice
	if spec != nil {
		if err := yaml.UnmarshalWithOptions(spec, &doc, yaml.UseOrderedMap()); err != nil {
			return nil, fmt.Errorf("snapshot: reading the spec: %w", err)
		}
	}
	w := &writer{dir: dir, doc: joinCalls(doc), rewrite: spec != nil}
	if p.Net.File != "" {
		absolute(w.doc, filepath.Dir(p.Net.File))
	}
	for _, pr := range p.Projs {
		if err := w.projection(p, pr); err != nil {
			return nil, err
		}
	}
	for _, q := range p.Pops {
		if q.Pad {
			continue
		}
		if err := w.population(p, q); err != nil {
			return nil, err
		}
	}
	if spec == nil { // a network built in Go: its values, and no spec to rewrite
		return w.files, nil
	}
	text, err := yaml.Marshal(w.doc)
	if err != nil {
		return nil, fmt.Errorf("snapshot: writing the spec: %w", err)
	}
	head := fmt.Sprintf("# %s as brainc built it (seed %d): every drawn value is read from the files beside this spec.\n", p.Net.Name, p.Net.Seed)
	if err := os.WriteFile(filepath.Join(dir, SpecFile), append([]byte(head), text...), 0o644); err != nil {
		return nil, err
	}
	return append(w.files, SpecFile), nil
}

// writer accumulates the files written and edits the spec document.
type writer struct {
	dir   string
	doc   yaml.MapSlice
	files []string
	// rewrite is set when there is a spec to rewrite.
	rewrite bool
}

// drawnRules are the connectivity rules whose synapses are drawn.
var drawnRules = []ir.ConnRule{ir.ConnFixedProb, ir.ConnFixedInDegree, ir.ConnFixedOutDegree, ir.ConnGaussian}

// projection writes a projection's conn file when something of it was
// drawn, and points its spec entry at it.
func (w *writer) projection(p *lower.Program, pr *lower.Projection) error {
	ipr := pr.Projection
	perSynapseDelay := pr.Delay != nil && pr.Delay.PerSynapse != nil
	drawn := slices.Contains(drawnRules, ipr.Conn.Rule) || ipr.WeightDist != nil || perSynapseDelay
	if pr.Matrix == nil || !drawn || ipr.Synapse.Model == "GapJunction" {
		return nil
	}
	pre, post := pr.Matrix.COO()
	names := []string{"pre", "post"}
	arrays := []npyio.Array{{Shape: []int{len(pre)}, Data: slices.Clone(pre)}, {Shape: []int{len(post)}, Data: slices.Clone(post)}}
	if pr.SynWeights != nil { // (one weight for all stays the spec's)
		weight := make([]float64, len(pre))
		for k := range weight {
			weight[k] = ipr.Weight * pr.SynWeights[k]
		}
		names, arrays = append(names, "weight"), append(arrays, npyio.Array{Shape: []int{len(weight)}, Data: weight})
	}
	if perSynapseDelay {
		delay := make([]float64, len(pre))
		for k, s := range pr.Delay.PerSynapse[:len(pre)] {
			delay[k] = float64(s) * p.Net.Dt
		}
		names, arrays = append(names, "delay"), append(arrays, npyio.Array{Shape: []int{len(delay)}, Data: delay})
	}
	name := ipr.Name + ".conn.npz"
	if err := npyio.WriteNPZ(filepath.Join(w.dir, name), names, arrays); err != nil {
		return err
	}
	w.files = append(w.files, name)
	entry, ok := lookup(w.doc, "projections", ipr.Name)
	if !w.rewrite {
		return nil
	}
	if !ok {
		return fmt.Errorf("snapshot: the spec has no projection %s", ipr.Name)
	}
	entry = set(entry, "conn", yaml.MapSlice{{Key: "file", Value: name}})
	if pr.SynWeights != nil {
		entry = set(entry, "weight", 1)
	}
	if perSynapseDelay {
		entry = remove(entry, "delay")
	}
	return w.replace(entry, "projections", ipr.Name)
}

// population writes a population's per-neuron parameters, initial values
// and input, and points its spec entry at them.
func (w *writer) population(p *lower.Program, q *lower.Population) error {
	entry, ok := lookup(w.doc, "populations", q.Name)
	if !ok && w.rewrite {
		return fmt.Errorf("snapshot: the spec has no population %s", q.Name)
	}
	file := func(name string, v []float64) (yaml.MapSlice, error) {
		if err := writeNPY(filepath.Join(w.dir, name), v); err != nil {
			return nil, err
		}
		w.files = append(w.files, name)
		return yaml.MapSlice{{Key: "file", Value: name}}, nil
	}
	for _, param := range slices.Sorted(maps.Keys(q.Values)) {
		ref, err := file(q.Name+"."+param+".npy", q.Values[param])
		if err != nil {
			return err
		}
		// A model given by equations may hold its parameters with them.
		if m := asMap(get(entry, "model")); has(asMap(get(m, "params")), param) && !has(asMap(get(entry, "params")), param) {
			entry = set(entry, "model", set(m, "params", set(asMap(get(m, "params")), param, ref)))
			continue
		}
		entry = set(entry, "params", set(asMap(get(entry, "params")), param, ref))
	}
	state := p.InitialState()
	for _, v := range slices.Sorted(maps.Keys(q.Population.Init)) {
		if !q.Population.Init[v].PerNeuron() {
			continue
		}
		a, ok := q.Block.States[v]
		if !ok {
			continue
		}
		ref, err := file(q.Name+".init."+v+".npy", lower.HostFloats(state[a.Index])[q.Offset:q.Offset+q.Size])
		if err != nil {
			return err
		}
		entry = set(entry, "init", set(asMap(get(entry, "init")), v, ref))
	}
	if q.Population.Input.PerNeuron != nil {
		ref, err := file(q.Name+".input.npy", lower.HostFloats(q.InputArray.Value))
		if err != nil {
			return err
		}
		entry = set(entry, "input", yaml.MapSlice{{Key: "constant", Value: ref}})
	}
	return w.replace(entry, "populations", q.Name)
}

// replace puts entry at doc[section][name] (when rewriting a spec).
func (w *writer) replace(entry yaml.MapSlice, section, name string) error {
	if !w.rewrite {
		return nil
	}
	sec := asMap(get(w.doc, section))
	w.doc = set(w.doc, section, set(sec, name, entry))
	return nil
}

// get is the value of key in m (nil when absent).
func get(m yaml.MapSlice, key string) any {
	for _, it := range m {
		if k, ok := it.Key.(string); ok && k == key {
			return it.Value
		}
	}
	return nil
}

// lookup is the mapping at m[section][name].
func lookup(m yaml.MapSlice, section, name string) (yaml.MapSlice, bool) {
	sec := asMap(get(m, section))
	if !has(sec, name) {
		return nil, false
	}
	return asMap(get(sec, name)), true
}

// has reports whether m holds key.
func has(m yaml.MapSlice, key string) bool {
	for _, it := range m {
		if k, ok := it.Key.(string); ok && k == key {
			return true
		}
	}
	return false
}

// asMap is v as a mapping (empty when it is none).
func asMap(v any) yaml.MapSlice {
	m, _ := v.(yaml.MapSlice)
	return m
}

// set is m with key set to v (replaced in place, or appended).
func set(m yaml.MapSlice, key string, v any) yaml.MapSlice {
	out := slices.Clone(m)
	for i, it := range out {
		if k, ok := it.Key.(string); ok && k == key {
			out[i].Value = v
			return out
		}
	}
	return append(out, yaml.MapItem{Key: key, Value: v})
}

// remove is m without key.
func remove(m yaml.MapSlice, key string) yaml.MapSlice {
	return slices.DeleteFunc(slices.Clone(m), func(it yaml.MapItem) bool { k, _ := it.Key.(string); return k == key })
}

// joinCalls undoes YAML's split of "f(a, b)" inside a flow mapping, which
// reads as the entry "f(a" followed by keys "b)" without a value (as
// netspec's parser does), in m and every mapping inside it.
func joinCalls(m yaml.MapSlice) yaml.MapSlice {
	var out yaml.MapSlice
	for i := 0; i < len(m); i++ {
		it := m[i]
		switch v := it.Value.(type) {
		case yaml.MapSlice:
			it.Value = joinCalls(v)
		case []any:
			for j, e := range v {
				if sub, ok := e.(yaml.MapSlice); ok {
					v[j] = joinCalls(sub)
				}
			}
		case string:
			for text := v; strings.Count(text, "(") > strings.Count(text, ")") && i+1 < len(m) && m[i+1].Value == nil; {
				i++
				text += ", " + fmt.Sprint(m[i].Key)
				it.Value = text
			}
		}
		out = append(out, it)
	}
	return out
}

// absolute makes every relative "file:" reference of the document
// absolute, from dir (the spec's directory).
func absolute(m yaml.MapSlice, dir string) {
	for i, it := range m {
		switch v := it.Value.(type) {
		case yaml.MapSlice:
			absolute(v, dir)
		case []any:
			for _, e := range v {
				if sub, ok := e.(yaml.MapSlice); ok {
					absolute(sub, dir)
				}
			}
		case string:
			if k, _ := it.Key.(string); k == "file" && !filepath.IsAbs(v) {
				if abs, err := filepath.Abs(filepath.Join(dir, v)); err == nil {
					m[i].Value = abs
				}
			}
		}
	}
}

// writeNPY writes v as a float64 .npy file.
func writeNPY(path string, v []float64) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := npyio.WriteNPY(f, npyio.Array{Shape: []int{len(v)}, Data: v}); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

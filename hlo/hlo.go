// Package hlo reads the optimised HLO text XLA writes when asked to
// (XLA_FLAGS=--xla_dump_to=DIR --xla_dump_hlo_as_text) and counts the
// kernels of a time loop's step: the instructions XLA runs one by one
// inside the while loop's body and condition (fusions, custom calls,
// copies, scatters …), leaving out those that run nothing (parameters,
// constants, tuples, tuple elements, bitcasts).
//
// On XLA's CPU runtime each such kernel has a fixed cost of about a
// microsecond whatever its size, so at the sizes most networks have the
// kernel count, not the arithmetic, sets a step's time: the count is
// asserted in tests so that a change that adds kernels is seen.
package hlo

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// Kernel is one instruction that runs as a kernel.
type Kernel struct {
	// Name is the instruction's name, e.g. "%wrapped_scatter".
	Name string
	// Op is its opcode ("fusion", "custom-call", "copy" …) and, for a
	// custom call, its target, e.g. "custom-call TopK".
	Op string
	// Shape is its result shape, e.g. "f32[4000]{0}".
	Shape string
}

// Loop is the kernels of a while loop: of its body and of its condition.
type Loop struct {
	Body, Condition []Kernel
}

// Count is the number of kernels one iteration runs.
func (l Loop) Count() int { return len(l.Body) + len(l.Condition) }

// String lists the kernels, one per line, body first.
func (l Loop) String() string {
	var sb strings.Builder
	for _, part := range []struct {
		what string
		ks   []Kernel
	}{{"body", l.Body}, {"condition", l.Condition}} {
		for _, k := range part.ks {
			fmt.Fprintf(&sb, "%s: %s = %s %s\n", part.what, k.Name, k.Shape, k.Op)
		}
	}
	return sb.String()
}

var (
	whileRe  = regexp.MustCompile(`\bwhile\(.*\bcondition=(%[^\s,]+), body=(%[^\s,]+)`)
	instrRe  = regexp.MustCompile(`^\s*(?:ROOT\s+)?(%\S+)\s*=\s*(.*?)\s([a-z][a-z0-9-]*)\(`)
	targetRe = regexp.MustCompile(`custom_call_target="([^"]+)"`)
)

// free are the opcodes that run no kernel.
var free = map[string]bool{"parameter": true, "constant": true, "get-tuple-element": true, "tuple": true, "bitcast": true}

// WhileLoop finds the first while loop of the entry computation of an
// optimised HLO module (text) and returns its kernels.
func WhileLoop(module string) (Loop, error) {
	comps := computations(module)
	entry := ""
	for name, body := range comps {
		if strings.HasPrefix(name, "ENTRY ") {
			entry = body
		}
	}
	if entry == "" {
		return Loop{}, fmt.Errorf("hlo: the module has no ENTRY computation")
	}
	m := whileRe.FindStringSubmatch(entry)
	if m == nil {
		return Loop{}, fmt.Errorf("hlo: the entry computation has no while loop")
	}
	var l Loop
	for _, part := range []struct {
		name string
		dst  *[]Kernel
	}{{m[1], &l.Condition}, {m[2], &l.Body}} {
		text, ok := comps[part.name]
		if !ok {
			return Loop{}, fmt.Errorf("hlo: the while loop's computation %s is not in the module", part.name)
		}
		*part.dst = kernels(text)
	}
	return l, nil
}

// computations splits a module's text into its computations, by name
// ("%name", or "ENTRY %name" for the entry), each with its lines.
func computations(module string) map[string]string {
	out := map[string]string{}
	name, body := "", []string(nil)
	for _, line := range strings.Split(module, "\n") {
		switch {
		case name == "" && strings.HasSuffix(line, "{") && (strings.HasPrefix(line, "%") || strings.HasPrefix(line, "ENTRY ")):
			name = strings.Fields(line)[0]
			if name == "ENTRY" {
				name = "ENTRY " + strings.Fields(line)[1]
			}
			body = nil
		case name != "" && line == "}":
			out[name] = strings.Join(body, "\n")
			if strings.HasPrefix(name, "ENTRY ") { // also reachable by its own name
				out[strings.TrimPrefix(name, "ENTRY ")] = out[name]
			}
			name = ""
		case name != "":
			body = append(body, line)
		}
	}
	return out
}

// kernels lists the instructions of a computation that run as kernels.
func kernels(text string) []Kernel {
	var out []Kernel
	for _, line := range strings.Split(text, "\n") {
		m := instrRe.FindStringSubmatch(line)
		if m == nil || free[m[3]] {
			continue
		}
		k := Kernel{Name: m[1], Shape: strings.TrimSpace(m[2]), Op: m[3]}
		if t := targetRe.FindStringSubmatch(line); t != nil {
			k.Op += " " + t[1]
		}
		out = append(out, k)
	}
	return out
}

// DumpedModule reads the optimised HLO text XLA dumped into dir for the
// module named name (files "module_*.<name>.cpu_after_optimizations.txt"
// or the GPU's equivalent); exactly one must match.
func DumpedModule(dir, name string) (string, error) {
	matches, err := filepath.Glob(filepath.Join(dir, "module_*."+name+".*after_optimizations.txt"))
	if err != nil {
		return "", err
	}
	sort.Strings(matches)
	if len(matches) != 1 {
		return "", fmt.Errorf("hlo: expected one optimised module %q in %s, found %d", name, dir, len(matches))
	}
	b, err := os.ReadFile(matches[0])
	return string(b), err
}

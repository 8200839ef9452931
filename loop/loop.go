// Package loop writes the StableHLO module that runs a simulation's time
// loop inside one executable. It takes the program text of one traced step
// (what GoMLX produces for emit.Body) and wraps it, renamed to a
// private function @step, in a stablehlo.while whose carry holds the step
// counter, the step's carried values and one buffer per recorded row, so that
// XLA sees the loop and the executable's size does not depend on how many
// steps it runs.
//
// The step function's signature is
//
//	@step(carried_0 … carried_{c-1}, invariant_0 … invariant_{k-1})
//	  -> (carried'_0 … carried'_{c-1}, stop: tensor<i1>, row_0 … row_{m-1})
//
// where every row_j is a rank-1 tensor written into row i of a
// [Rows, len(row_j)] buffer at iteration i. The module's entry is
//
//	@main(carried…, invariant…, n: tensor<i32>)
//	  -> (carried…, steps: tensor<i32>, buffer_0 … buffer_{m-1})
//
// It runs the step until n steps are done or a step returns stop = true (that
// step's results are kept: stop marks the last step whose carried values are
// valid, not a step to discard), and returns the number of steps done. n must
// be in [0, Rows]; rows from steps onwards are zero.
//
// With Spec.Compact the loop also builds an events row from spike keys the
// step returns, with XLA's top-k (see Compaction): the step then returns,
// after stop, one key per block, and the row becomes the first record.
//
// This package only writes text; it knows nothing of neurons or of PJRT.
package loop

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Spec describes the step function a loop wraps.
type Spec struct {
	// Name is the module's name (letters, digits and underscores).
	Name string
	// Carried is the number of leading step inputs that the step updates and
	// returns first, in the same order and with the same types.
	Carried int
	// Invariant is the number of step inputs after the carried ones that
	// every iteration receives unchanged (constants).
	Invariant int
	// Rows is the number of rows of every record buffer: the most steps one
	// call may run.
	Rows int
	// Compact, when set, has the loop build the events row from the keys
	// the step returns (see Compaction).
	Compact *Compaction
	// Computed are step inputs the loop computes before each step with a
	// custom call (see Computed): the step takes them after its carried
	// and invariant inputs, in order.
	Computed []Computed
}

// Signature is the parsed signature of a step function.
type Signature struct {
	// Args and Results are the MLIR types of the inputs and outputs,
	// e.g. "tensor<3200xf32>".
	Args, Results []string
}

var (
	mainRe   = regexp.MustCompile(`(?m)^(\s*)func\.func @main\(`)
	argTypes = regexp.MustCompile(`%[A-Za-z0-9_]+: (tensor<[^>]*>)`)
	tensorRe = regexp.MustCompile(`tensor<[^>]*>`)
	nameRe   = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	// elemRe splits a rank-1 tensor type into its length and element type.
	elemRe = regexp.MustCompile(`^tensor<(\d+)x([a-z0-9]+)>$`)
)

// ParseSignature reads the signature of the @main function of a module.
func ParseSignature(module string) (Signature, error) {
	loc := mainRe.FindStringIndex(module)
	if loc == nil {
		return Signature{}, fmt.Errorf("loop: the step module has no func.func @main")
	}
	line := module[loc[0]:]
	if i := strings.IndexByte(line, '\n'); i >= 0 {
		line = line[:i]
	}
	args, results, ok := strings.Cut(line, ") -> ")
	if !ok {
		return Signature{}, fmt.Errorf("loop: cannot read the results of @main: %.200s", line)
	}
	var sig Signature
	for _, m := range argTypes.FindAllStringSubmatch(args, -1) {
		sig.Args = append(sig.Args, m[1])
	}
	results = strings.TrimSuffix(strings.TrimSpace(results), "{")
	sig.Results = tensorRe.FindAllString(results, -1)
	if len(sig.Results) == 0 {
		return Signature{}, fmt.Errorf("loop: @main has no tensor results: %.200s", line)
	}
	return sig, nil
}

// Module wraps a step module (see the package documentation) into the
// looping module.
func Module(step string, spec Spec) (string, error) {
	if !nameRe.MatchString(spec.Name) {
		return "", fmt.Errorf("loop: module name %q must be letters, digits and underscores", spec.Name)
	}
	if spec.Rows < 1 {
		return "", fmt.Errorf("loop: rows per call must be ≥ 1, got %d", spec.Rows)
	}
	sig, err := ParseSignature(step)
	if err != nil {
		return "", err
	}
	c, k, nc := spec.Carried, spec.Invariant, len(spec.Computed)
	if c < 0 || k < 0 || c+k+nc != len(sig.Args) {
		return "", fmt.Errorf("loop: %d carried + %d invariant + %d computed inputs, but the step takes %d", c, k, nc, len(sig.Args))
	}
	var manuals strings.Builder
	fns := make([]manualTypes, len(spec.Computed))
	for j, cc := range spec.Computed {
		if err := cc.check(c + k); err != nil {
			return "", fmt.Errorf("loop: computed input %d: %w", j, err)
		}
		if cc.Manual != nil {
			text, fn, err := cc.prepare(j, sig.Args[:c+k], sig.Args[c+k+j])
			if err != nil {
				return "", fmt.Errorf("loop: computed input %d: %w", j, err)
			}
			manuals.WriteString(text)
			fns[j] = fn
		}
	}
	if len(sig.Results) < c+1 {
		return "", fmt.Errorf("loop: the step returns %d results, expected at least %d (carried, then stop)", len(sig.Results), c+1)
	}
	for i := range c {
		if sig.Args[i] != sig.Results[i] {
			return "", fmt.Errorf("loop: carried value %d enters as %s and leaves as %s", i, sig.Args[i], sig.Results[i])
		}
	}
	if sig.Results[c] != "tensor<i1>" {
		return "", fmt.Errorf("loop: step result %d (stop) is %s, expected tensor<i1>", c, sig.Results[c])
	}
	nKeys := 0
	var rows []string
	if cp := spec.Compact; cp != nil {
		nKeys = len(cp.Blocks)
		if nKeys == 0 || cp.Row < 0 || cp.Row >= c {
			return "", fmt.Errorf("loop: compaction needs blocks and a carried events row, got %d blocks and row %d of %d carried", nKeys, cp.Row, c)
		}
		if want := fmt.Sprintf("tensor<%dxi32>", cp.Width()); sig.Args[cp.Row] != want {
			return "", fmt.Errorf("loop: the carried events row is %s, expected %s", sig.Args[cp.Row], want)
		}
		if len(sig.Results) < c+1+nKeys {
			return "", fmt.Errorf("loop: the step returns %d results, expected at least %d (carried, stop, %d keys)", len(sig.Results), c+1+nKeys, nKeys)
		}
		if kt := cp.keyType(); kt != "f32" && (kt != "ui8" || cp.Target == "") {
			return "", fmt.Errorf("loop: keys of type %s need a custom compaction that takes them (top-k takes f32)", kt)
		}
		for j, b := range cp.Blocks {
			if b.Capacity < 1 || b.Capacity > b.Size {
				return "", fmt.Errorf("loop: block %d has capacity %d, expected 1 to its size %d", j, b.Capacity, b.Size)
			}
			if want, got := fmt.Sprintf("tensor<%dx%s>", b.Size, cp.keyType()), sig.Results[c+1+j]; got != want {
				return "", fmt.Errorf("loop: key %d is %s, expected %s", j, got, want)
			}
		}
		rows = append(rows, sig.Args[cp.Row])
	}
	rows = append(rows, sig.Results[c+1+nKeys:]...)
	buffers := make([]string, len(rows))
	zeros := make([]string, len(rows))
	for j, r := range rows {
		m := elemRe.FindStringSubmatch(r)
		if m == nil {
			return "", fmt.Errorf("loop: recorded row %d is %s, expected a rank-1 tensor", j, r)
		}
		buffers[j] = fmt.Sprintf("tensor<%dx%sx%s>", spec.Rows, m[1], m[2])
		zeros[j] = zeroLiteral(m[2])
		if zeros[j] == "" {
			return "", fmt.Errorf("loop: recorded row %d has element type %s, expected an integer or float type", j, m[2])
		}
	}
	body, err := privateStep(step)
	if err != nil {
		return "", err
	}

	const i32, i1 = "tensor<i32>", "tensor<i1>"
	// The while carry: counter, stop flag, n, carried, invariant, buffers.
	var carry []string
	carry = append(carry, i32, i1, i32)
	carry = append(carry, sig.Args[:c+k]...)
	carry = append(carry, buffers...)
	nCarry := len(carry)
	argAt := func(prefix string, from, n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprintf("%%%s%d", prefix, from+i)
		}
		return out
	}
	typed := func(names, types []string) string {
		parts := make([]string, len(names))
		for i := range names {
			parts[i] = names[i] + ": " + types[i]
		}
		return strings.Join(parts, ", ")
	}

	var b strings.Builder
	w := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	w("module @%s {\n", spec.Name)
	b.WriteString(body)
	b.WriteString(manuals.String())
	// @main.
	mainArgs := argAt("in", 0, c+k)
	mainTypes := append(append([]string(nil), sig.Args[:c+k]...), i32)
	mainNames := append(append([]string(nil), mainArgs...), "%n")
	outTypes := append(append(append([]string(nil), sig.Args[:c]...), i32), buffers...)
	// Carried input i may share its buffer with output i when the caller
	// donates it (PJRT copies when it does not).
	mainTyped := make([]string, len(mainNames))
	for i := range mainNames {
		mainTyped[i] = mainNames[i] + ": " + mainTypes[i]
		if i < c {
			mainTyped[i] += fmt.Sprintf(" {tf.aliasing_output = %d : i32}", i)
		}
	}
	w("  func.func @main(%s) -> (%s) {\n", strings.Join(mainTyped, ", "), strings.Join(outTypes, ", "))
	w("    %%zero = \"stablehlo.constant\"() { value = dense<0> : tensor<i32> } : () -> tensor<i32>\n")
	w("    %%one = \"stablehlo.constant\"() { value = dense<1> : tensor<i32> } : () -> tensor<i32>\n")
	w("    %%go = \"stablehlo.constant\"() { value = dense<false> : tensor<i1> } : () -> tensor<i1>\n")
	init := []string{"%zero", "%go", "%n"}
	init = append(init, mainArgs...)
	for j := range rows {
		w("    %%buf%d = \"stablehlo.constant\"() { value = dense<%s> : %s } : () -> %s\n", j, zeros[j], buffers[j], buffers[j])
		init = append(init, fmt.Sprintf("%%buf%d", j))
	}
	carryList := strings.Join(carry, ", ")
	w("    %%w:%d = \"stablehlo.while\"(%s) ({\n", nCarry, strings.Join(init, ", "))
	// Condition: counter < n and not stopped.
	cond := argAt("c", 0, nCarry)
	w("    ^bb0(%s):\n", typed(cond, carry))
	w("      %%lt = \"stablehlo.compare\"(%s, %s) {\n", cond[0], cond[2])
	w("        compare_type = #stablehlo<comparison_type SIGNED>,\n")
	w("        comparison_direction = #stablehlo<comparison_direction LT>\n")
	w("      } : (tensor<i32>, tensor<i32>) -> tensor<i1>\n")
	w("      %%running = \"stablehlo.not\"(%s) : (tensor<i1>) -> tensor<i1>\n", cond[1])
	w("      %%more = \"stablehlo.and\"(%%lt, %%running) : (tensor<i1>, tensor<i1>) -> tensor<i1>\n")
	more := "%more"
	if cp := spec.Compact; cp != nil {
		within := writeWithin(w, cp, cond[3+cp.Row])
		w("      %%go_on = \"stablehlo.and\"(%%more, %s) : (tensor<i1>, tensor<i1>) -> tensor<i1>\n", within)
		more = "%go_on"
	}
	w("      \"stablehlo.return\"(%s) : (tensor<i1>) -> ()\n", more)
	w("    }, {\n")
	// Body: one step, its rows written at the counter.
	ba := argAt("b", 0, nCarry)
	w("    ^bb0(%s):\n", typed(ba, carry))
	stepIn := slices.Clone(ba[3 : 3+c+k])
	for j, cc := range spec.Computed {
		stepIn = append(stepIn, cc.write(w, j, stepIn[:c+k], sig.Args[:c+k], sig.Args[c+k+j], fns[j]))
	}
	w("      %%s:%d = func.call @step(%s) : (%s) -> (%s)\n", len(sig.Results), strings.Join(stepIn, ", "),
		strings.Join(sig.Args, ", "), strings.Join(sig.Results, ", "))
	stop := fmt.Sprintf("%%s#%d", c)
	carriedOut := make([]string, c)
	for i := range c {
		carriedOut[i] = fmt.Sprintf("%%s#%d", i)
	}
	rowNames := make([]string, 0, len(rows))
	if cp := spec.Compact; cp != nil {
		keys := make([]string, nKeys)
		for j := range keys {
			keys[j] = fmt.Sprintf("%%s#%d", c+1+j)
		}
		row := writeCompaction(w, cp, keys)
		carriedOut[cp.Row] = row
		rowNames = append(rowNames, row)
	}
	for j := c + 1 + nKeys; j < len(sig.Results); j++ {
		rowNames = append(rowNames, fmt.Sprintf("%%s#%d", j))
	}
	next := []string{"%next", stop, ba[2]}
	w("      %%next = \"stablehlo.add\"(%s, %%one) : (tensor<i32>, tensor<i32>) -> tensor<i32>\n", ba[0])
	next = append(next, carriedOut...)
	next = append(next, ba[3+c:3+c+k]...)
	for j, r := range rows {
		m := elemRe.FindStringSubmatch(r)
		one := fmt.Sprintf("tensor<1x%sx%s>", m[1], m[2])
		w("      %%row%d = \"stablehlo.reshape\"(%s) : (%s) -> %s\n", j, rowNames[j], r, one)
		w("      %%put%d = \"stablehlo.dynamic_update_slice\"(%s, %%row%d, %s, %%zero) : (%s, %s, tensor<i32>, tensor<i32>) -> %s\n",
			j, ba[3+c+k+j], j, ba[0], buffers[j], one, buffers[j])
		next = append(next, fmt.Sprintf("%%put%d", j))
	}
	w("      \"stablehlo.return\"(%s) : (%s) -> ()\n", strings.Join(next, ", "), carryList)
	w("    }) : (%s) -> (%s)\n", carryList, carryList)
	var ret []string
	for i := range c {
		ret = append(ret, fmt.Sprintf("%%w#%d", 3+i))
	}
	ret = append(ret, "%w#0")
	for j := range rows {
		ret = append(ret, fmt.Sprintf("%%w#%d", 3+c+k+j))
	}
	w("    \"func.return\"(%s) : (%s) -> ()\n", strings.Join(ret, ", "), strings.Join(outTypes, ", "))
	w("  }\n}\n")
	return b.String(), nil
}

// privateStep returns the functions of a step module without the module
// line and its closing brace, with @main renamed to a private @step.
func privateStep(module string) (string, error) {
	open := strings.IndexByte(module, '{')
	close := strings.LastIndexByte(module, '}')
	if !strings.HasPrefix(strings.TrimSpace(module), "module") || open < 0 || close <= open {
		return "", fmt.Errorf("loop: the step text is not a module { … }")
	}
	inner := module[open+1 : close]
	inner = mainRe.ReplaceAllString(inner, "${1}func.func private @step(")
	if strings.Contains(inner, "@main") {
		return "", fmt.Errorf("loop: the step module refers to @main besides defining it")
	}
	return strings.Trim(inner, "\n") + "\n", nil
}

// zeroLiteral is the dense literal of zero for an MLIR element type, or ""
// for a type that has none here.
func zeroLiteral(elem string) string {
	switch {
	case strings.HasPrefix(elem, "i") || strings.HasPrefix(elem, "ui"):
		if _, err := strconv.Atoi(strings.TrimLeft(elem, "ui")); err == nil {
			return "0"
		}
	case elem == "f16" || elem == "bf16" || elem == "f32" || elem == "f64":
		return "0.000000e+00"
	}
	return ""
}

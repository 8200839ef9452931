package loop

import (
	"fmt"
	"strings"
)

// Computed is a step input that the loop computes in each iteration,
// before the step: with a typed-FFI custom call (api_version 4), an XLA
// FFI handler the runtime registered under Target (e.g. package cpuops's
// event operators), or, with Manual, with a function run on every device
// apart. A custom call's operands are Meta, when given, as a constant
// tensor<len(Meta) x i32>, then the step inputs Args (indices among the
// carried and invariant inputs: their values in this iteration); a
// Manual's are the Args. The one result has the type of the step input it
// becomes.
type Computed struct {
	// Target is the handler's registered name ("" with Manual).
	Target string
	// Meta are integer parameters passed as the first operand (nil: none).
	Meta []int32
	// Args are the operands after Meta, as step input indices.
	Args []int
	// Manual, when set, computes the input device by device instead of
	// with a custom call.
	Manual *Manual
}

// check validates c against n carried and invariant inputs.
func (c Computed) check(n int) error {
	if c.Manual != nil {
		if c.Target != "" || c.Meta != nil {
			return fmt.Errorf("a manual computation takes no custom-call target or meta")
		}
		if len(c.Manual.Split) != len(c.Args) {
			return fmt.Errorf("%d split axes for %d operands", len(c.Manual.Split), len(c.Args))
		}
	} else if !nameRe.MatchString(c.Target) {
		return fmt.Errorf("target %q must be letters, digits and underscores", c.Target)
	}
	for _, a := range c.Args {
		if a < 0 || a >= n {
			return fmt.Errorf("operand %d is not among the %d carried and invariant inputs", a, n)
		}
	}
	return nil
}

// write writes the custom call (or manual computation, of function
// types fn) of the j-th computed input from the step inputs in (of types
// types) and returns its result's name.
func (c Computed) write(w func(string, ...any), j int, in, types []string, result string, fn manualTypes) string {
	var ops, opTypes []string
	for _, a := range c.Args {
		ops, opTypes = append(ops, in[a]), append(opTypes, types[a])
	}
	name := fmt.Sprintf("%%cc%d", j)
	if c.Manual != nil {
		writeManual(w, name, j, ops, opTypes, c.Manual.Split, fn.args, fn.result, result, c.Manual.ResultAxis, c.Manual.Target, c.Manual.Meta)
		return name
	}
	writeMetaCall(w, name, c.Target, c.Meta, ops, opTypes, result)
	return name
}

// writeMetaCall writes name = a typed-FFI custom call of target on ops (of
// types types), preceded, when meta is given, by meta as a constant
// tensor<len(meta) x i32> operand (named name_meta).
func writeMetaCall(w func(string, ...any), name, target string, meta []int32, ops, types []string, result string) {
	if len(meta) > 0 {
		vals := make([]string, len(meta))
		for i, m := range meta {
			vals[i] = fmt.Sprint(m)
		}
		mt := fmt.Sprintf("tensor<%dxi32>", len(meta))
		w("      %s_meta = \"stablehlo.constant\"() { value = dense<[%s]> : %s } : () -> %s\n", name, strings.Join(vals, ", "), mt, mt)
		ops, types = append([]string{name + "_meta"}, ops...), append([]string{mt}, types...)
	}
	writeCustomCall(w, name, target, ops, types, result)
}

// writeCustomCall writes name = a typed-FFI custom call of target.
func writeCustomCall(w func(string, ...any), name, target string, ops, types []string, result string) {
	w("      %s = \"stablehlo.custom_call\"(%s) { call_target_name = %q, api_version = 4 : i32 } : (%s) -> %s\n",
		name, strings.Join(ops, ", "), target, strings.Join(types, ", "), result)
}

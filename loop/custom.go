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
	if c.Manual != nil {
		for _, a := range c.Args {
			ops, opTypes = append(ops, in[a]), append(opTypes, types[a])
		}
		name := fmt.Sprintf("%%cc%d", j)
		writeManual(w, name, j, ops, opTypes, c.Manual.Split, fn.args, fn.result, result, c.Manual.ResultAxis, c.Manual.Target, c.Manual.Meta)
		return name
	}
	if len(c.Meta) > 0 {
		vals := make([]string, len(c.Meta))
		for i, m := range c.Meta {
			vals[i] = fmt.Sprint(m)
		}
		mt := fmt.Sprintf("tensor<%dxi32>", len(c.Meta))
		w("      %%cc%d_meta = \"stablehlo.constant\"() { value = dense<[%s]> : %s } : () -> %s\n", j, strings.Join(vals, ", "), mt, mt)
		ops, opTypes = append(ops, fmt.Sprintf("%%cc%d_meta", j)), append(opTypes, mt)
	}
	for _, a := range c.Args {
		ops, opTypes = append(ops, in[a]), append(opTypes, types[a])
	}
	name := fmt.Sprintf("%%cc%d", j)
	writeCustomCall(w, name, c.Target, ops, opTypes, result)
	return name
}

// writeCustomCall writes name = a typed-FFI custom call of target.
func writeCustomCall(w func(string, ...any), name, target string, ops, types []string, result string) {
	w("      %s = \"stablehlo.custom_call\"(%s) { call_target_name = %q, api_version = 4 : i32 } : (%s) -> %s\n",
		name, strings.Join(ops, ", "), target, strings.Join(types, ", "), result)
}

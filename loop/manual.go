package loop

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Manual computes a step input on every device of the mesh separately
// (Shardy's sdy.manual_computation, what JAX calls shard_map): each device
// runs Text's @main on its own share of the operands and returns its own
// share of the result, with no exchange between devices. A module with a
// Manual input refers to the mesh @brainc_mesh that Shard declares: it
// runs only sharded.
type Manual struct {
	// Text is a module (what GoMLX produces for one function) whose @main
	// takes one device's share of each operand and returns its share of
	// the result.
	Text string
	// Target, in place of Text, is a typed-FFI custom call (as
	// Computed.Target) run on each device's shares: its operands are Meta,
	// when given, then the operands' shares; its result is the result's
	// share.
	Target string
	// Meta are the custom call's integer parameters, passed first as a
	// constant tensor<len(Meta) x i32> (nil: none).
	Meta []int32
	// Devices is the number of devices, with Target (the shares' types
	// follow from it; with Text, the function's types give them).
	Devices int
	// Split gives, per operand (Computed.Args), the axis it is split along
	// across the devices, or -1 for an operand whole on every device.
	Split []int
	// ResultAxis is the axis the result is split along (0 by default).
	ResultAxis int
}

// funcRe finds the functions a module defines.
var funcRe = regexp.MustCompile(`(?m)^\s*func\.func (?:private )?@([A-Za-z0-9_.$-]+)\(`)

// manualFunc is the function of computed input j's Manual in the looping
// module.
func manualFunc(j int) string { return fmt.Sprintf("manual_%d", j) }

// body returns m's functions as private ones of the looping module, @main
// renamed to name, and the types of its operands and result on one device.
func (m *Manual) body(name string) (text string, args []string, result string, err error) {
	sig, err := ParseSignature(m.Text)
	if err != nil {
		return "", nil, "", err
	}
	if len(sig.Results) != 1 {
		return "", nil, "", fmt.Errorf("its function returns %d results, expected 1", len(sig.Results))
	}
	for _, f := range funcRe.FindAllStringSubmatch(m.Text, -1) {
		if f[1] != "main" {
			return "", nil, "", fmt.Errorf("its module defines @%s besides @main", f[1])
		}
	}
	open := strings.IndexByte(m.Text, '{')
	close := strings.LastIndexByte(m.Text, '}')
	if !strings.HasPrefix(strings.TrimSpace(m.Text), "module") || open < 0 || close <= open {
		return "", nil, "", fmt.Errorf("its text is not a module { … }")
	}
	inner := mainRe.ReplaceAllString(m.Text[open+1:close], "${1}func.func private @"+name+"(")
	return strings.Trim(inner, "\n") + "\n", sig.Args, sig.Results[0], nil
}

// manualTypes are a Manual function's types on one device.
type manualTypes struct {
	args   []string
	result string
}

// prepare checks computed input j's Manual against the step's input
// types types (carried and invariant) and the type result it gives, and
// returns its function's text for the looping module and its types.
func (c Computed) prepare(j int, types []string, result string) (string, manualTypes, error) {
	global := make([]string, len(c.Args))
	for i, a := range c.Args {
		global[i] = types[a]
	}
	m := c.Manual
	if m.Target != "" {
		if !nameRe.MatchString(m.Target) || m.Text != "" || m.Devices < 2 {
			return "", manualTypes{}, fmt.Errorf("a manual custom call needs a target of letters, digits and underscores, no text and at least 2 devices, got %q, %d devices", m.Target, m.Devices)
		}
		local := make([]string, len(global))
		for i, g := range global {
			if local[i] = share(g, m.Split[i], m.Devices); local[i] == "" {
				return "", manualTypes{}, fmt.Errorf("operand %d is %s: its axis %d does not divide by %d devices", i, g, m.Split[i], m.Devices)
			}
		}
		lres := share(result, m.ResultAxis, m.Devices)
		if lres == "" {
			return "", manualTypes{}, fmt.Errorf("the result is %s: its axis %d does not divide by %d devices", result, m.ResultAxis, m.Devices)
		}
		return "", manualTypes{local, lres}, nil
	}
	text, local, lres, err := m.body(manualFunc(j))
	if err != nil {
		return "", manualTypes{}, err
	}
	if err := checkShares(global, local, c.Manual.Split, result, lres, c.Manual.ResultAxis); err != nil {
		return "", manualTypes{}, err
	}
	return text, manualTypes{local, lres}, nil
}

// share is the type of one device's share of an array of type typ split
// along axis across devices (typ itself for axis -1), or "" when that
// axis does not divide.
func share(typ string, axis, devices int) string {
	if axis < 0 {
		return typ
	}
	d := dims(typ)
	var n int
	if axis >= len(d) {
		return ""
	}
	if _, err := fmt.Sscan(d[axis], &n); err != nil || n%devices != 0 {
		return ""
	}
	d[axis] = fmt.Sprint(n / devices)
	elem := typ[strings.LastIndexByte(typ, 'x')+1 : len(typ)-1]
	return "tensor<" + strings.Join(append(d, elem), "x") + ">"
}

// dims reads the dimensions of a tensor type ("tensor<4x8xf32>": 4, 8).
func dims(typ string) []string {
	parts := strings.Split(strings.TrimSuffix(strings.TrimPrefix(typ, "tensor<"), ">"), "x")
	return parts[:len(parts)-1]
}

// meshSharding is the Shardy sharding, in a manual computation's list, of
// an array of the given rank split along axis (-1: whole).
func meshSharding(rank, axis int) string {
	axes := slices.Repeat([]string{"{}"}, rank)
	if axis >= 0 {
		axes[axis] = `{"x"}`
	}
	return "<@brainc_mesh, [" + strings.Join(axes, ", ") + "]>"
}

// checkShares checks that each local type is its global type with the
// split axis divided by one device count, the same for every split
// operand and the result (split along resultAxis).
func checkShares(global, local []string, split []int, gResult, lResult string, resultAxis int) error {
	devices := 0
	check := func(what, g, l string, axis int) error {
		gd, ld := dims(g), dims(l)
		if len(gd) != len(ld) || (axis >= 0 && axis >= len(gd)) {
			return fmt.Errorf("%s is %s on one device, %s on all of them: not a share along axis %d", what, l, g, axis)
		}
		for i := range gd {
			if i == axis {
				var gn, ln int
				fmt.Sscan(gd[i], &gn) //nolint:errcheck // digits, by the type pattern
				fmt.Sscan(ld[i], &ln) //nolint:errcheck
				if ln < 1 || gn%ln != 0 || (devices > 0 && gn/ln != devices) {
					return fmt.Errorf("%s is %s on one device, %s on all of them: not one device's share", what, l, g)
				}
				devices = gn / ln
			} else if gd[i] != ld[i] {
				return fmt.Errorf("%s is %s on one device, %s on all of them", what, l, g)
			}
		}
		if g[strings.LastIndexByte(g, 'x')+1:] != l[strings.LastIndexByte(l, 'x')+1:] {
			return fmt.Errorf("%s is %s on one device, %s on all of them: element types differ", what, l, g)
		}
		return nil
	}
	if err := check("the result", gResult, lResult, resultAxis); err != nil {
		return err
	}
	if len(split) != len(global) || len(local) != len(global) {
		return fmt.Errorf("%d operands, %d split axes and a function of %d arguments", len(global), len(split), len(local))
	}
	for i := range global {
		if err := check(fmt.Sprintf("operand %d", i), global[i], local[i], split[i]); err != nil {
			return err
		}
	}
	return nil
}

// writeManual writes name = computed input j's manual computation of the
// operands ops (of global types types) and result type result: a call of
// its function, or of the custom call target (with meta) when given.
func writeManual(w func(string, ...any), name string, j int, ops, types []string, split []int, local []string, localResult, result string, resultAxis int,
	target string, meta []int32) {
	ins := make([]string, len(ops))
	params := make([]string, len(ops))
	args := make([]string, len(ops))
	for i := range ops {
		ins[i] = meshSharding(len(dims(types[i])), split[i])
		args[i] = fmt.Sprintf("%%m%d_%d", j, i)
		params[i] = args[i] + ": " + local[i]
	}
	w("      %s = sdy.manual_computation(%s) in_shardings=[%s] out_shardings=[%s] manual_axes={\"x\"} (%s) {\n",
		name, strings.Join(ops, ", "), strings.Join(ins, ", "), meshSharding(len(dims(result)), resultAxis), strings.Join(params, ", "))
	if target != "" {
		writeMetaCall(w, fmt.Sprintf("%%m%d", j), target, meta, args, local, localResult)
	} else {
		w("        %%m%d = func.call @%s(%s) : (%s) -> %s\n", j, manualFunc(j), strings.Join(args, ", "), strings.Join(local, ", "), localResult)
	}
	w("        sdy.return %%m%d : %s\n", j, localResult)
	w("      } : (%s) -> %s\n", strings.Join(types, ", "), result)
}

package loop

import (
	"fmt"
	"regexp"
	"strings"
)

// BPTT describes the three traced functions a training module joins (see
// GradModule) and how their values line up.
//
// The step advances the carried values (the simulation state, then the
// readout accumulators) by one time step:
//
//	@step(carried_0 … carried_{c-1}, const_0 … const_{k-1}) -> (carried'_0 … carried'_{c-1})
//
// The vector–Jacobian product of the step takes the adjoints of the new
// carried values that have one (Adjoint, float arrays) and returns theirs
// at the step's start, then the gradient contribution of the step to each
// trained constant (Params):
//
//	@vjp(carried…, const…, adj'_0 … adj'_{a-1}) -> (adj_0 … adj_{a-1}, grad_0 … grad_{p-1})
//
// The loss reads the readout accumulators at the end (Readouts, carried
// positions that all have adjoints), the targets and the number of steps
// run (a float scalar of the loss's type), and returns the loss and its
// gradient with respect to each readout:
//
//	@loss(readout_0 … readout_{r-1}, target_0 … target_{t-1}, steps) -> (loss, dreadout_0 … dreadout_{r-1})
type BPTT struct {
	// Name is the module's name (letters, digits and underscores).
	Name string
	// Carried and Consts count the step's carried values and constants.
	Carried, Consts int
	// Adjoint lists, in order, the carried positions that have adjoints.
	Adjoint []int
	// Readouts lists the carried positions the loss reads, each in Adjoint.
	Readouts []int
	// Targets counts the loss's target arrays.
	Targets int
	// Params counts the gradients the vjp returns after the adjoints.
	Params int
	// Segment is the number of steps between two stored states (k): the
	// backward pass recomputes one segment at a time from its stored state.
	Segment int
	// Segments is the most segments one call may run: the call runs n ≤
	// Segments·Segment steps.
	Segments int
}

// GradModule joins a step, its vector–Jacobian product and a loss (see
// BPTT) into a module whose entry runs a forward time loop and back-
// propagation through it:
//
//	@main(carried…, const…, target…, n: tensor<i32>)
//	  -> (loss, carried_n…, grad_0 … grad_{p-1}, adj_0 … adj_{a-1})
//
// It runs n steps from the carried values, storing them every Segment
// steps (⌈n/Segment⌉ ≤ Segments stored states), takes the loss of the
// readouts after step n, and then walks the segments backwards: each is
// recomputed from its stored state, keeping its Segment states, and the
// vjp is applied to them in reverse order, summing the gradients of the
// constants. It returns the loss, the carried values after n steps, the
// gradients and the adjoints of the initial carried values that have
// them. Memory is O(Segments + Segment) states; nothing depends on n, so
// one compile serves every length up to Segments·Segment. Recomputing a
// segment repeats the forward steps exactly (all but its last step, which
// only the vjp needs), so every Segment gives the same gradients; Segment
// 1 stores every state and recomputes nothing (memory O(n), as an
// unrolled graph's).
func GradModule(step, vjp, loss string, spec BPTT) (string, error) {
	if !nameRe.MatchString(spec.Name) {
		return "", fmt.Errorf("loop: module name %q must be letters, digits and underscores", spec.Name)
	}
	if spec.Segment < 1 || spec.Segments < 1 {
		return "", fmt.Errorf("loop: segment length and count must be ≥ 1, got %d and %d", spec.Segment, spec.Segments)
	}
	if int64(spec.Segment)*int64(spec.Segments) > 1<<30 {
		return "", fmt.Errorf("loop: %d segments of %d steps exceed 2^30 steps", spec.Segments, spec.Segment)
	}
	ss, ls, err := stepAndLoss(step, loss, spec)
	if err != nil {
		return "", err
	}
	vs, err := ParseSignature(vjp)
	if err != nil {
		return "", fmt.Errorf("loop: vjp: %w", err)
	}
	c, k, a, r := spec.Carried, spec.Consts, len(spec.Adjoint), len(spec.Readouts)
	adjType := make([]string, a)
	adjAt := map[int]int{}
	for j, pos := range spec.Adjoint {
		if pos < 0 || pos >= c {
			return "", fmt.Errorf("loop: adjoint %d is carried value %d of %d", j, pos, c)
		}
		if _, dup := adjAt[pos]; dup {
			return "", fmt.Errorf("loop: carried value %d has two adjoints", pos)
		}
		adjAt[pos] = j
		adjType[j] = ss.Args[pos]
	}
	if len(vs.Args) != c+k+a || len(vs.Results) != a+spec.Params {
		return "", fmt.Errorf("loop: the vjp takes %d and returns %d values, expected %d + %d + %d and %d adjoints + %d gradients", len(vs.Args), len(vs.Results), c, k, a, a, spec.Params)
	}
	for i := range c + k {
		if vs.Args[i] != ss.Args[i] {
			return "", fmt.Errorf("loop: vjp argument %d is %s, the step's is %s", i, vs.Args[i], ss.Args[i])
		}
	}
	for j := range a {
		if vs.Args[c+k+j] != adjType[j] || vs.Results[j] != adjType[j] {
			return "", fmt.Errorf("loop: the adjoint of carried value %d is %s in and %s out, expected %s", spec.Adjoint[j], vs.Args[c+k+j], vs.Results[j], adjType[j])
		}
	}
	gradType := vs.Results[a:]
	lossType := ls.Results[0]
	for j, pos := range spec.Readouts {
		if _, ok := adjAt[pos]; !ok {
			return "", fmt.Errorf("loop: readout %d (carried value %d) has no adjoint", j, pos)
		}
	}
	targetType := ls.Args[r : r+spec.Targets]
	carType := ss.Args[:c]
	constType := ss.Args[c : c+k]
	ckType := make([]string, c)  // stored states: [Segments, …]
	segType := make([]string, c) // one segment's states: [Segment, …]
	for i, t := range carType {
		if ckType[i], err = stacked(t, spec.Segments); err != nil {
			return "", fmt.Errorf("loop: carried value %d: %w", i, err)
		}
		segType[i], _ = stacked(t, spec.Segment)
	}
	var funcs strings.Builder
	for _, f := range []struct{ text, name string }{{step, "step"}, {vjp, "vjp"}, {loss, "loss"}} {
		body, err := privateFunc(f.text, f.name)
		if err != nil {
			return "", err
		}
		funcs.WriteString(body)
	}

	w := &writer{}
	const i32, i1 = "tensor<i32>", "tensor<i1>"
	in := func(prefix string, n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprintf("%%%s%d", prefix, i)
		}
		return out
	}
	car0, consts, targets := in("in", c), in("k", k), in("t", spec.Targets)
	var mainArgs []string
	for i, v := range car0 {
		mainArgs = append(mainArgs, v+": "+carType[i])
	}
	for i, v := range consts {
		mainArgs = append(mainArgs, v+": "+constType[i])
	}
	for i, v := range targets {
		mainArgs = append(mainArgs, v+": "+targetType[i])
	}
	mainArgs = append(mainArgs, "%n: tensor<i32>")
	outTypes := append(append(append([]string{lossType}, carType...), gradType...), adjType...)
	w.line("%%zero = \"stablehlo.constant\"() { value = dense<0> : tensor<i32> } : () -> tensor<i32>")
	zero, one, kk := "%zero", w.constant("1", i32), w.constant(fmt.Sprint(spec.Segment), i32)

	// Forward: segment s stores its first state, then runs min(K, n−s·K) steps.
	ck := make([]string, c)
	for i := range ck {
		ck[i] = w.constant(zeroLiteral(elemOf(ckType[i])), ckType[i])
	}
	fwdTypes := concat([]string{i32, i32, i32}, carType, constType, ckType)
	fwd := w.while(concat([]string{zero, zero, "%n"}, car0, consts, ck), fwdTypes,
		func(v []string) string { // s·K < n
			at := w.op("multiply", []string{v[1], kk}, i32)
			return w.compare(at, v[2], "LT")
		},
		func(v []string) []string {
			s, n, cur, cs, bufs := v[1], v[2], v[3:3+c], v[3+c:3+c+k], v[3+c+k:]
			stored := make([]string, c)
			for i := range c {
				stored[i] = w.put(bufs[i], cur[i], s, ckType[i], carType[i])
			}
			steps := w.segmentLen(s, kk, n)
			run := w.while(concat([]string{zero, steps}, cur, cs), concat([]string{i32, i32}, carType, constType),
				func(u []string) string { return w.compare(u[0], u[1], "LT") },
				func(u []string) []string {
					next := w.call("step", concat(u[2:2+c], u[2+c:]), concat(carType, constType), carType)
					return concat([]string{w.op("add", []string{u[0], one}, i32), u[1]}, next, u[2+c:])
				})
			return concat([]string{v[0], w.op("add", []string{s, one}, i32), n}, run[2:2+c], cs, stored)
		})
	segs, final, stored := fwd[1], fwd[3:3+c], fwd[3+c+k:]

	// The loss and its gradient at the readouts.
	readouts := make([]string, r)
	for j, pos := range spec.Readouts {
		readouts[j] = final[pos]
	}
	steps := w.convert("%n", i32, lossType)
	lossOut := w.call("loss", concat(readouts, targets, []string{steps}), concat(ls.Args[:r], targetType, []string{lossType}), ls.Results)
	adj := make([]string, a)
	for j := range a {
		adj[j] = w.constant(zeroLiteral(elemOf(adjType[j])), adjType[j])
	}
	for j, pos := range spec.Readouts {
		adj[adjAt[pos]] = lossOut[1+j]
	}
	grads := make([]string, spec.Params)
	for j := range grads {
		grads[j] = w.constant(zeroLiteral(elemOf(gradType[j])), gradType[j])
	}

	// Backward: segments from the last down, each recomputed then reversed.
	segBufs := make([]string, c)
	for i := range segBufs {
		segBufs[i] = w.constant(zeroLiteral(elemOf(segType[i])), segType[i])
	}
	bwdTypes := concat([]string{i32, i32}, constType, ckType, segType, adjType, gradType)
	bwd := w.while(concat([]string{segs, "%n"}, consts, stored, segBufs, adj, grads), bwdTypes,
		func(v []string) string { return w.compare(v[0], zero, "GT") },
		func(v []string) []string {
			s := w.op("subtract", []string{v[0], one}, i32)
			n := v[1]
			cs := v[2 : 2+k]
			ckb := v[2+k : 2+k+c]
			sb := v[2+k+c : 2+k+2*c]
			ad := v[2+k+2*c : 2+k+2*c+a]
			gr := v[2+k+2*c+a:]
			steps := w.segmentLen(s, kk, n)
			start := make([]string, c)
			for i := range c {
				start[i] = w.take(ckb[i], s, ckType[i], carType[i])
			}
			// Recompute: keep the state before each step of the segment,
			// the stored one first; the segment's last step is the vjp's.
			first := make([]string, c)
			for i := range c {
				first[i] = w.put(sb[i], start[i], zero, segType[i], carType[i])
			}
			re := w.while(concat([]string{one, steps}, start, cs, first), concat([]string{i32, i32}, carType, constType, segType),
				func(u []string) string { return w.compare(u[0], u[1], "LT") },
				func(u []string) []string {
					cur, ucs, ub := u[2:2+c], u[2+c:2+c+k], u[2+c+k:]
					next := w.call("step", concat(cur, ucs), concat(carType, constType), carType)
					kept := make([]string, c)
					for i := range c {
						kept[i] = w.put(ub[i], next[i], u[0], segType[i], carType[i])
					}
					return concat([]string{w.op("add", []string{u[0], one}, i32), u[1]}, next, ucs, kept)
				})
			kept := re[2+c+k:]
			// Reverse: the vjp of each step, last first.
			rev := w.while(concat([]string{steps}, cs, kept, ad, gr), concat([]string{i32}, constType, segType, adjType, gradType),
				func(u []string) string { return w.compare(u[0], zero, "GT") },
				func(u []string) []string {
					j := w.op("subtract", []string{u[0], one}, i32)
					ucs, ub, uad, ugr := u[1:1+k], u[1+k:1+k+c], u[1+k+c:1+k+c+a], u[1+k+c+a:]
					cur := make([]string, c)
					for i := range c {
						cur[i] = w.take(ub[i], j, segType[i], carType[i])
					}
					out := w.call("vjp", concat(cur, ucs, uad), vs.Args, vs.Results)
					sum := make([]string, spec.Params)
					for p := range sum {
						sum[p] = w.op("add", []string{ugr[p], out[a+p]}, gradType[p])
					}
					return concat([]string{j}, ucs, ub, out[:a], sum)
				})
			return concat([]string{s, n}, cs, ckb, rev[1+k:1+k+c], rev[1+k+c:1+k+c+a], rev[1+k+c+a:])
		})
	adjOut, gradOut := bwd[2+k+2*c:2+k+2*c+a], bwd[2+k+2*c+a:]
	ret := concat([]string{lossOut[0]}, final, gradOut, adjOut)
	return w.module(spec.Name, funcs.String(), mainArgs, ret, outTypes), nil
}

// module is the text of a module: the private functions, then @main
// taking args, with the body written so far returning results.
func (w *writer) module(name, funcs string, args, results, types []string) string {
	w.line("\"func.return\"(%s) : (%s) -> ()", strings.Join(results, ", "), strings.Join(types, ", "))
	var b strings.Builder
	fmt.Fprintf(&b, "module @%s {\n", name)
	b.WriteString(funcs)
	fmt.Fprintf(&b, "  func.func @main(%s) -> (%s) {\n", strings.Join(args, ", "), strings.Join(types, ", "))
	b.WriteString(w.b.String())
	b.WriteString("  }\n}\n")
	return b.String()
}

// stepAndLoss parses the step's and the loss's signatures and checks them
// against spec.
func stepAndLoss(step, loss string, spec BPTT) (ss, ls Signature, err error) {
	if ss, err = ParseSignature(step); err != nil {
		return ss, ls, fmt.Errorf("loop: step: %w", err)
	}
	if ls, err = ParseSignature(loss); err != nil {
		return ss, ls, fmt.Errorf("loop: loss: %w", err)
	}
	c, k, r := spec.Carried, spec.Consts, len(spec.Readouts)
	if len(ss.Args) != c+k || len(ss.Results) != c {
		return ss, ls, fmt.Errorf("loop: the step takes %d and returns %d values, expected %d carried + %d constants and %d carried", len(ss.Args), len(ss.Results), c, k, c)
	}
	for i := range c {
		if ss.Args[i] != ss.Results[i] {
			return ss, ls, fmt.Errorf("loop: carried value %d enters the step as %s and leaves as %s", i, ss.Args[i], ss.Results[i])
		}
	}
	if len(ls.Args) != r+spec.Targets+1 || len(ls.Results) != r+1 {
		return ss, ls, fmt.Errorf("loop: the loss takes %d and returns %d values, expected %d readouts + %d targets + steps and loss + %d gradients", len(ls.Args), len(ls.Results), r, spec.Targets, r)
	}
	lossType := ls.Results[0]
	if !scalarFloat.MatchString(lossType) || ls.Args[r+spec.Targets] != lossType {
		return ss, ls, fmt.Errorf("loop: the loss is %s and takes steps as %s, expected one float scalar type", lossType, ls.Args[r+spec.Targets])
	}
	for j, pos := range spec.Readouts {
		if pos < 0 || pos >= c {
			return ss, ls, fmt.Errorf("loop: readout %d is carried value %d of %d", j, pos, c)
		}
		if ls.Args[j] != ss.Args[pos] || ls.Results[1+j] != ss.Args[pos] {
			return ss, ls, fmt.Errorf("loop: the loss takes readout %d as %s and returns its gradient as %s, expected %s", j, ls.Args[j], ls.Results[1+j], ss.Args[pos])
		}
	}
	return ss, ls, nil
}

// LossModule joins a step and a loss (see BPTT; the vjp, Adjoint, Params
// and Segment are not read) into a module whose entry runs the forward
// time loop alone, storing nothing, and takes the loss at its end:
//
//	@main(carried…, const…, target…, n: tensor<i32>) -> (loss, carried_n…)
//
// It is GradModule's forward pass and loss without the backward pass:
// evaluation and prediction at a third of a training step's work.
func LossModule(step, loss string, spec BPTT) (string, error) {
	if !nameRe.MatchString(spec.Name) {
		return "", fmt.Errorf("loop: module name %q must be letters, digits and underscores", spec.Name)
	}
	ss, ls, err := stepAndLoss(step, loss, spec)
	if err != nil {
		return "", err
	}
	c, k, r := spec.Carried, spec.Consts, len(spec.Readouts)
	carType, constType := ss.Args[:c], ss.Args[c:c+k]
	targetType, lossType := ls.Args[r:r+spec.Targets], ls.Results[0]
	var funcs strings.Builder
	for _, f := range []struct{ text, name string }{{step, "step"}, {loss, "loss"}} {
		body, err := privateFunc(f.text, f.name)
		if err != nil {
			return "", err
		}
		funcs.WriteString(body)
	}
	w := &writer{}
	const i32 = "tensor<i32>"
	var mainArgs, car0, consts, targets []string
	for i, t := range carType {
		car0 = append(car0, fmt.Sprintf("%%in%d", i))
		mainArgs = append(mainArgs, car0[i]+": "+t)
	}
	for i, t := range constType {
		consts = append(consts, fmt.Sprintf("%%k%d", i))
		mainArgs = append(mainArgs, consts[i]+": "+t)
	}
	for i, t := range targetType {
		targets = append(targets, fmt.Sprintf("%%t%d", i))
		mainArgs = append(mainArgs, targets[i]+": "+t)
	}
	mainArgs = append(mainArgs, "%n: tensor<i32>")
	w.line("%%zero = \"stablehlo.constant\"() { value = dense<0> : tensor<i32> } : () -> tensor<i32>")
	one := w.constant("1", i32)
	run := w.while(concat([]string{"%zero", "%n"}, car0, consts), concat([]string{i32, i32}, carType, constType),
		func(u []string) string { return w.compare(u[0], u[1], "LT") },
		func(u []string) []string {
			next := w.call("step", concat(u[2:2+c], u[2+c:]), concat(carType, constType), carType)
			return concat([]string{w.op("add", []string{u[0], one}, i32), u[1]}, next, u[2+c:])
		})
	final := run[2 : 2+c]
	readouts := make([]string, r)
	for j, pos := range spec.Readouts {
		readouts[j] = final[pos]
	}
	steps := w.convert("%n", i32, lossType)
	lossOut := w.call("loss", concat(readouts, targets, []string{steps}), concat(ls.Args[:r], targetType, []string{lossType}), ls.Results)
	return w.module(spec.Name, funcs.String(), mainArgs, concat([]string{lossOut[0]}, final), concat([]string{lossType}, carType)), nil
}

// scalarFloat matches a float scalar tensor type.
var scalarFloat = regexp.MustCompile(`^tensor<(f16|bf16|f32|f64)>$`)

// typeRe splits a tensor type into its dimensions ("" for a scalar) and
// element type.
var typeRe = regexp.MustCompile(`^tensor<((?:\d+x)*)([a-z][a-z0-9]*)>$`)

// stacked is the type of n arrays of type t stacked on a new leading axis.
func stacked(t string, n int) (string, error) {
	m := typeRe.FindStringSubmatch(t)
	if m == nil {
		return "", fmt.Errorf("type %s is not a static tensor type", t)
	}
	return fmt.Sprintf("tensor<%dx%s%s>", n, m[1], m[2]), nil
}

// elemOf is a tensor type's element type.
func elemOf(t string) string { return typeRe.FindStringSubmatch(t)[2] }

// dimsOf is a tensor type's dimensions.
func dimsOf(t string) []string {
	d := strings.TrimSuffix(typeRe.FindStringSubmatch(t)[1], "x")
	if d == "" {
		return nil
	}
	return strings.Split(d, "x")
}

// concat joins lists of names or types.
func concat(lists ...[]string) []string {
	var out []string
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

// privateFunc returns the functions of a module without the module line and
// its closing brace, with @main renamed to a private @name; the module must
// define no other function, so the three joined never collide.
func privateFunc(module, name string) (string, error) {
	if n := strings.Count(module, "func.func "); n != 1 {
		return "", fmt.Errorf("loop: the %s module defines %d functions, expected 1", name, n)
	}
	open := strings.IndexByte(module, '{')
	close := strings.LastIndexByte(module, '}')
	if !strings.HasPrefix(strings.TrimSpace(module), "module") || open < 0 || close <= open {
		return "", fmt.Errorf("loop: the %s text is not a module { … }", name)
	}
	inner := mainRe.ReplaceAllString(module[open+1:close], "${1}func.func private @"+name+"(")
	if strings.Contains(inner, "@main") {
		return "", fmt.Errorf("loop: the %s module refers to @main besides defining it", name)
	}
	return strings.Trim(inner, "\n") + "\n", nil
}

// writer writes the body of @main with unique value names (%v0, %v1 …):
// nested regions see their enclosing values, so no name may repeat.
type writer struct {
	b strings.Builder
	n int
}

// fresh returns a new value name.
func (w *writer) fresh() string {
	w.n++
	return fmt.Sprintf("%%v%d", w.n)
}

// line writes one operation.
func (w *writer) line(format string, a ...any) {
	fmt.Fprintf(&w.b, "    "+format+"\n", a...)
}

// constant is a splat constant of type t.
func (w *writer) constant(value, t string) string {
	v := w.fresh()
	w.line("%s = \"stablehlo.constant\"() { value = dense<%s> : %s } : () -> %s", v, value, t, t)
	return v
}

// op is an element-wise operation whose operands and result have type t.
func (w *writer) op(name string, args []string, t string) string {
	v := w.fresh()
	types := make([]string, len(args))
	for i := range types {
		types[i] = t
	}
	w.line("%s = \"stablehlo.%s\"(%s) : (%s) -> %s", v, name, strings.Join(args, ", "), strings.Join(types, ", "), t)
	return v
}

// compare compares two Int32 scalars.
func (w *writer) compare(x, y, dir string) string {
	v := w.fresh()
	w.line("%s = \"stablehlo.compare\"(%s, %s) { compare_type = #stablehlo<comparison_type SIGNED>, comparison_direction = #stablehlo<comparison_direction %s> } : (tensor<i32>, tensor<i32>) -> tensor<i1>", v, x, y, dir)
	return v
}

// convert converts x of type from to type to.
func (w *writer) convert(x, from, to string) string {
	v := w.fresh()
	w.line("%s = \"stablehlo.convert\"(%s) : (%s) -> %s", v, x, from, to)
	return v
}

// segmentLen is min(k, n − s·k): the steps segment s runs.
func (w *writer) segmentLen(s, k, n string) string {
	left := w.op("subtract", []string{n, w.op("multiply", []string{s, k}, "tensor<i32>")}, "tensor<i32>")
	return w.op("minimum", []string{k, left}, "tensor<i32>")
}

// call calls a private function and returns its results' names.
func (w *writer) call(fn string, args, argTypes, results []string) []string {
	v := w.fresh()
	w.line("%s:%d = func.call @%s(%s) : (%s) -> (%s)", v, len(results), fn, strings.Join(args, ", "),
		strings.Join(argTypes, ", "), strings.Join(results, ", "))
	out := make([]string, len(results))
	for i := range out {
		out[i] = fmt.Sprintf("%s#%d", v, i)
	}
	return out
}

// put writes x (type t) into row i of buf (type bt, t stacked).
func (w *writer) put(buf, x, i, bt, t string) string {
	one := "tensor<1x" + strings.TrimPrefix(t, "tensor<")
	r := w.fresh()
	w.line("%s = \"stablehlo.reshape\"(%s) : (%s) -> %s", r, x, t, one)
	idx := []string{i}
	types := []string{"tensor<i32>"}
	for range dimsOf(t) {
		idx = append(idx, "%zero")
		types = append(types, "tensor<i32>")
	}
	v := w.fresh()
	w.line("%s = \"stablehlo.dynamic_update_slice\"(%s, %s, %s) : (%s, %s, %s) -> %s", v, buf, r, strings.Join(idx, ", "),
		bt, one, strings.Join(types, ", "), bt)
	return v
}

// take reads row i of buf (type bt) as type t.
func (w *writer) take(buf, i, bt, t string) string {
	one := "tensor<1x" + strings.TrimPrefix(t, "tensor<")
	dims := dimsOf(t)
	idx := []string{i}
	types := []string{"tensor<i32>"}
	for range dims {
		idx = append(idx, "%zero")
		types = append(types, "tensor<i32>")
	}
	sizes := append([]string{"1"}, dims...)
	s := w.fresh()
	w.line("%s = \"stablehlo.dynamic_slice\"(%s, %s) { slice_sizes = array<i64: %s> } : (%s, %s) -> %s", s, buf,
		strings.Join(idx, ", "), strings.Join(sizes, ", "), bt, strings.Join(types, ", "), one)
	v := w.fresh()
	w.line("%s = \"stablehlo.reshape\"(%s) : (%s) -> %s", v, s, one, t)
	return v
}

// while writes a stablehlo.while over init (of types) and returns the names
// of its results. cond and body receive the region's argument names; cond
// returns an i1 value, body the next values.
func (w *writer) while(init, types []string, cond func([]string) string, body func([]string) []string) []string {
	res := w.fresh()
	list := strings.Join(types, ", ")
	w.line("%s:%d = \"stablehlo.while\"(%s) ({", res, len(init), strings.Join(init, ", "))
	region := func() []string {
		args := make([]string, len(types))
		typed := make([]string, len(types))
		for i, t := range types {
			args[i] = w.fresh()
			typed[i] = args[i] + ": " + t
		}
		w.line("^bb0(%s):", strings.Join(typed, ", "))
		return args
	}
	c := cond(region())
	w.line("\"stablehlo.return\"(%s) : (tensor<i1>) -> ()", c)
	w.line("}, {")
	next := body(region())
	w.line("\"stablehlo.return\"(%s) : (%s) -> ()", strings.Join(next, ", "), list)
	w.line("}) : (%s) -> (%s)", list, list)
	out := make([]string, len(init))
	for i := range out {
		out[i] = fmt.Sprintf("%s#%d", res, i)
	}
	return out
}

package loop

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Shard annotates a looping module (Module's text) for XLA's Shardy
// partitioner over a mesh of devices: the module gets
// stablehlo.num_partitions and a one-axis mesh @brainc_mesh of that many
// devices; each @main argument listed in args is split along the axis
// given, every other argument and result is whole on every device (so
// that the partitioner cannot choose to split them), and a result that an
// argument's buffer is donated to (tf.aliasing_output) is split as that
// argument is. Compiled with that many partitions (go-xla:
// CompileConfig.WithShardy and a device assignment), the program takes,
// device after device, each argument's shard (or whole value) and returns
// each device's share of the results; XLA inserts the collectives the step
// needs (the spikes' gather, the scatters into other devices' neurons).
//
// args maps @main argument indices to the axis each is split along. That
// axis must exist and divide by devices; the arguments must be in range.
func Shard(module string, devices int, args map[int]int) (string, error) {
	if devices < 2 {
		return "", fmt.Errorf("loop: sharding needs at least 2 devices, got %d", devices)
	}
	head, rest, ok := strings.Cut(module, " {\n")
	if !strings.HasPrefix(head, "module @") || !ok || strings.Contains(head, "attributes") {
		return "", fmt.Errorf("loop: the module does not start with a plain module line")
	}
	at := strings.Index(rest, "func.func @main(")
	if at < 0 {
		return "", fmt.Errorf("loop: the module has no func.func @main")
	}
	line := rest[at:]
	line = line[:strings.IndexByte(line, '\n')]
	arrow := strings.LastIndex(line, ") -> ")
	if arrow < 0 {
		return "", fmt.Errorf("loop: @main's line has no results")
	}
	params := mainParam.FindAllStringSubmatchIndex(line[:arrow], -1)
	for a := range args {
		if a < 0 || a >= len(params) {
			return "", fmt.Errorf("loop: sharded argument %d is not one of @main's %d arguments", a, len(params))
		}
	}
	var b strings.Builder
	last := 0
	aliased := map[int]string{} // result index → the sharding of the argument donated to it
	for i, m := range params {
		typ := line[m[4]:m[5]]
		sizes := dims(typ)
		axes := slices.Repeat([]string{"{}"}, len(sizes))
		if axis, ok := args[i]; ok {
			if axis < 0 || axis >= len(sizes) {
				return "", fmt.Errorf("loop: argument %d is %s: it has no axis %d to split", i, typ, axis)
			}
			var size int
			if _, err := fmt.Sscan(sizes[axis], &size); err != nil || size%devices != 0 {
				return "", fmt.Errorf("loop: argument %d is %s: its axis %d does not divide by %d devices", i, typ, axis, devices)
			}
			axes[axis] = `{"x"}`
		}
		spec := sharding(axes)
		b.WriteString(line[last:m[5]])
		if m[6] >= 0 { // an attribute dictionary already: add to it
			attrs := line[m[6]:m[7]]
			b.WriteString(" {" + spec + ", " + attrs + "}")
			if k := aliasing.FindStringSubmatch(attrs); k != nil {
				out, _ := strconv.Atoi(k[1]) // digits, by the pattern
				aliased[out] = spec
			}
		} else {
			b.WriteString(" {" + spec + "}")
		}
		last = m[1]
	}
	b.WriteString(line[last : arrow+len(") -> ")])
	results := line[arrow+len(") -> "):]
	open := strings.TrimSuffix(results, " {")
	if open == results {
		return "", fmt.Errorf("loop: @main's results do not end its line")
	}
	types := resultType.FindAllString(open, -1)
	for k, typ := range types {
		spec, ok := aliased[k]
		if !ok {
			spec = sharding(slices.Repeat([]string{"{}"}, strings.Count(typ, "x")))
		}
		types[k] = typ + " {" + spec + "}"
	}
	b.WriteString("(" + strings.Join(types, ", ") + ") {")
	out := fmt.Sprintf("%s attributes {stablehlo.num_replicas = 1 : i32, stablehlo.num_partitions = %d : i32} {\n  sdy.mesh @brainc_mesh = <[\"x\"=%d]>\n", head, devices, devices)
	return out + rest[:at] + b.String() + rest[at+len(line):], nil
}

// sharding is the Shardy attribute of an array whose dimensions are split
// as axes says ({"x"} across the mesh, {} whole).
func sharding(axes []string) string {
	return `sdy.sharding = #sdy.sharding<@brainc_mesh, [` + strings.Join(axes, ", ") + `]>`
}

// mainParam matches one argument of @main's line: its name and type
// (submatch 2), and its attribute dictionary's contents when it has one
// (submatch 3).
var mainParam = regexp.MustCompile(`(%[A-Za-z0-9_]+): (tensor<[^>]*>)(?: \{([^{}]*)\})?`)

// aliasing finds the result an argument's buffer is donated to.
var aliasing = regexp.MustCompile(`tf\.aliasing_output = (\d+)`)

// resultType matches one result type of @main's line.
var resultType = regexp.MustCompile(`tensor<[^>]*>`)

package loop

import (
	"fmt"
	"regexp"
	"strings"
)

// Shard annotates a looping module (Module's text) for XLA's Shardy
// partitioner over a mesh of devices: the module gets
// stablehlo.num_partitions and a one-axis mesh @brainc_mesh of that many
// devices, and each @main argument listed in args is split along its first
// dimension across them (the others stay whole on every device). Compiled
// with that many partitions (go-xla: CompileConfig.WithShardy and a device
// assignment), the program takes, device after device, each argument's
// shard (or whole value) and returns each device's share of the results;
// XLA inserts the collectives the step needs (the spikes' gather, the
// scatters into other devices' neurons).
//
// An argument's first dimension must divide by devices; args must be
// distinct, in range, and of rank ≥ 1.
func Shard(module string, devices int, args []int) (string, error) {
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
	params := mainParam.FindAllStringSubmatchIndex(line, -1)
	want := map[int]bool{}
	for _, a := range args {
		if a < 0 || a >= len(params) || want[a] {
			return "", fmt.Errorf("loop: sharded argument %d is not one of @main's %d arguments, or is repeated", a, len(params))
		}
		want[a] = true
	}
	var b strings.Builder
	last := 0
	for i, m := range params {
		if !want[i] {
			continue
		}
		typ := line[m[4]:m[5]]
		dims := strings.Split(strings.TrimSuffix(strings.TrimPrefix(typ, "tensor<"), ">"), "x")
		if len(dims) < 2 {
			return "", fmt.Errorf("loop: argument %d is %s: only arrays can be split", i, typ)
		}
		var first int
		if _, err := fmt.Sscan(dims[0], &first); err != nil || first%devices != 0 {
			return "", fmt.Errorf("loop: argument %d is %s: its first dimension does not divide by %d devices", i, typ, devices)
		}
		spec := `sdy.sharding = #sdy.sharding<@brainc_mesh, [{"x"}` + strings.Repeat(", {}", len(dims)-2) + `]>`
		b.WriteString(line[last:m[5]])
		if m[6] >= 0 { // an attribute dictionary already: add to it
			b.WriteString(" {" + spec + ", " + line[m[6]:m[7]] + "}")
		} else {
			b.WriteString(" {" + spec + "}")
		}
		last = m[1]
	}
	b.WriteString(line[last:])
	out := fmt.Sprintf("%s attributes {stablehlo.num_replicas = 1 : i32, stablehlo.num_partitions = %d : i32} {\n  sdy.mesh @brainc_mesh = <[\"x\"=%d]>\n", head, devices, devices)
	return out + rest[:at] + b.String() + rest[at+len(line):], nil
}

// mainParam matches one argument of @main's line: its name and type
// (submatch 2), and its attribute dictionary's contents when it has one
// (submatch 3).
var mainParam = regexp.MustCompile(`(%[A-Za-z0-9_]+): (tensor<[^>]*>)(?: \{([^{}]*)\})?`)

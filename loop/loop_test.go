package loop

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	xlapjrt "github.com/gomlx/go-xla/pkg/pjrt"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/cpuops"
	"github.com/brainc/brainc/internal/tier"
	"github.com/brainc/brainc/pjrt"
)

// A step as GoMLX writes one: carried (counter-like x, stop at x ≥ 5), one
// invariant, one recorded row.
const step = `module @s {
  func.func @main(%in0: tensor<2xf32>, %in1: tensor<f32>) -> (tensor<2xf32>, tensor<i1>, tensor<2xf32>) {
    %0 = "stablehlo.broadcast_in_dim"(%in1) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<2xf32>
    %1 = "stablehlo.add"(%in0, %0) : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
    %2 = "stablehlo.slice"(%1) { start_indices = array<i64: 0>, limit_indices = array<i64: 1>, strides = array<i64: 1> } : (tensor<2xf32>) -> tensor<1xf32>
    %3 = "stablehlo.reshape"(%2) : (tensor<1xf32>) -> tensor<f32>
    %4 = "stablehlo.constant"() { value = dense<5.0> : tensor<f32> } : () -> tensor<f32>
    %5 = "stablehlo.compare"(%3, %4) { comparison_direction = #stablehlo<comparison_direction GE> } : (tensor<f32>, tensor<f32>) -> tensor<i1>
    "stablehlo.return"(%1, %5, %1) : (tensor<2xf32>, tensor<i1>, tensor<2xf32>) -> ()
  }
}
`

func TestParseSignature(t *testing.T) {
	sig, err := ParseSignature(step)
	require.NoError(t, err)
	assert.Equal(t, []string{"tensor<2xf32>", "tensor<f32>"}, sig.Args)
	assert.Equal(t, []string{"tensor<2xf32>", "tensor<i1>", "tensor<2xf32>"}, sig.Results)
	single, err := ParseSignature("module @m {\n  func.func @main(%arg0: tensor<3xi32>) -> tensor<3xi32> {\n")
	require.NoError(t, err)
	assert.Equal(t, []string{"tensor<3xi32>"}, single.Results)
}

func TestModule(t *testing.T) {
	m, err := Module(step, Spec{Name: "loop_c16", Carried: 1, Invariant: 1, Rows: 8})
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(m, "module @loop_c16 {\n"))
	assert.Contains(t, m, "func.func private @step(%in0: tensor<2xf32>, %in1: tensor<f32>)")
	assert.Contains(t, m, "func.func @main(%in0: tensor<2xf32> {tf.aliasing_output = 0 : i32}, %in1: tensor<f32>, %n: tensor<i32>) -> (tensor<2xf32>, tensor<i32>, tensor<8x2xf32>)")
	assert.Equal(t, 1, strings.Count(m, `"stablehlo.while"`))
	assert.Equal(t, 1, strings.Count(m, "func.call @step"))
	assert.Equal(t, 1, strings.Count(m, "@main"), "the step's @main is renamed")
	again, err := Module(step, Spec{Name: "loop_c16", Carried: 1, Invariant: 1, Rows: 8})
	require.NoError(t, err)
	assert.Equal(t, m, again, "deterministic text")
}

// A computed input is a custom call on the iteration's inputs, with its
// meta operand, passed to the step after the others; @main does not take
// it.
func TestModuleComputed(t *testing.T) {
	st := strings.Replace(step, "%in1: tensor<f32>)", "%in1: tensor<f32>, %in2: tensor<2xf32>)", 1)
	m, err := Module(st, Spec{Name: "c", Carried: 1, Invariant: 1, Rows: 8, Computed: []Computed{{Target: "brainc_csr", Meta: []int32{3, 4}, Args: []int{0, 1}}}})
	require.NoError(t, err)
	assert.Contains(t, m, `%cc0_meta = "stablehlo.constant"() { value = dense<[3, 4]> : tensor<2xi32> } : () -> tensor<2xi32>`)
	assert.Contains(t, m, `%cc0 = "stablehlo.custom_call"(%cc0_meta, %b3, %b4) { call_target_name = "brainc_csr", api_version = 4 : i32 } : (tensor<2xi32>, tensor<2xf32>, tensor<f32>) -> tensor<2xf32>`)
	assert.Contains(t, m, "func.call @step(%b3, %b4, %cc0)")
	assert.Contains(t, m, "func.func @main(%in0: tensor<2xf32> {tf.aliasing_output = 0 : i32}, %in1: tensor<f32>, %n: tensor<i32>)")
}

func TestModuleErrors(t *testing.T) {
	for _, tc := range []struct {
		step string
		spec Spec
		want string
	}{
		{step, Spec{Name: "a-b", Carried: 1, Invariant: 1, Rows: 8}, `module name "a-b"`},
		{step, Spec{Name: "m", Carried: 1, Invariant: 1, Rows: 0}, "rows per call must be ≥ 1, got 0"},
		{step, Spec{Name: "m", Carried: 1, Invariant: 0, Rows: 8}, "1 carried + 0 invariant + 0 computed inputs, but the step takes 2"},
		{step, Spec{Name: "m", Carried: 2, Invariant: 0, Rows: 8}, "carried value 1 enters as tensor<f32> and leaves as tensor<i1>"},
		{strings.Replace(step, "-> (tensor<2xf32>, tensor<i1>,", "-> (tensor<2xf32>, tensor<i32>,", 1), Spec{Name: "m", Carried: 1, Invariant: 1, Rows: 8},
			"step result 1 (stop) is tensor<i32>, expected tensor<i1>"},
		{strings.Replace(step, "tensor<i1>, tensor<2xf32>) {", "tensor<i1>, tensor<f32>) {", 1), Spec{Name: "m", Carried: 1, Invariant: 1, Rows: 8},
			"recorded row 0 is tensor<f32>, expected a rank-1 tensor"},
		{"func.func @step()", Spec{Name: "m", Rows: 8}, "has no func.func @main"},
		{strings.Replace(step, "%in1: tensor<f32>)", "%in1: tensor<f32>, %in2: tensor<2xf32>)", 1), Spec{Name: "m", Carried: 1, Invariant: 1, Rows: 8,
			Computed: []Computed{{Target: "a-b"}}}, `computed input 0: target "a-b" must be letters, digits and underscores`},
		{strings.Replace(step, "%in1: tensor<f32>)", "%in1: tensor<f32>, %in2: tensor<2xf32>)", 1), Spec{Name: "m", Carried: 1, Invariant: 1, Rows: 8,
			Computed: []Computed{{Target: "f", Args: []int{2}}}}, "computed input 0: operand 2 is not among the 2 carried and invariant inputs"},
	} {
		_, err := Module(tc.step, tc.spec)
		assert.ErrorContains(t, err, tc.want)
	}
}

// The loop module runs n steps, or stops after the step that says stop
// (keeping it), and records one row per step run.
func TestLoopModuleRuns(t *testing.T) {
	b, err := pjrt.Open(pjrt.Options{Backend: "cpu"})
	require.NoError(t, err)
	defer b.Finalize()
	c, err := pjrt.Client(b)
	require.NoError(t, err)
	text, err := Module(step, Spec{Name: "toy", Carried: 1, Invariant: 1, Rows: 8})
	require.NoError(t, err)
	exe, err := c.Compile().WithStableHLO([]byte(text)).Done()
	require.NoError(t, err)
	defer func() { _ = exe.Destroy() }()
	for _, tc := range []struct {
		n, steps int
		x        []float32
	}{{3, 3, []float32{3, 13}}, {8, 5, []float32{5, 15}}, {0, 0, []float32{0, 10}}} {
		x, err := xlapjrt.ArrayToBuffer(c, []float32{0, 10}, 2)
		require.NoError(t, err)
		inc, err := xlapjrt.ScalarToBuffer(c, float32(1))
		require.NoError(t, err)
		n, err := xlapjrt.ScalarToBuffer(c, int32(tc.n))
		require.NoError(t, err)
		outs, err := exe.Execute(x, inc, n).DonateNone().Done()
		require.NoError(t, err)
		require.Len(t, outs, 3)
		got, _, err := xlapjrt.BufferToArray[float32](outs[0])
		require.NoError(t, err)
		assert.Equal(t, tc.x, got)
		steps, err := xlapjrt.BufferToScalar[int32](outs[1])
		require.NoError(t, err)
		assert.Equal(t, tc.steps, int(steps))
		rows, dims, err := xlapjrt.BufferToArray[float32](outs[2])
		require.NoError(t, err)
		assert.Equal(t, []int{8, 2}, dims)
		for i := range 8 {
			want := []float32{0, 0}
			if i < tc.steps {
				want = []float32{float32(i + 1), float32(i + 11)}
			}
			assert.Equal(t, want, rows[2*i:2*i+2], "n=%d row %d", tc.n, i)
		}
	}
}

// A step for top-k compaction: x counts up by one per step; neuron i fires
// when its x is a multiple of 3, and its key is 2 (not finite) when x
// reaches the invariant bad.
const keyStep = `module @k {
  func.func @main(%x: tensor<6xf32>, %row: tensor<%dxi32>, %bad: tensor<f32>) -> (tensor<6xf32>, tensor<%dxi32>, tensor<i1>, tensor<6xf32>) {
    %one = "stablehlo.constant"() { value = dense<1.0> : tensor<6xf32> } : () -> tensor<6xf32>
    %three = "stablehlo.constant"() { value = dense<3.0> : tensor<6xf32> } : () -> tensor<6xf32>
    %zero = "stablehlo.constant"() { value = dense<0.0> : tensor<6xf32> } : () -> tensor<6xf32>
    %two = "stablehlo.constant"() { value = dense<2.0> : tensor<6xf32> } : () -> tensor<6xf32>
    %x1 = "stablehlo.add"(%x, %one) : (tensor<6xf32>, tensor<6xf32>) -> tensor<6xf32>
    %r = "stablehlo.remainder"(%x1, %three) : (tensor<6xf32>, tensor<6xf32>) -> tensor<6xf32>
    %fire = "stablehlo.compare"(%r, %zero) { comparison_direction = #stablehlo<comparison_direction EQ> } : (tensor<6xf32>, tensor<6xf32>) -> tensor<6xi1>
    %key = "stablehlo.select"(%fire, %one, %zero) : (tensor<6xi1>, tensor<6xf32>, tensor<6xf32>) -> tensor<6xf32>
    %b = "stablehlo.broadcast_in_dim"(%bad) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<6xf32>
    %isbad = "stablehlo.compare"(%x1, %b) { comparison_direction = #stablehlo<comparison_direction EQ> } : (tensor<6xf32>, tensor<6xf32>) -> tensor<6xi1>
    %key2 = "stablehlo.select"(%isbad, %two, %key) : (tensor<6xi1>, tensor<6xf32>, tensor<6xf32>) -> tensor<6xf32>
    %stop = "stablehlo.constant"() { value = dense<false> : tensor<i1> } : () -> tensor<i1>
    "stablehlo.return"(%x1, %row, %stop, %key2) : (tensor<6xf32>, tensor<%dxi32>, tensor<i1>, tensor<6xf32>) -> ()
  }
}
`

// With Compaction the loop builds the events row from the step's keys:
// counts and increasing indices padded with the size, carried and recorded;
// it stops after a step whose count passes the capacity or whose key says
// a state is not finite.
func TestCompactionModuleRuns(t *testing.T) {
	tier.Slow(t)
	b, err := pjrt.Open(pjrt.Options{Backend: "cpu"})
	require.NoError(t, err)
	defer b.Finalize()
	c, err := pjrt.Client(b)
	require.NoError(t, err)
	for _, tc := range []struct {
		capacity int
		bad      float32
		steps    int
		rows     [][]int32
	}{
		{2, 100, 4, [][]int32{{2, 2, 5}, {2, 1, 4}, {2, 0, 3}, {2, 2, 5}}},
		{1, 100, 1, [][]int32{{2, 2}}},     // 2 fired, capacity 1: stop, the count says capacity+1
		{3, 2, 1, [][]int32{{7, 6, 2, 5}}}, // neuron 1 reaches x = 2 at step 1: key 2, counted past the capacity
	} {
		width := 1 + tc.capacity
		step := strings.ReplaceAll(keyStep, "%d", strconv.Itoa(width))
		text, err := Module(step, Spec{Name: "keys", Carried: 2, Invariant: 1, Rows: 4,
			Compact: &Compaction{Row: 1, Blocks: []CompactBlock{{Size: 6, Capacity: tc.capacity}}}})
		require.NoError(t, err)
		exe, err := c.Compile().WithStableHLO([]byte(text)).Done()
		require.NoError(t, err)
		x, err := xlapjrt.ArrayToBuffer(c, []float32{0, 1, 2, 3, 4, 5}, 6)
		require.NoError(t, err)
		row, err := xlapjrt.ArrayToBuffer(c, make([]int32, width), width)
		require.NoError(t, err)
		bad, err := xlapjrt.ScalarToBuffer(c, tc.bad)
		require.NoError(t, err)
		n, err := xlapjrt.ScalarToBuffer(c, int32(4))
		require.NoError(t, err)
		outs, err := exe.Execute(x, row, bad, n).DonateNone().Done()
		require.NoError(t, err)
		require.Len(t, outs, 4) // x, row, steps, events
		steps, err := xlapjrt.BufferToScalar[int32](outs[2])
		require.NoError(t, err)
		require.Equal(t, tc.steps, int(steps), "capacity %d", tc.capacity)
		events, _, err := xlapjrt.BufferToArray[int32](outs[3])
		require.NoError(t, err)
		last, _, err := xlapjrt.BufferToArray[int32](outs[1])
		require.NoError(t, err)
		for s, want := range tc.rows {
			assert.Equal(t, want, events[s*width:(s+1)*width], "capacity %d, step %d", tc.capacity, s)
		}
		assert.Equal(t, tc.rows[len(tc.rows)-1], last, "the carried row is the last step's")
		require.NoError(t, exe.Destroy())
	}
	_, err = Module(strings.ReplaceAll(keyStep, "%d", "3"), Spec{Name: "keys", Carried: 2, Invariant: 1, Rows: 4,
		Compact: &Compaction{Row: 1, Blocks: []CompactBlock{{Size: 6, Capacity: 3}}}})
	assert.EqualError(t, err, "loop: the carried events row is tensor<3xi32>, expected tensor<4xi32>")
	_, err = Module(strings.ReplaceAll(keyStep, "%d", "8"), Spec{Name: "keys", Carried: 2, Invariant: 1, Rows: 4,
		Compact: &Compaction{Row: 1, Blocks: []CompactBlock{{Size: 6, Capacity: 7}}}})
	assert.EqualError(t, err, "loop: block 0 has capacity 7, expected 1 to its size 6")
}

// A step that reads its keys from a table: step i's key of each of two
// blocks is row i of its invariant table.
const tableStep = `module @t {
  func.func @main(%i: tensor<i32>, %row: tensor<WxI32>, %ka: tensor<TxAxf32>, %kb: tensor<TxBxf32>) -> (tensor<i32>, tensor<WxI32>, tensor<i1>, tensor<Axf32>, tensor<Bxf32>) {
    %zero = "stablehlo.constant"() { value = dense<0> : tensor<i32> } : () -> tensor<i32>
    %one = "stablehlo.constant"() { value = dense<1> : tensor<i32> } : () -> tensor<i32>
    %a1 = "stablehlo.dynamic_slice"(%ka, %i, %zero) { slice_sizes = array<i64: 1, A> } : (tensor<TxAxf32>, tensor<i32>, tensor<i32>) -> tensor<1xAxf32>
    %a = "stablehlo.reshape"(%a1) : (tensor<1xAxf32>) -> tensor<Axf32>
    %b1 = "stablehlo.dynamic_slice"(%kb, %i, %zero) { slice_sizes = array<i64: 1, B> } : (tensor<TxBxf32>, tensor<i32>, tensor<i32>) -> tensor<1xBxf32>
    %b = "stablehlo.reshape"(%b1) : (tensor<1xBxf32>) -> tensor<Bxf32>
    %next = "stablehlo.add"(%i, %one) : (tensor<i32>, tensor<i32>) -> tensor<i32>
    %stop = "stablehlo.constant"() { value = dense<false> : tensor<i1> } : () -> tensor<i1>
    "stablehlo.return"(%next, %row, %stop, %a, %b) : (tensor<i32>, tensor<WxI32>, tensor<i1>, tensor<Axf32>, tensor<Bxf32>) -> ()
  }
}
`

// tableKeys draws T steps of keys for n neurons: quiet steps and bursts
// (firing 0 to 30%, by step), and at step 40 some non-finite states (2).
func tableKeys(r *rand.Rand, T, n int) []float32 {
	k := make([]float32, T*n)
	for s := range T {
		fire := []float64{0, 0.02, 0.05, 0.1, 0.3}[s%5]
		for i := range n {
			switch x := r.Float64(); {
			case s == 40 && x < 0.05:
				k[s*n+i] = 2
			case x < fire:
				k[s*n+i] = 1
			}
		}
	}
	return k
}

// recorded reads what a table step's loop returns (on device 0): the
// events of the steps it ran, and how many it ran.
func recorded(t *testing.T, outs []*xlapjrt.Buffer, width int) ([]int32, int) {
	steps, err := xlapjrt.BufferToScalar[int32](outs[2])
	require.NoError(t, err)
	events, _, err := xlapjrt.BufferToArray[int32](outs[3])
	require.NoError(t, err)
	return events[:int(steps)*width], int(steps)
}

// tableStepFor is tableStep for T steps, blocks of A and B neurons and
// an events row of the given width.
func tableStepFor(T, A, B, width int) string {
	return strings.NewReplacer("WxI32", fmt.Sprintf("%dxi32", width), "T", strconv.Itoa(T), "A", strconv.Itoa(A), "B", strconv.Itoa(B)).Replace(tableStep)
}

// The custom compaction (cpuops' brainc_compact) gives the rows of the
// top-k ops, step by step, on random keys of two blocks: quiet steps,
// bursts past the capacity (the loop stops after them) and non-finite
// states (key 2).
func TestCustomCompactionEqualsTopK(t *testing.T) {
	tier.Slow(t)
	b, err := pjrt.Open(pjrt.Options{Backend: "cpu"})
	require.NoError(t, err)
	defer b.Finalize()
	c, err := pjrt.Client(b)
	require.NoError(t, err)
	require.NoError(t, cpuops.Register(c))
	const T, A, B, capA, capB = 64, 50, 13, 6, 3
	r := rand.New(rand.NewPCG(1, 2))
	ka, kb := tableKeys(r, T, A), tableKeys(r, T, B)
	width := 2 + capA + capB
	step := tableStepFor(T, A, B, width)
	// The same step with keys of one byte.
	byteStep := strings.NewReplacer(
		`"stablehlo.return"(%next, %row, %stop, %a, %b)`,
		fmt.Sprintf(`%%a8 = "stablehlo.convert"(%%a) : (tensor<%dxf32>) -> tensor<%dxui8>
    %%b8 = "stablehlo.convert"(%%b) : (tensor<%dxf32>) -> tensor<%dxui8>
    "stablehlo.return"(%%next, %%row, %%stop, %%a8, %%b8)`, A, A, B, B),
		fmt.Sprintf("tensor<i1>, tensor<%dxf32>, tensor<%dxf32>)", A, B), fmt.Sprintf("tensor<i1>, tensor<%dxui8>, tensor<%dxui8>)", A, B),
	).Replace(step)
	require.Equal(t, 2, strings.Count(byteStep, "ui8>)"), "both signatures rewritten")
	run := func(target, keyType string, from int) ([]int32, int) {
		st := step
		if keyType == "ui8" {
			st = byteStep
		}
		text, err := Module(st, Spec{Name: "keys", Carried: 2, Invariant: 2, Rows: T,
			Compact: &Compaction{Row: 1, Target: target, KeyType: keyType, Blocks: []CompactBlock{{Size: A, Capacity: capA}, {Size: B, Capacity: capB}}}})
		require.NoError(t, err)
		exe, err := c.Compile().WithStableHLO([]byte(text)).Done()
		require.NoError(t, err)
		defer func() { _ = exe.Destroy() }()
		i, err := xlapjrt.ScalarToBuffer(c, int32(from))
		require.NoError(t, err)
		row, err := xlapjrt.ArrayToBuffer(c, make([]int32, width), width)
		require.NoError(t, err)
		bka, err := xlapjrt.ArrayToBuffer(c, ka, T, A)
		require.NoError(t, err)
		bkb, err := xlapjrt.ArrayToBuffer(c, kb, T, B)
		require.NoError(t, err)
		n, err := xlapjrt.ScalarToBuffer(c, int32(T-from))
		require.NoError(t, err)
		outs, err := exe.Execute(i, row, bka, bkb, n).DonateNone().Done()
		require.NoError(t, err)
		return recorded(t, outs, width)
	}
	stops := 0
	for from := 0; from < T; stops++ {
		want, steps := run("", "", from)
		for _, kt := range []string{"f32", "ui8"} {
			got, gotSteps := run(cpuops.CompactTarget, kt, from)
			require.Equal(t, steps, gotSteps, "%s keys, from step %d", kt, from)
			require.Equal(t, want, got, "%s keys, from step %d", kt, from)
		}
		from += steps
	}
	assert.Greater(t, stops, 3, "bursts and the non-finite step stop the loop")
	_, err = Module(byteStep, Spec{Name: "keys", Carried: 2, Invariant: 2, Rows: T,
		Compact: &Compaction{Row: 1, KeyType: "ui8", Blocks: []CompactBlock{{Size: A, Capacity: capA}, {Size: B, Capacity: capB}}}})
	assert.EqualError(t, err, "loop: keys of type ui8 need a custom compaction that takes them (top-k takes f32)")
}

// Shard adds the partition count and the mesh, splits the listed
// arguments along the axis given (keeping an argument's aliasing
// attribute) and refuses what cannot be split.
func TestShard(t *testing.T) {
	m, err := Module(step, Spec{Name: "loop_c16", Carried: 1, Invariant: 1, Rows: 8})
	require.NoError(t, err)
	s, err := Shard(m, 2, map[int]int{0: 0})
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(s, "module @loop_c16 attributes {stablehlo.num_replicas = 1 : i32, stablehlo.num_partitions = 2 : i32} {\n  sdy.mesh @brainc_mesh = <[\"x\"=2]>\n"))
	// The split argument, the others whole, the result it is donated to
	// split alike, the other results whole.
	assert.Contains(t, s, `func.func @main(%in0: tensor<2xf32> {sdy.sharding = #sdy.sharding<@brainc_mesh, [{"x"}]>, tf.aliasing_output = 0 : i32}, `+
		`%in1: tensor<f32> {sdy.sharding = #sdy.sharding<@brainc_mesh, []>}, %n: tensor<i32> {sdy.sharding = #sdy.sharding<@brainc_mesh, []>}) -> `+
		`(tensor<2xf32> {sdy.sharding = #sdy.sharding<@brainc_mesh, [{"x"}]>}, tensor<i32> {sdy.sharding = #sdy.sharding<@brainc_mesh, []>}, `+
		`tensor<8x2xf32> {sdy.sharding = #sdy.sharding<@brainc_mesh, [{}, {}]>}) {`+"\n")
	for _, tc := range []struct {
		devices int
		args    map[int]int
		want    string
	}{
		{1, map[int]int{0: 0}, "loop: sharding needs at least 2 devices, got 1"},
		{2, map[int]int{3: 0}, "loop: sharded argument 3 is not one of @main's 3 arguments"},
		{2, map[int]int{1: 0}, "loop: argument 1 is tensor<f32>: it has no axis 0 to split"},
		{2, map[int]int{0: 1}, "loop: argument 0 is tensor<2xf32>: it has no axis 1 to split"},
		{3, map[int]int{0: 0}, "loop: argument 0 is tensor<2xf32>: its axis 0 does not divide by 3 devices"},
	} {
		_, err := Shard(m, tc.devices, tc.args)
		assert.EqualError(t, err, tc.want)
	}
	_, err = Shard(s, 2, map[int]int{0: 0})
	assert.EqualError(t, err, "loop: the module does not start with a plain module line")
}

// A two-dimensional argument splits along its second axis.
func TestShardSecondAxis(t *testing.T) {
	m := "module @m {\n  func.func @main(%a: tensor<3x4xf32>, %n: tensor<i32>) -> tensor<3x4xf32> {\n    return %a : tensor<3x4xf32>\n  }\n}\n"
	s, err := Shard(m, 2, map[int]int{0: 1})
	require.NoError(t, err)
	assert.Contains(t, s, `func.func @main(%a: tensor<3x4xf32> {sdy.sharding = #sdy.sharding<@brainc_mesh, [{}, {"x"}]>}, `+
		`%n: tensor<i32> {sdy.sharding = #sdy.sharding<@brainc_mesh, []>}) -> (tensor<3x4xf32> {sdy.sharding = #sdy.sharding<@brainc_mesh, [{}, {}]>}) {`+"\n")
	_, err = Shard(m, 2, map[int]int{0: 0})
	assert.EqualError(t, err, "loop: argument 0 is tensor<3x4xf32>: its axis 0 does not divide by 2 devices")
}

// A step whose third input is computed device by device: x' = x + c, c
// reshaped from [2, 2].
const manualStep = `module @s {
  func.func @main(%x: tensor<4xf32>, %t: tensor<2x2xf32>, %c: tensor<2x2xf32>) -> (tensor<4xf32>, tensor<i1>, tensor<4xf32>) {
    %r = "stablehlo.reshape"(%c) : (tensor<2x2xf32>) -> tensor<4xf32>
    %y = "stablehlo.add"(%x, %r) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    %stop = "stablehlo.constant"() { value = dense<false> : tensor<i1> } : () -> tensor<i1>
    "stablehlo.return"(%y, %stop, %y) : (tensor<4xf32>, tensor<i1>, tensor<4xf32>) -> ()
  }
}
`

// What each device computes of c: its share of x plus its row of t.
const manualFn = `module @f {
  func.func @main(%x: tensor<2xf32>, %t: tensor<1x2xf32>) -> tensor<1x2xf32> {
    %r = "stablehlo.reshape"(%x) : (tensor<2xf32>) -> tensor<1x2xf32>
    %s = "stablehlo.add"(%r, %t) : (tensor<1x2xf32>, tensor<1x2xf32>) -> tensor<1x2xf32>
    "func.return"(%s) : (tensor<1x2xf32>) -> ()
  }
}
`

// A Manual computed input runs on each device's shares: with x and t
// split across 2 devices, each step gives x' = 2x + t; the errors name
// what does not fit.
func TestManualRuns(t *testing.T) {
	spec := Spec{Name: "man", Carried: 1, Invariant: 1, Rows: 4,
		Computed: []Computed{{Manual: &Manual{Text: manualFn, Split: []int{0, 0}}, Args: []int{0, 1}}}}
	m, err := Module(manualStep, spec)
	require.NoError(t, err)
	assert.Contains(t, m, "func.func private @manual_0(%x: tensor<2xf32>, %t: tensor<1x2xf32>)")
	assert.Contains(t, m, `%cc0 = sdy.manual_computation(%b3, %b4) in_shardings=[<@brainc_mesh, [{"x"}]>, <@brainc_mesh, [{"x"}, {}]>] out_shardings=[<@brainc_mesh, [{"x"}, {}]>] manual_axes={"x"}`)
	text, err := Shard(m, 2, map[int]int{0: 0, 1: 0})
	require.NoError(t, err)
	b, err := pjrt.Open(pjrt.Options{Backend: "cpu", Devices: 2})
	require.NoError(t, err)
	defer b.Finalize()
	c, err := pjrt.Client(b)
	require.NoError(t, err)
	exe, err := c.Compile().WithStableHLO([]byte(text)).WithShardy(2).WithDeviceAssignment([]int{0, 1}).Done()
	require.NoError(t, err)
	defer func() { _ = exe.Destroy() }()
	x, tt := []float32{1, 2, 3, 4}, []float32{10, 20, 30, 40}
	var args []*xlapjrt.Buffer
	for d := range 2 {
		for _, v := range []struct {
			flat []float32
			dims []int
		}{{x[2*d : 2*d+2], []int{2}}, {tt[2*d : 2*d+2], []int{1, 2}}} {
			buf, err := c.BufferFromHost().ToDeviceNum(d).FromFlatDataWithDimensions(v.flat, v.dims).Done()
			require.NoError(t, err)
			args = append(args, buf)
		}
		n, err := c.BufferFromHost().ToDeviceNum(d).FromFlatDataWithDimensions([]int32{2}, []int{}).Done()
		require.NoError(t, err)
		args = append(args, n)
	}
	outs, err := exe.Execute(args...).DonateNone().Done()
	require.NoError(t, err)
	require.Len(t, outs, 6, "x, steps and the rows, per device")
	var got []float32
	for d := range 2 {
		part, _, err := xlapjrt.BufferToArray[float32](outs[3*d])
		require.NoError(t, err)
		got = append(got, part...)
	}
	// 2·[1 2 3 4] + [10 20 30 40] = [12 24 36 48], then [34 68 102 136].
	assert.Equal(t, []float32{34, 68, 102, 136}, got)

	for _, tc := range []struct {
		c    Computed
		want string
	}{
		{Computed{Manual: &Manual{Text: manualFn, Split: []int{0}}, Args: []int{0, 1}}, "computed input 0: 1 split axes for 2 operands"},
		{Computed{Target: "f", Manual: &Manual{Text: manualFn, Split: []int{0, 0}}, Args: []int{0, 1}}, "computed input 0: a manual computation takes no custom-call target or meta"},
		{Computed{Manual: &Manual{Text: manualFn, Split: []int{-1, 0}}, Args: []int{0, 1}}, "computed input 0: operand 0 is tensor<2xf32> on one device, tensor<4xf32> on all of them"},
		{Computed{Manual: &Manual{Text: manualFn, Split: []int{0, 1}}, Args: []int{0, 1}}, "computed input 0: operand 1 is tensor<1x2xf32> on one device, tensor<2x2xf32> on all of them"},
		{Computed{Manual: &Manual{Text: strings.Replace(manualFn, "module @f {", "module @f {\n  func.func private @g() -> () {\n  }", 1), Split: []int{0, 0}}, Args: []int{0, 1}},
			"computed input 0: its module defines @g besides @main"},
	} {
		s := spec
		s.Computed = []Computed{tc.c}
		_, err := Module(manualStep, s)
		assert.EqualError(t, err, "loop: "+tc.want)
	}
}

// Split across 2 devices (CompactBlock.Devices: each compacts its half of
// block A's keys, with top-k or the custom compaction; B, of 13, is
// compacted whole), the loop builds the rows top-k builds on one device, step by step through quiet steps and bursts
// past the capacity; at the non-finite step both counts say so (past
// capacity+1), each its own way.
func TestSplitCompactionEqualsTopK(t *testing.T) {
	tier.Slow(t)
	const T, A, B, capA, capB = 64, 50, 13, 6, 3
	r := rand.New(rand.NewPCG(5, 6))
	ka, kb := tableKeys(r, T, A), tableKeys(r, T, B)
	width := 2 + capA + capB
	step := tableStepFor(T, A, B, width)
	b, err := pjrt.Open(pjrt.Options{Backend: "cpu", Devices: 2})
	require.NoError(t, err)
	defer b.Finalize()
	c, err := pjrt.Client(b)
	require.NoError(t, err)
	require.NoError(t, cpuops.Register(c))
	exes := map[string]*xlapjrt.LoadedExecutable{} // by devices and target
	defer func() {
		for _, e := range exes {
			_ = e.Destroy()
		}
	}()
	run := func(devices, from int, target string) ([]int32, int) {
		exe := exes[fmt.Sprint(devices, target)]
		if exe == nil {
			text, err := Module(step, Spec{Name: "keys", Carried: 2, Invariant: 2, Rows: T,
				Compact: &Compaction{Row: 1, Target: target, Blocks: []CompactBlock{{Size: A, Capacity: capA, Devices: devices}, {Size: B, Capacity: capB}}}})
			require.NoError(t, err)
			cc := c.Compile()
			if devices > 1 {
				text, err = Shard(text, devices, map[int]int{2: 1})
				require.NoError(t, err)
				cc = cc.WithShardy(devices).WithDeviceAssignment([]int{0, 1})
			}
			exe, err = cc.WithStableHLO([]byte(text)).Done()
			require.NoError(t, err)
			exes[fmt.Sprint(devices, target)] = exe
		}
		var args []*xlapjrt.Buffer
		put := func(d int, flat any, dims ...int) {
			buf, err := c.BufferFromHost().ToDeviceNum(d).FromFlatDataWithDimensions(flat, dims).Done()
			require.NoError(t, err)
			args = append(args, buf)
		}
		for d := range devices {
			put(d, []int32{int32(from)}) // a scalar: no dimensions
			put(d, make([]int32, width), width)
			share := A / devices
			var part []float32
			for s := range T {
				part = append(part, ka[s*A+d*share:s*A+(d+1)*share]...)
			}
			put(d, part, T, share)
			put(d, kb, T, B)
			put(d, []int32{int32(T - from)})
		}
		outs, err := exe.Execute(args...).DonateNone().Done()
		require.NoError(t, err)
		return recorded(t, outs, width)
	}
	stops, bad := 0, false
	for from := 0; from < T; stops++ {
		want, steps := run(1, from, "")
		for _, target := range []string{"", cpuops.CompactTarget} {
			got, gotSteps := run(2, from, target)
			require.Equal(t, steps, gotSteps, "from step %d, %q", from, target)
			last := (steps - 1) * width
			w := want
			if w[last] > capA+1 { // non-finite: A's count says so, its indices are not used
				bad = true
				assert.Greater(t, got[last], int32(capA+1), "from step %d, %q", from, target)
				w, got = w[:last], got[:last]
			}
			require.Equal(t, w, got, "from step %d, %q", from, target)
		}
		from += steps
	}
	assert.Greater(t, stops, 3, "bursts and the non-finite step stop the loop")
	assert.True(t, bad, "a non-finite step in block A")
}

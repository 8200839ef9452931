package tests

import (
	"fmt"
	"strings"
	"testing"

	xlapjrt "github.com/gomlx/go-xla/pkg/pjrt"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/driver"
	"github.com/brainc/brainc/ir"
	"github.com/brainc/brainc/jit"
	"github.com/brainc/brainc/loop"
	"github.com/brainc/brainc/lower"
	"github.com/brainc/brainc/pjrt"
	"github.com/brainc/brainc/plan"
)

// The groundwork of running a network across devices (issue 19; not yet a
// brainc option): the loop module of a COBA network, its neuron and
// synaptic state split across 2 and 4 virtual CPU devices by loop.Shard and
// partitioned by XLA's Shardy partitioner, runs 500 steps and gives the
// single-device run's events, traces and state bit for bit (the composed
// operators: the custom calls have no partitioning rule).
func TestLoopModulePartitions(t *testing.T) {
	prog, err := lower.Build(parse(t, smallCOBA), lower.Options{})
	require.NoError(t, err)
	const capacity, steps = 64, 500
	lp, err := jit.NewLoopProgramWith(cpu(t), prog, "parts", capacity, true)
	require.NoError(t, err)
	require.Len(t, prog.Blocks, 1)
	size := prog.Blocks[0].Size
	// @main's inputs: the initial state, an empty events row, the constants.
	var flats []any
	var dims [][]int
	split := map[int]int{} // the state arrays of one value per neuron, along axis 0
	for i, tt := range prog.InitialState() {
		flats, dims = append(flats, flatOf(t, tt)), append(dims, tt.Shape().Dimensions)
		if d := tt.Shape().Dimensions; len(d) == 1 && d[0] == size {
			split[i] = 0
		}
	}
	require.Len(t, split, 5, "V, last_spike, spike and two synaptic states")
	offsets, width := prog.EventLayout(capacity)
	row := make([]int32, width)
	for k := range lower.Capacity(prog.Blocks[0], capacity) {
		row[offsets[0]+1+k] = int32(size)
	}
	flats, dims = append(flats, row), append(dims, []int{width})
	for _, tt := range prog.ConstTensors() {
		flats, dims = append(flats, flatOf(t, tt)), append(dims, tt.Shape().Dimensions)
	}
	plugin, err := xlapjrt.GetPlugin(cpu(t).Path)
	require.NoError(t, err)
	ns := len(prog.State)
	run := func(devices int) (state [][]any, events, traces any) {
		client, err := plugin.NewClient(xlapjrt.NamedValuesMap{"cpu_device_count": int64(devices), "asynchronous": false})
		require.NoError(t, err)
		defer func() { _ = client.Destroy() }()
		text, cc := lp.Text, client.Compile()
		if devices > 1 {
			text, err = loop.Shard(lp.Text, devices, split)
			require.NoError(t, err)
			assign := make([]int, devices)
			for d := range assign {
				assign[d] = d
			}
			cc = cc.WithShardy(devices).WithDeviceAssignment(assign)
		}
		exe, err := cc.WithStableHLO([]byte(text)).Done()
		require.NoError(t, err)
		defer func() { _ = exe.Destroy() }()
		var args []*xlapjrt.Buffer
		for d := range devices { // device after device: every argument's shard or whole value
			for i, flat := range flats {
				dm := dims[i]
				if devices > 1 && i < ns && len(dm) == 1 && dm[0] == size {
					flat, dm = shardOf(flat, d, devices), []int{size / devices}
				}
				b, err := client.BufferFromHost().ToDeviceNum(d).FromFlatDataWithDimensions(flat, dm).Done()
				require.NoError(t, err)
				args = append(args, b)
			}
			n, err := client.BufferFromHost().ToDeviceNum(d).FromFlatDataWithDimensions([]int32{steps}, []int{}).Done()
			require.NoError(t, err)
			args = append(args, n)
		}
		outs, err := exe.Execute(args...).DonateNone().Done()
		require.NoError(t, err)
		per := len(outs) / devices
		read := func(b *xlapjrt.Buffer) any {
			f, _, err := b.ToFlatDataAndDimensions()
			require.NoError(t, err)
			return f
		}
		state = make([][]any, ns)
		for d := range devices {
			o := outs[d*per : (d+1)*per]
			for i := range ns {
				state[i] = append(state[i], read(o[i]))
			}
			steps := read(o[ns+1]).([]int32)
			require.Equal(t, []int32{steps[0]}, []int32{500}, "device %d ran every step", d)
			if d == 0 {
				events, traces = read(o[ns+2]), read(o[ns+3])
			} else { // the records are whole on every device
				assert.Equal(t, events, read(o[ns+2]), "device %d's events", d)
			}
		}
		return state, events, traces
	}
	oneState, oneEvents, oneTraces := run(1)
	fired := 0
	for r := range steps {
		fired += int(oneEvents.([]int32)[r*width])
	}
	require.Greater(t, fired, 100)
	for _, devices := range []int{2, 4} {
		state, events, traces := run(devices)
		assert.Equal(t, oneEvents, events, "%d devices: events", devices)
		assert.Equal(t, oneTraces, traces, "%d devices: traces", devices)
		for i := range ns {
			got := fmt.Sprint(state[i][0]) // whole on every device
			if _, ok := split[i]; ok {
				got = joined(state[i])
			}
			assert.Equal(t, fmt.Sprint(oneState[i][0]), got, "%d devices: %s", devices, prog.State[i].Name)
		}
	}
}

// joined prints a sharded array's shards as one.
func joined(shards []any) string {
	var all []any
	for _, s := range shards {
		switch v := s.(type) {
		case []float32:
			for _, x := range v {
				all = append(all, x)
			}
		case []int32:
			for _, x := range v {
				all = append(all, x)
			}
		case []bool:
			for _, x := range v {
				all = append(all, x)
			}
		}
	}
	return fmt.Sprint(all)
}

func shardOf(flat any, d, parts int) any {
	switch v := flat.(type) {
	case []float32:
		n := len(v) / parts
		return v[d*n : (d+1)*n]
	case []int32:
		n := len(v) / parts
		return v[d*n : (d+1)*n]
	case []bool:
		n := len(v) / parts
		return v[d*n : (d+1)*n]
	}
	panic(fmt.Sprintf("shardOf: %T", flat))
}

func flatOf(t *testing.T, tt *tensors.Tensor) any {
	var out any
	require.NoError(t, tt.ConstFlatData(func(flat any) {
		switch v := flat.(type) {
		case []float32:
			out = append([]float32(nil), v...)
		case []int32:
			out = append([]int32(nil), v...)
		case []bool:
			out = append([]bool(nil), v...)
		default:
			out = v
		}
	}))
	return out
}

// mixedEvents is mixedSpec with its small projections AZ (one delay), ZE
// and EA (STP) event-driven: fan-out tables and an STP-scaled table into
// blocks of other models, one padded on 3 devices.
var mixedEvents = strings.NewReplacer(
	"weight: 2, delay: 1.2 ms,", "weight: 2, delay: 1.2 ms, kernel: event,",
	"weight: 0.3, stp:", "weight: 0.3, kernel: event, stp:",
	"weight: 1, synapse: {Expon: {tau: 8 ms}}", "weight: 1, kernel: event, synapse: {Expon: {tau: 8 ms}}").Replace(mixedSpec)

// multi opens the XLA CPU plugin with the given number of virtual devices
// (a client of its own, as a process run with --devices would have).
func multi(t *testing.T, devices int) *pjrt.Backend {
	t.Helper()
	b, err := pjrt.Open(pjrt.Options{Backend: "cpu", Devices: devices})
	require.NoError(t, err)
	require.Len(t, b.Devices(), devices)
	return b
}

// A run split across 2, 3 and 4 virtual CPU devices (jit.Options.Devices,
// the program padded to a multiple of the device count) gives the
// single-device run's spikes exactly, on COBA, CUBA and a network with
// delays, STP, STDP, a Poisson input and three neuron models; with 3
// devices, blocks of 500 and 80 neurons are padded, and with a capacity
// of 1 the split run overflows and goes on as the single-device run does.
// Each device propagates into its own neurons only (the fan-out tables,
// procedural rows, per-synapse delay tables and STP-scaled tables split by
// target), with the CPU's top-k compaction or the GPU's scan.
// Traces and STDP weights of the mixed network are equal to float32
// roundoff: its STDP projection PE is dense, which XLA's partitioner
// splits by source (each device sums its sources' share, then the shares
// are added), another order than one device's; it feeds group PE+EE and
// moves the last bit of a few values (the other cases: bit for bit).
func TestShardedRunEqualsOneDevice(t *testing.T) {
	cases := []struct {
		name    string
		net     func() *ir.Network
		devices []int
		jopts   jit.Options
		exact   bool // traces bit for bit
		kernel  plan.Kernel
		noPack  bool // a block of each population: some tables whole
	}{
		{"small coba", func() *ir.Network { return parse(t, smallCOBA) }, []int{2, 3, 4}, jit.Options{}, true, "", false},
		{"small coba, composed ops", func() *ir.Network { return parse(t, smallCOBA) }, []int{3}, jit.Options{ComposedOps: true}, true, "", false},
		{"small coba, capacity 1", func() *ir.Network { return parse(t, smallCOBA) }, []int{3}, jit.Options{Capacity: 1, NoShrink: true}, true, "", false},
		{"small coba, scan compaction", func() *ir.Network { return parse(t, smallCOBA) }, []int{2}, jit.Options{ScanCompaction: true}, true, "", false},
		{"cuba", func() *ir.Network { return model(t, "cuba", 30) }, []int{2, 3}, jit.Options{}, true, "", false},
		{"small coba, procedural", func() *ir.Network { return parse(t, smallCOBA) }, []int{3}, jit.Options{}, true, plan.KernelProcedural, false},
		{"delays, stp, stdp", func() *ir.Network { return parse(t, mixedEvents) }, []int{2}, jit.Options{}, false, "", false},
		{"delays, stp, stdp, composed ops", func() *ir.Network { return parse(t, mixedEvents) }, []int{3}, jit.Options{ComposedOps: true}, false, "", false},
		{"partly split", func() *ir.Network { return parse(t, partlySplit) }, []int{4}, jit.Options{}, true, "", true},
	}
	backends := map[int]*pjrt.Backend{}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			one, _ := simulate(t, c.net(), lower.Options{Kernel: c.kernel}, c.jopts)
			require.Greater(t, totalSpikes(one), 50)
			for _, d := range c.devices {
				if backends[d] == nil {
					backends[d] = multi(t, d)
				}
				net := c.net()
				prog, err := lower.Build(net, lower.Options{PadTo: d, Kernel: c.kernel, NoPack: c.noPack})
				require.NoError(t, err)
				require.NotEmpty(t, prog.SplitBlocks())
				if c.noPack {
					require.Len(t, prog.SplitBlocks(), 1, "A's table into A splits, B's into B (50 neurons) stays whole")
					require.Len(t, prog.FanBlocks(), 2)
				} else {
					require.Equal(t, prog.FanBlocks(), prog.SplitBlocks(), "%d devices: the fan-out tables split by target", d)
				}
				require.Equal(t, prog.DelayedEvents(), prog.SplitDelayed(), "%d devices: per-synapse delay tables split by target", d)
				require.Equal(t, prog.ScaledEvents(), prog.SplitScaled(), "%d devices: STP-scaled tables split by target", d)
				if strings.HasPrefix(c.name, "delays, stp, stdp") {
					require.NotEmpty(t, prog.SplitDelayed())
					require.NotEmpty(t, prog.SplitScaled())
				}
				if c.kernel == plan.KernelProcedural {
					require.Len(t, prog.SplitProcedural(), 2, "%d devices: E2E and E2I regenerated, split by target (I2E and I2I, fixed in-degree, stored)", d)
				}
				jopts := c.jopts
				jopts.Devices = d
				rec, st, err := driver.Simulate(backends[d], prog, int(net.Duration/net.Dt+0.5), driver.Options{Jit: jopts})
				require.NoError(t, err)
				assert.Equal(t, d, st.Devices)
				want := jit.OpsCustom // on each device's share of the split tables
				switch {
				case c.jopts.ScanCompaction:
					want = jit.OpsScan // the GPU's
				case c.jopts.ComposedOps || c.noPack:
					want = jit.OpsTopK // asked for, or a table whole in the partitioned step
				}
				assert.Equal(t, want, st.Ops)
				assert.Equal(t, spikeTrains(one), spikeTrains(rec), "%d devices: spikes", d)
				require.Len(t, rec.Traces, len(one.Traces))
				for i, tr := range one.Traces {
					if c.exact {
						assert.Equal(t, tr.Values, rec.Traces[i].Values, "%d devices: trace %s.%s", d, tr.Pop, tr.Var)
					}
					assert.InDeltaSlice(t, tr.Values, rec.Traces[i].Values, 1e-5, "%d devices: trace %s.%s", d, tr.Pop, tr.Var)
				}
				for i := range one.Weights {
					assert.InDeltaSlice(t, one.Weights[i].W, rec.Weights[i].W, 1e-6, "%d devices: weights of %s", d, one.Weights[i].Proj)
				}
				if c.jopts.Capacity == 1 {
					assert.Greater(t, st.Overflows, 0)
				}
			}
		})
	}
}

// partlySplit has two populations of their own models: A's event table
// into A (120 neurons) splits across 4 devices; B's into B (50) does not
// divide and, unpacked, is not padded: it stays whole.
const partlySplit = `
name: partly
dt: 0.1 ms
duration: 60 ms
seed: 5
populations:
  A: {size: 120, model: LifRef, params: {V_rest: -60 mV, V_th: -50 mV, V_reset: -60 mV, tau: 20 ms, tau_ref: 2 ms},
      init: {V: uniform(-60 mV, -50 mV)}, input: 12}
  B: {size: 50, model: Izhikevich, input: 10}
projections:
  AA: {pre: A, post: A, conn: {fixed_prob: 0.1}, weight: 0.5, kernel: event, synapse: {Expon: {tau: 5 ms}}, output: CUBA}
  BB: {pre: B, post: B, conn: {fixed_prob: 0.2}, weight: 1, kernel: event, synapse: {Expon: {tau: 5 ms}}, output: CUBA}
monitors:
  spikes: [A, B]
  traces: {A.V: [0, 7], B.V: [3]}
`

// A program whose fan-out tables are split for 2 devices runs on exactly
// 2: jit names the mismatch. The custom calls run a split program whose
// tables all split, not one with a table left whole (ProgramOps then
// chooses the composed operators, and says why).
func TestSplitProgramNeedsItsDevices(t *testing.T) {
	prog, err := lower.Build(parse(t, smallCOBA), lower.Options{PadTo: 2})
	require.NoError(t, err)
	for _, d := range []int{0, 3} {
		_, err = jit.NewRunner(cpu(t).Backend, prog, jit.Options{Devices: d})
		assert.EqualError(t, err, fmt.Sprintf("jit: the program's propagation is split by target across 2 devices (lower.Options.PadTo), but the run asks for %d", max(d, 1)))
	}
	ops, why := jit.ProgramOps(cpu(t), prog, 2, false)
	assert.Equal(t, jit.OpsCustom, ops)
	assert.Empty(t, why)
	lp, err := jit.NewLoopProgramWith(cpu(t), prog, "split", 16, false)
	require.NoError(t, err)
	assert.Equal(t, 2, strings.Count(lp.Text, `call_target_name = "brainc_csr"`)+strings.Count(lp.Text, `call_target_name = "brainc_compact"`),
		"one propagation and one compaction, each inside a manual computation")
	partly, err := lower.Build(parse(t, partlySplit), lower.Options{PadTo: 4, NoPack: true})
	require.NoError(t, err)
	ops, why = jit.ProgramOps(cpu(t), partly, 4, false)
	assert.Equal(t, jit.OpsTopK, ops)
	assert.Equal(t, "split across 4 devices with tables that stay whole on every device (blocks that do not divide), where the custom calls have no partitioning rule", why)
	_, err = jit.NewLoopProgramWith(cpu(t), partly, "partly", 16, false)
	assert.EqualError(t, err, "jit: the program's propagation is split by target across 4 devices with tables left whole, which brainc's custom calls cannot run: use composed operators")
}

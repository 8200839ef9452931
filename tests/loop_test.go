package tests

import (
	"errors"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/cpuops"
	"github.com/brainc/brainc/driver"
	"github.com/brainc/brainc/ir"
	"github.com/brainc/brainc/jit"
	"github.com/brainc/brainc/lower"
	"github.com/brainc/brainc/models"
	"github.com/brainc/brainc/plan"
	"github.com/brainc/brainc/results"
)

// model loads a built-in network and shortens it to ms of model time.
func model(t *testing.T, name string, ms float64) *ir.Network {
	t.Helper()
	net, err := models.Load(name)
	require.NoError(t, err)
	net.Duration = ms
	return net
}

// mixedSpec mixes neuron models, per-synapse delays, STP, STDP, a Poisson
// input and traces of synaptic and plastic variables.
const mixedSpec = `
name: mixed
dt: 0.1 ms
duration: 80 ms
seed: 11
populations:
  P: {size: 100, model: Poisson, params: {rate: 40 Hz}}
  E: {size: 300, model: LifRef, params: {V_rest: -60 mV, V_th: -50 mV, V_reset: -60 mV, tau: 20 ms, tau_ref: 2 ms},
      init: {V: uniform(-60 mV, -50 mV)}, input: 12}
  A: {size: 80, model: AdEx, input: 20}
  Z: {size: 60, model: Izhikevich, input: 10, integrator: rk4}
projections:
  PE: {pre: P, post: E, conn: {fixed_prob: 0.2}, weight: 1.5, synapse: {Expon: {tau: 5 ms}}, output: CUBA,
       stdp: {A_plus: 0.02, A_minus: 0.021, w_max: 3}}
  EE: {pre: E, post: E, conn: {fixed_prob: 0.05}, weight: 0.5, delay: uniform(0.5 ms, 3 ms), synapse: {Expon: {tau: 5 ms}}, output: CUBA}
  EA: {pre: E, post: A, conn: {fixed_prob: 0.1}, weight: 0.3, stp: {U: 0.2, tau_d: 150 ms, tau_f: 400 ms},
       synapse: {Expon: {tau: 3 ms}}, output: CUBA}
  AZ: {pre: A, post: Z, conn: {fixed_prob: 0.2}, weight: 2, delay: 1.2 ms, synapse: {Expon: {tau: 4 ms}}, output: CUBA}
  ZE: {pre: Z, post: E, conn: {fixed_prob: 0.1}, weight: 1, synapse: {Expon: {tau: 8 ms}}, output: CUBA}
monitors:
  spikes: [P, E, A, Z]
  traces: {E.V: [0, 5], EE.g: [1], EA.u: [0], PE.w: [0, 3]}
`

// The loop engine (time loop inside the executable) gives exactly the
// chunk engine's spikes and traces — the path it replaces — on COBA, CUBA,
// COBAHH and the decision network (built-ins, shortened), on the event and
// the dense kernels, and on a network mixing three neuron models with
// delays, STP, STDP and a Poisson input.
func TestLoopEqualsChunks(t *testing.T) {
	cases := []struct {
		name   string
		net    func() *ir.Network
		kernel plan.Kernel
		dtype  dtypes.DType
		// roundoff is the difference allowed between traces (mV): 0 (bit
		// for bit) except where XLA fuses the HH rate functions of one step
		// differently than those of an unrolled chunk, which moves the last
		// float32 bit of V now and then; the upstroke of a spike amplifies
		// it (spikes stay identical).
		roundoff float64
	}{
		{"small coba event", func() *ir.Network { return parse(t, smallCOBA) }, plan.KernelEvent, dtypes.Float32, 0},
		{"small coba dense", func() *ir.Network { return parse(t, smallCOBA) }, plan.KernelDense, dtypes.Float32, 0},
		{"coba", func() *ir.Network { return model(t, "coba", 30) }, "", dtypes.Float32, 0},
		{"cuba", func() *ir.Network { return model(t, "cuba", 30) }, "", dtypes.Float32, 0},
		{"cobahh", func() *ir.Network { return model(t, "cobahh", 20) }, "", dtypes.Float32, 0.01},
		{"cobahh float64", func() *ir.Network { return model(t, "cobahh", 20) }, "", dtypes.Float64, 1e-9},
		{"decision", func() *ir.Network { return model(t, "decision", 20) }, "", dtypes.Float32, 0},
		{"mixed float32", func() *ir.Network { return parse(t, mixedSpec) }, "", dtypes.Float32, 0},
		{"mixed float64", func() *ir.Network { return parse(t, mixedSpec) }, "", dtypes.Float64, 0},
		{"delays in and out of a fan-out table", func() *ir.Network {
			return parse(t, strings.Replace(packSpec, "duration: 300 ms", "duration: 100 ms", 1))
		}, "", dtypes.Float32, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			lopts := lower.Options{Kernel: c.kernel, DType: c.dtype}
			// The reference starts at a capacity no step overflows (each
			// bucket is a compile of K unrolled steps; the chunk engine's
			// growth is TestCapacityOverflowIsExact's), as do the scan and
			// composed variants; the loop engine with custom calls starts
			// at the default and grows and shrinks as runs do.
			chunk, _ := simulate(t, c.net(), lopts, jit.Options{Engine: jit.EngineChunk, K: 3, Capacity: 256})
			loop, lst := simulate(t, c.net(), lopts, jit.Options{Engine: jit.EngineLoop})
			require.Equal(t, jit.OpsCustom, lst.Ops, "the CPU plugin runs brainc's custom calls")
			require.Greater(t, totalSpikes(chunk), 20, "the network must fire for the comparison to mean anything")
			assert.Equal(t, spikeTrains(chunk), spikeTrains(loop))
			// The loop compacts with top-k on the CPU plugin; the traced
			// prefix sum (the GPU's path) gives the same spikes.
			scan, _ := simulate(t, c.net(), lopts, jit.Options{Engine: jit.EngineLoop, ScanCompaction: true, Capacity: 256})
			assert.Equal(t, spikeTrains(chunk), spikeTrains(scan), "scan compaction")
			// The loop compacts and propagates with brainc's custom calls
			// on the CPU plugin; the composed top-k path gives the same.
			composed, _ := simulate(t, c.net(), lopts, jit.Options{Engine: jit.EngineLoop, ComposedOps: true, Capacity: 256})
			assert.Equal(t, spikeTrains(chunk), spikeTrains(composed), "composed ops")
			require.Len(t, loop.Traces, len(chunk.Traces))
			for i, tr := range chunk.Traces {
				if c.roundoff == 0 {
					assert.Equal(t, tr.Values, loop.Traces[i].Values, "trace %s.%s", tr.Pop, tr.Var)
					continue
				}
				require.Len(t, loop.Traces[i].Values, len(tr.Values))
				for k, want := range tr.Values {
					require.InDelta(t, want, loop.Traces[i].Values[k], c.roundoff, "trace %s.%s sample %d", tr.Pop, tr.Var, k)
				}
			}
			for i := range chunk.Weights {
				assert.Equal(t, chunk.Weights[i].W, loop.Weights[i].W, "weights of %s", chunk.Weights[i].Proj)
			}
			assert.Equal(t, int(c.net().Duration/c.net().Dt+0.5), lst.Steps)
		})
	}
}

// A capacity of one spike per step makes the loop stop at nearly every
// step that fires; the spikes of the stopping step come from the spike flags
// and the run goes on with a larger capacity: exactly the spikes of a run
// that never overflows, with no step computed twice.
func TestLoopOverflowIsExact(t *testing.T) {
	big, bst := simulate(t, parse(t, smallCOBA), lower.Options{}, jit.Options{Capacity: 512})
	require.Equal(t, 0, bst.Overflows)
	tiny, tst := simulate(t, parse(t, smallCOBA), lower.Options{}, jit.Options{Capacity: 1, NoShrink: true})
	assert.Greater(t, tst.Overflows, 0, "a capacity of 1 must overflow")
	assert.Equal(t, 1000, tst.Steps, "no step is run twice")
	assert.Equal(t, spikeTrains(big), spikeTrains(tiny))
	assert.Equal(t, big.Traces[0].Values, tiny.Traces[0].Values)

	adaptive, ast := simulate(t, parse(t, smallCOBA), lower.Options{}, jit.Options{Capacity: 1})
	assert.Greater(t, ast.Overflows, 0)
	assert.Equal(t, spikeTrains(big), spikeTrains(adaptive))
}

// A run split into pieces of odd lengths (not multiples of any segment),
// or stopped by its callback and continued, is the run in one piece.
func TestLoopRunsContinue(t *testing.T) {
	net := parse(t, smallCOBA)
	prog, err := lower.Build(net, lower.Options{})
	require.NoError(t, err)
	whole, _, err := driver.Simulate(cpu(t), prog, 1000, driver.Options{Jit: jit.Options{}})
	require.NoError(t, err)

	r, err := jit.NewRunner(cpu(t), prog, jit.Options{})
	require.NoError(t, err)
	defer r.Close()
	require.Equal(t, jit.EngineLoop, r.Engine())
	rec := results.NewRecorder(prog)
	stop := errors.New("stop here")
	calls := 0
	err = r.Run(1000, func(c *jit.Chunk) error {
		require.NoError(t, rec.Add(c))
		if calls++; calls == 2 {
			return stop // as a cancelled run does, between calls
		}
		return nil
	})
	require.ErrorIs(t, err, stop)
	state, err := r.State()
	require.NoError(t, err)
	reached := int(state[0].Value().(int32))
	assert.Equal(t, rec.Steps, reached, "the state is the one after the last step handed out")
	for _, n := range []int{1, 333, 1000 - reached - 334} {
		require.NoError(t, r.Run(n, rec.Add))
	}
	assert.Equal(t, 1000, rec.Steps)
	assert.Equal(t, spikeTrains(whole), spikeTrains(rec))
	assert.Equal(t, whole.Traces[0].Values, rec.Traces[0].Values)
}

// The zero Options are safe: the loop engine on XLA, whose program does not
// grow with the run: 20 times the steps compile the same executables.
func TestLoopProgramDoesNotGrowWithTheRun(t *testing.T) {
	prog, err := lower.Build(parse(t, smallCOBA), lower.Options{})
	require.NoError(t, err)
	a, err := jit.NewLoopProgram(cpu(t), prog, "p", 16)
	require.NoError(t, err)
	prog20, err := lower.Build(parse(t, smallCOBA), lower.Options{})
	require.NoError(t, err)
	prog20.Net.Duration *= 20
	b, err := jit.NewLoopProgram(cpu(t), prog20, "p", 16)
	require.NoError(t, err)
	assert.Equal(t, a.Text, b.Text)
	assert.Contains(t, a.Text, `"stablehlo.while"`)
	assert.Equal(t, 1, strings.Count(a.Text, "func.call @step"), "one traced step per iteration")
}

// On the CPU plugin the loop program of a network with per-synapse delays
// calls all three custom calls, and the manifest of its programs says so.
func TestCustomCallsCoverDelays(t *testing.T) {
	prog, err := lower.Build(parse(t, packSpec), lower.Options{})
	require.NoError(t, err)
	require.NotEmpty(t, prog.DelayedEvents(), "the network has an event projection with per-synapse delays")
	require.NotEmpty(t, prog.FanBlocks(), "and event projections sharing a fan-out table")
	lp, err := jit.NewLoopProgram(cpu(t), prog, "mixed", 32)
	require.NoError(t, err)
	assert.Equal(t, []string{cpuops.CompactTarget, cpuops.CSRTarget, cpuops.CSRDelayedTarget}, lp.CustomCalls)
	assert.Equal(t, len(prog.DelayedEvents()), strings.Count(lp.Text, `call_target_name = "brainc_csr_delayed"`))
	composed, err := jit.NewLoopProgramWith(cpu(t), prog, "mixed", 32, true)
	require.NoError(t, err)
	assert.Empty(t, composed.CustomCalls)
	assert.NotContains(t, composed.Text, "custom_call\"(%cc")
}

package tests

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/ir"
	"github.com/brainc/brainc/jit"
	"github.com/brainc/brainc/lower"
	"github.com/brainc/brainc/netspec"
	"github.com/brainc/brainc/npyio"
	"github.com/brainc/brainc/plan"
)

// groupTrace runs a program one step per chunk and returns the synaptic
// variable g of its first group after every step: [steps][post size].
func groupTrace(t *testing.T, prog *lower.Program, steps int) [][]float64 {
	t.Helper()
	r, err := jit.NewRunner(cpu(t), prog, jit.Options{Engine: jit.EngineChunk, K: 1})
	require.NoError(t, err)
	var out [][]float64
	require.NoError(t, r.Run(steps, func(*jit.Chunk) error {
		state, err := r.State()
		out = append(out, floats(state[prog.Groups[0].G.Index]))
		return err
	}))
	return out
}

func floats(t *tensors.Tensor) []float64 {
	switch v := t.Value().(type) {
	case []float32:
		out := make([]float64, len(v))
		for i, x := range v {
			out[i] = float64(x)
		}
		return out
	case []float64:
		return v
	}
	panic(fmt.Sprintf("not a float vector: %T", t.Value()))
}

// delaySpec drives 4 target neurons one to one from given spike times
// (several spikes per source, so the ring buffer wraps around) through an
// exponential synapse; %s is the projection's extra keys.
const delaySpec = `
dt: 0.1 ms
duration: 12 ms
populations:
  S:
    size: 4
    model: SpikeTimes
    spikes: {times: [0.5 ms, 1 ms, 1 ms, 2.3 ms, 4 ms, 4.1 ms, 7 ms, 9.5 ms], indices: [0, 1, 2, 3, 0, 2, 1, 3]}
  N: {size: 4, model: LifRef, params: {V_th: 1e9}}
projections:
  SN: {pre: S, post: N, conn: %s, weight: 1, synapse: {Expon: {tau: 2 ms}}, output: CUBA%s}
monitors: {spikes: [S]}
`

// A spike crossing a delay of d arrives exactly d/dt steps later: the
// synaptic trace of a delayed projection is the undelayed one shifted by
// each synapse's delay, for one delay per projection and for per-synapse
// delays (drawn or from a file), on the event and the dense kernels.
func TestDelaysShiftArrivalsExactly(t *testing.T) {
	const steps = 120
	build := func(conn, extra string) *lower.Program {
		net, err := netspec.Parse([]byte(fmt.Sprintf(delaySpec, conn, extra)), filepath.Join(dir, "delay.yaml"))
		require.NoError(t, err)
		prog, err := lower.Build(net, lower.Options{})
		require.NoError(t, err)
		return prog
	}
	base := groupTrace(t, build("{one_to_one: true}", ""), steps)
	first := -1
	for s := range base {
		if base[s][0] != 0 {
			first = s
			break
		}
	}
	require.Equal(t, 6, first, "a spike in step 5 reaches the synapse in step 6")
	check := func(name string, got [][]float64, delays []int) {
		t.Helper()
		for s := range steps {
			for i, d := range delays {
				want := 0.0
				if s-d >= 0 {
					want = base[s-d][i]
				}
				require.InDelta(t, want, got[s][i], 1e-6, "%s: step %d neuron %d (delay %d steps)", name, s, i, d)
			}
		}
	}
	for _, kernel := range []string{"dense", "event"} {
		prog := build("{one_to_one: true}", ", delay: 1.5 ms, kernel: "+kernel)
		require.NotNil(t, prog.Projs[0].Delay)
		assert.Equal(t, 15, prog.Projs[0].Delay.Steps)
		assert.Equal(t, 16, prog.Projs[0].Delay.Len, "ring buffer of delay + 1 rows")
		check("one delay, "+kernel, groupTrace(t, prog, steps), []int{15, 15, 15, 15})

		prog = build("{one_to_one: true}", ", delay: uniform(0.2 ms, 3 ms), kernel: "+kernel)
		d := prog.Projs[0].Delay
		require.NotNil(t, d.PerSynapse, "drawn delays differ")
		per := make([]int, 4)
		for i := range per {
			per[i] = int(d.PerSynapse[i]) // one_to_one: synapse i is neuron i
			assert.True(t, per[i] >= 2 && per[i] <= 30, "delay %d steps within [0.2, 3] ms", per[i])
		}
		check("drawn per-synapse delays, "+kernel, groupTrace(t, prog, steps), per)

		file := filepath.Join(dir, "delays.npz")
		require.NoError(t, npyio.WriteNPZ(file, []string{"pre", "post", "delay"}, []npyio.Array{
			{Shape: []int{4}, Data: []int64{3, 0, 2, 1}}, {Shape: []int{4}, Data: []int64{3, 0, 2, 1}},
			{Shape: []int{4}, Data: []float64{0, 0.5, 2.04, 1}}}))
		prog = build("{file: delays.npz}", ", kernel: "+kernel)
		check("file delays, "+kernel, groupTrace(t, prog, steps), []int{5, 10, 20, 0})
	}
	_, err := netspec.Parse([]byte(fmt.Sprintf(delaySpec, "{one_to_one: true}", ", delay: normal(-1 ms, 1 ms)")), "d.yaml")
	assert.EqualError(t, err, "d.yaml:11: projections.SN.delay: normal(mean, sd) needs mean ≥ 0 and sd ≥ 0, got -1 ms and 1 ms")
}

var dir = func() string {
	d, err := os.MkdirTemp("", "brainc-tests-")
	if err != nil {
		panic(err)
	}
	return d
}()

// Short-term plasticity and per-synapse delays run on the event kernel
// (each projection with its own table, rows scaled by their efficacies) and
// give the same spikes as the dense kernel, alone and together.
func TestSTPAndDelaysOnTheEventKernel(t *testing.T) {
	base := `
seed: 21
duration: 400 ms
populations:
  P: {size: 300, model: Poisson, params: {rate: 30 Hz}}
  N: {size: 40, model: LifRef, params: {V_th: 10, tau: 10 ms}}
projections:
  PN: {pre: P, post: N, conn: {fixed_prob: 0.3}, weight: 4, synapse: {Expon: {tau: 5 ms}}, output: CUBA, %s}
  NN: {pre: N, post: N, conn: {fixed_prob: 0.2}, weight: -0.5, synapse: {Expon: {tau: 5 ms}}, output: CUBA}
monitors: {spikes: [N]}
`
	for _, extra := range []string{
		"stp: {U: 0.5, tau_f: 20 ms, tau_d: 300 ms}",
		"delay: uniform(0.5 ms, 4 ms)",
		"stp: {U: 0.2, tau_f: 500 ms, tau_d: 50 ms}, delay: uniform(0 ms, 3 ms)",
	} {
		var trains [2][][2][]float64
		for i, kernel := range []string{"event", "dense"} {
			net := parse(t, fmt.Sprintf(base, extra+", kernel: "+kernel))
			prog, err := lower.Build(net, lower.Options{DType: dtypes.Float64})
			require.NoError(t, err)
			assert.Equal(t, plan.Kernel(kernel), prog.Projs[0].Kernel, extra)
			assert.Equal(t, kernel == "event", prog.Projs[0].Own != nil, "%s: own table", extra)
			rec, _ := simulate(t, net, lower.Options{DType: dtypes.Float64}, jit.Options{K: 4})
			trains[i] = spikeTrains(rec)
		}
		require.Greater(t, len(trains[0][0][0]), 100, extra)
		assert.Equal(t, trains[1], trains[0], extra)
	}
}

// Projection variables can be traced like neuron states: a synaptic
// variable by postsynaptic neuron (the trace equals the state read step by
// step), STDP weights by synapse (the last row equals weights.npz's), and
// STP variables by presynaptic neuron; bad keys and indices name the field.
func TestProjectionTraces(t *testing.T) {
	spec := fmt.Sprintf(delaySpec, "{one_to_one: true}", ", stdp: {A_plus: 0.05, w_max: 2}")
	spec = strings.Replace(spec, "monitors: {spikes: [S]}\n", "", 1) + "monitors: {spikes: [S], traces: {SN.g: [0, 1, 2, 3], SN.w: [0, 2], SN.x_pre: [1]}}\n"
	net := parse(t, spec)
	prog, err := lower.Build(net, lower.Options{})
	require.NoError(t, err)
	want := groupTrace(t, prog, 120)
	rec, _ := simulate(t, net, lower.Options{}, jit.Options{K: 4})
	g, w := rec.Traces[0].Values, rec.Traces[1].Values
	require.Len(t, g, 120*4)
	for s := range 120 {
		for i := range 4 {
			require.InDelta(t, want[s][i], g[s*4+i], 1e-6, "step %d neuron %d", s, i)
		}
	}
	final := rec.Weights[0].W
	assert.Equal(t, []float64{final[0], final[2]}, w[len(w)-2:], "the last traced weights are the final ones")
	// Neuron 1 fires in step 10 (1 ms) and 70: the rule counts the spike in
	// step 11, where x_pre jumps to 1; it then decays with tau_plus (20 ms).
	xPre := rec.Traces[2].Values
	assert.Zero(t, xPre[10])
	assert.InDelta(t, 1.0, xPre[11], 1e-6, "x_pre after the first spike")
	assert.InDelta(t, math.Exp(-0.1*float64(59-11)/20), xPre[59], 1e-6, "x_pre decays exactly until the next spike")

	for key, msg := range map[string]string{
		"SN.q: [0]":  `test.yaml:12: monitors.traces.SN.q: projection SN has no traceable variable "q" (valid: g, I, w, x_pre, x_post)`,
		"SN.g: [4]":  `test.yaml:12: monitors.traces.SN.g: neuron index 4 out of range (population N has 4 neurons: 0..3)`,
		"SN.w: [99]": `test.yaml:12: monitors.traces.SN.w: synapse index 99 out of range (projection SN has 4 synapses: 0..3)`,
	} {
		bad := strings.Replace(spec, "traces: {SN.g: [0, 1, 2, 3], SN.w: [0, 2], SN.x_pre: [1]}", "traces: {"+key+"}", 1)
		net, err := netspec.Parse([]byte(bad), "test.yaml")
		if err == nil {
			_, err = lower.Build(net, lower.Options{})
		}
		assert.EqualError(t, err, msg, key)
	}
}

// A SpikeTimes population reads its spikes from an .npz (times in ms,
// indices) like inline lists; a file with a bad index is an error naming
// the population, its line and the entry.
func TestSpikeTimesFromFile(t *testing.T) {
	file := filepath.Join(dir, "spikes.npz")
	write := func(idx []int64) {
		require.NoError(t, npyio.WriteNPZ(file, []string{"times", "indices"}, []npyio.Array{
			{Shape: []int{3}, Data: []float64{0.5, 1, 2.3}}, {Shape: []int{3}, Data: idx}}))
	}
	write([]int64{0, 2, 1})
	inline := `
duration: 5 ms
populations:
  S: {size: 3, model: SpikeTimes, spikes: %s}
`
	fromFile := parseFile(t, fmt.Sprintf(inline, "{file: spikes.npz}"))
	fromList := parse(t, fmt.Sprintf(inline, "{times: [0.5 ms, 1 ms, 2.3 ms], indices: [0, 2, 1]}"))
	a, _ := simulate(t, fromFile, lower.Options{}, jit.Options{K: 5})
	b, _ := simulate(t, fromList, lower.Options{}, jit.Options{K: 5})
	require.Len(t, a.Spikes[0].Times, 3)
	for k, want := range []float64{0.5, 1, 2.3} {
		assert.InDelta(t, want, a.Spikes[0].Times[k], 1e-9)
	}
	assert.Equal(t, []int32{0, 2, 1}, a.Spikes[0].Indices)
	assert.Equal(t, spikeTrains(b), spikeTrains(a))
	write([]int64{0, 3, 1})
	_, err := netspec.Parse([]byte(fmt.Sprintf(inline, "{file: spikes.npz}")), filepath.Join(dir, "s.yaml")) // read when loaded
	assert.EqualError(t, err, filepath.Join(dir, "s.yaml")+":4: populations.S: "+file+": indices[1] is 3, not a neuron of [0, 3)")
}

// parseFile parses a spec as if read from dir/s.yaml (relative paths are
// taken from dir).
func parseFile(t *testing.T, spec string) *ir.Network {
	t.Helper()
	net, err := netspec.Parse([]byte(spec), filepath.Join(dir, "s.yaml"))
	require.NoError(t, err)
	return net
}

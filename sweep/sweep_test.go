package sweep

import (
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/ir"
	"github.com/brainc/brainc/netspec"
	"github.com/brainc/brainc/results"
)

const spec = `
name: s
populations:
  E: {size: 4, model: LifRef, params: {tau: 20 ms}}
  Q:
    size: 2
    model:
      equations: "dv/dt = -v/tau : mV"
      params: {tau: 10 ms}
projections:
  EE: {pre: E, post: E, conn: {fixed_prob: 0.5}, weight: 1, synapse: Expon, output: CUBA}
`

func net(t *testing.T) *ir.Network {
	n, err := netspec.Parse([]byte(spec), "s.yaml")
	require.NoError(t, err)
	return n
}

// --set reads ranges and lists in the parameter's units; --seeds reads
// ranges and lists; bad ones are named.
func TestParseSetAndSeeds(t *testing.T) {
	a, err := ParseSet("E.tau=10ms..30ms/5", net(t))
	require.NoError(t, err)
	assert.Equal(t, []float64{10, 15, 20, 25, 30}, a.Values)
	a, err = ParseSet("EE.weight=[4, 6,8]", net(t))
	require.NoError(t, err)
	assert.Equal(t, "EE.weight", a.Name())
	assert.Equal(t, []float64{4, 6, 8}, a.Values)
	a, err = ParseSet("Q.tau=[1 s, 5 ms]", net(t))
	require.NoError(t, err)
	assert.Equal(t, []float64{1000, 5}, a.Values)
	s, err := ParseSeeds("3..6")
	require.NoError(t, err)
	assert.Equal(t, []uint64{3, 4, 5, 6}, s)
	s, err = ParseSeeds("1, 9")
	require.NoError(t, err)
	assert.Equal(t, []uint64{1, 9}, s)
	for _, tc := range []struct{ set, want string }{
		{"E.tau=10 mV..20 mV/3", `--set "E.tau=10 mV..20 mV/3": expected a time (e.g. "5 ms"), got "10 mV"`},
		{"E.taux=[1]", `--set "E.taux=[1]": LifRef (population E) has no parameter "taux" (parameters: V_rest, V_reset, V_th, R, tau, tau_ref; or input)`},
		{"X.tau=[1]", `--set "X.tau=[1]": no population or projection "X"`},
		{"EE.tau=[1]", `--set "EE.tau=[1]": projection EE: only its weight can be swept, got "tau"`},
		{"E.tau=10ms..20ms", `--set "E.tau=10ms..20ms": expected a list [a, b, …] or a range from..to/count with 1 ≤ count ≤ 100000`},
		{"Q.tau=[3 mV]", `--set "Q.tau=[3 mV]": dimensions disagree: "3 mV" is V, expected s`},
		{"tau=[1]", `--set "tau=[1]": expected Target.key=values`},
	} {
		_, err := ParseSet(tc.set, net(t))
		require.Error(t, err, tc.set)
		assert.Contains(t, err.Error(), tc.want)
	}
	drawn := net(t)
	drawn.Population("E").Vary = map[string]ir.Init{"tau": {Kind: ir.InitNormal, A: 20, B: 2}}
	drawn.Population("E").Input = ir.Input{Kind: ir.InputConstant, PerNeuron: &ir.Init{Kind: ir.InitUniform, A: 1, B: 2}}
	_, err = ParseSet("E.tau=[10 ms]", drawn)
	assert.ErrorContains(t, err, "E.tau is drawn per neuron (normal): a sweep would give every neuron one value")
	_, err = ParseSet("E.input=[3]", drawn)
	assert.ErrorContains(t, err, "E.input is drawn per neuron (uniform): a sweep would give every neuron one value")
	_, err = ParseSeeds("5..2")
	assert.EqualError(t, err, `--seeds "5..2": expected a range a..b or a list a,b,c of seeds ≥ 0`)
}

// Instances run the last axis fastest, then the seeds; Apply sets the
// values on a copy, leaving the network as it was.
func TestInstancesAndApply(t *testing.T) {
	n := net(t)
	g := Grid{Axes: []Axis{{Target: "E", Key: "tau", Values: []float64{10, 20}}, {Target: "EE", Key: "weight", Values: []float64{1, 2, 3}}}, Seeds: []uint64{7, 8}}
	insts, err := g.Instances(n.Seed)
	require.NoError(t, err)
	require.Len(t, insts, 12)
	assert.Equal(t, Instance{Index: 3, Values: []float64{10, 2}, Seed: 8}, insts[3])
	assert.Equal(t, Instance{Index: 11, Values: []float64{20, 3}, Seed: 8}, insts[11])
	_, err = Grid{Axes: []Axis{g.Axes[0], g.Axes[0]}}.Instances(0)
	assert.EqualError(t, err, "sweep: E.tau is swept twice: give all its values in one --set")
	in := Apply(n, g, insts[11])
	assert.Equal(t, 20.0, in.Population("E").Params["tau"])
	assert.Equal(t, ir.Init{Kind: ir.InitConst, A: 20}, in.Population("E").Vary["tau"])
	assert.Equal(t, 3.0, in.Projections[0].Weight)
	assert.Equal(t, uint64(8), in.Seed)
	assert.Equal(t, 20.0, n.Population("E").Params["tau"], "the network is unchanged")
	assert.Equal(t, 1.0, n.Projections[0].Weight)
	assert.Empty(t, n.Population("E").Vary)
}

// The measures of known spike trains: rate, CV, Fano factor and
// synchrony.
func TestMeasure(t *testing.T) {
	// Two neurons firing together every 10 ms for 1 s: regular (CV 0),
	// the same count in every window (Fano 0), fully synchronous (χ² 1).
	s := &results.Spikes{Pop: "P", Size: 2}
	for k := range 100 {
		s.Times, s.Indices = append(s.Times, float64(k)*10, float64(k)*10), append(s.Indices, 0, 1)
	}
	m := Measure(s, 1000)
	assert.InDelta(t, 100, m.RateHz, 1e-9)
	assert.InDelta(t, 0, m.CV, 1e-9)
	assert.InDelta(t, 0, m.Fano, 1e-9)
	assert.InDelta(t, 1, m.Synchrony, 1e-9)
	// Alternating neurons: anti-synchronous, the population count is flat.
	a := &results.Spikes{Pop: "P", Size: 2}
	for k := range 200 { // neuron 0 at 0, 10, 20 … ms, neuron 1 at 5, 15, 25 …: one spike per 5 ms bin
		a.Times, a.Indices = append(a.Times, float64(k)*5), append(a.Indices, int32(k%2))
	}
	assert.InDelta(t, 0, Measure(a, 1000).Synchrony, 1e-9)
	none := Measure(&results.Spikes{Pop: "P", Size: 3}, 1000)
	assert.True(t, math.IsNaN(none.CV) && math.IsNaN(none.Fano) && math.IsNaN(none.Synchrony))
	assert.Equal(t, 0.0, none.RateHz)
}

func TestColumns(t *testing.T) {
	g := Grid{Axes: []Axis{{Target: "E", Key: "tau", Values: []float64{1}}}}
	assert.Equal(t, "instance,E.tau,seed,E.rate_hz,E.cv_isi,E.fano,E.synchrony,run_s,compile_s,batch", strings.Join(Columns(g, []string{"E"}), ","))
}

// TestParseSeedsBounds: a range ending at the largest uint64 used to wrap
// and loop for ever (then run out of memory); ranges and lists longer than
// MaxInstances are refused naming --seeds.
func TestParseSeedsBounds(t *testing.T) {
	s, err := ParseSeeds("18446744073709551615..18446744073709551615")
	require.NoError(t, err)
	assert.Equal(t, []uint64{math.MaxUint64}, s)
	s, err = ParseSeeds("18446744073709551613..18446744073709551615")
	require.NoError(t, err)
	assert.Equal(t, []uint64{math.MaxUint64 - 2, math.MaxUint64 - 1, math.MaxUint64}, s)
	_, err = ParseSeeds("0..18446744073709551615")
	assert.EqualError(t, err, `--seeds "0..18446744073709551615": more than 100000 seeds, over the limit of 100000 instances`)
	_, err = ParseSeeds(strings.Repeat("1,", MaxInstances) + "1")
	assert.EqualError(t, err, `--seeds: 100001 seeds, over the limit of 100000 instances`)
}

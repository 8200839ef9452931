package tests

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/jit"
	"github.com/brainc/brainc/lower"
	"github.com/brainc/brainc/netspec"
)

// The fixtures in testdata/peers come from bench/peers/regen.sh (Brian2 and
// BrainPy, versions recorded in the files); these tests need no peer.

type singleRef struct {
	Version  string             `json:"version"`
	DT       float64            `json:"dt_ms"`
	Duration float64            `json:"duration_ms"`
	LIF      map[string]float64 `json:"lif"`
	Spikes   []float64          `json:"spikes_ms"`
	V        []*float64         `json:"v_mV"`
	Input    float64            `json:"input"`
	V0       float64            `json:"v0"`
	Drivers  []float64          `json:"drivers"`
	Target   map[string]float64 `json:"target"`
}

func loadJSON(t *testing.T, name string, v any) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "peers", name))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(data, v))
}

func lifParams(l map[string]float64) string {
	return fmt.Sprintf("{V_rest: %g mV, V_th: %g mV, V_reset: %g mV, tau: %g ms, tau_ref: %g ms}",
		l["V_rest"], l["V_th"], l["V_reset"], l["tau"], l["tau_ref"])
}

// compareSingle runs a single-neuron spec in float64 and checks it against
// Brian2: every spike within one dt (in fact equal), and the membrane trace
// within maxDV mV.
func compareSingle(t *testing.T, spec string, ref singleRef, maxDV float64) {
	rec, _ := simulate(t, parse(t, spec), lower.Options{DType: dtypes.Float64}, jit.Options{K: 10})
	var got []float64
	for _, s := range rec.Spikes {
		if s.Pop == "T" {
			got = s.Times
		}
	}
	require.Len(t, got, len(ref.Spikes), "spike count (Brian2 %s)", ref.Version)
	for i := range got {
		assert.InDelta(t, ref.Spikes[i], got[i], ref.DT/2, "spike %d", i)
	}
	v := rec.Traces[0].Values
	worst := 0.0
	for i, want := range ref.V {
		if want != nil {
			worst = math.Max(worst, math.Abs(v[i]-*want))
		}
	}
	t.Logf("%d spikes equal to Brian2 %s; max |ΔV| = %.3g mV", len(got), ref.Version, worst)
	assert.Less(t, worst, maxDV)
}

func TestSingleLIFMatchesBrian2(t *testing.T) {
	var ref singleRef
	loadJSON(t, "single_lif_const.json", &ref)
	spec := fmt.Sprintf(`
name: lif-const
dt: %g ms
duration: %g ms
populations:
  T: {size: 1, model: LifRef, params: %s, init: {V: %g mV}, input: %g}
monitors: {spikes: [T], traces: {T.V: [0]}}
`, ref.DT, ref.Duration, lifParams(ref.LIF), ref.V0, ref.Input)
	compareSingle(t, spec, ref, 1e-9)
}

// Three regular drivers at different rates feed one target through an Expon
// synapse with a COBA output (one merged synaptic state).
func TestDrivenLIFMatchesBrian2(t *testing.T) {
	var ref singleRef
	loadJSON(t, "single_lif_driven.json", &ref)
	spec := fmt.Sprintf("name: lif-driven\ndt: %g ms\nduration: %g ms\npopulations:\n", ref.DT, ref.Duration)
	spec += fmt.Sprintf("  T: {size: 1, model: LifRef, params: %s, init: {V: %g mV}, input: %g}\n",
		lifParams(ref.LIF), ref.Target["v0"], ref.Target["input"])
	for i, in := range ref.Drivers {
		spec += fmt.Sprintf("  D%d: {size: 1, model: LifRef, params: %s, input: %g}\n", i, lifParams(ref.LIF), in)
	}
	spec += "projections:\n"
	for i := range ref.Drivers {
		spec += fmt.Sprintf("  D%d2T: {pre: D%d, post: T, conn: {fixed_prob: 1}, weight: %g, synapse: {Expon: {tau: %g ms}}, output: {COBA: {E: %g mV}}}\n",
			i, i, ref.Target["w"], ref.Target["tau_syn"], ref.Target["E"])
	}
	spec += "monitors: {spikes: [T], traces: {T.V: [0]}}\n"
	compareSingle(t, spec, ref, 1e-9)
}

type netStats struct {
	N        int                                                  `json:"n"`
	Duration float64                                              `json:"duration_ms"`
	Seeds    []int                                                `json:"seeds"`
	Models   map[string]map[string]map[string]map[string]*float64 `json:"models"`
	Versions map[string]string                                    `json:"versions"`
}

// COBA and CUBA are chaotic: spikes cannot be compared across simulators,
// statistics can. Over the same seeds, brainc's mean rates are within 6% of
// Brian2's and BrainPy's (their own seed-to-seed spread is about ±3%), and
// its mean CV of ISI within 0.05.
func TestNetworkStatisticsMatchPeers(t *testing.T) {
	var ref netStats
	loadJSON(t, "network_stats.json", &ref)
	for _, model := range []string{"coba", "cuba"} {
		data, err := os.ReadFile(filepath.Join("testdata", "peers", model+"_4k.yaml"))
		require.NoError(t, err)
		mean := map[string]float64{}
		for _, seed := range ref.Seeds {
			net, err := netspec.Parse(data, model+"_4k.yaml")
			require.NoError(t, err)
			net.Seed, net.Duration = uint64(seed), ref.Duration
			rec, _ := simulate(t, net, lower.Options{}, jit.Options{K: 2})
			for _, s := range rec.Spikes {
				st := s.Stats(net.Duration)
				mean["rate_"+s.Pop] += st.RateHz / float64(len(ref.Seeds))
				mean["cv_"+s.Pop] += *st.CVISI / float64(len(ref.Seeds))
			}
		}
		for sim, perSeed := range ref.Models[model] {
			peer := map[string]float64{}
			for _, s := range perSeed {
				for k, v := range s {
					peer[k] += *v / float64(len(perSeed))
				}
			}
			t.Logf("%s vs %s %s: brainc E %.2f Hz I %.2f Hz CV %.3f; peer E %.2f Hz I %.2f Hz CV %.3f", model, sim,
				ref.Versions[sim], mean["rate_E"], mean["rate_I"], mean["cv_E"], peer["rate_E"], peer["rate_I"], peer["cv_E"])
			for _, pop := range []string{"E", "I"} {
				assert.InEpsilon(t, peer["rate_"+pop], mean["rate_"+pop], 0.06, "%s %s rate vs %s", model, pop, sim)
				assert.InDelta(t, peer["cv_"+pop], mean["cv_"+pop], 0.05, "%s %s CV vs %s", model, pop, sim)
			}
		}
	}
}

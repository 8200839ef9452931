package ir

import (
	"errors"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// goNet builds a small valid network in Go, relying on FillDefaults.
func goNet() *Network {
	n := &Network{
		Name: "go",
		Populations: []*Population{
			{Name: "E", Size: 8, Model: "LifRef", Params: map[string]float64{"tau": 20},
				Init: map[string]Init{"V": {Kind: InitUniform, A: -60, B: -50}}, Input: Input{Kind: "constant", Value: 2}},
			{Name: "I", Size: 2, Model: "LifRef", Line: 12},
		},
		Projections: []*Projection{
			{Name: "EI", Pre: "E", Post: "I", Conn: Conn{Rule: ConnFixedProb, Prob: 0.5}, Weight: 1,
				Synapse: Component{Model: "Expon"}, Output: Component{Model: "COBA", Params: map[string]float64{"E": -80}}},
			{Name: "EE", Pre: "E", Post: "E", Conn: Conn{Rule: ConnFixedInDegree, Num: 7}, Weight: 1,
				Synapse: Component{Model: "Expon"}, Output: Component{Model: "CUBA"}, Line: 30},
		},
		Monitors: Monitors{Spikes: []string{"E"}, Traces: []Trace{{Pop: "I", Var: "V", Indices: []int{0, 1}}}},
	}
	n.FillDefaults()
	return n
}

func TestFillDefaults(t *testing.T) {
	n := goNet()
	require.NoError(t, n.Validate())
	assert.Equal(t, DefaultDt, n.Dt)
	assert.Equal(t, DefaultDuration, n.Duration)
	assert.Equal(t, 20.0, n.Populations[0].Params["tau"], "set values are kept")
	assert.Equal(t, -5.0, n.Populations[0].Params["V_reset"], "missing values are defaulted")
	assert.Equal(t, "exp_euler", n.Populations[1].Integrator)
	assert.Equal(t, map[string]float64{"tau": 8}, n.Projections[0].Synapse.Params)
	assert.Equal(t, map[string]float64{"E": -80}, n.Projections[0].Output.Params)
	assert.Equal(t, "auto", n.Projections[1].Kernel)
}

// A parameter that takes one value per neuron holds a stand-in in Params
// (0 for a file or an expression): its range is checked on the neurons'
// values when they are drawn (package lower), not on the stand-in.
func TestPerNeuronParamsAreNotCheckedOnTheirStandIn(t *testing.T) {
	n := goNet()
	p := n.Populations[0]
	p.Params["tau"], p.Params["V_reset"], p.Params["V_th"] = 0, 0, 0
	p.Vary = map[string]Init{"tau": {Kind: InitFile, File: "tau.npy"}, "V_th": {Kind: InitFile, File: "th.npy"}}
	require.NoError(t, n.Validate())
	p.Vary = map[string]Init{"tau": {Kind: InitFile, File: "tau.npy"}}
	assert.EqualError(t, n.Validate(), "populations.E.params.V_reset: must be below V_th (0 mV), got 0 mV", "constant pairs are checked")
	p.Vary = nil
	assert.EqualError(t, n.Validate(), "populations.E.params.tau: must be > 0, got 0 ms", "constants are checked")
}

func TestValidateErrors(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(n *Network)
		want   string
	}{
		{"empty name", func(n *Network) { n.Name = "" }, "name: must not be empty"},
		{"zero dt", func(n *Network) { n.Dt = 0 }, "dt: must be > 0, got 0 ms"},
		{"negative duration", func(n *Network) { n.Duration = -1 }, "duration: must be > 0, got -1 ms"},
		{"no populations", func(n *Network) { n.Populations = nil }, "populations: at least one population is required"},
		{"duplicate population", func(n *Network) { n.Populations[1].Name = "E" },
			`line 12: populations.E: population "E" is defined twice`},
		{"zero size", func(n *Network) { n.Populations[1].Size = 0 }, "line 12: populations.I.size: must be in [1, 1073741824], got 0"},
		{"unknown model", func(n *Network) { n.Populations[0].Model = "Hodgkin" },
			`populations.E.model: unknown neuron model "Hodgkin" (known: AdEx, AdQuaIF, ExpIF, FHN, GIF, HH, Izhikevich, JansenRit, Kuramoto, LifRef, MorrisLecar, Poisson, QIF, SpikeTimes, StuartLandau, ThresholdLinear, TraubHH, WangBuzsaki, WilsonCowan)`},
		{"missing parameter", func(n *Network) { delete(n.Populations[0].Params, "R") },
			`populations.E.params: missing parameter "R" of LifRef (FillDefaults fills catalogue defaults)`},
		{"unknown parameter", func(n *Network) { n.Populations[0].Params["C"] = 1 },
			`populations.E.params: unknown parameter "C" of LifRef (valid: V_rest, V_reset, V_th, R, tau, tau_ref)`},
		{"non-positive tau", func(n *Network) { n.Populations[1].Params["tau"] = 0 },
			"line 12: populations.I.params.tau: must be > 0, got 0 ms"},
		{"unknown state", func(n *Network) { n.Populations[0].Init["W"] = Init{Kind: InitConst} },
			`populations.E.init: unknown state variable "W" of LifRef (valid: V)`},
		{"init kind", func(n *Network) { n.Populations[0].Init["V"] = Init{} },
			`populations.E.init.V: unknown value kind "" (valid: const, normal, uniform, lognormal, file, expr, values)`},
		{"given values missing", func(n *Network) { n.Populations[0].Init["V"] = Init{Kind: InitValues} },
			`populations.E.init.V: given values (kind values) need at least one value`},
		{"given value not finite", func(n *Network) {
			n.Populations[0].Init["V"] = Init{Kind: InitValues, Given: &Given{Values: []float64{-60, math.Inf(1)}}}
		}, `populations.E.init.V: value 1 is +Inf: values must be finite`},
		{"given synapses", func(n *Network) {
			n.Projections[0].Weight, n.Projections[0].WeightDist = 1, &Init{Kind: InitValues, Given: &Given{Values: []float64{1, 2}, Pre: []int32{0}, Post: []int32{0, 1}}}
		}, `projections.EI.weight: 2 values with 1 presynaptic and 2 postsynaptic neurons: one of each per value`},
		{"negative std", func(n *Network) { n.Populations[0].Init["V"] = Init{Kind: InitNormal, A: -60, B: -1} },
			"populations.E.init.V: normal() std must be >= 0, got -1 mV"},
		{"input kind", func(n *Network) { n.Populations[0].Input.Kind = "poisson" },
			`populations.E.input: unknown input kind "poisson" (valid: constant, ramp, sinusoid, section, noise, ou)`},
		{"integrator", func(n *Network) { n.Populations[0].Integrator = "" },
			`populations.E.integrator: unknown integrator "" (valid: exp_euler, euler, rk2, rk4)`},
		{"missing pre", func(n *Network) { n.Projections[1].Pre = "X" },
			`line 30: projections.EE.pre: unknown population "X" (populations: E, I)`},
		{"negative probability", func(n *Network) { n.Projections[0].Conn.Prob = -0.1 },
			"projections.EI.conn.fixed_prob: probability must be in [0, 1], got -0.1"},
		{"in-degree above pre size", func(n *Network) { n.Projections[1].Conn = Conn{Rule: ConnFixedInDegree, Num: 9, AllowSelf: true} },
			"line 30: projections.EE.conn.fixed_in_degree: in-degree 9 is more than 8 (the size of pre population E)"},
		{"unknown rule", func(n *Network) { n.Projections[0].Conn.Rule = "distance" },
			`projections.EI.conn: unknown connectivity rule "distance" (valid: fixed_prob, fixed_in_degree, fixed_out_degree, one_to_one, all_to_all, file, gaussian, connectome)`},
		{"synapse kind mismatch", func(n *Network) { n.Projections[0].Synapse.Model = "CUBA" },
			`projections.EI.synapse: unknown synapse model "CUBA" (known: AMPA, Alpha, Delta, DualExpon, Expon, GABAa, GapJunction, NMDA)`},
		{"kernel", func(n *Network) { n.Projections[0].Kernel = "sparse" },
			`projections.EI.kernel: unknown kernel "sparse" (valid: auto, dense, event, procedural)`},
		{"spikes of unknown population", func(n *Network) { n.Monitors.Spikes = []string{"X"} },
			`monitors.spikes: unknown population "X" (populations: E, I)`},
		{"trace index", func(n *Network) { n.Monitors.Traces[0].Indices = []int{0, 2} },
			"monitors.traces.I.V: neuron index 2 out of range (population I has 2 neurons: 0..1)"},
		{"negative trace index", func(n *Network) { n.Monitors.Traces[0].Indices = []int{-1} },
			"monitors.traces.I.V: neuron index -1 out of range (population I has 2 neurons: 0..1)"},
		{"synaptic current without synapses", func(n *Network) {
			n.Projections = n.Projections[:1]
			n.Monitors.Traces[0].Pop, n.Monitors.Traces[0].Var = "E", "I_syn"
		},
			"monitors.traces.E.I_syn: I_syn is the summed synaptic current into a population, and no projection targets E"},
		{"a parameter traced", func(n *Network) { n.Monitors.Traces[0].Var = "tau" },
			"monitors.traces.I.tau: tau is a parameter of LifRef, not a state variable: it does not change during a run (its values: params; per neuron: Sim.Param, or brainc run --save-network)"},
		{"empty trace", func(n *Network) { n.Monitors.Traces[0].Indices = nil },
			"monitors.traces.I.V: no neuron indices given"},
		{"projection out of a rate population on the event kernel", func(n *Network) {
			n.Populations[0].Model, n.Populations[0].Params, n.Populations[0].Init = "WilsonCowan", nil, nil
			n.Projections[0].Kernel = "event"
			n.FillDefaults()
		}, "projections.EI.kernel: population E (WilsonCowan, a rate model) emits no spikes: a projection out of it carries a value each step (rate coupling), " +
			"and kernel event propagates the sources that fired; every source sends each step: use dense or all_to_all (auto)"},
		{"stdp into a rate population", func(n *Network) {
			n.Populations[1].Model, n.Populations[1].Params = "Kuramoto", nil
			n.Projections[0].STDP, n.Projections[0].Output = &STDP{TauPlus: 20, TauMinus: 20, WMax: 1}, Component{Model: "CUBA"}
			n.Monitors.Traces = nil
			n.FillDefaults()
		}, "projections.EI.stdp: population I (Kuramoto, a rate model) emits no spikes, and stdp learns from postsynaptic spikes: " +
			"it would never see one"},
		{"constant weight too large", func(n *Network) { n.Projections[0].Weight = 1e300 },
			"projections.EI.weight: must be a finite number of magnitude ≤ 1e+30, got 1e+300"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := goNet()
			tt.mutate(n)
			err := n.Validate()
			require.Error(t, err)
			assert.Equal(t, tt.want, err.Error())
			for range 3 { // the same message every time: no map order leaks into it
				require.EqualError(t, n.Validate(), err.Error())
			}
			var se *SpecError
			require.True(t, errors.As(err, &se))
			assert.Empty(t, se.File)
		})
	}
}

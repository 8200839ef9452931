package brainc

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/catalog"
	"github.com/brainc/brainc/dynamics"
	"github.com/brainc/brainc/models"
	"github.com/brainc/brainc/netspec"
)

// A model registered from Go is named by specs like a built-in one: a
// LifRef registered under another name gives LifRef's spikes; its
// parameters are checked with their line; bad registrations are refused.
func TestRegisteredModels(t *testing.T) {
	lif, _ := catalog.LookupModel(catalog.KindNeuron, "LifRef")
	model := NeuronModel{Name: "MyLIF", Doc: "LifRef by another name", Params: lif.Params, States: lif.States[:1],
		New: func(p map[string]float64) (dynamics.Neuron, error) { return dynamics.NewNeuron("LifRef", p) }}
	require.NoError(t, RegisterNeuron(model))
	require.NoError(t, RegisterSynapse(SynapseModel{Name: "MyExpon", Params: []catalog.ParamSpec{{Name: "tau", Dim: catalog.Time, Default: 5, Positive: true}},
		States: []catalog.StateSpec{{Name: "g"}}, New: func(p map[string]float64) (dynamics.Synapse, error) { return dynamics.NewSynapse("Expon", p) }}))

	base, err := Load("cuba")
	require.NoError(t, err)
	base.Duration = 100
	want, err := Run(context.Background(), base, Options{Backend: "cpu"})
	require.NoError(t, err)
	data, err := netspecText("cuba")
	require.NoError(t, err)
	mine := strings.ReplaceAll(strings.ReplaceAll(data, "model: LifRef", "model: MyLIF"), "Expon:", "MyExpon:")
	require.NotEqual(t, data, mine)
	net, err := netspec.Parse([]byte(mine), "mine.yaml")
	require.NoError(t, err)
	net.Duration = 100
	got, err := Run(context.Background(), net, Options{Backend: "cpu"})
	require.NoError(t, err)
	for name, s := range want.Spikes {
		require.NotEmpty(t, s.Times)
		assert.Equal(t, s.Times, got.Spikes[name].Times, name)
		assert.Equal(t, s.Indices, got.Spikes[name].Indices, name)
	}
	_, err = netspec.Parse([]byte(strings.Replace(mine, "tau: 20 ms", "tau: 20 mV", 1)), "mine.yaml")
	require.Error(t, err)
	assert.Contains(t, err.Error(), `params.tau: expected a time (e.g. "5 ms"), got "20 mV"`)

	assert.EqualError(t, RegisterNeuron(model), "catalog: a neuron model named MyLIF exists already")
	bad := model
	bad.Name, bad.States = "MyLIF2", nil
	assert.EqualError(t, RegisterNeuron(bad), "brainc: RegisterNeuron MyLIF2: the neuron's float states are [V], but States declares []")
	bad.New = nil
	assert.EqualError(t, RegisterNeuron(bad), "brainc: RegisterNeuron MyLIF2: New is nil")
	bad = model
	bad.Name = "2lif"
	assert.EqualError(t, RegisterNeuron(bad), `catalog: model name "2lif": expected a letter followed by letters, digits or '_'`)
}

// netspecText is a built-in network's spec text.
func netspecText(name string) (string, error) {
	b, err := models.Spec(name)
	return string(b), err
}

// A registered model that never spikes (NoSpikes) is a rate model: a
// projection out of it carries its declared activity (Sends), or must
// name the variable when it declares none.
func TestRegisteredRateModelDrivesNoSpikeProjection(t *testing.T) {
	wc, _ := catalog.LookupModel(catalog.KindNeuron, "WilsonCowan")
	require.NoError(t, RegisterNeuron(NeuronModel{Name: "MyRate", Params: wc.Params, States: wc.States, NoSpikes: true,
		New: func(p map[string]float64) (dynamics.Neuron, error) { return dynamics.NewNeuron("WilsonCowan", p) }}))
	_, err := netspec.Parse([]byte(`
populations:
  A: {size: 2, model: MyRate}
  B: {size: 2, model: LifRef}
projections:
  AB: {pre: A, post: B, conn: {one_to_one: true}, weight: 1, synapse: Expon, output: CUBA}
`), "rate.yaml")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "rate.yaml:6: projections.AB.carries: population A (MyRate, a rate model) emits no spikes: "+
		"a projection out of it carries a value each step (rate coupling), and it names none: set carries to one of its variables (E, I)")
	require.NoError(t, RegisterNeuron(NeuronModel{Name: "MyRate2", Params: wc.Params, States: wc.States, NoSpikes: true, Sends: "E",
		New: func(p map[string]float64) (dynamics.Neuron, error) { return dynamics.NewNeuron("WilsonCowan", p) }}))
	net, err := netspec.Parse([]byte(`
populations:
  A: {size: 2, model: MyRate2}
  B: {size: 2, model: LifRef}
projections:
  AB: {pre: A, post: B, conn: {one_to_one: true}, weight: 1, synapse: Expon, output: CUBA}
`), "rate.yaml")
	require.NoError(t, err)
	assert.Equal(t, "E", net.Projections[0].Carries, "the registered model's activity")
}

package catalog

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCatalog(t *testing.T) {
	var names []string
	for _, m := range Models() {
		names = append(names, string(m.Kind)+"/"+m.Name)
		assert.NotEmpty(t, m.Doc, m.Name)
		assert.NotEmpty(t, m.Source, m.Name)
		for _, s := range m.States {
			if s.DefaultFrom != "" {
				_, ok := m.Param(s.DefaultFrom)
				assert.True(t, ok, "%s.%s defaults from unknown parameter %s", m.Name, s.Name, s.DefaultFrom)
			}
		}
	}
	assert.Equal(t, []string{"neuron/AdEx", "neuron/AdQuaIF", "neuron/ExpIF", "neuron/FHN", "neuron/GIF", "neuron/HH", "neuron/Izhikevich", "neuron/JansenRit", "neuron/Kuramoto", "neuron/LifRef", "neuron/MorrisLecar", "neuron/Poisson", "neuron/QIF", "neuron/SpikeTimes", "neuron/StuartLandau", "neuron/ThresholdLinear", "neuron/TraubHH", "neuron/WangBuzsaki", "neuron/WilsonCowan", "output/COBA", "output/CUBA", "output/Delta", "output/MgBlock", "synapse/AMPA", "synapse/Alpha", "synapse/Delta", "synapse/DualExpon", "synapse/Expon", "synapse/GABAa", "synapse/GapJunction", "synapse/NMDA"}, names)

	lif, ok := LookupModel(KindNeuron, "LifRef")
	require.True(t, ok)
	assert.Equal(t, map[string]float64{"V_rest": 0, "V_reset": -5, "V_th": 20, "R": 1, "tau": 10, "tau_ref": 0}, lif.Defaults())
	tau, ok := lif.Param("tau")
	require.True(t, ok)
	assert.Equal(t, Time, tau.Dim)
	assert.True(t, tau.Positive)
	v, ok := lif.State("V")
	require.True(t, ok)
	assert.Equal(t, Voltage, v.Dim)
	assert.Equal(t, "V_rest", v.DefaultFrom)

	_, ok = LookupModel(KindSynapse, "LifRef")
	assert.False(t, ok, "lookup must respect the kind")
	coba, ok := LookupModel(KindOutput, "COBA")
	require.True(t, ok)
	assert.Equal(t, map[string]float64{"E": 0}, coba.Defaults())
	expon, ok := LookupModel(KindSynapse, "Expon")
	require.True(t, ok)
	assert.Equal(t, map[string]float64{"tau": 8}, expon.Defaults())
}

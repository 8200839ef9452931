package models

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The built-in specs parse and carry the published parameters.
func TestBuiltins(t *testing.T) {
	assert.Equal(t, []string{"coba", "cobahh", "cuba", "decision", "izhikevich2003"}, Names())
	coba, err := Load("coba")
	require.NoError(t, err)
	e := coba.Population("E")
	require.NotNil(t, e)
	assert.Equal(t, 3200, e.Size)
	assert.Equal(t, 800, coba.Population("I").Size)
	assert.Equal(t, map[string]float64{"V_rest": -60, "V_th": -50, "V_reset": -60, "tau": 20, "tau_ref": 5, "R": 1}, e.Params)
	assert.Equal(t, 20.0, e.Input.Value)
	assert.Equal(t, 0.1, coba.Dt)
	for _, pr := range coba.Projections {
		assert.Equal(t, 0.02, pr.Conn.Prob, pr.Name)
		if pr.Pre == "E" {
			assert.Equal(t, 0.6, pr.Weight)
			assert.Equal(t, 5.0, pr.Synapse.Params["tau"])
			assert.Equal(t, 0.0, pr.Output.Params["E"])
		} else {
			assert.Equal(t, 6.7, pr.Weight)
			assert.Equal(t, 10.0, pr.Synapse.Params["tau"])
			assert.Equal(t, -80.0, pr.Output.Params["E"])
		}
	}
	cuba, err := Load("cuba")
	require.NoError(t, err)
	assert.Equal(t, -49.0, cuba.Population("E").Params["V_rest"])
	for _, pr := range cuba.Projections {
		assert.Equal(t, "CUBA", pr.Output.Model)
		if pr.Pre == "E" {
			assert.InDelta(t, 60*0.27/10, pr.Weight, 1e-12)
		} else {
			assert.InDelta(t, -20*4.5/10, pr.Weight, 1e-12)
		}
	}
	_, err = Load("hh")
	assert.EqualError(t, err, `unknown built-in model "hh": expected one of ["coba" "cobahh" "cuba" "decision" "izhikevich2003"]`)
}

func TestTrainingSpecs(t *testing.T) {
	assert.Equal(t, []string{"randman", "randman-loop"}, TrainingNames())
	data, err := TrainingSpec("randman")
	require.NoError(t, err)
	assert.Contains(t, string(data), "randman:")
	_, err = TrainingSpec("mnist")
	assert.EqualError(t, err, `unknown built-in training spec "mnist": expected one of ["randman" "randman-loop"]`)
	// A training spec that holds its network is that network for brainc run.
	net, spec, err := LoadSpec("randman-loop")
	require.NoError(t, err)
	assert.Equal(t, "randman-loop", net.Name)
	assert.Len(t, net.Populations, 3)
	assert.Contains(t, string(spec), "train:")
	_, _, err = LoadSpec("randman")
	assert.ErrorContains(t, err, `unknown built-in model "randman"`)
}

package brainc

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/ir"
	"github.com/brainc/brainc/netspec"
)

// eqSpec is a population given by equations in a spec.
const eqSpec = `
name: eq
dt: 0.1 ms
duration: 50 ms
populations:
  Q:
    size: 5
    model:
      equations: |
        dv/dt = (-(v - v0) + I)/tau : volt (unless refractory)
      threshold: v > -50 mV
      reset: v = -60 mV
      refractory: 2 ms
      params: {v0: -60 mV, tau: 10 ms}
    init: {v: -55 mV}
    input: 12
`

// EquationPopulation builds in Go the population a spec's equations give:
// the same network, spike for spike.
func TestEquationPopulationEqualsSpec(t *testing.T) {
	fromSpec, err := netspec.Parse([]byte(eqSpec), "eq.yaml")
	require.NoError(t, err)
	q, err := EquationPopulation("Q", 5, EquationModel{
		Equations: "dv/dt = (-(v - v0) + I)/tau : volt (unless refractory)",
		Threshold: "v > -50 mV", Reset: "v = -60 mV", Refractory: "2 ms",
		Params: map[string]string{"v0": "-60 mV", "tau": "10 ms"},
		Init:   map[string]string{"v": "-55 mV"},
	})
	require.NoError(t, err)
	q.Input = ir.Input{Kind: ir.InputConstant, Value: 12}
	fromGo := &ir.Network{Name: "eq", Dt: 0.1, Duration: 50, Populations: []*ir.Population{q}}
	a, err := Run(context.Background(), fromSpec, Options{Backend: "cpu"})
	require.NoError(t, err)
	b, err := Run(context.Background(), fromGo, Options{Backend: "cpu"})
	require.NoError(t, err)
	require.NotEmpty(t, a.Spikes["Q"].Times)
	require.Equal(t, a.Spikes["Q"].Times, b.Spikes["Q"].Times)
	require.Equal(t, a.Spikes["Q"].Indices, b.Spikes["Q"].Indices)

	for _, c := range []struct {
		m    EquationModel
		want string
	}{
		{EquationModel{Equations: "dv/dt = -v/tau : volt", Params: map[string]string{"tau": "10 mV"}}, `brainc: population Q: equations: in "dv/dt = -v/tau : volt": the right side: dimensions disagree`},
		{EquationModel{Equations: "dv/dt = -v/tau : volt", Params: map[string]string{"tau": "10 ms"}, Init: map[string]string{"w": "1 mV"}},
			`brainc: population Q: init.w: the equations have no state "w"`},
		{EquationModel{Equations: "dv/dt = -v/tau : volt", Params: map[string]string{"tau": "10 ms"}, Init: map[string]string{"v": "1 ms"}},
			"brainc: population Q: init.v: dimensions disagree"},
	} {
		_, err := EquationPopulation("Q", 5, c.m)
		require.ErrorContains(t, err, c.want)
	}
}

package ir_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/ir"
	"github.com/brainc/brainc/netspec"
)

// Clone copies a network deeply: the copy equals the original, and no edit
// of the copy (a field, a map, a slice, a pointed-to value, an equation
// model's values) reaches the original.
func TestCloneIsDeep(t *testing.T) {
	net, err := netspec.Parse([]byte(`
name: c
dt: 0.1 ms
duration: 20 ms
populations:
  E: {size: 10, model: LifRef, params: {tau_ref: 2 ms}, init: {V: normal(-55 mV, 2 mV)}, input: 20}
  Q:
    size: 4
    model:
      equations: |
        dv/dt = (a - v)/tau : 1
      threshold: v > 1
      reset: v = 0
      params: {tau: 10 ms, a: 2}
projections:
  EQ: {pre: E, post: Q, conn: {fixed_prob: 0.5}, weight: 0.5, synapse: {Expon: {tau: 5 ms}}, output: CUBA, stdp: {tau_plus: 20 ms, tau_minus: 20 ms, A_plus: 0.01, A_minus: 0.01, w_max: 1}}
monitors: {spikes: [E, Q], traces: {E.V: [0, 1]}}
`), "c.yaml")
	require.NoError(t, err)
	c := net.Clone()
	require.Equal(t, net, c)
	before := net.Clone()

	c.Dt = 5
	c.Populations[0].Size = 99
	c.Populations[0].Params["tau_ref"] = 7
	c.Populations[0].Init["V"] = ir.Init{Kind: ir.InitConst, A: 1}
	c.Populations[1].Equations.Values["tau"] = 1
	c.Projections[0].STDP.WMax = 3
	c.Monitors.Traces[0].Indices[0] = 5
	c.Monitors.Spikes[0] = "Q"
	c.Populations = append(c.Populations[:1], c.Populations[1])
	assert.Equal(t, before, net, "the original is unchanged")
	assert.Nil(t, (*ir.Network)(nil).Clone())
}

package main

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc"
	"github.com/brainc/brainc/netspec"
)

// In the experiment's network, silenced, a synapse's weight follows its
// eligibility times dopamine: with c set per synapse and d set once, w
// moves by the integral of (0.002 + d(t))·c(t)/10 ms, both decaying
// exponentially: c0/10·[0.002·τc·(1 − e^{−T/τc}) + d0·τ'·(1 − e^{−T/τ'})],
// 1/τ' = 1/τc + 1/τd, to the first order in dt.
func TestDopamineGatesTheWeightChange(t *testing.T) {
	spec := strings.ReplaceAll(network, "rate: 1 Hz", "rate: 0 Hz") // no thalamic input: nothing fires
	const T, tauC, tauD = 1000.0, 1000.0, 200.0
	for _, d0 := range []float64{0, 1} {
		net, err := netspec.Parse([]byte(spec), "silent.yaml")
		require.NoError(t, err)
		sim, err := brainc.New(net, brainc.Options{Float64: true})
		require.NoError(t, err)
		pre, _, err := sim.Synapses("E2E")
		require.NoError(t, err)
		c0 := make([]float64, len(pre))
		for k := range c0 {
			c0[k] = math.Sin(float64(k)) / 2
		}
		require.NoError(t, sim.Set("E2E", "c", c0))
		require.NoError(t, sim.Set("Dopamine", "d", []float64{d0}))
		require.NoError(t, sim.Run(context.Background(), T))
		w, err := sim.Get("E2E", "w")
		require.NoError(t, err)
		c, err := sim.Get("E2E", "c")
		require.NoError(t, err)
		require.Empty(t, sim.Result().Spikes["E"].Times, "the network is silent")
		sim.Close()
		tauP := 1 / (1/tauC + 1/tauD)
		gain := (0.002*tauC*(1-math.Exp(-T/tauC)) + d0*tauP*(1-math.Exp(-T/tauP))) / 10
		for k := range c0 {
			require.InDelta(t, c0[k]*math.Exp(-T/tauC), c[k], 1e-9, "c of synapse %d decays", k)
			require.InDelta(t, 1+c0[k]*gain, w[k], 0.01*math.Abs(c0[k]*gain)+1e-9, "d0 = %g: w of synapse %d", d0, k)
		}
	}
}

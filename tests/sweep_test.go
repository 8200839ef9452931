package tests

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/jit"
	"github.com/brainc/brainc/lower"
	"github.com/brainc/brainc/results"
	"github.com/brainc/brainc/sweep"
)

// Every instance of a sweep gives, spike for spike, the run of a spec
// written with its values (swept parameters and inputs become per-neuron
// input arrays, which change no arithmetic).
func TestSweepInstancesEqualLoneRuns(t *testing.T) {
	base := strings.Replace(smallCOBA, "seed: 3", "seed: 33", 1)
	net := parse(t, base)
	var g sweep.Grid
	for _, set := range []string{"E.tau=[15 ms, 25 ms]", "I2E.weight=[5, 7.5]", "E.input=[18, 22]"} {
		a, err := sweep.ParseSet(set, net)
		require.NoError(t, err)
		g.Axes = append(g.Axes, a)
	}
	trains := map[int][][2][]float64{}
	rows, err := sweep.Run(context.Background(), cpu(t), net, g, sweep.Options{Done: func(row sweep.Row, rec *results.Recorder, done, total int) error {
		trains[row.Index] = spikeTrains(rec)
		return nil
	}})
	require.NoError(t, err)
	require.Len(t, rows, 8)
	for _, r := range rows {
		tau, w, in := r.Values[0], r.Values[1], r.Values[2]
		spec := strings.Replace(base, "E: {size: 400, model: LifRef, params: {V_rest: -60 mV, V_th: -50 mV, V_reset: -60 mV, tau: 20 ms",
			fmt.Sprintf("E: {size: 400, model: LifRef, params: {V_rest: -60 mV, V_th: -50 mV, V_reset: -60 mV, tau: %g ms", tau), 1)
		spec = strings.Replace(spec, "I2E: {pre: I, post: E, conn: {fixed_in_degree: 16}, weight: 6.7",
			fmt.Sprintf("I2E: {pre: I, post: E, conn: {fixed_in_degree: 16}, weight: %g", w), 1)
		spec = strings.Replace(spec, "init: {V: normal(-55 mV, 2 mV)}, input: 20}\n  I:", fmt.Sprintf("init: {V: normal(-55 mV, 2 mV)}, input: %g}\n  I:", in), 1)
		require.Contains(t, spec, fmt.Sprintf("tau: %g ms", tau))
		require.Contains(t, spec, fmt.Sprintf("weight: %g, synapse: {Expon: {tau: 10 ms}}, output: {COBA: {E: -80 mV}}}\n  I2I", w))
		alone, _ := simulate(t, parse(t, spec), lower.Options{}, jit.Options{})
		require.Greater(t, totalSpikes(alone), 100)
		assert.Equal(t, spikeTrains(alone), trains[r.Index], "instance %d: tau %g, weight %g, input %g", r.Index, tau, w, in)
	}
	assert.NotEqual(t, trains[0], trains[7])
}

// A parameter of a model with one value per population is swept too: the
// constant each instance gives is the population's value.
func TestSweepModelWithoutPerNeuronParams(t *testing.T) {
	net := parse(t, "name: adex\nduration: 50 ms\npopulations:\n  N: {size: 10, model: AdEx, input: 30, params: {a: 1, b: 10 mV}}\n")
	a, err := sweep.ParseSet("N.tau_w=[5 ms, 200 ms]", net)
	require.NoError(t, err)
	rows, err := sweep.Run(context.Background(), cpu(t), net, sweep.Grid{Axes: []sweep.Axis{a}}, sweep.Options{})
	require.NoError(t, err)
	require.Len(t, rows, 2)
	assert.Greater(t, rows[0].Pops["N"].RateHz, 1.5*rows[1].Pops["N"].RateHz, "slow adaptation (200 ms) builds up: fewer spikes")
}

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
		require.Equal(t, 8, r.Batch, "one program runs every instance")
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

// A batch of instances (one program holding a copy of the network per
// instance) gives each instance the spikes, traces and final weights it
// gets alone (batches of one), in a network with delays, STP, STDP,
// Poisson input and three neuron models, over two seeds (each copy draws
// its instance's connectivity, initial values and input).
func TestSweepBatchEqualsOneByOne(t *testing.T) {
	net := parse(t, strings.Replace(packSpec, "duration: 300 ms", "duration: 100 ms", 1))
	a, err := sweep.ParseSet("E1.tau=[18 ms, 22 ms]", net)
	require.NoError(t, err)
	g := sweep.Grid{Axes: []sweep.Axis{a}, Seeds: []uint64{5, 6}}
	run := func(batch int) (map[int]*results.Recorder, []sweep.Row) {
		recs := map[int]*results.Recorder{}
		rows, err := sweep.Run(context.Background(), cpu(t), net, g, sweep.Options{Batch: batch, Done: func(row sweep.Row, rec *results.Recorder, done, total int) error {
			recs[row.Index] = rec
			return nil
		}})
		require.NoError(t, err)
		return recs, rows
	}
	batched, rows := run(0)
	alone, _ := run(1)
	require.Len(t, rows, 4)
	for k, r := range rows {
		require.Equal(t, 4, r.Batch)
		b, s := batched[k], alone[k]
		require.Greater(t, totalSpikes(s), 100)
		assert.Equal(t, spikeTrains(s), spikeTrains(b), "instance %d", k)
		require.Len(t, b.Traces, len(s.Traces))
		for j := range s.Traces {
			assert.Equal(t, s.Traces[j].Pop, b.Traces[j].Pop)
			assert.InDeltaSlice(t, s.Traces[j].Values, b.Traces[j].Values, 1e-4, "instance %d %s.%s", k, s.Traces[j].Pop, s.Traces[j].Var)
		}
		require.Len(t, b.Weights, 1)
		assert.Equal(t, s.Weights[0].Proj, b.Weights[0].Proj)
		assert.Equal(t, s.Weights[0].Pre, b.Weights[0].Pre)
		assert.InDeltaSlice(t, s.Weights[0].W, b.Weights[0].W, 1e-6, "instance %d", k)
	}
	assert.NotEqual(t, spikeTrains(alone[0]), spikeTrains(alone[1]), "another seed, other spikes")
}

// A batch's errors name the instance and the original population.
func TestSweepBatchErrorsNameTheInstance(t *testing.T) {
	net := parse(t, "name: b\nduration: 20 ms\npopulations:\n  E: {size: 10, model: LifRef, input: 20}\n")
	a, err := sweep.ParseSet("E.tau=[10 ms, -5 ms]", net)
	require.NoError(t, err)
	_, err = sweep.Run(context.Background(), cpu(t), net, sweep.Grid{Axes: []sweep.Axis{a}}, sweep.Options{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "sweep: instances 0-1: ")
	assert.Contains(t, err.Error(), "E (instance 1)")
	assert.NotContains(t, err.Error(), "E__1")
	net = parse(t, "name: b\nduration: 20 ms\npopulations:\n  E: {size: 10, model: LifRef, input: 20}\n  E__1: {size: 10, model: LifRef, input: 20}\n")
	a, err = sweep.ParseSet("E.tau=[10 ms, 20 ms]", net)
	require.NoError(t, err)
	_, err = sweep.Run(context.Background(), cpu(t), net, sweep.Grid{Axes: []sweep.Axis{a}}, sweep.Options{})
	assert.EqualError(t, err, `sweep: "E__1" names a population or projection and the copy of "E" in a batch; rename it, or run one instance per batch (--batch 1)`)
}

package tests

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/jit"
	"github.com/brainc/brainc/lower"
)

// A second runner of the same program compiles nothing: it finds the loop
// programs in the process's cache and gives the same spikes. A network
// that differs only in constant inputs (a weight) shares the programs too,
// and still runs its own weights: its spikes are the chunk engine's.
func TestCompiledProgramsAreShared(t *testing.T) {
	spec := strings.Replace(smallCOBA, "seed: 3", "seed: 31", 1) // a program no other test compiled
	first, st1 := simulate(t, parse(t, spec), lower.Options{}, jit.Options{})
	require.Greater(t, st1.Compiles, 0)
	second, st2 := simulate(t, parse(t, spec), lower.Options{}, jit.Options{})
	assert.Equal(t, 0, st2.Compiles, "nothing compiled again")
	assert.Equal(t, st1.Compiles, st2.CacheHits)
	require.Equal(t, spikeTrains(first), spikeTrains(second))

	heavier := strings.Replace(spec, "weight: 6.7", "weight: 7.5", 2)
	other, st3 := simulate(t, parse(t, heavier), lower.Options{}, jit.Options{})
	assert.Equal(t, 0, st3.Compiles, "weights are inputs of the program: the same executables")
	chunks, _ := simulate(t, parse(t, heavier), lower.Options{}, jit.Options{Engine: jit.EngineChunk, K: 4})
	require.Equal(t, spikeTrains(chunks), spikeTrains(other))
	require.NotEqual(t, spikeTrains(first), spikeTrains(other))
}

// Per-neuron parameters are inputs of the step too: networks that draw
// other taus (another seed) run the same executables, each with its own
// values (the chunk engine's spikes).
func TestPerNeuronParamsShareThePrograms(t *testing.T) {
	spec := strings.NewReplacer("TAU", "uniform(10 ms, 30 ms)", "INPUT", "uniform(11, 20)", "duration: 100 ms", "duration: 40 ms").Replace(perNeuronSpec)
	a, st := simulate(t, parse(t, spec), lower.Options{}, jit.Options{})
	require.Greater(t, st.Compiles, 0)
	other := strings.Replace(spec, "seed: 4", "seed: 5", 1)
	b, st2 := simulate(t, parse(t, other), lower.Options{}, jit.Options{})
	assert.Equal(t, 0, st2.Compiles)
	chunks, _ := simulate(t, parse(t, other), lower.Options{}, jit.Options{Engine: jit.EngineChunk, K: 4})
	require.Equal(t, spikeTrains(chunks), spikeTrains(b))
	require.NotEqual(t, spikeTrains(a), spikeTrains(b))
}

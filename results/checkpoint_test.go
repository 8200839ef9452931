package results

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/lower"
	"github.com/brainc/brainc/models"
	"github.com/brainc/brainc/plot"
)

// A checkpoint of one state layout is refused by a program of another,
// naming both: here one written with every population in a block of its own
// (as before packing) and resumed by the packed program.
func TestCheckpointOfAnotherLayoutIsRefused(t *testing.T) {
	net, err := models.Load("coba")
	require.NoError(t, err)
	apart, err := lower.Build(net, lower.Options{NoPack: true})
	require.NoError(t, err)
	packed, err := lower.Build(net, lower.Options{})
	require.NoError(t, err)
	dir := t.TempDir()
	require.NoError(t, SaveCheckpoint(dir, apart, apart.InitialState(), NewRecorder(apart)))
	_, _, err = LoadCheckpoint(dir, packed)
	assert.EqualError(t, err, "resume: the checkpoint's state arrays differ from this network's: "+
		"it has step, E.V, E.last_spike, E.spike, I.V, I.last_spike and 5 more, "+
		"this run step, E+I.V, E+I.last_spike, E+I.spike, E2E+E2I.g, I2E+I2I.g "+
		"(was the spec changed, or was the checkpoint written by a brainc that laid out the state otherwise, e.g. before populations were packed into blocks?)")
	state, _, err := LoadCheckpoint(dir, apart)
	require.NoError(t, err)
	assert.Len(t, state, len(apart.State))
}

// The decision network's stimulus (two Poisson inputs from 200 ms) is one
// window marked on its raster.
func TestInputWindows(t *testing.T) {
	net, err := models.Load("decision")
	require.NoError(t, err)
	assert.Equal(t, []plot.Mark{{Start: 200, Label: "input stim_A, stim_B"}}, inputWindows(net))
	coba, err := models.Load("coba")
	require.NoError(t, err)
	assert.Empty(t, inputWindows(coba))
}

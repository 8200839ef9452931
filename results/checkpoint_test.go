package results

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/lower"
	"github.com/brainc/brainc/models"
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

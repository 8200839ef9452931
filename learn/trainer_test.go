package learn

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/dataset"
	"github.com/brainc/brainc/internal/tier"
	"github.com/brainc/brainc/npyio"
)

// Save then Load into a differently seeded trainer reproduces the
// evaluation exactly; Load rejects missing and misshapen parameters.
func TestSaveLoad(t *testing.T) {
	tier.Slow(t)
	b := cpu(t)
	o := dataset.DefaultRandman()
	o.Classes, o.Units, o.SamplesPerClass, o.Steps = 3, 10, 8, 15
	data, err := dataset.Randman(o)
	require.NoError(t, err)
	c := DefaultConfig()
	c.Inputs, c.Hidden, c.Outputs, c.Steps, c.Batch = 10, 6, 3, 15, 8
	c.TrainTau, c.TrainVTh = true, true
	a, err := NewTrainer(b, c)
	require.NoError(t, err)
	c.Seed = 99
	other, err := NewTrainer(b, c)
	require.NoError(t, err)
	ra, err := a.Evaluate(data)
	require.NoError(t, err)
	ro, err := other.Evaluate(data)
	require.NoError(t, err)
	require.NotEqual(t, ra.Loss, ro.Loss, "different seeds should give different weights")

	dir := t.TempDir()
	path := filepath.Join(dir, "p.npz")
	require.NoError(t, a.Save(path))
	names, arrays, err := npyio.ReadNPZ(path)
	require.NoError(t, err)
	assert.Equal(t, []string{"w_in", "w_rec", "w_out", "tau", "v_th"}, names)
	assert.Equal(t, []int{6}, arrays[3].Shape)
	require.NoError(t, other.Load(path))
	ro, err = other.Evaluate(data)
	require.NoError(t, err)
	assert.Equal(t, ra, ro)

	// A checkpoint of another network shape, and one missing a parameter.
	c.Hidden = 7
	wider, err := NewTrainer(b, c)
	require.NoError(t, err)
	assert.EqualError(t, wider.Load(path), path+": w_in: expected shape [10 7], got [10 6]")
	require.NoError(t, npyio.WriteNPZ(filepath.Join(dir, "partial.npz"), names[:1], arrays[:1]))
	err = other.Load(filepath.Join(dir, "partial.npz"))
	assert.EqualError(t, err, filepath.Join(dir, "partial.npz")+`: no array "w_rec" (the network's parameters are ["w_in" "w_rec" "w_out" "tau" "v_th"])`)
	_, err = os.Stat(filepath.Join(dir, "p.npz"))
	assert.NoError(t, err)
}

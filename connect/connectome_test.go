package connect

import (
	"archive/zip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/npyio"
)

// writeZip writes a zip of the named text members.
func writeZip(t *testing.T, path string, members map[string]string) {
	t.Helper()
	f, err := os.Create(path)
	require.NoError(t, err)
	zw := zip.NewWriter(f)
	for name, text := range members {
		w, err := zw.Create(name)
		require.NoError(t, err)
		_, err = w.Write([]byte(text))
		require.NoError(t, err)
	}
	require.NoError(t, zw.Close())
	require.NoError(t, f.Close())
}

// A connectome reads from TVB's zip layout and from an .npz alike: rows
// are targets, each nonzero weight one synapse source → target, its delay
// the tract length over the speed.
func TestReadConnectome(t *testing.T) {
	dir := t.TempDir()
	zipPath := filepath.Join(dir, "c.zip")
	writeZip(t, zipPath, map[string]string{
		"weights.txt":       "0 2 0\n0.5 0 0\n0 0 1\n",
		"tract_lengths.txt": "0 30 0\n12 0 0\n0 0 0\n",
		"centres.txt":       "ignored\n",
	})
	npzPath := filepath.Join(dir, "c.npz")
	require.NoError(t, npyio.WriteNPZ(npzPath, []string{"weights", "tract_lengths"}, []npyio.Array{
		{Shape: []int{3, 3}, Data: []float64{0, 2, 0, 0.5, 0, 0, 0, 0, 1}},
		{Shape: []int{3, 3}, Data: []float64{0, 30, 0, 12, 0, 0, 0, 0, 0}}}))
	for _, path := range []string{zipPath, npzPath} {
		c, err := ReadConnectome(path)
		require.NoError(t, err, path)
		assert.Equal(t, 3, c.Regions)
		l := c.Synapses(3) // mm/ms
		assert.Equal(t, []int64{0, 1, 2}, l.Pre, path)
		assert.Equal(t, []int64{1, 0, 2}, l.Post, path)
		assert.Equal(t, []float64{0.5, 2, 1}, l.Weight, path)
		assert.Equal(t, []float64{4, 10, 0}, l.Delay, path)
		assert.Nil(t, c.Synapses(0).Delay, "no speed: no delays")
	}
	for _, tc := range []struct {
		members map[string]string
		want    string
	}{
		{map[string]string{"tract_lengths.txt": "0\n"}, "no weights.txt in the zip"},
		{map[string]string{"weights.txt": "0 1\n1\n"}, "weights.txt: row 2 has 1 numbers, row 1 has 2"},
		{map[string]string{"weights.txt": "0 1 2\n1 0 2\n"}, "weights.txt: 2 rows of 3 numbers: expected a square matrix"},
		{map[string]string{"weights.txt": strings.Repeat("0 ", MaxRegions+1) + "\n"}, "weights.txt: 20001 columns, more than 20000 regions"},
		{map[string]string{"weights.txt": "0 1\n1 0\n1 1\n"}, "weights.txt: more than 2 rows of 2 numbers: expected a square matrix"},
		{map[string]string{"weights.txt": "0 x\n1 0\n"}, "weights.txt: row 1, column 2: not a number"},
		{map[string]string{"weights.txt": "0 NaN\n1 0\n"}, "weight [0, 1] is NaN: weights must be finite"},
		{map[string]string{"weights.txt": "0 1\n1 0\n", "tract_lengths.txt": "0 -3\n1 0\n"}, "tract length [0, 1] is -3: lengths must be finite and ≥ 0 (mm)"},
		{map[string]string{"weights.txt": "0 1\n1 0\n", "tract_lengths.txt": "0\n"}, "tract_lengths.txt is 1×1, weights.txt 2×2"},
	} {
		path := filepath.Join(dir, "bad.zip")
		writeZip(t, path, tc.members)
		_, err := ReadConnectome(path)
		require.Error(t, err, tc.want)
		assert.Contains(t, err.Error(), tc.want)
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "not.zip"), []byte("weights"), 0o644))
	_, err := ReadConnectome(filepath.Join(dir, "not.zip"))
	assert.ErrorContains(t, err, "not a zip of The Virtual Brain's connectivity")
}

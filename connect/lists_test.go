package connect

import (
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/npyio"
)

// Explicit lists are sorted into rows with their weights and delays kept
// aligned, from an .npz of named arrays or an .npy table; bad lists are
// errors that say what is wrong.
func TestLists(t *testing.T) {
	dir := t.TempDir()
	npz := filepath.Join(dir, "l.npz")
	require.NoError(t, npyio.WriteNPZ(npz, []string{"pre", "post", "weight", "delay"}, []npyio.Array{
		{Shape: []int{4}, Data: []int32{2, 0, 2, 1}}, {Shape: []int{4}, Data: []int64{0, 3, 1, 2}},
		{Shape: []int{4}, Data: []float32{0.5, 1, 2, 3}}, {Shape: []int{4}, Data: []float64{4, 5, 6, 7}}}))
	table := filepath.Join(dir, "l.npy")
	f, err := os.Create(table)
	require.NoError(t, err)
	require.NoError(t, npyio.WriteNPY(f, npyio.Array{Shape: []int{4, 4}, Data: []float64{
		2, 0, 0.5, 4, 0, 3, 1, 5, 2, 1, 2, 6, 1, 2, 3, 7}}))
	require.NoError(t, f.Close())
	for _, path := range []string{npz, table} {
		l, err := ReadLists(path)
		require.NoError(t, err, path)
		m, sorted, err := FromLists(3, 4, l)
		require.NoError(t, err, path)
		assert.Equal(t, []int32{0, 1, 2, 4}, m.Indptr, path)
		assert.Equal(t, []int32{3, 2, 0, 1}, m.Indices, path)
		assert.Equal(t, []float64{1, 3, 0.5, 2}, sorted.Weight, path)
		assert.Equal(t, []float64{5, 7, 4, 6}, sorted.Delay, path)
	}
	_, _, err = FromLists(3, 4, Lists{Pre: []int64{0}, Post: []int64{1}, Delay: []float64{-1}})
	assert.EqualError(t, err, "delay[0] is -1 ms, expected a finite delay in [0, 8.64e+07] ms")
	for _, tc := range []struct {
		l    Lists
		want string
	}{
		{Lists{Pre: []int64{0}, Post: []int64{1}, Delay: []float64{math.Inf(1)}}, "delay[0] is +Inf ms, expected a finite delay in [0, 8.64e+07] ms"},
		{Lists{Pre: []int64{0}, Post: []int64{1}, Delay: []float64{math.NaN()}}, "delay[0] is NaN ms, expected a finite delay in [0, 8.64e+07] ms"},
		{Lists{Pre: []int64{0}, Post: []int64{1}, Weight: []float64{math.NaN()}}, "weight[0] is NaN, expected a finite weight of magnitude ≤ 1e+30"},
		{Lists{Pre: []int64{0}, Post: []int64{1}, Weight: []float64{-1e300}}, "weight[0] is -1e+300, expected a finite weight of magnitude ≤ 1e+30"},
		{Lists{Pre: []int64{0}, Post: []int64{1}, Weight: []float64{math.Inf(-1)}}, "weight[0] is -Inf, expected a finite weight of magnitude ≤ 1e+30"},
	} {
		_, _, err = FromLists(3, 4, tc.l)
		assert.EqualError(t, err, tc.want)
	}
	_, _, err = FromLists(3, 4, Lists{Pre: []int64{0, 1}, Post: []int64{1, 1}, Weight: []float64{1}})
	assert.EqualError(t, err, "weight has 1 entries, expected 2 (one per synapse)")
	bad := filepath.Join(dir, "bad.npy")
	f, err = os.Create(bad)
	require.NoError(t, err)
	require.NoError(t, npyio.WriteNPY(f, npyio.Array{Shape: []int{1, 5}, Data: []float64{0, 1, 1, 1, 1}}))
	require.NoError(t, f.Close())
	_, err = ReadLists(bad)
	assert.EqualError(t, err, bad+": expected a 2-D array [synapses, 2…4] (pre, post[, weight[, delay]]), got shape [1 5]")
}

package dataset

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/brainc/brainc/npyio"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNPZRoundTrip(t *testing.T) {
	rm, err := Randman(smallRandman())
	require.NoError(t, err)
	withEmpty := handSet()
	withEmpty.Classes = 5 // more classes than labels used: kept via n_classes
	withEmpty.Samples = append(withEmpty.Samples, Sample{Times: []float64{}, Units: []int32{}, Label: 4})
	dir := t.TempDir()
	for i, s := range []*Set{rm, withEmpty} {
		path := filepath.Join(dir, "set.npz")
		require.NoError(t, s.WriteNPZ(path))
		got, err := LoadNPZ(path)
		require.NoError(t, err)
		assert.Equal(t, s, got, "set %d", i)

		first, err := os.ReadFile(path)
		require.NoError(t, err)
		require.NoError(t, got.WriteNPZ(path))
		again, err := os.ReadFile(path)
		require.NoError(t, err)
		assert.Equal(t, first, again, "set %d: WriteNPZ is not deterministic", i)
	}
}

func TestWriteNPZInvalid(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bad.npz")
	s := handSet()
	s.Samples[1].Units = s.Samples[1].Units[:1]
	assert.EqualError(t, s.WriteNPZ(path), "dataset: WriteNPZ "+path+": sample 1 has 2 times but 1 units, expected equal")
	s = handSet()
	s.Samples[0].Units[2] = 3
	assert.EqualError(t, s.WriteNPZ(path), "dataset: WriteNPZ "+path+": sample 0 event 2 at 0.9 s on unit 3, expected a finite time ≥ 0 and a unit in [0, 3)")
	assert.NoFileExists(t, path)
}

// vec builds a 1-D array.
func vec[T any](d ...T) npyio.Array { return npyio.Array{Shape: []int{len(d)}, Data: d} }

func TestLoadNPZ(t *testing.T) {
	good := func() map[string]npyio.Array {
		return map[string]npyio.Array{
			"times":   vec[float32](0.5, 0.25, 1.5),
			"units":   vec[int64](4, 0, 2),
			"offsets": vec[int32](0, 2, 2, 3),
			"labels":  vec[int64](1, 0, 3),
		}
	}
	for _, c := range []struct {
		name string
		edit func(m map[string]npyio.Array)
		want string // error message after the path; empty for success
	}{
		{"defaults", func(m map[string]npyio.Array) {}, ""},
		{"missing labels", func(m map[string]npyio.Array) { delete(m, "labels") }, `missing array "labels"`},
		{"offsets length", func(m map[string]npyio.Array) { m["offsets"] = vec[int64](0, 3) },
			"offsets has 2 elements, expected 4 (len(labels)+1)"},
		{"units length", func(m map[string]npyio.Array) { m["units"] = vec[int32](1) },
			"units has 1 elements, expected 3 (one per entry of times)"},
		{"offsets end", func(m map[string]npyio.Array) { m["offsets"] = vec[int64](0, 1, 2, 2) },
			"offsets run from 0 to 2, expected 0 to 3 (the number of events)"},
		{"offsets decrease", func(m map[string]npyio.Array) { m["offsets"] = vec[int64](0, 2, 1, 3) },
			"offsets decrease: offsets[1]=2 > offsets[2]=1"},
		{"unit out of range", func(m map[string]npyio.Array) { m["n_units"] = npyio.Array{Data: []int64{4}} }, "units[0] is 4, expected < n_units = 4"},
		{"negative unit", func(m map[string]npyio.Array) { m["units"] = vec[int64](1, -2, 0) }, "units[1] is -2, expected ≥ 0"},
		{"negative time", func(m map[string]npyio.Array) { m["times"] = vec[float64](0, -0.5, 1) },
			"times[1] is -0.5, expected a finite time ≥ 0"},
		{"negative label", func(m map[string]npyio.Array) { m["labels"] = vec[int32](0, -1, 0) }, "labels[1] is -1, expected ≥ 0"},
		{"fractional n_units", func(m map[string]npyio.Array) { m["n_units"] = npyio.Array{Data: []float64{5.5}} },
			"n_units is 5.5, expected an integer in [0, 2147483647]"},
		{"int times", func(m map[string]npyio.Array) { m["times"] = vec[int32](0, 1, 2) },
			`array "times" has element type []int32, expected float32 or float64`},
		{"2-D labels", func(m map[string]npyio.Array) { m["labels"] = npyio.Array{Shape: []int{3, 1}, Data: []int64{1, 0, 3}} },
			`array "labels" has shape [3 1], expected 1-D`},
		{"bad duration", func(m map[string]npyio.Array) { m["duration"] = npyio.Array{Data: []float64{-1}} }, "duration is -1, expected a finite time ≥ 0"},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := good()
			c.edit(m)
			var names []string
			var arrays []npyio.Array
			for _, n := range []string{"times", "units", "offsets", "labels", "n_units", "duration"} {
				if a, ok := m[n]; ok {
					names, arrays = append(names, n), append(arrays, a)
				}
			}
			path := filepath.Join(t.TempDir(), "d.npz")
			require.NoError(t, npyio.WriteNPZ(path, names, arrays))
			s, err := LoadNPZ(path)
			if c.want != "" {
				assert.Nil(t, s)
				assert.EqualError(t, err, "dataset: LoadNPZ "+path+": "+c.want)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, &Set{Units: 5, Duration: 1.5, Classes: 4, Samples: []Sample{
				{Times: []float64{0.5, 0.25}, Units: []int32{4, 0}, Label: 1},
				{Times: []float64{}, Units: []int32{}, Label: 0},
				{Times: []float64{1.5}, Units: []int32{2}, Label: 3},
			}}, s)
		})
	}
	_, err := LoadNPZ(filepath.Join(t.TempDir(), "absent.npz"))
	assert.ErrorContains(t, err, "dataset: LoadNPZ ")
}

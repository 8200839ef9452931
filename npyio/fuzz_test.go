package npyio

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// FuzzReadNPY: no byte string makes ReadNPY panic or allocate past its
// limit.
func FuzzReadNPY(f *testing.F) {
	var buf bytes.Buffer
	if err := WriteNPY(&buf, Array{Shape: []int{2, 3}, Data: []float32{1, 2, 3, 4, 5, 6}}); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Add(numpyArange3)
	f.Add(bytes.Replace(buf.Bytes(), []byte("(2, 3)"), []byte("(268435457, 3)"), 1))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = ReadNPY(bytes.NewReader(data))
	})
}

// FuzzReadNPZ: no file makes ReadNPZ panic or inflate past its limits.
func FuzzReadNPZ(f *testing.F) {
	dir := f.TempDir()
	path := filepath.Join(dir, "seed.npz")
	if err := WriteNPZ(path, []string{"pre", "w"}, []Array{{Shape: []int{2}, Data: []int32{0, 1}},
		{Shape: []int{2}, Data: []float64{0.5, 1e300}}}); err != nil {
		f.Fatal(err)
	}
	seed, err := os.ReadFile(path)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(t.TempDir(), "f.npz")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		_, _, _ = ReadNPZ(p)
	})
}

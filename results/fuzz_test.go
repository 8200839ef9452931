package results

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/brainc/brainc/lower"
)

// FuzzLoadCheckpoint: a checkpoint directory of any checkpoint.json,
// state.npz, spikes.npz and traces.npz either loads, consistent with the
// program (steps within the run, equal to the state's step counter, every
// state array there, spikes of existing neurons before the steps done), or
// is refused with an error; nothing panics or allocates beyond its bounds.
// Seeded with a real checkpoint of a small network.
func FuzzLoadCheckpoint(f *testing.F) {
	p := ckProgram(f, lower.Options{})
	seed := f.TempDir()
	writeCk(f, seed, p)
	files := []string{checkpointInfo, checkpointState, "spikes.npz", "traces.npz"}
	var real [4][]byte
	for i, name := range files {
		b, err := os.ReadFile(filepath.Join(seed, name))
		if err != nil {
			f.Fatal(err)
		}
		real[i] = b
	}
	f.Add(real[0], real[1], real[2], real[3])
	f.Add([]byte(`{"steps_done": 1e18}`), real[1], real[2], real[3])
	f.Add(real[0], []byte{}, real[2], []byte("PK"))
	total := int(p.Net.Duration/p.Net.Dt + 0.5)
	f.Fuzz(func(t *testing.T, info, state, spikes, traces []byte) {
		dir := t.TempDir()
		for i, b := range [][]byte{info, state, spikes, traces} {
			if err := os.WriteFile(filepath.Join(dir, files[i]), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		st, rec, err := LoadCheckpoint(dir, p)
		if err != nil {
			return
		}
		if rec.Steps < 0 || rec.Steps > total || len(st) != len(p.State) {
			t.Fatalf("loaded %d steps of %d, %d state arrays of %d", rec.Steps, total, len(st), len(p.State))
		}
		if c, ok := st[0].Value().(int32); !ok || int(c) != rec.Steps {
			t.Fatalf("step counter %v, steps done %d", st[0].Value(), rec.Steps)
		}
		for _, s := range rec.Spikes {
			for k, i := range s.Indices {
				if i < 0 || int(i) >= s.Size || s.Times[k] >= float64(rec.Steps)*p.Net.Dt {
					t.Fatalf("spike %d: neuron %d at %g ms", k, i, s.Times[k])
				}
			}
		}
	})
}

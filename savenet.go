package brainc

import (
	"fmt"
	"os"

	"github.com/brainc/brainc/atomicfile"
	"github.com/brainc/brainc/lower"
	"github.com/brainc/brainc/snapshot"
)

// maxSpecBytes bounds the spec file SaveNetwork reads back to rewrite.
const maxSpecBytes = 16 << 20

// SaveNetwork writes into dir (created; one that holds files is refused)
// every value the Sim's network drew — connectivity, per-synapse weights
// and delays, per-neuron parameters, initial values and inputs — as .npz
// and .npy files (package snapshot), and, for a network read from a spec
// file, network.yaml: that spec rewritten to read them, which rebuilds the
// identical network whatever its seed. It returns the files written. The
// values are those of the program the Sim runs; after SetInput, SetParam
// or SetWeights the spec no longer describes it, and only the values are
// written.
func (s *Sim) SaveNetwork(dir string) ([]string, error) {
	if err := s.begin("SaveNetwork"); err != nil {
		return nil, err
	}
	defer s.end()
	prog := s.prog
	if prog.Devices > 1 {
		one, err := lower.Build(s.net, lower.OptionsFor(s.net, lower.Choices{Float64: s.opts.Float64, Devices: 1}))
		if err != nil {
			return nil, err
		}
		prog = one
	}
	var spec []byte
	if f := s.net.File; f != "" && !s.changed {
		info, err := os.Stat(f)
		if err != nil {
			return nil, fmt.Errorf("brainc: SaveNetwork: the network's spec: %w", err)
		}
		if info.Size() > maxSpecBytes {
			return nil, fmt.Errorf("brainc: SaveNetwork: the network's spec %s is %d bytes, more than %d", f, info.Size(), maxSpecBytes)
		}
		if spec, err = os.ReadFile(f); err != nil {
			return nil, fmt.Errorf("brainc: SaveNetwork: %w", err)
		}
	}
	var files []string
	err := atomicfile.Dir(dir, atomicfile.DirOptions{}, func(stage string) ([]string, error) {
		var err error
		files, err = snapshot.Write(stage, prog, spec)
		return files, err
	})
	return files, err
}

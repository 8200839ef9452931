package brainc

import (
	"fmt"

	"github.com/brainc/brainc/atomicfile"
	"github.com/brainc/brainc/netspec"
	"github.com/brainc/brainc/snapshot"
)

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
	var spec []byte
	if f := s.net.File; f != "" && !s.changed {
		var err error
		if spec, err = netspec.ReadFile(f); err != nil {
			return nil, fmt.Errorf("brainc: SaveNetwork: the network's spec: %w", err)
		}
	}
	return snapshot.Save(dir, atomicfile.DirOptions{}, s.prog, spec)
}

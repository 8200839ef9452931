package lower

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/netspec"
)

// A network that cannot fit is refused before anything is built (fixed_prob
// 1.0 on 60k neurons allocated until Go's out-of-memory killed it), naming
// its biggest parts; what the kernels do not store counts nothing.
func TestMemoryEstimate(t *testing.T) {
	net, err := netspec.Parse([]byte(`
name: big
duration: 10 ms
populations:
  E: {size: 60000, model: LifRef}
  P: {size: 1000, model: LifRef}
projections:
  EE: {pre: E, post: E, conn: {fixed_prob: 1.0}, weight: 1, synapse: Expon, output: CUBA}
  PP: {pre: P, post: P, conn: {all_to_all: true}, weight: 1, synapse: Expon, output: CUBA}
  PE: {pre: P, post: E, conn: {fixed_prob: 0.5}, weight: 1, synapse: Expon, output: CUBA, kernel: procedural}
monitors: {traces: {P.V: [0, 1]}}
`), "big.yaml")
	require.NoError(t, err)
	total, items := EstimateMemory(net, Options{})
	require.Len(t, items, 3, "PP (all_to_all kernel) and PE (procedural) store nothing")
	assert.Equal(t, MemoryItem{"projection EE (3.6e+09 synapses)", 3.6e9 * bytesPerStoredSynapse}, items[0])
	assert.Equal(t, MemoryItem{"neuron state", 61000 * bytesPerNeuronState}, items[1])
	assert.Equal(t, MemoryItem{"trace P.V (2 × 100 steps)", 1600}, items[2])
	assert.InDelta(t, 3.6e9*bytesPerStoredSynapse+61000*bytesPerNeuronState+1600, total, 1)
	_, err = Build(net, Options{MaxMemory: 1 << 30})
	assert.EqualError(t, err, "big.yaml: the run needs about 80.5 GiB, more than the limit you set (1.0 GiB): "+
		"projection EE (3.6e+09 synapses) ≈ 80.5 GiB, neuron state ≈ 3.7 MiB, trace P.V (2 × 100 steps) ≈ 1.6 KiB; "+
		"use fewer neurons or synapses, kernel: procedural for large fixed_prob projections, or fewer traced neurons")
}

// Build refuses a split across more devices than the largest population
// has neurons, whoever asks (brainc run checks it first, naming --devices).
func TestBuildRefusesDevicesBeyondNeurons(t *testing.T) {
	net, err := netspec.Parse([]byte(`
name: small
populations:
  E: {size: 100, model: LifRef}
  I: {size: 20, model: LifRef}
`), "small.yaml")
	require.NoError(t, err)
	_, err = Build(net, Options{PadTo: 1024})
	assert.EqualError(t, err, "small.yaml: devices: 1024 devices for a network whose largest population (E) has 100 neurons: "+
		"each device holds a share of every population, so at most 100 devices hold any neuron")
	_, err = Build(net, Options{PadTo: 100})
	assert.NoError(t, err)
}

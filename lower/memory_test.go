package lower

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/netspec"
)

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

// Build refuses a network that cannot fit before anything is built, with
// plan.CheckMemory's reasons placed at the spec file.
func TestBuildRefusesWhatDoesNotFit(t *testing.T) {
	net, err := netspec.Parse([]byte(`
name: big
populations:
  E: {size: 60000, model: LifRef}
projections:
  EE: {pre: E, post: E, conn: {fixed_prob: 1.0}, weight: 1, synapse: Expon, output: CUBA}
`), "big.yaml")
	require.NoError(t, err)
	_, err = Build(net, Options{MaxMemory: 1 << 30})
	require.Error(t, err)
	assert.Regexp(t, `^big\.yaml: the run needs about 80\.5 GiB, more than the limit you set \(1\.0 GiB\): projection EE`, err.Error())
}

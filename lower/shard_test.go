package lower

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/netspec"
)

// PadTo rounds the packed block A+B (320 neurons) up to a multiple of the
// device count with a padding population after B, leaves the real
// populations where they were, and ShardAxes splits the block's arrays
// and the synaptic states onto it, and the fan-out table by target.
func TestPadAndShardAxes(t *testing.T) {
	net, err := netspec.Parse([]byte(spec), "t.yaml")
	require.NoError(t, err)
	for _, tc := range []struct {
		devices, size int
		pad           bool
	}{{2, 320, false}, {3, 321, true}, {7, 322, true}} {
		p, err := Build(net, Options{PadTo: tc.devices})
		require.NoError(t, err)
		require.Len(t, p.Blocks, 1)
		b := p.Blocks[0]
		assert.Equal(t, tc.size, b.Size, "%d devices", tc.devices)
		assert.Equal(t, "A+B", b.Name)
		last := b.Pops[len(b.Pops)-1]
		assert.Equal(t, tc.pad, last.Pad)
		if tc.pad {
			assert.Equal(t, "B"+PadSuffix, last.Name)
			assert.Equal(t, 320, last.Offset)
			assert.Equal(t, tc.size-320, last.Size)
		}
		assert.Equal(t, 300, p.Pops[1].Offset, "B stays at 300")
		real := p.RealNeurons()
		want := -1 // no padding: nothing to drop from checkpoints
		if tc.pad {
			want = 320
		}
		assert.Equal(t, want, real[b.States["V"].Index], "%d devices", tc.devices)
		assert.Equal(t, want, real[b.Spike.Index])
		assert.Equal(t, want, real[p.Groups[0].G.Index])
		assert.Equal(t, -1, real[0], "the step counter")
		state, consts := p.ShardAxes(tc.devices)
		assert.Equal(t, 0, state[b.States["V"].Index])
		assert.Equal(t, 0, state[b.Spike.Index])
		assert.Equal(t, -1, state[0], "the step counter is whole")
		for _, g := range p.Groups {
			assert.Equal(t, 0, state[g.G.Index], "group %s", g.Name)
		}
		assert.Equal(t, 0, consts[b.Fan.Targets.Index])
		assert.Equal(t, 0, consts[b.Fan.Ptr.Index])
		st, ct, split, whole := p.DeviceBytes(tc.devices)
		// V, last spike, g (4 bytes each) and the spike flag (1) per neuron
		// of the device's share; the step counter (4) on every device.
		assert.Equal(t, int64(4+13*tc.size/tc.devices), st, "%d devices", tc.devices)
		assert.Less(t, ct, int64(2*4*9000/tc.devices), "each device holds its share of the connectivity")
		assert.Equal(t, len(p.State)+len(p.Consts), split+whole)
	}
	// Without padding a block that does not divide stays whole.
	p, err := Build(net, Options{})
	require.NoError(t, err)
	state, _ := p.ShardAxes(3)
	assert.Equal(t, -1, state[p.Blocks[0].States["V"].Index])
	for _, bad := range []int{-1, MaxDevices + 1} {
		_, err := Build(net, Options{PadTo: bad})
		assert.ErrorContains(t, err, "must be between 0 and 1024")
	}
}

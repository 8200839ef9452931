package jit

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/lower"
	"github.com/brainc/brainc/netspec"
	"github.com/brainc/brainc/pjrt"
)

func TestAutoK(t *testing.T) {
	tests := []struct {
		platform string
		steps    int
		want     int
	}{
		{"cpu", 1, 1},
		{"cpu", 10_000, 2},
		{"cpu", 50_000, 5},
		{"cpu", 1_000_000, 22},
		{"cpu", 100_000_000, maxAutoK},
		{"cuda", 10, 1},
		{"cuda", 10_000, 32},
		{"cuda", 1_000_000, maxAutoK},
		{"go", 1_000_000, 1},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, AutoK(tc.platform, tc.steps), "%s %d steps", tc.platform, tc.steps)
	}
}

func TestBuckets(t *testing.T) {
	assert.Equal(t, []int{16, 32, 64, 128, 256, 512, 1024, 2048, 4096}, Buckets(16, 3200))
	assert.Equal(t, []int{16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768}, Buckets(16, 32000))
	assert.Equal(t, []int{16}, Buckets(16, 10))
	assert.Equal(t, []int{DefaultCapacity, DefaultCapacity * 2}, Buckets(0, DefaultCapacity+1))
	assert.Equal(t, 4, Growth(3200, EngineChunk))
	assert.Equal(t, 2, Growth(32000, EngineChunk))
	assert.Equal(t, 2, Growth(3200, EngineLoop))
}

// Run, State and SetState after Close return ErrClosed on either engine
// (the loop engine's Run used to panic: index out of range in startLoop);
// Close twice is harmless.
func TestRunnerAfterClose(t *testing.T) {
	net, err := netspec.Parse([]byte(`
name: r
populations:
  E: {size: 20, model: LifRef, input: 20}
monitors: {spikes: [E]}
`), "r.yaml")
	require.NoError(t, err)
	prog, err := lower.Build(net, lower.Options{})
	require.NoError(t, err)
	for _, name := range []string{"cpu", "go"} {
		b, err := pjrt.Open(pjrt.Options{Backend: name})
		require.NoError(t, err)
		r, err := NewRunner(b.Backend, prog, Options{})
		require.NoError(t, err)
		require.NoError(t, r.Run(5, nil), name)
		state, err := r.State()
		require.NoError(t, err, name)
		r.Close()
		r.Close()
		assert.ErrorIs(t, r.Run(5, nil), ErrClosed, name)
		_, err = r.State()
		assert.ErrorIs(t, err, ErrClosed, name)
		assert.ErrorIs(t, r.SetState(state), ErrClosed, name)
	}
}

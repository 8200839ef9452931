package jit

import (
	"testing"

	"github.com/stretchr/testify/assert"
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

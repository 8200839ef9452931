package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// The controller takes E from its own rate (about 25 Hz) to the target's
// 10 Hz within 5% over the last 300 ms, and draws it.
func TestClampsTheRate(t *testing.T) {
	out := filepath.Join(t.TempDir(), "closed-loop.png")
	before, after, input, err := run(out, 10)
	require.NoError(t, err)
	require.Greater(t, before, 20.0)
	require.InDelta(t, 10, after, 0.5)
	require.Less(t, input, 11.0)
	info, err := os.Stat(out)
	require.NoError(t, err)
	require.Positive(t, info.Size())
}

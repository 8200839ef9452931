package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A split across more devices than the largest population has neurons is
// refused before anything is built or opened (1024 devices on 100 neurons
// aborted inside XLA: pthread_create failed), naming the flag or the spec's
// field.
func TestDevicesBeyondNeuronsRefused(t *testing.T) {
	dir := t.TempDir()
	spec := filepath.Join(dir, "tiny.yaml")
	require.NoError(t, os.WriteFile(spec, []byte(tinySpec), 0o644))
	code, _, stderr := runCLI("run", spec, "--devices", "1024", "--backend", "cpu", "--out", filepath.Join(dir, "out"))
	assert.Equal(t, 2, code, stderr)
	assert.Equal(t, "brainc run: --devices: 1024 devices for a network whose largest population (E) has 80 neurons: "+
		"each device holds a share of every population, so at most 80 devices hold any neuron\n", stderr)
	assert.NoDirExists(t, filepath.Join(dir, "out"))

	inSpec := filepath.Join(dir, "split.yaml")
	require.NoError(t, os.WriteFile(inSpec, []byte(strings.Replace(tinySpec, "seed: 5\n", "seed: 5\ndevices: 81\n", 1)), 0o644))
	code, _, stderr = runCLI("run", inSpec, "--backend", "cpu", "--out", filepath.Join(dir, "out"))
	assert.Equal(t, 2, code, stderr)
	assert.Contains(t, stderr, "brainc run: "+inSpec+": devices: 81 devices for a network whose largest population (E) has 80 neurons")
}

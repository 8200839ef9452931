package brainc

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/atomicfile"
)

// Result.Save replaces its own earlier files only: a .brainc-files entry
// naming a file outside the directory is refused, and that file stays.
func TestSaveKeepsFilesOutsideItsDirectory(t *testing.T) {
	net := smallNet(t)
	net.Duration = 5
	res, err := Run(context.Background(), net, Options{Backend: "cpu"})
	require.NoError(t, err)
	root := t.TempDir()
	dir := filepath.Join(root, "out")
	victim := filepath.Join(root, "victim")
	require.NoError(t, os.WriteFile(victim, []byte("mine"), 0o644))
	require.NoError(t, res.Save(dir))
	list := filepath.Join(dir, atomicfile.ListFile)
	data, err := os.ReadFile(list)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(list, append(data, "../victim\n"...), 0o644))
	err = res.Save(dir)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `"../victim" is a path, not a plain file name: the list of the files brainc wrote is corrupted`)
	got, err := os.ReadFile(victim)
	require.NoError(t, err)
	assert.Equal(t, "mine", string(got))
}

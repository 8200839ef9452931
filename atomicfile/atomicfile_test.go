package atomicfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f.txt")
	require.NoError(t, Write(p, func(w io.Writer) error { _, err := io.WriteString(w, "one"); return err }))
	got, err := os.ReadFile(p)
	require.NoError(t, err)
	assert.Equal(t, "one", string(got))

	// A failing writer leaves the old content and no temporary file.
	boom := errors.New("boom")
	err = Write(p, func(w io.Writer) error { _, _ = io.WriteString(w, "two"); return boom })
	assert.ErrorIs(t, err, boom)
	got, _ = os.ReadFile(p)
	assert.Equal(t, "one", string(got))
	entries, _ := os.ReadDir(dir)
	assert.Len(t, entries, 1)

	err = Write(filepath.Join(dir, "missing", "f"), func(io.Writer) error { return nil })
	assert.ErrorContains(t, err, "creating temporary file for")
}

func TestDir(t *testing.T) {
	root := t.TempDir()
	out := filepath.Join(root, "a", "out")
	err := Dir(out, func(stage string) ([]string, error) {
		return []string{"x"}, os.WriteFile(filepath.Join(stage, "x"), []byte("1"), 0o644)
	})
	require.NoError(t, err)
	got, err := os.ReadFile(filepath.Join(out, "x"))
	require.NoError(t, err)
	assert.Equal(t, "1", string(got))

	// A failing fill leaves neither the directory nor the staging area.
	failed := filepath.Join(root, "failed")
	err = Dir(failed, func(stage string) ([]string, error) {
		_ = os.WriteFile(filepath.Join(stage, "half"), nil, 0o644)
		return nil, errors.New("boom")
	})
	assert.EqualError(t, err, "boom")
	entries, _ := os.ReadDir(root)
	assert.Len(t, entries, 1, "only a/ remains")
}

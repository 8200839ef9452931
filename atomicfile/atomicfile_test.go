package atomicfile

import (
	"errors"
	"fmt"
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
	write := func(name, content string) func(stage string) ([]string, error) {
		return func(stage string) ([]string, error) {
			return []string{name}, os.WriteFile(filepath.Join(stage, name), []byte(content), 0o644)
		}
	}
	require.NoError(t, Dir(out, DirOptions{}, write("x", "1")))
	got, err := os.ReadFile(filepath.Join(out, "x"))
	require.NoError(t, err)
	assert.Equal(t, "1", string(got))
	assert.Equal(t, []string{ListFile, "x"}, names(t, out), "the staging directory is gone")

	// An earlier set is refused without Overwrite, replaced with it.
	err = Dir(out, DirOptions{}, write("y", "2"))
	assert.EqualError(t, err, "output directory "+out+" holds an earlier run's files (x): use --overwrite to replace them, or another directory")
	assert.Equal(t, []string{ListFile, "x"}, names(t, out))
	require.NoError(t, Dir(out, DirOptions{Overwrite: true}, write("y", "2")))
	assert.Equal(t, []string{ListFile, "y"}, names(t, out), "x, of the earlier set, was removed")

	// Files brainc did not write are never overwritten or mixed with.
	require.NoError(t, os.WriteFile(filepath.Join(out, "notes.txt"), nil, 0o644))
	err = Dir(out, DirOptions{Overwrite: true}, write("z", "3"))
	assert.EqualError(t, err, "output directory "+out+" holds files brainc did not write (notes.txt): choose an empty or new directory")

	// A failing fill leaves neither the directory nor the staging area.
	failed := filepath.Join(root, "failed")
	err = Dir(failed, DirOptions{}, func(stage string) ([]string, error) {
		_ = os.WriteFile(filepath.Join(stage, "half"), nil, 0o644)
		return nil, errors.New("boom")
	})
	assert.EqualError(t, err, "boom")
	assert.Equal(t, []string{"a"}, names(t, root), "only a/ remains")

	// The staging directory of a writer that died is removed; a live one's stays.
	fresh := filepath.Join(root, "fresh")
	dead := filepath.Join(fresh, ".partial-999999999-123")
	live := filepath.Join(fresh, fmt.Sprintf(".partial-%d-456", os.Getpid()))
	require.NoError(t, os.MkdirAll(dead, 0o755))
	require.NoError(t, os.MkdirAll(live, 0o755))
	require.NoError(t, Dir(fresh, DirOptions{}, write("x", "1")))
	assert.Equal(t, []string{ListFile, filepath.Base(live), "x"}, names(t, fresh))
}

func names(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

// A directory written before ListFile existed: its known files count as an
// earlier set (refused without Overwrite, replaced with it).
func TestDirKnownFiles(t *testing.T) {
	out := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(out, "summary.json"), nil, 0o644))
	opts := DirOptions{Known: []string{"summary.json"}}
	write := func(stage string) ([]string, error) {
		return []string{"summary.json"}, os.WriteFile(filepath.Join(stage, "summary.json"), []byte("new"), 0o644)
	}
	assert.ErrorContains(t, Dir(out, opts, write), "holds an earlier run's files (summary.json): use --overwrite")
	opts.Overwrite = true
	require.NoError(t, Dir(out, opts, write))
	got, err := os.ReadFile(filepath.Join(out, "summary.json"))
	require.NoError(t, err)
	assert.Equal(t, "new", string(got))
}

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

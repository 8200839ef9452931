package jit

import (
	"container/list"
	"crypto/sha256"
	"encoding/binary"
	"io/fs"
	"os"
	"testing"

	xlapjrt "github.com/gomlx/go-xla/pkg/pjrt"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/diskcache"
	"github.com/brainc/brainc/pjrt"
)

// Two programs of one signature that compute different values.
const (
	progA = `module @prog {
  func.func public @main(%x: tensor<4xf32>) -> tensor<4xf32> {
    %c = stablehlo.constant dense<1.0> : tensor<4xf32>
    %y = stablehlo.add %x, %c : tensor<4xf32>
    return %y : tensor<4xf32>
  }
}`
	progB = `module @prog {
  func.func public @main(%x: tensor<4xf32>) -> tensor<4xf32> {
    %c = stablehlo.constant dense<100.0> : tensor<4xf32>
    %y = stablehlo.add %x, %c : tensor<4xf32>
    return %y : tensor<4xf32>
  }
}`
)

// cpuClient opens the CPU plugin's client.
func cpuClient(t *testing.T) *xlapjrt.Client {
	t.Helper()
	b, err := pjrt.Open(pjrt.Options{Backend: "cpu"})
	require.NoError(t, err, "the CPU PJRT plugin must be installed: run `make setup`")
	c, err := pjrt.Client(b)
	require.NoError(t, err)
	return c
}

// run4 runs a program of one tensor<4xf32> on x.
func run4(t *testing.T, c *xlapjrt.Client, exe *xlapjrt.LoadedExecutable, x []float32) []float32 {
	t.Helper()
	in, err := xlapjrt.ArrayToBuffer(c, x, len(x))
	require.NoError(t, err)
	outs, err := exe.Execute(in).Done()
	require.NoError(t, err)
	require.Len(t, outs, 1)
	v, _, err := xlapjrt.BufferToArray[float32](outs[0])
	require.NoError(t, err)
	return v
}

// withPayload is the entry at path with its payload replaced by payload
// and its header recomputed (magic and key kept, length and checksum of
// the new payload).
func withPayload(t *testing.T, path string, payload []byte) []byte {
	t.Helper()
	old, err := os.ReadFile(path)
	require.NoError(t, err)
	out := append([]byte{}, old[:40]...)
	out = binary.LittleEndian.AppendUint64(out, uint64(len(payload)))
	sum := sha256.Sum256(payload)
	return append(append(out, sum[:]...), payload...)
}

// Another program's executable of the same signature under a header
// recomputed for this program's key is refused after loading, the entry
// removed, and the program compiled afresh and stored: the next process
// loads the right one (not the other's values).
func TestGetRefusesOtherProgram(t *testing.T) {
	c := cpuClient(t)
	d := &DiskCache{Dir: t.TempDir()}
	UseDiskCache(d)
	defer UseDiskCache(nil)
	compile := func(text string) (*xlapjrt.LoadedExecutable, error) {
		return c.Compile().WithStableHLO([]byte(text)).Done()
	}
	fresh := func() *execCache { // a new process's cache
		return &execCache{entries: map[cacheKey]*list.Element{}, order: list.New()}
	}
	x := []float32{1, 2, 3, 4}
	namedA, nameA, err := diskcache.NameModule(progA)
	require.NoError(t, err)
	pathA := d.Path(diskcache.Key(c, namedA, 1))
	namedB, _, err := diskcache.NameModule(progB)
	require.NoError(t, err)
	pathB := d.Path(diskcache.Key(c, namedB, 1))
	for _, text := range []string{progA, progB} {
		_, from, diskErr, err := fresh().get(c, text, 1, compile)
		require.NoError(t, err)
		require.NoError(t, diskErr)
		require.Equal(t, fromCompile, from)
	}
	b, err := os.ReadFile(pathB)
	require.NoError(t, err)
	// B's bytes under A's name, with a header recomputed for A's key.
	require.NoError(t, os.WriteFile(pathA, withPayload(t, pathA, b[80:]), 0o644))
	exe, from, diskErr, err := fresh().get(c, progA, 1, compile)
	require.NoError(t, err)
	assert.Equal(t, fromCompile, from)
	require.Error(t, diskErr)
	assert.Contains(t, diskErr.Error(), `expected "`+nameA+`" (removed; compiling instead)`)
	assert.Equal(t, []float32{2, 3, 4, 5}, run4(t, c, exe, x))
	exe, from, diskErr, err = fresh().get(c, progA, 1, compile)
	require.NoError(t, err)
	assert.NoError(t, diskErr)
	assert.Equal(t, fromDisk, from)
	assert.Equal(t, []float32{2, 3, 4, 5}, run4(t, c, exe, x))
}

// A program from the disk cache that fails to run is forgotten: dropped
// from the process's cache and its entry removed, so that no later run
// loads it again; a compiled one that fails leaves the disk alone.
func TestForgetRemovesDiskEntry(t *testing.T) {
	c := cpuClient(t)
	d := &DiskCache{Dir: t.TempDir()}
	UseDiskCache(d)
	defer UseDiskCache(nil)
	compile := func(text string) (*xlapjrt.LoadedExecutable, error) {
		return c.Compile().WithStableHLO([]byte(text)).Done()
	}
	first := &execCache{entries: map[cacheKey]*list.Element{}, order: list.New()}
	compiledExe, from, diskErr, err := first.get(c, progA, 1, compile)
	require.NoError(t, err)
	require.NoError(t, diskErr)
	require.Equal(t, fromCompile, from)
	named, _, err := diskcache.NameModule(progA)
	require.NoError(t, err)
	path := d.Path(diskcache.Key(c, named, 1))
	assert.Equal(t, "", first.forget(compiledExe))
	assert.Empty(t, first.entries)
	_, err = os.Stat(path)
	require.NoError(t, err, "a compiled program's failure leaves its entry")

	second := &execCache{entries: map[cacheKey]*list.Element{}, order: list.New()}
	loaded, from, diskErr, err := second.get(c, progA, 1, compile)
	require.NoError(t, err)
	require.NoError(t, diskErr)
	require.Equal(t, fromDisk, from)
	assert.Equal(t, path, second.forget(loaded))
	assert.Empty(t, second.entries)
	_, err = os.Stat(path)
	assert.ErrorIs(t, err, fs.ErrNotExist)
}

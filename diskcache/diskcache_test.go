package diskcache

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	xlapjrt "github.com/gomlx/go-xla/pkg/pjrt"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/pjrt"
)

// testKey is a key for entries written by hand.
var testKey = [32]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32}

// within fails the test when f takes longer than d (a read that follows a
// link to /dev/zero, or blocks on a FIFO, never returns).
func within(t *testing.T, d time.Duration, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { defer close(done); f() }()
	select {
	case <-done:
	case <-time.After(d):
		t.Fatalf("still running after %v", d)
	}
}

// An entry that is a link (to /dev/zero, or to an entry), a FIFO, a
// directory, a sparse 100 GB file or a file brainc did not write is
// refused at once, without reading it, and only a file with brainc's
// header counts as brainc's; a well-formed entry reads back.
func TestReadEntryRefusesUntrusted(t *testing.T) {
	dir := t.TempDir()
	d := &Cache{Dir: dir}
	path := d.Path(testKey)
	good := encodeEntry(testKey, []byte("payload"))
	plant := map[string]func() error{
		"link to /dev/zero": func() error { return os.Symlink("/dev/zero", path) },
		"link to an entry": func() error {
			other := filepath.Join(t.TempDir(), "real.xla")
			if err := os.WriteFile(other, good, 0o644); err != nil {
				return err
			}
			return os.Symlink(other, path)
		},
		"fifo":      func() error { return syscall.Mkfifo(path, 0o644) },
		"directory": func() error { return os.Mkdir(path, 0o755) },
		"sparse 100 GB": func() error {
			f, err := os.Create(path)
			if err != nil {
				return err
			}
			defer f.Close()
			return f.Truncate(100 << 30)
		},
		"sparse 100 GB of brainc's": func() error {
			f, err := os.Create(path)
			if err != nil {
				return err
			}
			defer f.Close()
			if _, err := f.Write(good[:headerSize]); err != nil {
				return err
			}
			return f.Truncate(100 << 30)
		},
		"a user's file": func() error { return os.WriteFile(path, []byte("my notes"), 0o644) },
		"truncated":     func() error { return os.WriteFile(path, good[:headerSize+3], 0o644) },
	}
	want := map[string]struct {
		msg  string
		ours bool
	}{
		"link to /dev/zero":         {"damaged cache entry: a symbolic link (not followed)", false},
		"link to an entry":          {"damaged cache entry: a symbolic link (not followed)", false},
		"fifo":                      {"damaged cache entry: not a regular file (p---------)", false},
		"directory":                 {"damaged cache entry: not a regular file (d---------)", false},
		"sparse 100 GB":             {"damaged cache entry: 107374182400 bytes, more than the 1073741824 an entry may have", false},
		"sparse 100 GB of brainc's": {"damaged cache entry: 107374182400 bytes, more than the 1073741824 an entry may have", true},
		"a user's file":             {"damaged cache entry: no brainc cache header", false},
		"truncated":                 {"damaged cache entry: 3 payload bytes, the header says 7", true},
	}
	for name, make := range plant {
		require.NoError(t, os.RemoveAll(path))
		require.NoError(t, make(), name)
		within(t, 10*time.Second, func() {
			payload, ours, err := readEntry(path, testKey)
			assert.Nil(t, payload, name)
			require.Error(t, err, name)
			assert.Contains(t, err.Error(), want[name].msg, name)
			assert.Equal(t, want[name].ours, ours, name)
		})
	}
	require.NoError(t, os.RemoveAll(path))
	_, _, err := readEntry(path, testKey)
	assert.ErrorIs(t, err, fs.ErrNotExist)
	require.NoError(t, os.WriteFile(path, good, 0o644))
	payload, ours, err := readEntry(path, testKey)
	require.NoError(t, err)
	assert.True(t, ours)
	assert.Equal(t, "payload", string(payload))
}

// Info counts, trim and Clear remove only brainc's entries: a link, a
// FIFO or a user's file named like an entry stays, and so does its target.
func TestClearLeavesForeignFiles(t *testing.T) {
	dir := t.TempDir()
	d := &Cache{Dir: dir}
	victim := filepath.Join(t.TempDir(), "victim")
	require.NoError(t, os.WriteFile(victim, encodeEntry(testKey, []byte("x")), 0o644))
	foreign := map[string]func(string) error{
		fmt.Sprintf("%064x.xla", 1): func(p string) error { return os.Symlink(victim, p) },
		fmt.Sprintf("%064x.xla", 2): func(p string) error { return syscall.Mkfifo(p, 0o644) },
		fmt.Sprintf("%064x.xla", 3): func(p string) error { return os.WriteFile(p, []byte("mine"), 0o644) },
		"notes.xla":                 func(p string) error { return os.WriteFile(p, encodeEntry(testKey, nil), 0o644) },
	}
	for name, make := range foreign {
		require.NoError(t, make(filepath.Join(dir, name)))
	}
	require.NoError(t, os.WriteFile(d.Path(testKey), encodeEntry(testKey, []byte("compiled")), 0o644))
	within(t, 10*time.Second, func() {
		n, size, err := d.Info()
		require.NoError(t, err)
		assert.Equal(t, 1, n)
		assert.Equal(t, int64(headerSize+len("compiled")), size)
		removed, err := d.Clear()
		require.NoError(t, err)
		assert.Equal(t, 1, removed)
	})
	for name := range foreign {
		_, err := os.Lstat(filepath.Join(dir, name))
		assert.NoError(t, err, name)
	}
	_, err := os.Stat(victim)
	assert.NoError(t, err)
	_, err = os.Lstat(d.Path(testKey))
	assert.ErrorIs(t, err, fs.ErrNotExist)
}

// The temporaries of writers that died, and those older than
// StaleTempAge, are swept; a live writer's, a link named like one and a
// user's files stay.
func TestSweepStaleTemporaries(t *testing.T) {
	dir := t.TempDir()
	d := &Cache{Dir: dir}
	cmd := exec.Command("true")
	require.NoError(t, cmd.Run())
	dead := cmd.Process.Pid // waited for: no process has it now
	require.False(t, alive(dead))
	k := fmt.Sprintf("%064x", 7)
	old := time.Now().Add(-2 * StaleTempAge)
	files := map[string]struct {
		age  time.Time
		gone bool
	}{
		fmt.Sprintf(".%s.xla.tmp-%d-123", k, dead):        {time.Now(), true},
		fmt.Sprintf(".%s.xla.tmp-%d-123", k, os.Getpid()): {time.Now(), false},
		fmt.Sprintf(".%s.xla.tmp-%d-124", k, os.Getpid()): {old, true},
		fmt.Sprintf(".%s.xla.tmp-4242", k):                {old, true}, // atomicfile's names of earlier versions
		fmt.Sprintf(".%s.xla.tmp-4243", k):                {time.Now(), false},
		".notes.xla.tmp-1-1":                              {old, false},
		"notes.txt":                                       {old, false},
	}
	for name, f := range files {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte("partial"), 0o644))
		require.NoError(t, os.Chtimes(p, f.age, f.age))
	}
	link := filepath.Join(dir, fmt.Sprintf(".%s.xla.tmp-%d-9", k, dead))
	require.NoError(t, os.Symlink(filepath.Join(dir, "notes.txt"), link))
	_, err := d.Clear()
	require.NoError(t, err)
	for name, f := range files {
		_, err := os.Lstat(filepath.Join(dir, name))
		if f.gone {
			assert.ErrorIs(t, err, fs.ErrNotExist, name)
		} else {
			assert.NoError(t, err, name)
		}
	}
	_, err = os.Lstat(link)
	assert.NoError(t, err)
}

// The three programs of TestLoadChecksProgram: b computes other values
// with a's signature; c takes another shape.
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
	progC = `module @prog {
  func.func public @main(%x: tensor<8xf32>) -> tensor<8xf32> {
    %c = stablehlo.constant dense<1.0> : tensor<8xf32>
    %y = stablehlo.add %x, %c : tensor<8xf32>
    return %y : tensor<8xf32>
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

// Another program's executable (of the same signature, or of another
// shape) under a header recomputed for this program's key is refused
// after loading and the entry removed.
func TestLoadRefusesOtherProgram(t *testing.T) {
	c := cpuClient(t)
	d := &Cache{Dir: t.TempDir()}
	namedA, nameA, err := NameModule(progA)
	require.NoError(t, err)
	keyA := Key(c, namedA, 1)
	for _, other := range []string{progB, progC} {
		named, _, err := NameModule(other)
		require.NoError(t, err)
		payload, err := pjrt.Serialize(c, mustCompile(t, c, named))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(d.Path(keyA), encodeEntry(keyA, payload), 0o644))
		_, found, err := d.Load(c, keyA, 1, Signature{Name: nameA, Results: []string{"tensor<4xf32>"}})
		assert.True(t, found)
		require.Error(t, err)
		assert.Regexp(t, `^.*\.xla: damaged cache entry: it holds the program "prog_[0-9a-f]{64}", expected "`+nameA+`" \(removed; compiling instead\)$`, err.Error())
		_, err = os.Stat(d.Path(keyA))
		assert.ErrorIs(t, err, fs.ErrNotExist)
	}
}

// An executable forged to carry this program's name (compiled from a
// text whose module bears it) but of other result shapes or element types
// is refused after loading by its signature as the plugin reports it.
func TestLoadChecksSignature(t *testing.T) {
	c := cpuClient(t)
	d := &Cache{Dir: t.TempDir()}
	namedA, nameA, err := NameModule(progA)
	require.NoError(t, err)
	keyA := Key(c, namedA, 1)
	_, results, err := MainSignature(namedA)
	require.NoError(t, err)
	want := Signature{Name: nameA, Results: results}
	progD := strings.NewReplacer("tensor<4xf32>", "tensor<4xi32>", "1.0", "1").Replace(progA)
	for _, tc := range []struct{ text, msg string }{
		{progC, "damaged cache entry: result 0 has dimensions [8], expected [4] (tensor<4xf32>)"},
		{progD, "damaged cache entry: result 0 has PJRT element type 4, expected f32 (11)"},
	} {
		forged := strings.Replace(tc.text, "module @prog ", "module @"+nameA+" ", 1)
		exe, err := c.Compile().WithStableHLO([]byte(forged)).Done()
		require.NoError(t, err)
		require.Equal(t, nameA, exe.Name)
		payload, err := pjrt.Serialize(c, exe)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(d.Path(keyA), encodeEntry(keyA, payload), 0o644))
		_, found, err := d.Load(c, keyA, 1, want)
		assert.True(t, found)
		require.Error(t, err)
		assert.Contains(t, err.Error(), tc.msg+" (removed; compiling instead)")
		_, err = os.Stat(d.Path(keyA))
		assert.ErrorIs(t, err, fs.ErrNotExist)
	}
	outs, err := pjrt.Outputs(c, mustCompile(t, c, namedA))
	require.NoError(t, err)
	assert.Equal(t, []pjrt.Output{{Type: 11, Dims: []int64{4}}}, outs)
}

// mustCompile compiles text on c.
func mustCompile(t *testing.T, c *xlapjrt.Client, text string) *xlapjrt.LoadedExecutable {
	t.Helper()
	exe, err := c.Compile().WithStableHLO([]byte(text)).Done()
	require.NoError(t, err)
	return exe
}

// The key covers the devices a program is partitioned across and its
// text; NameModule names the module for the text's hash and refuses a
// text without a plain module name.
func TestDiskKeyAndNameModule(t *testing.T) {
	c := cpuClient(t)
	named, name, err := NameModule(progA)
	require.NoError(t, err)
	assert.Regexp(t, `^prog_[0-9a-f]{64}$`, name)
	assert.True(t, strings.HasPrefix(named, "module @"+name+" {\n"))
	namedB, nameB, err := NameModule(progB)
	require.NoError(t, err)
	assert.NotEqual(t, name, nameB)
	assert.NotEqual(t, Key(c, named, 1), Key(c, namedB, 1))
	assert.NotEqual(t, Key(c, named, 1), Key(c, named, 2))
	assert.Equal(t, Key(c, named, 1), Key(c, named, 1))
	for _, bad := range []string{"func.func @main() -> ()", "module {\n}", `module @"x y" {}`} {
		_, _, err := NameModule(bad)
		assert.Error(t, err, bad)
	}
	in, out, err := MainSignature(progC)
	require.NoError(t, err)
	assert.Equal(t, []string{"tensor<8xf32>"}, in)
	assert.Equal(t, []string{"tensor<8xf32>"}, out)
}

// FuzzReadCacheEntry reads arbitrary bytes as an entry: it never panics,
// an entry it accepts is exactly the encoding of its payload under the
// key, and only bytes with brainc's magic count as brainc's.
func FuzzReadCacheEntry(f *testing.F) {
	good := encodeEntry(testKey, []byte("a compiled program"))
	f.Add(good)
	f.Add(good[:headerSize])
	f.Add(good[:40])
	f.Add([]byte{})
	f.Add([]byte("BRNCXLA1 an entry of the first format"))
	f.Add(encodeEntry([32]byte{}, []byte("another key")))
	long := bytes.Clone(good)
	long[40] = 0xff // a length past the file
	f.Add(long)
	dir := f.TempDir()
	path := filepath.Join(dir, fmt.Sprintf("%x.xla", testKey))
	f.Fuzz(func(t *testing.T, data []byte) {
		require.NoError(t, os.WriteFile(path, data, 0o644))
		payload, ours, err := readEntry(path, testKey)
		assert.Equal(t, bytes.HasPrefix(data, []byte(cacheMagicPrefix)), ours)
		if err != nil {
			assert.Nil(t, payload)
			assert.ErrorIs(t, err, errDamaged)
			return
		}
		assert.Equal(t, data, encodeEntry(testKey, payload))
		checked, err := checkEntry(data, testKey)
		require.NoError(t, err)
		assert.Equal(t, payload, checked)
	})
}

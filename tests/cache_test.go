package tests

import (
	"crypto/sha256"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/driver"
	"github.com/brainc/brainc/internal/tier"
	"github.com/brainc/brainc/jit"
	"github.com/brainc/brainc/lower"
	"github.com/brainc/brainc/pjrt"
	"github.com/brainc/brainc/results"
)

// A program loaded from the disk cache gives the spikes of a cold
// compile; a damaged entry (truncated, a flipped payload byte, another
// file's bytes, garbage) is detected, compiled again and rewritten, and
// the run's spikes are the same. Each run uses a PJRT client of its own,
// as a new process would (the in-process cache is per client).
func TestDiskCacheHitsAndDamage(t *testing.T) {
	tier.Slow(t)
	dir := t.TempDir()
	jit.UseDiskCache(&jit.DiskCache{Dir: dir})
	defer jit.UseDiskCache(nil)
	net := parse(t, smallCOBA)
	steps := int(net.Duration/net.Dt + 0.5)
	run := func() (*results.Recorder, jit.Stats) {
		b, err := pjrt.Open(pjrt.Options{Backend: "cpu"})
		require.NoError(t, err)
		prog, err := lower.Build(net, lower.Options{}) // its tensors belong to one backend
		require.NoError(t, err)
		rec, st, err := driver.Simulate(b, prog, steps, driver.Options{Jit: jit.Options{}})
		require.NoError(t, err)
		return rec, st
	}
	cold, st := run()
	require.Greater(t, st.Compiles, 0)
	assert.Zero(t, st.DiskHits)
	assert.Zero(t, st.DiskErrors, "%v", st.DiskError)
	entries, err := filepath.Glob(filepath.Join(dir, "*.xla"))
	require.NoError(t, err)
	require.Len(t, entries, st.Compiles, "one entry per compiled program")

	warm, st2 := run()
	assert.Equal(t, st.Compiles, st2.DiskHits)
	assert.Zero(t, st2.Compiles)
	assert.Equal(t, spikeTrains(cold), spikeTrains(warm))
	require.Greater(t, totalSpikes(warm), 100)

	require.Greater(t, len(entries), 1, "a capacity bucket and the next")
	var good [][]byte
	for _, e := range entries {
		b, err := os.ReadFile(e)
		require.NoError(t, err)
		good = append(good, b)
	}
	for name, damage := range map[string]func(b [][]byte, i int) []byte{
		"truncated": func(b [][]byte, i int) []byte { return b[i][:len(b[i])/3] },
		"flipped":   func(b [][]byte, i int) []byte { c := append([]byte{}, b[i]...); c[len(c)-100] ^= 0x40; return c },
		"another":   func(b [][]byte, i int) []byte { return b[(i+1)%len(b)] },
	} {
		for i, e := range entries {
			require.NoError(t, os.WriteFile(e, damage(good, i), 0o644))
		}
		rebuilt, st3 := run()
		assert.Equal(t, st.Compiles, st3.Compiles, name)
		assert.Equal(t, st.Compiles, st3.DiskErrors, name)
		require.Error(t, st3.DiskError, name)
		assert.Contains(t, st3.DiskError.Error(), "(removed; compiling instead)", name)
		assert.Equal(t, spikeTrains(cold), spikeTrains(rebuilt), name)
		_, st4 := run()
		assert.Equal(t, st.Compiles, st4.DiskHits, "%s: rewritten after the rebuild", name)
	}
	// A file brainc did not write under an entry's name is never removed
	// nor overwritten: every run compiles and says so.
	for _, e := range entries {
		require.NoError(t, os.WriteFile(e, []byte(strings.Repeat("not a program ", 20)), 0o644))
	}
	rebuilt, st5 := run()
	assert.Equal(t, st.Compiles, st5.Compiles)
	assert.Equal(t, spikeTrains(cold), spikeTrains(rebuilt))
	require.Error(t, st5.DiskError)
	assert.Contains(t, st5.DiskError.Error(), "damaged cache entry: no brainc cache header (left alone: brainc did not write it; compiling instead)")
	for _, e := range entries {
		b, err := os.ReadFile(e)
		require.NoError(t, err)
		assert.Equal(t, strings.Repeat("not a program ", 20), string(b))
	}
}

// runIn runs smallCOBA with the disk cache in dir, on a PJRT client of its
// own (as a new process would), and fails the test when the run takes
// more than a minute (a read of /dev/zero or of a FIFO never ends).
func runIn(t *testing.T) (*results.Recorder, jit.Stats) {
	t.Helper()
	net := parse(t, smallCOBA)
	steps := int(net.Duration/net.Dt + 0.5)
	type result struct {
		rec *results.Recorder
		st  jit.Stats
		err error
	}
	done := make(chan result, 1)
	go func() {
		var r result
		defer func() { done <- r }()
		b, err := pjrt.Open(pjrt.Options{Backend: "cpu"})
		if err != nil {
			r.err = err
			return
		}
		prog, err := lower.Build(net, lower.Options{})
		if err != nil {
			r.err = err
			return
		}
		r.rec, r.st, r.err = driver.Simulate(b, prog, steps, driver.Options{Jit: jit.Options{}})
	}()
	select {
	case r := <-done:
		require.NoError(t, r.err)
		return r.rec, r.st
	case <-time.After(time.Minute):
		t.Fatal("the run did not end within a minute")
		return nil, jit.Stats{}
	}
}

// Each entry replaced by another program's executable (another event
// capacity: other argument shapes) under a header recomputed for the
// entry's key: the executables are refused after loading (never a raw
// XLA RuntimeProgramInputMismatch), the entries removed, the programs
// compiled afresh, the spikes the cold run's, and the next run loads the
// rewritten entries.
func TestDiskCacheOtherProgramUnderRecomputedHeader(t *testing.T) {
	tier.Slow(t)
	dir := t.TempDir()
	jit.UseDiskCache(&jit.DiskCache{Dir: dir})
	defer jit.UseDiskCache(nil)
	cold, st := runIn(t)
	entries, err := filepath.Glob(filepath.Join(dir, "*.xla"))
	require.NoError(t, err)
	require.Greater(t, len(entries), 1)
	var data [][]byte
	for _, e := range entries {
		b, err := os.ReadFile(e)
		require.NoError(t, err)
		data = append(data, b)
	}
	for i, e := range entries {
		payload := data[(i+1)%len(data)][80:]
		sum := sha256.Sum256(payload)
		head := append([]byte{}, data[i][:40]...) // magic and this entry's key
		head = binary.LittleEndian.AppendUint64(head, uint64(len(payload)))
		head = append(head, sum[:]...)
		require.NoError(t, os.WriteFile(e, append(head, payload...), 0o644))
	}
	rebuilt, st2 := runIn(t)
	assert.Equal(t, spikeTrains(cold), spikeTrains(rebuilt))
	assert.Equal(t, st.Compiles, st2.Compiles)
	assert.Equal(t, st.Compiles, st2.DiskErrors)
	require.Error(t, st2.DiskError)
	assert.Regexp(t, `damaged cache entry: it holds the program "loop_c[0-9]+_[0-9a-f]{64}", expected "loop_c[0-9]+_[0-9a-f]{64}" \(removed; compiling instead\)$`, st2.DiskError.Error())
	warm, st3 := runIn(t)
	assert.Equal(t, st.Compiles, st3.DiskHits)
	assert.Zero(t, st3.DiskErrors, "%v", st3.DiskError)
	assert.Equal(t, spikeTrains(cold), spikeTrains(warm))
}

// Entries replaced by a link to /dev/zero, a FIFO or a sparse 100 GB file
// are refused at once without being read (not an out-of-memory crash, not
// a hang), left as they are (brainc did not write them), and the run
// compiles its programs and gives the cold run's spikes.
func TestDiskCacheLinksFIFOsAndHugeFiles(t *testing.T) {
	tier.Slow(t)
	dir := t.TempDir()
	jit.UseDiskCache(&jit.DiskCache{Dir: dir})
	defer jit.UseDiskCache(nil)
	cold, st := runIn(t)
	entries, err := filepath.Glob(filepath.Join(dir, "*.xla"))
	require.NoError(t, err)
	require.NotEmpty(t, entries)
	for name, plant := range map[string]func(string) error{
		"link to /dev/zero": func(p string) error { return os.Symlink("/dev/zero", p) },
		"fifo":              func(p string) error { return syscall.Mkfifo(p, 0o644) },
		"sparse 100 GB": func(p string) error {
			f, err := os.Create(p)
			if err != nil {
				return err
			}
			defer f.Close()
			return f.Truncate(100 << 30)
		},
	} {
		for _, e := range entries {
			require.NoError(t, os.Remove(e))
			require.NoError(t, plant(e), name)
		}
		rebuilt, st2 := runIn(t)
		assert.Equal(t, spikeTrains(cold), spikeTrains(rebuilt), name)
		assert.Equal(t, st.Compiles, st2.Compiles, name)
		require.Error(t, st2.DiskError, name)
		assert.Contains(t, st2.DiskError.Error(), "(left alone: brainc did not write it; compiling instead)", name)
		for _, e := range entries {
			_, err := os.Lstat(e)
			assert.NoError(t, err, "%s: left as it was", name)
		}
	}
}

// A run split across 3 devices loads its programs from the disk cache
// (each loaded for the 3 devices it was compiled partitioned across) and
// gives the spikes of a cold compile, which are the single-device run's.
func TestDiskCacheSplitRun(t *testing.T) {
	jit.UseDiskCache(&jit.DiskCache{Dir: t.TempDir()})
	defer jit.UseDiskCache(nil)
	net := parse(t, smallCOBA)
	steps := int(net.Duration/net.Dt + 0.5)
	one, _ := simulate(t, net, lower.Options{}, jit.Options{})
	run := func() (*results.Recorder, jit.Stats) {
		b := multi(t, 3) // a client of its own, as a new process would have
		prog, err := lower.Build(net, lower.Options{PadTo: 3})
		require.NoError(t, err)
		rec, st, err := driver.Simulate(b, prog, steps, driver.Options{Jit: jit.Options{Devices: 3}})
		require.NoError(t, err)
		return rec, st
	}
	cold, st := run()
	require.Greater(t, st.Compiles, 0)
	assert.Zero(t, st.DiskErrors, "%v", st.DiskError)
	warm, st2 := run()
	assert.Equal(t, st.Compiles, st2.DiskHits)
	assert.Zero(t, st2.Compiles)
	assert.Zero(t, st2.DiskErrors, "%v", st2.DiskError)
	assert.Equal(t, 3, st2.Devices)
	assert.Equal(t, spikeTrains(one), spikeTrains(cold))
	assert.Equal(t, spikeTrains(one), spikeTrains(warm))
}

// The cache stays under its cap by removing the entries used least
// recently; Info counts entries and bytes, Clear removes them.
func TestDiskCacheCapAndClear(t *testing.T) {
	tier.Slow(t)
	dir := t.TempDir()
	d := &jit.DiskCache{Dir: dir}
	jit.UseDiskCache(d)
	defer jit.UseDiskCache(nil)
	net := parse(t, smallCOBA)
	prog, err := lower.Build(net, lower.Options{})
	require.NoError(t, err)
	b, err := pjrt.Open(pjrt.Options{Backend: "cpu"})
	require.NoError(t, err)
	_, st, err := driver.Simulate(b, prog, 200, driver.Options{Jit: jit.Options{}})
	require.NoError(t, err)
	n, size, err := d.Info()
	require.NoError(t, err)
	assert.Equal(t, st.Compiles, n)
	require.Greater(t, size, int64(0))

	// A cap below one entry keeps only the entry written last.
	d.MaxBytes = 1
	b2, err := pjrt.Open(pjrt.Options{Backend: "cpu"})
	require.NoError(t, err)
	prog, err = lower.Build(net, lower.Options{})
	require.NoError(t, err)
	_, _, err = driver.Simulate(b2, prog, 200, driver.Options{Jit: jit.Options{Capacity: 512}})
	require.NoError(t, err)
	n, _, err = d.Info()
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	removed, err := d.Clear()
	require.NoError(t, err)
	assert.Equal(t, 1, removed)
	n, size, err = d.Info()
	require.NoError(t, err)
	assert.Zero(t, n)
	assert.Zero(t, size)
}

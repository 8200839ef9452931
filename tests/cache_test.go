package tests

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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
		rec, st, err := results.Simulate(b, prog, steps, jit.Options{}, nil)
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
	for name, damage := range map[string]func(b [][]byte, i int) []byte{
		"truncated": func(b [][]byte, i int) []byte { return b[i][:len(b[i])/3] },
		"flipped":   func(b [][]byte, i int) []byte { c := append([]byte{}, b[i]...); c[len(c)-100] ^= 0x40; return c },
		"another":   func(b [][]byte, i int) []byte { return b[(i+1)%len(b)] },
		"garbage":   func(b [][]byte, i int) []byte { return []byte(strings.Repeat("not a program ", 20)) },
	} {
		var data [][]byte
		for _, e := range entries {
			b, err := os.ReadFile(e)
			require.NoError(t, err)
			data = append(data, b)
		}
		for i, e := range entries {
			require.NoError(t, os.WriteFile(e, damage(data, i), 0o644))
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
		rec, st, err := results.Simulate(b, prog, steps, jit.Options{Devices: 3}, nil)
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
	dir := t.TempDir()
	d := &jit.DiskCache{Dir: dir}
	jit.UseDiskCache(d)
	defer jit.UseDiskCache(nil)
	net := parse(t, smallCOBA)
	prog, err := lower.Build(net, lower.Options{})
	require.NoError(t, err)
	b, err := pjrt.Open(pjrt.Options{Backend: "cpu"})
	require.NoError(t, err)
	_, st, err := results.Simulate(b, prog, 200, jit.Options{}, nil)
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
	_, _, err = results.Simulate(b2, prog, 200, jit.Options{Capacity: 512}, nil)
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

// DefaultDiskCache reads its directory, cap and switch from the
// environment.
func TestDefaultDiskCache(t *testing.T) {
	t.Setenv(jit.EnvCacheDir, "/tmp/somewhere")
	t.Setenv(jit.EnvCacheMaxMB, "64")
	d, err := jit.DefaultDiskCache()
	require.NoError(t, err)
	assert.Equal(t, "/tmp/somewhere", d.Dir)
	assert.Equal(t, int64(64<<20), d.MaxBytes)
	for _, bad := range []string{"x", "-1", "0", "1e300"} {
		t.Setenv(jit.EnvCacheMaxMB, bad)
		_, err = jit.DefaultDiskCache()
		assert.EqualError(t, err, `BRAINC_CACHE_MAX_MB: expected a size in MiB in (0, 1073741824], got "`+bad+`"`)
	}
	t.Setenv(jit.EnvCache, "off")
	d, err = jit.DefaultDiskCache()
	require.NoError(t, err)
	assert.Nil(t, d)
}

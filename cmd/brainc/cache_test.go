package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/jit"
)

// cacheDir is the disk cache of this package's tests (never the user's).
var cacheDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "brainc-cache-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	cacheDir = dir
	os.Setenv(jit.EnvCacheDir, dir)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// A second `brainc run` of a network (a new PJRT client, as in a new
// process) loads its programs from the disk cache, says so and gives the
// same spikes; `brainc cache info` counts the entries and `clear` removes
// them.
func TestCacheCommandAndSecondRun(t *testing.T) {
	_, err := (&jit.DiskCache{Dir: cacheDir}).Clear()
	require.NoError(t, err)
	dir := t.TempDir()
	spec := filepath.Join(dir, "tiny.yaml")
	require.NoError(t, os.WriteFile(spec, []byte(tinySpec), 0o644))
	var spikes [2][]byte
	for i := range 2 {
		out := filepath.Join(dir, fmt.Sprintf("o%d", i))
		code, stdout, stderr := runCLI("run", spec, "--backend", "cpu", "--out", out, "--quiet", "--plot", "svg")
		require.Equal(t, 0, code, stderr)
		var sum struct {
			Compiles int    `json:"compiles"`
			DiskHits int    `json:"disk_cache_hits"`
			EventOps string `json:"event_ops"`
		}
		data, err := os.ReadFile(filepath.Join(out, "summary.json"))
		require.NoError(t, err)
		require.NoError(t, json.Unmarshal(data, &sum))
		assert.Equal(t, "custom", sum.EventOps, "the CPU plugin runs brainc's custom calls")
		if i == 0 {
			assert.Greater(t, sum.Compiles, 0)
			assert.Zero(t, sum.DiskHits)
		} else {
			assert.Zero(t, sum.Compiles)
			assert.Greater(t, sum.DiskHits, 0)
			assert.Contains(t, stdout, "programs from the disk cache)")
		}
		spikes[i], err = os.ReadFile(filepath.Join(out, "spikes.npz"))
		require.NoError(t, err)
	}
	assert.Equal(t, spikes[0], spikes[1])

	code, stdout, _ := runCLI("cache", "info")
	assert.Equal(t, 0, code)
	assert.Regexp(t, `^`+cacheDir+`: [1-9][0-9]* compiled programs, [0-9.]+ MiB of 2048.0 MiB`, stdout)
	code, stdout, _ = runCLI("cache", "clear")
	assert.Equal(t, 0, code)
	assert.Regexp(t, `removed [1-9][0-9]* compiled programs`, stdout)
	code, stdout, _ = runCLI("cache", "info")
	assert.Equal(t, 0, code)
	assert.Contains(t, stdout, ": 0 compiled programs")
	code, _, stderr := runCLI("cache", "purge")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, `brainc cache: expected info or clear, got "purge"`)
}

// A cap that is not a number of MiB in [1, 2^30] is refused naming the
// variable (1e-7 MiB was silently 2 GiB): `cache info` fails with it.
func TestCacheBadCap(t *testing.T) {
	t.Setenv(jit.EnvCacheMaxMB, "1e-7")
	code, _, stderr := runCLI("cache", "info")
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr, `BRAINC_CACHE_MAX_MB: expected a size in MiB in [1, 1073741824], got "1e-7"`)
}

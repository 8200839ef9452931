package main

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/atomicfile"
	"github.com/brainc/brainc/internal/tier"
)

// tinyFile writes tinySpec into dir.
func tinyFile(t *testing.T, dir string) string {
	t.Helper()
	spec := filepath.Join(dir, "tiny.yaml")
	require.NoError(t, os.WriteFile(spec, []byte(tinySpec), 0o644))
	return spec
}

// sweep --overwrite replaces an earlier sweep only: a directory of the
// user's files, or a plain file, is refused and kept, as run refuses them.
func TestSweepOverwriteKeepsUsersFiles(t *testing.T) {
	tier.Slow(t)
	dir := t.TempDir()
	spec := tinyFile(t, dir)
	sweepArgs := func(out string, extra ...string) []string {
		return append([]string{"sweep", spec, "--backend", "cpu", "--duration", "5 ms", "--set", "E.tau=[15 ms, 20 ms]", "--out", out, "--quiet"}, extra...)
	}
	mine := filepath.Join(dir, "mine")
	require.NoError(t, os.MkdirAll(mine, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(mine, "thesis.tex"), []byte("years"), 0o644))
	code, _, stderr := runCLI(sweepArgs(mine, "--overwrite")...)
	assert.Equal(t, 1, code)
	assert.Equal(t, "brainc sweep: output directory "+mine+" holds files brainc did not write (thesis.tex): choose an empty or new directory\n", stderr)
	got, err := os.ReadFile(filepath.Join(mine, "thesis.tex"))
	require.NoError(t, err)
	assert.Equal(t, "years", string(got))

	file := filepath.Join(dir, "notes.txt")
	require.NoError(t, os.WriteFile(file, []byte("mine"), 0o644))
	code, _, stderr = runCLI(sweepArgs(file, "--overwrite")...)
	assert.Equal(t, 1, code)
	assert.Equal(t, "brainc sweep: output directory "+file+" is a file, not a directory: it is not replaced; choose a directory\n", stderr)
	got, _ = os.ReadFile(file)
	assert.Equal(t, "mine", string(got))

	// An earlier sweep is refused without --overwrite and replaced with it,
	// run-NNNN directories included.
	out := filepath.Join(dir, "sw")
	code, _, stderr = runCLI(sweepArgs(out)...)
	require.Equal(t, 0, code, stderr)
	code, _, stderr = runCLI(sweepArgs(out)...)
	assert.Equal(t, 1, code)
	assert.Equal(t, "brainc sweep: output directory "+out+" holds an earlier run's files (run-0000, run-0001, summary.csv): use --overwrite to replace them, or another directory\n", stderr)
	code, _, stderr = runCLI("sweep", spec, "--backend", "cpu", "--duration", "5 ms", "--out", out, "--quiet", "--overwrite")
	require.Equal(t, 0, code, stderr)
	assert.Equal(t, []string{atomicfile.ListFile, "run-0000", "summary.csv", "summary.npz"}, entryNames(t, out), "run-0001 of the earlier sweep is gone")
}

// A .brainc-files entry naming a file outside the directory is refused
// (the list is corrupted), by run --overwrite and compile --overwrite
// alike; the file outside stays.
func TestOutListCannotNameOutside(t *testing.T) {
	tier.Slow(t)
	dir := t.TempDir()
	spec := tinyFile(t, dir)
	victim := filepath.Join(dir, "victim")
	require.NoError(t, os.WriteFile(victim, []byte("mine"), 0o644))
	for _, cmd := range [][]string{
		{"run", spec, "--backend", "cpu", "--duration", "2 ms", "--quiet", "--out"},
		{"compile", spec, "--backend", "cpu", "--buckets", "1", "-o"},
	} {
		out := filepath.Join(dir, cmd[0]+"-out")
		code, _, stderr := runCLI(append(cmd, out)...)
		require.Equal(t, 0, code, stderr)
		list := filepath.Join(out, atomicfile.ListFile)
		data, err := os.ReadFile(list)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(list, append(data, "../victim\n"...), 0o644))
		code, _, stderr = runCLI(append(cmd, out, "--overwrite")...)
		assert.Equal(t, 1, code)
		assert.Contains(t, stderr, list+` line `)
		assert.Contains(t, stderr, `: "../victim" is a path, not a plain file name: the list of the files brainc wrote is corrupted, so nothing was removed on its word`)
		assert.NotContains(t, stderr, "compiling", "found before the work")
		got, err := os.ReadFile(victim)
		require.NoError(t, err, cmd[0])
		assert.Equal(t, "mine", string(got))
	}
}

// --out problems are found before any simulation (or compile) starts, in
// run, sweep and compile: a plain file, a parent that is a file, /proc, an
// earlier run without --overwrite, a directory another run is writing.
func TestOutCheckedBeforeTheRun(t *testing.T) {
	dir := t.TempDir()
	spec := tinyFile(t, dir)
	file := filepath.Join(dir, "file")
	require.NoError(t, os.WriteFile(file, nil, 0o644))
	earlier := filepath.Join(dir, "earlier")
	code, _, stderr := runCLI("run", spec, "--backend", "cpu", "--duration", "2 ms", "--quiet", "--out", earlier)
	require.Equal(t, 0, code, stderr)
	for _, tc := range []struct{ out, want string }{
		{file, "output directory " + file + " is a file, not a directory"},
		{filepath.Join(file, "out"), "creating output directory " + file + "/out: mkdir " + file + ": not a directory"},
		{"/proc/brainc-out", "creating output directory /proc/brainc-out"},
		{earlier, "output directory " + earlier + " holds an earlier run's files (spikes.npz, traces.npz, raster.png): use --overwrite"},
	} {
		for _, cmd := range [][]string{
			{"run", spec, "--backend", "cpu", "--duration", "1000 s", "--out", tc.out},
			{"sweep", spec, "--backend", "cpu", "--duration", "1000 s", "--set", "E.tau=[15 ms, 20 ms]", "--out", tc.out},
			{"compile", spec, "--backend", "cpu", "-o", tc.out},
		} {
			code, _, stderr := runCLI(cmd...)
			assert.Equal(t, 1, code, "%v", cmd)
			assert.Contains(t, stderr, "brainc "+cmd[0]+": "+tc.want, "%v", cmd)
			assert.NotContains(t, stderr, "compiling", "%v: nothing ran", cmd)
		}
	}
	same := filepath.Join(dir, "same")
	code, _, stderr = runCLI("run", spec, "--backend", "cpu", "--duration", "1000 s", "--out", same, "--checkpoint-every", "1 s", "--checkpoint-dir", same)
	assert.Equal(t, 1, code)
	assert.Equal(t, "brainc run: --checkpoint-dir: output directory "+same+" is already held for "+same+" by this process: one directory cannot take two sets of files\n", stderr)
	_, err := os.Stat("/proc/brainc-out")
	assert.True(t, os.IsNotExist(err))
}

// Two runs into one new --out at once: the second is refused before it
// runs, naming the other; the first's set is whole.
func TestConcurrentRunsIntoOneOut(t *testing.T) {
	dir := t.TempDir()
	spec := tinyFile(t, dir)
	out := filepath.Join(dir, "new")
	// The first run holds out from its start to its end: an flock on the
	// directory, through its own open file as another process has.
	require.NoError(t, os.Mkdir(out, 0o755))
	f, err := os.Open(out)
	require.NoError(t, err)
	defer f.Close()
	require.NoError(t, syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB))
	for _, cmd := range [][]string{
		{"run", spec, "--backend", "cpu", "--duration", "1000 s", "--out", out},
		{"sweep", spec, "--backend", "cpu", "--duration", "1000 s", "--out", out},
		{"compile", spec, "--backend", "cpu", "-o", out},
		{"run", spec, "--backend", "cpu", "--duration", "1000 s", "--out", filepath.Join(dir, "other"), "--checkpoint-every", "1 s", "--checkpoint-dir", out},
	} {
		code, _, stderr := runCLI(cmd...)
		assert.Equal(t, 1, code, "%v", cmd)
		assert.Contains(t, stderr, "output directory "+out+" is being written by another brainc run: wait for it to finish, or choose another directory", "%v", cmd)
		assert.NotContains(t, stderr, "compiling", "%v: nothing ran", cmd)
	}
	assert.Empty(t, entryNames(t, out))
}

func entryNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

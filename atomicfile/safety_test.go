package atomicfile

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// writeSet is a fill that writes each name with content.
func writeSet(content string, names ...string) func(stage string) ([]string, error) {
	return func(stage string) ([]string, error) {
		for _, n := range names {
			if err := os.WriteFile(filepath.Join(stage, n), []byte(content+":"+n), 0o644); err != nil {
				return nil, err
			}
		}
		return names, nil
	}
}

// A ListFile is untrusted: an entry naming anything but a plain file of
// the directory refuses the whole list, and nothing is removed.
func TestDirRefusesCorruptedList(t *testing.T) {
	for _, tc := range []struct{ name, list, want string }{
		{"parent", "x\n../victim\n", `line 2: "../victim" is a path, not a plain file name`},
		{"absolute", "/tmp/victim\n", `line 1: "/tmp/victim" is a path, not a plain file name`},
		{"dotdot", "..\n", `line 1: ".." is not a file name`},
		{"dot", ".\n", `line 1: "." is not a file name`},
		{"empty line", "x\n\n", `line 2: "" is an empty name`},
		{"twice", "x\nx\n", `line 2: "x" is listed twice`},
		{"own name", ".brainc-files\n", `line 1: ".brainc-files" is a name brainc keeps for itself`},
		{"control", "x\x00y\n", `is a name with control characters`},
		{"cut short", "x", "does not end with a newline"},
		{"too long", strings.Repeat("a", 300) + "\n", "a name longer than 255 bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			out := filepath.Join(root, "out")
			victim := filepath.Join(root, "victim")
			require.NoError(t, os.WriteFile(victim, []byte("mine"), 0o644))
			require.NoError(t, Dir(out, DirOptions{}, writeSet("1", "x")))
			require.NoError(t, os.WriteFile(filepath.Join(out, ListFile), []byte(tc.list), 0o644))
			err := Dir(out, DirOptions{Overwrite: true}, writeSet("2", "x"))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			assert.Contains(t, err.Error(), "is corrupted, so nothing was removed on its word")
			got, err := os.ReadFile(victim)
			require.NoError(t, err, "the file outside the directory is kept")
			assert.Equal(t, "mine", string(got))
			got, _ = os.ReadFile(filepath.Join(out, "x"))
			assert.Equal(t, "1:x", string(got), "the earlier set is kept")
		})
	}
	// A list that is a link (to a list naming the victim), a FIFO or too big.
	root := t.TempDir()
	out := filepath.Join(root, "out")
	require.NoError(t, Dir(out, DirOptions{}, writeSet("1", "x")))
	require.NoError(t, os.WriteFile(filepath.Join(root, "list"), []byte("../victim\n"), 0o644))
	require.NoError(t, os.Remove(filepath.Join(out, ListFile)))
	require.NoError(t, os.Symlink(filepath.Join(root, "list"), filepath.Join(out, ListFile)))
	assert.ErrorContains(t, Dir(out, DirOptions{Overwrite: true}, writeSet("2", "x")), ListFile+" is a symbolic link, not the regular file brainc writes")
	require.NoError(t, os.Remove(filepath.Join(out, ListFile)))
	require.NoError(t, exec.Command("mkfifo", filepath.Join(out, ListFile)).Run())
	assert.ErrorContains(t, Dir(out, DirOptions{Overwrite: true}, writeSet("2", "x")), ListFile+" is a named pipe, not the regular file brainc writes")
	require.NoError(t, os.Remove(filepath.Join(out, ListFile)))
	require.NoError(t, os.WriteFile(filepath.Join(out, ListFile), []byte(strings.Repeat("x\n", maxListBytes/2+1)), 0o644))
	assert.ErrorContains(t, Dir(out, DirOptions{Overwrite: true}, writeSet("2", "x")), "more than the 16777216 a list may")
}

// A listed name that became a link (or a directory without a list, or
// holding the user's files) is not brainc's: refused, its target kept.
func TestDirListedEntryReplacedByUser(t *testing.T) {
	root := t.TempDir()
	out := filepath.Join(root, "out")
	victim := filepath.Join(root, "victim")
	require.NoError(t, os.WriteFile(victim, []byte("mine"), 0o644))
	require.NoError(t, Dir(out, DirOptions{}, writeSet("1", "x", "y")))
	require.NoError(t, os.Remove(filepath.Join(out, "y")))
	require.NoError(t, os.Symlink(victim, filepath.Join(out, "y")))
	err := Dir(out, DirOptions{Overwrite: true}, writeSet("2", "x"))
	assert.EqualError(t, err, "output directory "+out+" holds files brainc did not write (y): choose an empty or new directory")
	got, _ := os.ReadFile(victim)
	assert.Equal(t, "mine", string(got))

	// A listed directory (a sweep's run-NNNN) is removed only as far as its
	// own list goes; one holding a file of the user's stays.
	sweep := filepath.Join(root, "sweep")
	fill := func(stage string) ([]string, error) {
		return []string{"run-0000"}, Dir(filepath.Join(stage, "run-0000"), DirOptions{}, writeSet("1", "a"))
	}
	require.NoError(t, Dir(sweep, DirOptions{}, fill))
	require.NoError(t, os.WriteFile(filepath.Join(sweep, "run-0000", "notes"), nil, 0o644))
	err = Dir(sweep, DirOptions{Overwrite: true}, writeSet("2", "summary.csv"))
	assert.EqualError(t, err, "output directory "+sweep+": run-0000 holds files brainc did not write (notes): not removed")
	_, err = os.Stat(filepath.Join(sweep, "run-0000", "notes"))
	assert.NoError(t, err)
	require.NoError(t, os.Remove(filepath.Join(sweep, "run-0000", "notes")))
	require.NoError(t, Dir(sweep, DirOptions{Overwrite: true}, writeSet("2", "summary.csv")), "the interrupted write is completed")
	assert.Equal(t, []string{ListFile, "summary.csv"}, names(t, sweep))
}

// Reserve finds what would stop the write before any work: a file where
// the directory should be, a parent that cannot hold it, /proc, an
// earlier set without Overwrite, files of the user's; and holds the
// directory against a second writer.
func TestReserve(t *testing.T) {
	root := t.TempDir()
	file := filepath.Join(root, "file")
	require.NoError(t, os.WriteFile(file, []byte("mine"), 0o644))
	_, err := Reserve(file, DirOptions{Overwrite: true})
	assert.EqualError(t, err, "output directory "+file+" is a file, not a directory: it is not replaced; choose a directory")
	_, err = Reserve(filepath.Join(file, "out"), DirOptions{})
	assert.ErrorContains(t, err, "creating output directory "+file+"/out: mkdir "+file+": not a directory")
	_, err = Reserve("/proc/brainc-out", DirOptions{})
	assert.ErrorContains(t, err, "creating output directory /proc/brainc-out")
	_, err = Reserve("/proc/self", DirOptions{Overwrite: true})
	assert.ErrorContains(t, err, "output directory /proc/self holds files brainc did not write")

	out := filepath.Join(root, "out")
	l, err := Reserve(out, DirOptions{})
	require.NoError(t, err)
	_, err = Reserve(out+"/.", DirOptions{})
	assert.EqualError(t, err, "output directory "+out+"/. is already held for "+out+" by this process: one directory cannot take two sets of files")
	other, err := lockExisting(out) // another process's hold: the same flock from another open file
	assert.Nil(t, other)
	assert.EqualError(t, err, "output directory "+out+" is being written by another brainc run: wait for it to finish, or choose another directory")
	require.NoError(t, Dir(out, DirOptions{}, writeSet("1", "x")), "this process's Dir uses its hold")
	l.Release()
	_, err = Reserve(out, DirOptions{})
	assert.EqualError(t, err, "output directory "+out+" holds an earlier run's files (x): use --overwrite to replace them, or another directory")
	l, err = Reserve(out, DirOptions{Overwrite: true})
	require.NoError(t, err)
	l.Release()

	unused := filepath.Join(root, "unused")
	l, err = Reserve(unused, DirOptions{})
	require.NoError(t, err)
	l.Release()
	_, err = os.Stat(unused)
	assert.True(t, os.IsNotExist(err), "a directory reserved and not written is removed again")
}

// Two writers into one new directory at once: one wins, the other gets an
// error; the directory holds the winner's set only.
func TestDirConcurrentWriters(t *testing.T) {
	out := filepath.Join(t.TempDir(), "new")
	inFill, bDone := make(chan struct{}), make(chan struct{})
	var wg sync.WaitGroup
	var errA, errB error
	wg.Add(1)
	go func() {
		defer wg.Done()
		errA = Dir(out, DirOptions{}, func(stage string) ([]string, error) {
			close(inFill)
			<-bDone
			return writeSet("A", "x", "y")(stage)
		})
	}()
	<-inFill
	errB = Dir(out, DirOptions{}, writeSet("B", "x", "z"))
	close(bDone)
	wg.Wait()
	require.NoError(t, errA)
	assert.EqualError(t, errB, "output directory "+out+" is being written by another brainc run: wait for it to finish, or choose another directory")
	assert.Equal(t, []string{ListFile, "x", "y"}, names(t, out))
	got, _ := os.ReadFile(filepath.Join(out, "x"))
	assert.Equal(t, "A:x", string(got))
}

// A writer killed at any point of a replace leaves the earlier set or the
// new one whole, once the next writer (or Recover) has looked at it.
func TestDirKilledAnywhere(t *testing.T) {
	if os.Getenv("ATOMICFILE_CRASH_DIR") != "" {
		crashAfter(t)
		return
	}
	oldSet := map[string]string{"a": "old:a", "b": "old:b", "keep": "old:keep"}
	newSet := map[string]string{"b": "new:b", "c": "new:c", "keep": "new:keep"}
	for k := 1; ; k++ {
		out := filepath.Join(t.TempDir(), "ck")
		require.NoError(t, Dir(out, DirOptions{}, writeSet("old", "a", "b", "keep")))
		cmd := exec.Command(os.Args[0], "-test.run=^TestDirKilledAnywhere$")
		cmd.Env = append(os.Environ(), "ATOMICFILE_CRASH_DIR="+out, "ATOMICFILE_CRASH_AT="+strconv.Itoa(k))
		outText, err := cmd.CombinedOutput()
		finished := err == nil
		if !finished {
			require.Contains(t, string(outText), "killed at point", "the writer died at point %d", k)
		}
		require.NoError(t, Recover(out))
		got := map[string]string{}
		for _, n := range names(t, out) {
			if n == ListFile {
				continue
			}
			data, err := os.ReadFile(filepath.Join(out, n))
			require.NoError(t, err)
			got[n] = string(data)
		}
		if !assert.True(t, fmt.Sprint(got) == fmt.Sprint(oldSet) || fmt.Sprint(got) == fmt.Sprint(newSet),
			"killed at point %d: %v is neither the old nor the new set", k, got) {
			return
		}
		list, _, err := readList(filepath.Join(out, ListFile))
		require.NoError(t, err)
		assert.Len(t, list, len(got), "killed at point %d: the list names the set", k)
		if finished {
			assert.Equal(t, newSet, got)
			assert.Greater(t, k, 5, "the write passes several kill points")
			return
		}
	}
}

// crashAfter is the killed writer of TestDirKilledAnywhere: it replaces
// the set and exits at the k-th point.
func crashAfter(t *testing.T) {
	k, _ := strconv.Atoi(os.Getenv("ATOMICFILE_CRASH_AT"))
	n := 0
	crashHook = func() {
		if n++; n == k {
			fmt.Printf("killed at point %d\n", k)
			os.Exit(3)
		}
	}
	require.NoError(t, Dir(os.Getenv("ATOMICFILE_CRASH_DIR"), DirOptions{Overwrite: true}, writeSet("new", "b", "c", "keep")))
}

// Package atomicfile writes files so that readers never see a partial one:
// the content goes to a temporary file in the same directory, which is renamed
// over the destination only when writing, syncing and closing all succeeded.
package atomicfile

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
)

// Write creates (or replaces) the file at path with what write produces,
// through a buffered writer. On any error no file is left at path (an
// existing one is untouched) and the temporary file is removed. Errors from
// write are returned as they are.
func Write(path string, write func(io.Writer) error) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return fmt.Errorf("creating temporary file for %s: %w", path, err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	bw := bufio.NewWriterSize(f, 1<<16)
	if err := write(bw); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("writing %s: %w", tmp, err)
	}
	if err := f.Chmod(0o644); err != nil {
		return fmt.Errorf("chmod %s: %w", tmp, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", tmp, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("closing %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("renaming %s to %s: %w", tmp, path, err)
	}
	return nil
}

// ListFile is the file in which Dir records the names of the files it
// moved into a directory, so that a later Dir with Overwrite can remove
// exactly that set (and nothing a user put beside it).
const ListFile = ".brainc-files"

// stagePrefix starts the name of a staging directory, followed by the
// process ID of its writer, so that the stages of dead writers can be told
// from live ones and removed.
const stagePrefix = ".partial-"

// DirOptions configures Dir.
type DirOptions struct {
	// Overwrite lets Dir replace the files an earlier Dir wrote into the
	// directory (removed first, as listed in ListFile). Without it, a
	// directory holding anything but stale staging directories is refused.
	Overwrite bool
	// Known names the files a writer of this kind writes: found without a
	// ListFile (written before brainc kept one), they count as an earlier set.
	Known []string
}

// Dir fills a directory as a whole: fill writes its files into a fresh
// staging directory inside dir (so that moving them in never crosses file
// systems, dir being a mount point for example) and returns their names;
// only when it succeeds is each file moved into dir and ListFile written.
// On error the staging directory is removed, and dir is left as it was
// (removed again if Dir created it). Staging directories left by writers
// that died are removed first.
func Dir(dir string, opts DirOptions, fill func(stage string) (files []string, err error)) (err error) {
	_, statErr := os.Stat(dir)
	created := os.IsNotExist(statErr)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("creating output directory: %w", err)
	}
	defer func() {
		if err != nil && created {
			_ = os.Remove(dir) // only if empty
		}
	}()
	old, err := previousFiles(dir, opts)
	if err != nil {
		return err
	}
	stage, err := os.MkdirTemp(dir, fmt.Sprintf("%s%d-", stagePrefix, os.Getpid()))
	if err != nil {
		return fmt.Errorf("creating output directory: %w", err)
	}
	defer os.RemoveAll(stage)
	files, err := fill(stage)
	if err != nil {
		return err
	}
	for _, f := range old {
		if err := os.Remove(filepath.Join(dir, f)); err != nil && !os.IsNotExist(err) {
			return fmt.Errorf("removing the earlier %s from %s: %w", f, dir, err)
		}
	}
	for _, f := range files {
		if err := os.Rename(filepath.Join(stage, f), filepath.Join(dir, f)); err != nil {
			return fmt.Errorf("moving %s into %s: %w", f, dir, err)
		}
	}
	return Write(filepath.Join(dir, ListFile), func(w io.Writer) error {
		_, err := io.WriteString(w, strings.Join(files, "\n")+"\n")
		return err
	})
}

// previousFiles removes the staging directories of dead writers from dir
// and returns the files an earlier Dir wrote there (to remove once the new
// ones are ready), or an error when dir holds anything else, or holds an
// earlier set and overwrite is false.
func previousFiles(dir string, opts DirOptions) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("reading output directory: %w", err)
	}
	var listed []string
	if data, err := os.ReadFile(filepath.Join(dir, ListFile)); err == nil {
		listed = strings.Fields(string(data))
	} else {
		for _, e := range entries {
			if slices.Contains(opts.Known, e.Name()) {
				listed = append(listed, e.Name())
			}
		}
	}
	var foreign []string
	for _, e := range entries {
		name := e.Name()
		switch {
		case strings.HasPrefix(name, stagePrefix):
			if pid, ok := stagePID(name); ok && !alive(pid) {
				_ = os.RemoveAll(filepath.Join(dir, name))
			}
		case name == ListFile || slices.Contains(listed, name):
		default:
			foreign = append(foreign, name)
		}
	}
	switch {
	case len(foreign) > 0:
		return nil, fmt.Errorf("output directory %s holds files brainc did not write (%s): choose an empty or new directory",
			dir, strings.Join(foreign[:min(3, len(foreign))], ", "))
	case len(listed) > 0 && !opts.Overwrite:
		return nil, fmt.Errorf("output directory %s holds an earlier run's files (%s): use --overwrite to replace them, or another directory",
			dir, strings.Join(listed[:min(3, len(listed))], ", "))
	}
	return append(listed, ListFile), nil
}

// stagePID reads the writer's process ID from a staging directory's name.
func stagePID(name string) (int, bool) {
	rest := strings.TrimPrefix(name, stagePrefix)
	i := strings.IndexByte(rest, '-')
	if i <= 0 {
		return 0, false
	}
	pid, err := strconv.Atoi(rest[:i])
	return pid, err == nil && pid > 0
}

// alive reports whether a process with that ID exists.
func alive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

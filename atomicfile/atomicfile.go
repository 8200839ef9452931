// Package atomicfile writes files so that readers never see a partial one:
// the content goes to a temporary file in the same directory, which is renamed
// over the destination only when writing, syncing and closing all succeeded.
package atomicfile

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
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

// Dir fills a directory as a whole: fill writes its files into a fresh
// staging directory beside dir and returns their names; only when it
// succeeds is dir created (if needed) and each file moved into it. On error
// the staging directory is removed and dir is neither created nor changed.
func Dir(dir string, fill func(stage string) (files []string, err error)) error {
	parent := filepath.Dir(filepath.Clean(dir))
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return fmt.Errorf("creating output directory: %w", err)
	}
	stage, err := os.MkdirTemp(parent, "."+filepath.Base(dir)+".partial-")
	if err != nil {
		return fmt.Errorf("creating output directory: %w", err)
	}
	defer os.RemoveAll(stage)
	files, err := fill(stage)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("creating output directory: %w", err)
	}
	for _, f := range files {
		if err := os.Rename(filepath.Join(stage, f), filepath.Join(dir, f)); err != nil {
			return fmt.Errorf("moving %s into %s: %w", f, dir, err)
		}
	}
	return nil
}

// Package infile opens the files a user names for brainc to read: the spec
// itself and the data files it points to (per-neuron values, connectivity,
// spike times). Each must be a regular file of bounded size: a FIFO, a
// device, a socket or a directory could block a reader forever or never
// end, and a file larger than its format allows is refused before it is
// read.
package infile

import (
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"
)

// Open opens path for reading, refusing anything that is not a regular
// file of at most limit bytes. what names the file in errors ("spec file",
// "values file"): "<what> <path>: a named pipe (FIFO), not a regular
// file". It returns the open file and its size.
//
// The file is opened without blocking (opening a FIFO for reading would
// wait for a writer) and checked again once open, so that a path swapped
// for a FIFO between the two checks is refused too.
func Open(path, what string, limit int64) (*os.File, int64, error) {
	st, err := os.Stat(path) // before opening: nothing is opened that is not a regular file
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			pe.Op = "open" // what the caller asked for
		}
		return nil, 0, err
	}
	if err := check(path, what, st, limit); err != nil {
		return nil, 0, err
	}
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, 0, err
	}
	if st, err = f.Stat(); err == nil {
		err = check(path, what, st, limit)
	}
	if err != nil {
		f.Close()
		return nil, 0, err
	}
	return f, st.Size(), nil
}

// Read reads the whole of path, a regular file of at most limit bytes (see
// Open).
func Read(path, what string, limit int64) ([]byte, error) {
	f, _, err := Open(path, what, limit)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1)) // the file may grow after the check
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, tooLarge(path, what, limit)
	}
	return data, nil
}

// check refuses what is not a regular file of at most limit bytes.
func check(path, what string, st os.FileInfo, limit int64) error {
	if m := st.Mode(); !m.IsRegular() {
		kind := "not a regular file"
		switch {
		case m&os.ModeNamedPipe != 0:
			kind = "a named pipe (FIFO), not a regular file"
		case m&os.ModeDevice != 0:
			kind = "a device, not a regular file"
		case m.IsDir():
			kind = "a directory, not a " + what
		case m&os.ModeSocket != 0:
			kind = "a socket, not a regular file"
		}
		return fmt.Errorf("%s %s: %s", what, path, kind)
	}
	if st.Size() > limit {
		return tooLarge(path, what, limit)
	}
	return nil
}

func tooLarge(path, what string, limit int64) error {
	return fmt.Errorf("%s %s: larger than %d bytes (%s), the limit", what, path, limit, human(limit))
}

// human writes a byte count in binary units ("16 MiB").
func human(n int64) string {
	units := []string{"bytes", "KiB", "MiB", "GiB", "TiB"}
	i := 0
	for n >= 1024 && n%1024 == 0 && i < len(units)-1 {
		n /= 1024
		i++
	}
	return fmt.Sprintf("%d %s", n, units[i])
}

package npyio

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/brainc/brainc/atomicfile"
	"github.com/brainc/brainc/infile"
)

// msdosDate1980 is 1980-01-01 in MS-DOS date format (year-1980)<<9 |
// month<<5 | day, the earliest date a zip entry can carry.
const msdosDate1980 = 0<<9 | 1<<5 | 1

// WriteNPZ writes the arrays to a NumPy .npz archive at path, as entries
// NAME.npy in the given order, compressed with deflate (like
// numpy.savez_compressed). np.load(path)[name] returns arrays[i] for
// names[i].
//
// The output is deterministic: every entry carries the fixed modification
// time 1980-01-01 00:00 and no extra fields, so equal inputs give
// byte-identical files. The archive is written to a temporary file in the
// same directory and renamed over path only once complete, so a failure never
// leaves a partial file at path. All arrays are validated before anything is
// written.
func WriteNPZ(path string, names []string, arrays []Array) error {
	if len(names) != len(arrays) {
		return fmt.Errorf("npyio: WriteNPZ got %d names but %d arrays", len(names), len(arrays))
	}
	seen := make(map[string]bool, len(names))
	for i, name := range names {
		if name == "" {
			return fmt.Errorf("npyio: WriteNPZ: names[%d] is empty", i)
		}
		if seen[name] {
			return fmt.Errorf("npyio: WriteNPZ: duplicate name %q (names[%d])", name, i)
		}
		seen[name] = true
		if _, _, err := arrays[i].validate(); err != nil {
			return fmt.Errorf("npyio: WriteNPZ: array %q: %w", name, stripPrefix(err))
		}
	}

	return atomicfile.Write(path, func(w io.Writer) error {
		zw := zip.NewWriter(w)
		for i, name := range names {
			fh := &zip.FileHeader{
				Name:   name + ".npy",
				Method: zip.Deflate,
				// Setting Modified would make archive/zip add an
				// extended-timestamp extra field, so set the MS-DOS
				// fields directly instead.
				ModifiedDate: msdosDate1980,
				ModifiedTime: 0,
			}
			fh.SetMode(0o644)
			ew, err := zw.CreateHeader(fh)
			if err != nil {
				return fmt.Errorf("npyio: WriteNPZ: creating entry %q: %w", fh.Name, err)
			}
			if err := WriteNPY(ew, arrays[i]); err != nil {
				return fmt.Errorf("npyio: WriteNPZ: array %q: %w", name, stripPrefix(err))
			}
		}
		if err := zw.Close(); err != nil {
			return fmt.Errorf("npyio: WriteNPZ: finishing zip: %w", err)
		}
		return nil
	})
}

// stripPrefix removes the package prefix from a nested error message so that
// wrapped messages read "npyio: WriteNPZ: array "x": shape ..." rather than
// repeating "npyio:".
func stripPrefix(err error) error {
	msg := err.Error()
	if rest, ok := strings.CutPrefix(msg, "npyio: "); ok {
		return prefixless{rest, err}
	}
	return err
}

// prefixless is an error whose message has had the package prefix removed
// but which still unwraps to the original error.
type prefixless struct {
	msg string
	err error
}

func (e prefixless) Error() string { return e.msg }
func (e prefixless) Unwrap() error { return e.err }

// MaxNPZFileBytes bounds the size of an .npz file ReadNPZ reads: what its
// entries may inflate to, and room for the archive's own records.
const MaxNPZFileBytes = MaxNPZBytes + 1<<26

// ReadNPZ reads every array in the .npz archive at path (compressed or not,
// as written by numpy.savez, numpy.savez_compressed or WriteNPZ). It returns
// the entry names, with the ".npy" suffix removed, and the arrays, in the
// order they are stored in the archive. Directory entries are skipped; any
// other entry that is not a valid NPY array is an error. The file must be a
// regular file of at most MaxNPZFileBytes (see package infile).
func ReadNPZ(path string) (names []string, arrays []Array, err error) {
	f, size, err := infile.Open(path, "npz file", MaxNPZFileBytes)
	if err != nil {
		return nil, nil, fmt.Errorf("npyio: ReadNPZ: %w", err)
	}
	defer f.Close()
	zr, err := zip.NewReader(f, size)
	if err != nil {
		return nil, nil, fmt.Errorf("npyio: ReadNPZ %s: not an NPZ file (a zip archive of .npy arrays): %w", path, err)
	}
	var total uint64
	for _, f := range zr.File { // what the archive says it inflates to, before inflating anything
		total += f.UncompressedSize64
		if total > MaxNPZBytes {
			return nil, nil, fmt.Errorf("npyio: ReadNPZ %s: its entries inflate to more than %d bytes (4 GiB), the limit", path, uint64(MaxNPZBytes))
		}
	}
	for _, f := range zr.File {
		if strings.HasSuffix(f.Name, "/") {
			continue
		}
		a, err := readEntry(f)
		if err != nil {
			return nil, nil, fmt.Errorf("npyio: ReadNPZ %s: entry %q: %w", path, f.Name, stripPrefix(err))
		}
		names = append(names, strings.TrimSuffix(f.Name, ".npy"))
		arrays = append(arrays, a)
	}
	return names, arrays, nil
}

// readEntry decodes one zip entry as an NPY array and checks that the entry
// holds nothing after the array data (which also makes archive/zip verify the
// entry's CRC-32).
func readEntry(f *zip.File) (Array, error) {
	rc, err := f.Open()
	if err != nil {
		return Array{}, err
	}
	defer rc.Close()
	// The entry cannot inflate past what it declares (archive/zip checks the
	// size), and what it declares is bounded above.
	a, err := ReadNPY(rc)
	if err != nil {
		return Array{}, err
	}
	var one [1]byte
	n, err := io.ReadFull(rc, one[:])
	switch {
	case n > 0:
		return Array{}, errors.New("trailing bytes after array data")
	case err != io.EOF:
		return Array{}, err
	}
	return a, nil
}

// ReadNPZMap is ReadNPZ with the arrays by name, for readers that look
// their arrays up.
func ReadNPZMap(path string) (map[string]Array, error) {
	names, arrays, err := ReadNPZ(path)
	if err != nil {
		return nil, err
	}
	m := make(map[string]Array, len(names))
	for i, n := range names {
		m[n] = arrays[i]
	}
	return m, nil
}

package connect

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/brainc/brainc/infile"
	"github.com/brainc/brainc/npyio"
)

// MaxConnectomeBytes bounds a connectome file and each matrix in a zip.
const MaxConnectomeBytes = 256 << 20

// MaxRegions bounds the regions of a connectome (its weights are N×N).
const MaxRegions = 20000

// Connectome is a region-level connectivity: Weights[i][j] is the
// coupling from region j onto region i (The Virtual Brain's convention:
// rows are targets) and TractLengths the fibre lengths in mm (nil when the
// file has none).
type Connectome struct {
	// Regions is N, the side of both matrices.
	Regions int
	// Weights and TractLengths are N×N, row-major, [target·N + source].
	Weights, TractLengths []float64
}

// ReadConnectome reads a connectome:
//
//   - a .zip in The Virtual Brain's layout: weights.txt and, optionally,
//     tract_lengths.txt, each N rows of N whitespace-separated numbers
//     (other members such as centres.txt are not read);
//   - an .npz with a float array "weights" [N, N] and optionally
//     "tract_lengths" [N, N].
//
// Weights must be finite and tract lengths finite and ≥ 0.
func ReadConnectome(path string) (*Connectome, error) {
	// The members' names: TVB's text files in a zip, arrays in an .npz.
	names, missing := [2]string{"weights.txt", "tract_lengths.txt"}, "%s: no %s in the zip"
	var member func(name string) (n int, v []float64, found bool, err error)
	if strings.EqualFold(filepath.Ext(path), ".npz") {
		names, missing = [2]string{"weights", "tract_lengths"}, "%s: no array %q (expected weights [N, N] and optionally tract_lengths)"
		byName, err := npyio.ReadNPZMap(path)
		if err != nil {
			return nil, err
		}
		member = func(name string) (int, []float64, bool, error) { return npzMatrix(byName, name) }
	} else {
		data, err := infile.Read(path, "connectome", MaxConnectomeBytes)
		if err != nil {
			return nil, err
		}
		zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return nil, fmt.Errorf("%s: not a zip of The Virtual Brain's connectivity (weights.txt, tract_lengths.txt) nor an .npz: %v", path, err)
		}
		members := map[string]*zip.File{}
		for _, f := range zr.File {
			members[filepath.Base(f.Name)] = f
		}
		member = func(name string) (int, []float64, bool, error) {
			f, ok := members[name]
			if !ok {
				return 0, nil, false, nil
			}
			n, v, err := readMatrixText(f)
			return n, v, true, err
		}
	}
	c := &Connectome{}
	for k, dst := range []*[]float64{&c.Weights, &c.TractLengths} {
		n, v, found, err := member(names[k])
		switch {
		case err != nil:
			return nil, fmt.Errorf("%s: %s: %w", path, names[k], err)
		case !found && k == 0: // the weights are required, the lengths not
			return nil, fmt.Errorf(missing, path, names[k])
		case !found:
			continue
		case c.Regions != 0 && n != c.Regions:
			return nil, fmt.Errorf("%s: %s is %d×%d, %s %d×%d", path, names[k], n, n, names[0], c.Regions, c.Regions)
		}
		c.Regions, *dst = n, v
	}
	return c, c.check(path)
}

// readMatrixText reads a square matrix of whitespace-separated numbers,
// one row per line, of at most MaxRegions rows.
func readMatrixText(f *zip.File) (int, []float64, error) {
	if f.UncompressedSize64 > MaxConnectomeBytes {
		return 0, nil, fmt.Errorf("larger than %d bytes", MaxConnectomeBytes)
	}
	rc, err := f.Open()
	if err != nil {
		return 0, nil, err
	}
	defer rc.Close()
	text, err := io.ReadAll(io.LimitReader(rc, MaxConnectomeBytes+1))
	if err != nil {
		return 0, nil, err
	}
	var v []float64
	rows, cols := 0, 0
	for line := range strings.Lines(string(text)) {
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		rows++
		switch {
		case rows == 1 && len(fields) > MaxRegions:
			return 0, nil, fmt.Errorf("%d columns, more than %d regions", len(fields), MaxRegions)
		case rows == 1:
			cols = len(fields)
		case len(fields) != cols:
			return 0, nil, fmt.Errorf("row %d has %d numbers, row 1 has %d", rows, len(fields), cols)
		case rows > cols: // not square: stop before holding more
			return 0, nil, fmt.Errorf("more than %d rows of %d numbers: expected a square matrix", cols, cols)
		}
		for k, s := range fields {
			x, err := strconv.ParseFloat(s, 64)
			if err != nil {
				return 0, nil, fmt.Errorf("row %d, column %d: not a number", rows, k+1)
			}
			v = append(v, x)
		}
	}
	if rows == 0 || rows != cols {
		return 0, nil, fmt.Errorf("%d rows of %d numbers: expected a square matrix", rows, cols)
	}
	return rows, v, nil
}

// npzMatrix is the square array name of an .npz (found false when it has
// none).
func npzMatrix(byName map[string]npyio.Array, name string) (int, []float64, bool, error) {
	a, ok := byName[name]
	if !ok {
		return 0, nil, false, nil
	}
	if len(a.Shape) != 2 || a.Shape[0] != a.Shape[1] || a.Shape[0] > MaxRegions {
		return 0, nil, true, fmt.Errorf("shape %v, expected [N, N] with N ≤ %d", a.Shape, MaxRegions)
	}
	v, err := npyio.Float64s(a)
	return a.Shape[0], v, true, err
}

// check refuses non-finite weights and negative or non-finite lengths.
func (c *Connectome) check(path string) error {
	n := c.Regions
	for k, w := range c.Weights {
		if math.IsNaN(w) || math.IsInf(w, 0) {
			return fmt.Errorf("%s: weight [%d, %d] is %g: weights must be finite", path, k/n, k%n, w)
		}
	}
	for k, l := range c.TractLengths {
		if !(l >= 0) || math.IsInf(l, 0) {
			return fmt.Errorf("%s: tract length [%d, %d] is %g: lengths must be finite and ≥ 0 (mm)", path, k/n, k%n, l)
		}
	}
	return nil
}

// Synapses lists the connectome's nonzero weights as synapses, source
// region → target region, in source order: one synapse per coupled pair,
// its weight the matrix entry and, when speed (mm/ms) is > 0 and the file
// has tract lengths, its delay the length over the speed (ms).
func (c *Connectome) Synapses(speed float64) Lists {
	n := c.Regions
	var l Lists
	delays := speed > 0 && c.TractLengths != nil
	for j := range n { // source
		for i := range n { // target
			w := c.Weights[i*n+j]
			if w == 0 {
				continue
			}
			l.Pre, l.Post, l.Weight = append(l.Pre, int64(j)), append(l.Post, int64(i)), append(l.Weight, w)
			if delays {
				l.Delay = append(l.Delay, c.TractLengths[i*n+j]/speed)
			}
		}
	}
	return l
}

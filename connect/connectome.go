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
	if strings.EqualFold(filepath.Ext(path), ".npz") {
		return readConnectomeNPZ(path)
	}
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
	c := &Connectome{}
	for _, m := range []struct {
		name     string
		dst      *[]float64
		required bool
	}{{"weights.txt", &c.Weights, true}, {"tract_lengths.txt", &c.TractLengths, false}} {
		f, ok := members[m.name]
		if !ok {
			if m.required {
				return nil, fmt.Errorf("%s: no %s in the zip", path, m.name)
			}
			continue
		}
		n, v, err := readMatrixText(f)
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %w", path, m.name, err)
		}
		if c.Regions != 0 && n != c.Regions {
			return nil, fmt.Errorf("%s: %s is %d×%d, weights.txt %d×%d", path, m.name, n, n, c.Regions, c.Regions)
		}
		c.Regions, *m.dst = n, v
	}
	return c, c.check(path)
}

// readMatrixText reads a square matrix of whitespace-separated numbers,
// one row per line.
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
	rows := 0
	for line := range strings.Lines(string(text)) {
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		rows++
		if rows == 1 && len(fields) > MaxRegions {
			return 0, nil, fmt.Errorf("%d columns, more than %d regions", len(fields), MaxRegions)
		}
		if rows > 1 && len(fields) != len(v)/(rows-1) {
			return 0, nil, fmt.Errorf("row %d has %d numbers, row 1 has %d", rows, len(fields), len(v)/(rows-1))
		}
		for k, s := range fields {
			x, err := strconv.ParseFloat(s, 64)
			if err != nil {
				return 0, nil, fmt.Errorf("row %d, column %d: not a number", rows, k+1)
			}
			v = append(v, x)
		}
	}
	if rows == 0 || len(v) != rows*rows {
		return 0, nil, fmt.Errorf("%d rows of %d numbers: expected a square matrix", rows, len(v)/max(rows, 1))
	}
	return rows, v, nil
}

// readConnectomeNPZ reads the .npz form of ReadConnectome.
func readConnectomeNPZ(path string) (*Connectome, error) {
	byName, err := npyio.ReadNPZMap(path)
	if err != nil {
		return nil, err
	}
	c := &Connectome{}
	for _, m := range []struct {
		name     string
		dst      *[]float64
		required bool
	}{{"weights", &c.Weights, true}, {"tract_lengths", &c.TractLengths, false}} {
		a, ok := byName[m.name]
		if !ok {
			if m.required {
				return nil, fmt.Errorf("%s: no array %q (expected weights [N, N] and optionally tract_lengths)", path, m.name)
			}
			continue
		}
		if len(a.Shape) != 2 || a.Shape[0] != a.Shape[1] || a.Shape[0] > MaxRegions {
			return nil, fmt.Errorf("%s: %s has shape %v, expected [N, N] with N ≤ %d", path, m.name, a.Shape, MaxRegions)
		}
		if c.Regions != 0 && a.Shape[0] != c.Regions {
			return nil, fmt.Errorf("%s: %s has shape %v, weights [%d %d]", path, m.name, a.Shape, c.Regions, c.Regions)
		}
		if *m.dst, err = npyio.Float64s(a); err != nil {
			return nil, fmt.Errorf("%s: %s: %w", path, m.name, err)
		}
		c.Regions = a.Shape[0]
	}
	return c, c.check(path)
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

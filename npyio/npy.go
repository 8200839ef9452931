// Package npyio reads and writes NumPy .npy and .npz files in pure Go.
//
// Only the subset of the format that brainc needs is supported: arrays in C
// (row-major) order with one of six element types, written little-endian as
// NPY format version 1.0. The files written here load with numpy.load, and
// the headers are byte-identical to what numpy.save produces.
//
// An [Array] holds its shape and a flat slice of elements. The mapping between
// Go slice types and NumPy dtype descriptors is:
//
//	[]float64  '<f8'
//	[]float32  '<f4'
//	[]int32    '<i4'
//	[]int64    '<i8'
//	[]uint8    '|u1'
//	[]bool     '|b1'
package npyio

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/brainc/brainc/infile"
)

// Array is an n-dimensional array in C (row-major) order.
//
// Data is one of []float64, []float32, []int32, []int64, []uint8 or []bool,
// and must hold exactly product(Shape) elements. An empty Shape denotes a 0-d
// (scalar) array holding one element.
type Array struct {
	// Shape lists the size of each dimension, outermost first.
	Shape []int
	// Data holds the elements, flattened in C order.
	Data any
}

// magic is the first six bytes of every NPY file.
const magic = "\x93NUMPY"

// Limits on what a reader inflates, so that a corrupt or hostile file (a
// zip bomb) is an error, not an out-of-memory crash.
const (
	// MaxArrayBytes bounds the data of one array: 1 GiB.
	MaxArrayBytes = 1 << 30
	// MaxNPZBytes bounds what all the entries of one .npz inflate to: 4 GiB.
	MaxNPZBytes = 4 << 30
)

// npyAlign is the alignment, in bytes, of the start of the array data.
const npyAlign = 64

// growthAxisMaxDigits mirrors numpy.lib.format.GROWTH_AXIS_MAX_DIGITS: numpy
// reserves room in the header so that the first dimension can later grow
// in place, and we do the same to produce byte-identical headers.
const growthAxisMaxDigits = 21

// dtype describes one supported element type.
type dtype struct {
	descr string // NumPy descriptor as written, e.g. "<f8"
	size  int    // bytes per element
}

var (
	dtFloat64 = dtype{"<f8", 8}
	dtFloat32 = dtype{"<f4", 4}
	dtInt32   = dtype{"<i4", 4}
	dtInt64   = dtype{"<i8", 8}
	dtUint8   = dtype{"|u1", 1}
	dtBool    = dtype{"|b1", 1}
)

const supportedTypes = "[]float64, []float32, []int32, []int64, []uint8, []bool"

// dataInfo returns the dtype and the length of a supported Data slice.
func dataInfo(data any) (dtype, int, error) {
	switch d := data.(type) {
	case []float64:
		return dtFloat64, len(d), nil
	case []float32:
		return dtFloat32, len(d), nil
	case []int32:
		return dtInt32, len(d), nil
	case []int64:
		return dtInt64, len(d), nil
	case []uint8:
		return dtUint8, len(d), nil
	case []bool:
		return dtBool, len(d), nil
	}
	return dtype{}, 0, fmt.Errorf("npyio: unsupported Data type %T (want one of %s)", data, supportedTypes)
}

// numElements returns the product of shape, checking that every dimension
// is non-negative and that the product does not overflow.
func numElements(shape []int) (int, error) {
	n := 1
	for i, d := range shape {
		if d < 0 {
			return 0, fmt.Errorf("npyio: shape %v has negative dimension %d at axis %d", shape, d, i)
		}
		if d != 0 && n > math.MaxInt/d {
			return 0, fmt.Errorf("npyio: shape %v has too many elements", shape)
		}
		n *= d
	}
	return n, nil
}

// validate checks a and returns its dtype and element count.
func (a Array) validate() (dtype, int, error) {
	dt, length, err := dataInfo(a.Data)
	if err != nil {
		return dtype{}, 0, err
	}
	n, err := numElements(a.Shape)
	if err != nil {
		return dtype{}, 0, err
	}
	if n != length {
		return dtype{}, 0, fmt.Errorf("npyio: shape %v needs %d elements, but Data (%T) has %d", a.Shape, n, a.Data, length)
	}
	return dt, n, nil
}

// shapeRepr formats shape the way Python formats a tuple of ints.
func shapeRepr(shape []int) string {
	switch len(shape) {
	case 0:
		return "()"
	case 1:
		return "(" + strconv.Itoa(shape[0]) + ",)"
	}
	parts := make([]string, len(shape))
	for i, d := range shape {
		parts[i] = strconv.Itoa(d)
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// header returns the complete NPY v1.0 preamble (magic, version, header
// length and padded header dictionary) for an array of the given dtype and
// shape, laid out exactly as numpy.save does.
func header(dt dtype, shape []int) ([]byte, error) {
	dict := "{'descr': '" + dt.descr + "', 'fortran_order': False, 'shape': " + shapeRepr(shape) + ", }"
	if len(shape) > 0 {
		dict += strings.Repeat(" ", max(0, growthAxisMaxDigits-len(strconv.Itoa(shape[0]))))
	}
	const preamble = len(magic) + 2 + 2 // magic, version, uint16 header length
	// The header ends with '\n' and is padded with spaces so that the data
	// starts at a multiple of npyAlign.
	total := preamble + len(dict) + 1
	pad := (npyAlign - total%npyAlign) % npyAlign
	hlen := len(dict) + pad + 1
	if hlen > math.MaxUint16 {
		return nil, fmt.Errorf("npyio: header for shape %v is %d bytes, more than NPY v1.0 allows (%d)", shape, hlen, math.MaxUint16)
	}
	var b bytes.Buffer
	b.Grow(preamble + hlen)
	b.WriteString(magic)
	b.WriteByte(1)
	b.WriteByte(0)
	b.WriteByte(byte(hlen))
	b.WriteByte(byte(hlen >> 8))
	b.WriteString(dict)
	b.WriteString(strings.Repeat(" ", pad))
	b.WriteByte('\n')
	return b.Bytes(), nil
}

// chunkBytes is the size of the buffer used to encode array data.
const chunkBytes = 1 << 16

// WriteNPY writes a to w in NPY format version 1.0 (little-endian, C order).
// It returns an error, and writes nothing, if a's Data has an unsupported type
// or its length does not match the product of a's Shape.
func WriteNPY(w io.Writer, a Array) error {
	dt, _, err := a.validate()
	if err != nil {
		return err
	}
	hdr, err := header(dt, a.Shape)
	if err != nil {
		return err
	}
	if _, err := w.Write(hdr); err != nil {
		return fmt.Errorf("npyio: writing header: %w", err)
	}
	if err := writeData(w, a.Data); err != nil {
		return fmt.Errorf("npyio: writing data: %w", err)
	}
	return nil
}

// writeData encodes data little-endian to w in bounded-size chunks.
func writeData(w io.Writer, data any) error {
	switch d := data.(type) {
	case []uint8:
		_, err := w.Write(d)
		return err
	case []bool:
		return writeChunked(w, d, 1, func(b []byte, v bool) {
			if v {
				b[0] = 1
			} else {
				b[0] = 0
			}
		})
	case []float64:
		return writeChunked(w, d, 8, func(b []byte, v float64) {
			binary.LittleEndian.PutUint64(b, math.Float64bits(v))
		})
	case []float32:
		return writeChunked(w, d, 4, func(b []byte, v float32) {
			binary.LittleEndian.PutUint32(b, math.Float32bits(v))
		})
	case []int32:
		return writeChunked(w, d, 4, func(b []byte, v int32) {
			binary.LittleEndian.PutUint32(b, uint32(v))
		})
	case []int64:
		return writeChunked(w, d, 8, func(b []byte, v int64) {
			binary.LittleEndian.PutUint64(b, uint64(v))
		})
	}
	return fmt.Errorf("unsupported Data type %T", data)
}

// writeChunked encodes each element of data into size bytes with put and
// writes the result to w, at most chunkBytes at a time.
func writeChunked[T any](w io.Writer, data []T, size int, put func([]byte, T)) error {
	buf := make([]byte, min(chunkBytes, len(data)*size))
	for len(data) > 0 {
		n := min(len(data), len(buf)/size)
		for i, v := range data[:n] {
			put(buf[i*size:], v)
		}
		if _, err := w.Write(buf[:n*size]); err != nil {
			return err
		}
		data = data[n:]
	}
	return nil
}

// MaxNPYFileBytes bounds the size of an .npy file ReadNPYFile reads: the
// largest array, its longest header and the preamble.
const MaxNPYFileBytes = MaxArrayBytes + 1<<24 + 16

// ReadNPYFile reads the one array of the .npy file at path, which must be a
// regular file of at most MaxNPYFileBytes (a FIFO or a device is refused
// before it is read, see package infile). Errors name the path.
func ReadNPYFile(path string) (Array, error) {
	f, _, err := infile.Open(path, "npy file", MaxNPYFileBytes)
	if err != nil {
		return Array{}, err
	}
	defer f.Close()
	a, err := ReadNPY(f)
	if err != nil {
		return Array{}, fmt.Errorf("%s: %w", path, err)
	}
	return a, nil
}

// ReadNPY reads one array in NPY format from r. It accepts format versions
// 1.0, 2.0 and 3.0, C order, and the dtypes listed in the package
// documentation; big-endian data ('>' descriptors) is converted. Bytes after
// the array data are not consumed.
//
// An array may hold at most MaxArrayBytes of data.
func ReadNPY(r io.Reader) (Array, error) {
	var pre [len(magic) + 2]byte
	if _, err := io.ReadFull(r, pre[:]); err != nil {
		return Array{}, fmt.Errorf("npyio: reading magic: %w", noEOF(err))
	}
	if string(pre[:len(magic)]) != magic {
		// The bytes are not quoted: the file may be anything readable
		// (a spec can name any path), and its content is not ours to echo.
		return Array{}, errors.New("npyio: not an NPY file (it does not start with the NPY magic \\x93NUMPY)")
	}
	major, minor := pre[len(magic)], pre[len(magic)+1]
	var hlen int
	switch major {
	case 1:
		var b [2]byte
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return Array{}, fmt.Errorf("npyio: reading header length: %w", noEOF(err))
		}
		hlen = int(binary.LittleEndian.Uint16(b[:]))
	case 2, 3:
		var b [4]byte
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return Array{}, fmt.Errorf("npyio: reading header length: %w", noEOF(err))
		}
		hlen = int(binary.LittleEndian.Uint32(b[:]))
		if hlen > 1<<24 {
			return Array{}, fmt.Errorf("npyio: header length %d is implausibly large", hlen)
		}
	default:
		return Array{}, fmt.Errorf("npyio: unsupported NPY format version %d.%d (want 1.0, 2.0 or 3.0)", major, minor)
	}
	hdr := make([]byte, hlen)
	if _, err := io.ReadFull(r, hdr); err != nil {
		return Array{}, fmt.Errorf("npyio: reading %d-byte header: %w", hlen, noEOF(err))
	}
	h, err := parseHeader(string(hdr))
	if err != nil {
		return Array{}, err
	}
	if h.fortran {
		return Array{}, errors.New("npyio: arrays with fortran_order True are not supported")
	}
	n, err := numElements(h.shape)
	if err != nil {
		return Array{}, err
	}
	kind, size, bigEndian, err := parseDescr(h.descr)
	if err != nil {
		return Array{}, err
	}
	if n > math.MaxInt/size || n*size > MaxArrayBytes {
		return Array{}, fmt.Errorf("npyio: shape %v of %s needs %.3g bytes, over the limit of %d (1 GiB) per array", h.shape, h.descr, float64(n)*float64(size), MaxArrayBytes)
	}
	nbytes := n * size
	// ReadAll grows its buffer as data arrives, so a corrupt header that
	// claims a huge shape fails on the short read instead of allocating it
	// all up front.
	raw, err := io.ReadAll(io.LimitReader(r, int64(nbytes)))
	if err != nil {
		return Array{}, fmt.Errorf("npyio: reading data: %w", err)
	}
	if len(raw) != nbytes {
		return Array{}, fmt.Errorf("npyio: truncated data: shape %v of %s needs %d bytes, got %d", h.shape, h.descr, nbytes, len(raw))
	}
	var order binary.ByteOrder = binary.LittleEndian
	if bigEndian {
		order = binary.BigEndian
	}
	return Array{Shape: h.shape, Data: decode(raw, kind, size, n, order)}, nil
}

// noEOF turns a bare io.EOF into io.ErrUnexpectedEOF: an NPY stream that
// ends before its data is always truncated.
func noEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// decode converts raw bytes into a typed slice of n elements.
func decode(raw []byte, kind byte, size, n int, order binary.ByteOrder) any {
	switch {
	case kind == 'f' && size == 8:
		out := make([]float64, n)
		for i := range out {
			out[i] = math.Float64frombits(order.Uint64(raw[8*i:]))
		}
		return out
	case kind == 'f' && size == 4:
		out := make([]float32, n)
		for i := range out {
			out[i] = math.Float32frombits(order.Uint32(raw[4*i:]))
		}
		return out
	case kind == 'i' && size == 4:
		out := make([]int32, n)
		for i := range out {
			out[i] = int32(order.Uint32(raw[4*i:]))
		}
		return out
	case kind == 'i' && size == 8:
		out := make([]int64, n)
		for i := range out {
			out[i] = int64(order.Uint64(raw[8*i:]))
		}
		return out
	case kind == 'u' && size == 1:
		return raw
	case kind == 'b' && size == 1:
		out := make([]bool, n)
		for i, b := range raw {
			out[i] = b != 0
		}
		return out
	}
	panic("npyio: decode called with unchecked descriptor") // parseDescr rejects everything else
}

// parseDescr parses a NumPy type descriptor such as "<f8" and reports its
// kind ('f', 'i', 'u' or 'b'), element size and byte order.
func parseDescr(descr string) (kind byte, size int, bigEndian bool, err error) {
	bad := fmt.Errorf("npyio: unsupported dtype descriptor %q (want one of '<f8', '<f4', '<i4', '<i8', '|u1', '|b1')", descr)
	if len(descr) != 3 {
		return 0, 0, false, bad
	}
	order, kind, sz := descr[0], descr[1], descr[2]
	switch {
	case kind == 'f' && sz == '8', kind == 'i' && sz == '8':
		size = 8
	case kind == 'f' && sz == '4', kind == 'i' && sz == '4':
		size = 4
	case kind == 'u' && sz == '1', kind == 'b' && sz == '1':
		size = 1
	default:
		return 0, 0, false, bad
	}
	switch order {
	case '<', '|', '=':
	case '>':
		bigEndian = size > 1
	default:
		return 0, 0, false, bad
	}
	return kind, size, bigEndian, nil
}

// Float64s returns a numeric array's elements as float64 (floats and
// integers of any width; bool is an error).
func Float64s(a Array) ([]float64, error) {
	switch d := a.Data.(type) {
	case []float64:
		return d, nil
	case []float32:
		return widen(d), nil
	case []int64:
		return widen(d), nil
	case []int32:
		return widen(d), nil
	case []int16:
		return widen(d), nil
	case []int8:
		return widen(d), nil
	case []uint8:
		return widen(d), nil
	case []uint16:
		return widen(d), nil
	case []uint32:
		return widen(d), nil
	case []uint64:
		return widen(d), nil
	}
	return nil, fmt.Errorf("npyio: expected numbers, got %T", a.Data)
}

func widen[T float32 | int64 | int32 | int16 | int8 | uint8 | uint16 | uint32 | uint64](v []T) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(x)
	}
	return out
}

package npyio

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// numpyArange3 is what numpy.save(f, np.arange(3, dtype='<i4')) writes
// (checked with numpy 2.4): a 118-byte header padded so that the data starts
// at offset 128. The 57-byte dict alone would overflow the first 64 bytes,
// and recent numpy also follows it with 21-len(str(shape[0])) spaces of room
// for growing the first axis in place before the alignment padding.
var numpyArange3 = []byte("\x93NUMPY\x01\x00\x76\x00" +
	"{'descr': '<i4', 'fortran_order': False, 'shape': (3,), }" +
	strings.Repeat(" ", 60) + "\n" +
	"\x00\x00\x00\x00\x01\x00\x00\x00\x02\x00\x00\x00")

func TestWriteNPYMatchesNumPy(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteNPY(&buf, Array{Shape: []int{3}, Data: []int32{0, 1, 2}}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), numpyArange3) {
		t.Fatalf("WriteNPY bytes differ from numpy's:\n got %q\nwant %q", buf.Bytes(), numpyArange3)
	}
	a, err := ReadNPY(bytes.NewReader(numpyArange3))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a, Array{Shape: []int{3}, Data: []int32{0, 1, 2}}) {
		t.Fatalf("ReadNPY(numpy bytes) = %#v", a)
	}
}

func TestHeaderLayout(t *testing.T) {
	shapes := [][]int{{}, {0}, {1}, {7, 3}, {123456789012, 2, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}}
	for _, dt := range []dtype{dtFloat64, dtFloat32, dtInt32, dtInt64, dtUint8, dtBool} {
		for _, shape := range shapes {
			h, err := header(dt, shape)
			if err != nil {
				t.Fatal(err)
			}
			if len(h)%64 != 0 {
				t.Errorf("%s %v: data offset %d is not a multiple of 64", dt.descr, shape, len(h))
			}
			if got := int(binary.LittleEndian.Uint16(h[8:10])); got != len(h)-10 {
				t.Errorf("%s %v: header length field %d, want %d", dt.descr, shape, got, len(h)-10)
			}
			if h[len(h)-1] != '\n' {
				t.Errorf("%s %v: header does not end in newline", dt.descr, shape)
			}
			p, err := parseHeader(string(h[10:]))
			if err != nil {
				t.Fatal(err)
			}
			if p.descr != dt.descr || p.fortran || !reflect.DeepEqual(p.shape, append([]int{}, shape...)) {
				t.Errorf("%s %v: header parses back as %+v", dt.descr, shape, p)
			}
		}
	}
	// More headers exactly as numpy 2.4 writes them; each dict is padded to
	// a 118-byte header, so the data starts at offset 128.
	for _, c := range []struct {
		dt    dtype
		shape []int
		dict  string
	}{
		{dtFloat64, []int{}, "{'descr': '<f8', 'fortran_order': False, 'shape': (), }"},
		{dtFloat64, []int{0}, "{'descr': '<f8', 'fortran_order': False, 'shape': (0,), }"},
		{dtBool, []int{2, 3}, "{'descr': '|b1', 'fortran_order': False, 'shape': (2, 3), }"},
	} {
		want := "\x93NUMPY\x01\x00\x76\x00" + c.dict + strings.Repeat(" ", 118-len(c.dict)-1) + "\n"
		if h, _ := header(c.dt, c.shape); string(h) != want {
			t.Errorf("%s %v header\n got %q\nwant %q", c.dt.descr, c.shape, h, want)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	shapes := [][]int{{}, {0}, {5}, {2, 3}, {2, 0, 4}, {2, 1, 3, 2}}
	for _, shape := range shapes {
		n := 1
		for _, d := range shape {
			n *= d
		}
		f64 := make([]float64, n)
		f32 := make([]float32, n)
		i32 := make([]int32, n)
		i64 := make([]int64, n)
		u8 := make([]uint8, n)
		b := make([]bool, n)
		for i := range n {
			f64[i] = float64(i)*1.5 - 3
			f32[i] = float32(i)*0.25 - 1
			i32[i] = int32(i*1000 - 7)
			i64[i] = int64(i)<<40 - 5
			u8[i] = uint8(i * 37)
			b[i] = i%3 == 1
		}
		if n > 0 {
			f64[0] = math.Inf(-1)
			f32[0] = float32(math.NaN())
			i32[0] = math.MinInt32
			i64[0] = math.MaxInt64
			u8[0] = 255
		}
		for _, data := range []any{f64, f32, i32, i64, u8, b} {
			in := Array{Shape: append([]int{}, shape...), Data: data}
			var buf bytes.Buffer
			if err := WriteNPY(&buf, in); err != nil {
				t.Fatalf("%T %v: %v", data, shape, err)
			}
			if buf.Len()%64 != elemSize(data)*n%64 {
				t.Errorf("%T %v: data does not start at a multiple of 64", data, shape)
			}
			out, err := ReadNPY(&buf)
			if err != nil {
				t.Fatalf("%T %v: %v", data, shape, err)
			}
			if !sameArray(in, out) {
				t.Errorf("%T %v: round trip gave %#v, want %#v", data, shape, out, in)
			}
		}
	}
}

func elemSize(data any) int {
	dt, _, _ := dataInfo(data)
	return dt.size
}

// sameArray compares arrays bitwise, so that NaNs compare equal.
func sameArray(a, b Array) bool {
	if !reflect.DeepEqual(a.Shape, b.Shape) || reflect.TypeOf(a.Data) != reflect.TypeOf(b.Data) {
		return false
	}
	var x, y bytes.Buffer
	if WriteNPY(&x, a) != nil || WriteNPY(&y, b) != nil {
		return false
	}
	return bytes.Equal(x.Bytes(), y.Bytes())
}

func TestReadNPYBigEndianAndVersion2(t *testing.T) {
	dict := "{'descr': '>f8', 'fortran_order': False, 'shape': (2,), }"
	pad := 64 - (12+len(dict)+1)%64
	var b bytes.Buffer
	b.WriteString("\x93NUMPY\x02\x00")
	binary.Write(&b, binary.LittleEndian, uint32(len(dict)+pad+1))
	b.WriteString(dict + strings.Repeat(" ", pad) + "\n")
	binary.Write(&b, binary.BigEndian, []float64{1.5, -2})
	a, err := ReadNPY(&b)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a, Array{Shape: []int{2}, Data: []float64{1.5, -2}}) {
		t.Fatalf("got %#v", a)
	}
}

func TestWriteNPYBadInput(t *testing.T) {
	cases := []struct {
		name string
		a    Array
		want string
	}{
		{"too few", Array{Shape: []int{2, 3}, Data: []float64{1, 2, 3, 4, 5}},
			"npyio: shape [2 3] needs 6 elements, but Data ([]float64) has 5"},
		{"scalar needs one", Array{Shape: []int{}, Data: []int32{}},
			"npyio: shape [] needs 1 elements, but Data ([]int32) has 0"},
		{"empty", Array{Shape: []int{0}, Data: []bool{true}},
			"npyio: shape [0] needs 0 elements, but Data ([]bool) has 1"},
		{"negative dim", Array{Shape: []int{-1}, Data: []uint8{}},
			"npyio: shape [-1] has negative dimension -1 at axis 0"},
		{"unsupported type", Array{Shape: []int{2}, Data: []int16{1, 2}},
			"npyio: unsupported Data type []int16 (want one of []float64, []float32, []int32, []int64, []uint8, []bool)"},
		{"nil data", Array{Shape: []int{0}},
			"npyio: unsupported Data type <nil> (want one of"},
	}
	for _, c := range cases {
		var buf bytes.Buffer
		err := WriteNPY(&buf, c.a)
		if err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.name, err, c.want)
		}
		if buf.Len() != 0 {
			t.Errorf("%s: wrote %d bytes despite the error", c.name, buf.Len())
		}
	}
}

func TestReadNPYBadInput(t *testing.T) {
	valid := numpyArange3
	withHeader := func(dict string) []byte {
		pad := 64 - (10+len(dict)+1)%64
		h := []byte("\x93NUMPY\x01\x00\x00\x00" + dict + strings.Repeat(" ", pad) + "\n")
		binary.LittleEndian.PutUint16(h[8:], uint16(len(h)-10))
		return append(h, make([]byte, 64)...)
	}
	cases := []struct {
		name string
		in   []byte
		want string
	}{
		{"empty", nil, "npyio: reading magic: unexpected EOF"},
		{"bad magic", []byte("PK\x03\x04abcdefgh"), "npyio: not an NPY file"},
		{"version", []byte("\x93NUMPY\x04\x00\x00\x00"), "npyio: unsupported NPY format version 4.0"},
		{"truncated header", valid[:40], "npyio: reading 118-byte header: unexpected EOF"},
		{"truncated data", valid[:len(valid)-1], "npyio: truncated data: shape [3] of <i4 needs 12 bytes, got 11"},
		{"dtype", withHeader("{'descr': '<i2', 'fortran_order': False, 'shape': (3,), }"), "npyio: unsupported dtype descriptor \"<i2\""},
		{"fortran", withHeader("{'descr': '<i4', 'fortran_order': True, 'shape': (3, 2), }"), "npyio: arrays with fortran_order True are not supported"},
		{"structured", withHeader("{'descr': [('a', '<i4')], 'fortran_order': False, 'shape': (3,), }"), "structured dtypes are not supported"},
		{"missing key", withHeader("{'descr': '<i4', 'shape': (3,), }"), "missing key \"fortran_order\""},
		{"bad shape", withHeader("{'descr': '<i4', 'fortran_order': False, 'shape': (3), }"), "one-element tuple lacks trailing comma"},
	}
	for _, c := range cases {
		_, err := ReadNPY(bytes.NewReader(c.in))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want it to contain %q", c.name, err, c.want)
		}
	}
	// An error about the content quotes none of its bytes (any readable
	// file may be named where an array is expected), nor a bad header whole.
	_, err := ReadNPY(strings.NewReader("root:x:0:0:SECRET\n"))
	if err == nil || strings.Contains(err.Error(), "root") {
		t.Errorf("bad magic: error %v quotes the file", err)
	}
	_, err = ReadNPY(bytes.NewReader(withHeader("{'descr': '<i4', 'fortran_order': False, 'shape': (3), }")))
	if err == nil || strings.Contains(err.Error(), "'fortran_order': False") {
		t.Errorf("bad header: error %v quotes the header", err)
	}
}

func testArrays() ([]string, []Array) {
	return []string{"spike_times", "spike_idx", "w", "mask", "scalar", "empty", "img"},
		[]Array{
			{Shape: []int{4}, Data: []float64{0.1, 0.5, 2.25, 1e9}},
			{Shape: []int{4}, Data: []int32{3, 0, 2, 1}},
			{Shape: []int{2, 2}, Data: []float32{1, -1, 0.5, 3}},
			{Shape: []int{3}, Data: []bool{true, false, true}},
			{Shape: []int{}, Data: []int64{-42}},
			{Shape: []int{0}, Data: []float64{}},
			{Shape: []int{2, 3}, Data: []uint8{0, 1, 2, 253, 254, 255}},
		}
}

func TestNPZRoundTripAndDeterminism(t *testing.T) {
	dir := t.TempDir()
	names, arrays := testArrays()
	p1 := filepath.Join(dir, "a.npz")
	p2 := filepath.Join(dir, "b.npz")
	if err := WriteNPZ(p1, names, arrays); err != nil {
		t.Fatal(err)
	}
	if err := WriteNPZ(p2, names, arrays); err != nil {
		t.Fatal(err)
	}
	b1, _ := os.ReadFile(p1)
	b2, _ := os.ReadFile(p2)
	if !bytes.Equal(b1, b2) {
		t.Fatal("two writes of the same arrays differ")
	}
	// Overwriting an existing file gives the same bytes too.
	if err := WriteNPZ(p1, names, arrays); err != nil {
		t.Fatal(err)
	}
	if b3, _ := os.ReadFile(p1); !bytes.Equal(b1, b3) {
		t.Fatal("rewrite differs")
	}
	gotNames, gotArrays, err := ReadNPZ(p1)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(gotNames, names) {
		t.Fatalf("names %q, want %q", gotNames, names)
	}
	for i := range arrays {
		if !sameArray(arrays[i], gotArrays[i]) {
			t.Errorf("%s: got %#v, want %#v", names[i], gotArrays[i], arrays[i])
		}
	}
	assertOnlyFiles(t, dir, "a.npz", "b.npz")
}

func TestNPZBadInput(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.npz")
	names, arrays := testArrays()
	cases := []struct {
		name   string
		names  []string
		arrays []Array
		want   string
	}{
		{"count", names[:2], arrays[:3], "npyio: WriteNPZ got 2 names but 3 arrays"},
		{"empty name", []string{""}, arrays[:1], "npyio: WriteNPZ: names[0] is empty"},
		{"duplicate", []string{"x", "x"}, arrays[:2], "npyio: WriteNPZ: duplicate name \"x\" (names[1])"},
		{"mismatch", []string{"ok", "bad"}, []Array{arrays[0], {Shape: []int{3}, Data: []int64{1}}},
			"npyio: WriteNPZ: array \"bad\": shape [3] needs 3 elements, but Data ([]int64) has 1"},
		{"type", []string{"bad"}, []Array{{Shape: []int{1}, Data: []string{"a"}}},
			"npyio: WriteNPZ: array \"bad\": unsupported Data type []string"},
	}
	for _, c := range cases {
		err := WriteNPZ(path, c.names, c.arrays)
		if err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.name, err, c.want)
		}
	}
	assertOnlyFiles(t, dir)

	// A failed write leaves an existing file untouched.
	if err := WriteNPZ(path, names, arrays); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(path)
	if err := WriteNPZ(path, []string{"bad"}, []Array{{Shape: []int{2}, Data: []float64{1}}}); err == nil {
		t.Fatal("expected an error")
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Fatal("failed write modified the existing file")
	}
	// A directory that does not exist is reported.
	if err := WriteNPZ(filepath.Join(dir, "nope", "x.npz"), names, arrays); err == nil {
		t.Fatal("expected an error for a missing directory")
	}
	assertOnlyFiles(t, dir, "out.npz")

	if _, _, err := ReadNPZ(filepath.Join(dir, "missing.npz")); err == nil {
		t.Fatal("ReadNPZ of a missing file succeeded")
	}
}

// assertOnlyFiles checks that dir holds exactly the named files (so no
// temporary files were left behind).
func assertOnlyFiles(t *testing.T, dir string, want ...string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	if len(got) != len(want) || (len(want) > 0 && !reflect.DeepEqual(got, want)) {
		t.Fatalf("directory holds %q, want %q", got, want)
	}
}

// A zip bomb (a small .npz whose entries inflate past the limit, or an
// array header claiming more than MaxArrayBytes) is an error naming the
// limit, read before anything is inflated.
func TestReadNPZRefusesBombs(t *testing.T) {
	dir := t.TempDir()
	bomb := filepath.Join(dir, "bomb.npz")
	f, err := os.Create(bomb)
	require.NoError(t, err)
	zw := zip.NewWriter(f)
	for i := range 3 { // entries that declare 2 GiB each (what a deflated bomb declares)
		w, err := zw.CreateRaw(&zip.FileHeader{Name: fmt.Sprintf("a%d.npy", i), Method: zip.Store,
			CompressedSize64: 4, UncompressedSize64: 2 << 30})
		require.NoError(t, err)
		_, err = w.Write([]byte("junk"))
		require.NoError(t, err)
	}
	require.NoError(t, zw.Close())
	require.NoError(t, f.Close())
	_, _, err = ReadNPZ(bomb)
	assert.EqualError(t, err, "npyio: ReadNPZ "+bomb+": its entries inflate to more than 4294967296 bytes (4 GiB), the limit")

	// One header claiming 2^31 float64s.
	var buf bytes.Buffer
	require.NoError(t, WriteNPY(&buf, Array{Shape: []int{1}, Data: []float64{0}}))
	claim := strings.Replace(buf.String(), "(1,)", "(268435457,)", 1)
	_, err = ReadNPY(strings.NewReader(claim))
	assert.EqualError(t, err, "npyio: shape [268435457] of <f8 needs 2.15e+09 bytes, over the limit of 1073741824 (1 GiB) per array")
}

package cpuops

import (
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/pjrt"
)

func TestRegister(t *testing.T) {
	b, err := pjrt.Open(pjrt.Options{Backend: "cpu"})
	require.NoError(t, err, "the CPU PJRT plugin must be installed: run `make setup`")
	c, err := pjrt.Client(b)
	require.NoError(t, err)
	require.NoError(t, Register(c))
	require.NoError(t, Register(c), "a second call returns the first's result")
}

// fakeExt lays out a PJRT extension as findFFI reads it: base {size,
// type, next}, then an FFI extension's type_id_register, user_data_add
// and register_handler.
type fakeExt struct {
	size                        uintptr
	typ                         int32
	next                        unsafe.Pointer
	typeID, userData, registerH unsafe.Pointer
}

// fakeAPI is a PJRT_Api head: size, extension_start.
type fakeAPI struct {
	size uintptr
	ext  unsafe.Pointer
}

// findFFI finds the FFI extension along the chain and refuses what brainc
// cannot call: an old PJRT C API (another registration layout), no FFI
// extension (a plugin without it falls back to composed operators), one
// too small to hold register_handler, or a nil register_handler.
func TestFindFFI(t *testing.T) {
	var fn int
	ffi := &fakeExt{size: ffiExtensionSize, typ: ffiExtensionType, registerH: unsafe.Pointer(&fn)}
	layouts := &fakeExt{size: 24, typ: 4, next: unsafe.Pointer(ffi)}
	api := &fakeAPI{size: 1000, ext: unsafe.Pointer(layouts)}
	got, err := findFFI(unsafe.Pointer(api), 0, 115)
	require.NoError(t, err)
	assert.Equal(t, unsafe.Pointer(ffi), got)

	_, err = findFFI(unsafe.Pointer(api), 0, 90)
	assert.ErrorIs(t, err, ErrUnknownABI)
	assert.EqualError(t, err, "cpuops: unknown PJRT FFI layout: the plugin's PJRT C API is 0.90; brainc registers handlers on 0.104 and later (composed operators instead)")

	layouts.next = nil
	_, err = findFFI(unsafe.Pointer(api), 0, 115)
	assert.EqualError(t, err, "cpuops: unknown PJRT FFI layout: the plugin has no FFI extension")
	_, err = findFFI(unsafe.Pointer(&fakeAPI{size: 1000}), 0, 115)
	assert.EqualError(t, err, "cpuops: unknown PJRT FFI layout: the plugin has no FFI extension")

	layouts.next = unsafe.Pointer(ffi)
	ffi.size = 40
	_, err = findFFI(unsafe.Pointer(api), 0, 115)
	assert.EqualError(t, err, "cpuops: unknown PJRT FFI layout: the plugin's FFI extension is 40 bytes, without register_handler (brainc needs 48)")
	ffi.size, ffi.registerH = ffiExtensionSize, nil
	_, err = findFFI(unsafe.Pointer(api), 0, 115)
	assert.EqualError(t, err, "cpuops: unknown PJRT FFI layout: the plugin's FFI extension has no register_handler")
}

package pjrt

/*
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

// The few PJRT C API structures brainc uses to serialize and load compiled
// executables, declared here for this project after the PJRT C API v0.83
// layout (the header go-xla v0.1.4 builds against; later versions only
// append fields and functions, and plugins accept the older struct sizes).
// The static assertions pin the offsets brainc relies on.

typedef struct PJRT_Error PJRT_Error;
typedef struct PJRT_Client PJRT_Client;
typedef struct PJRT_Executable PJRT_Executable;
typedef struct PJRT_LoadedExecutable PJRT_LoadedExecutable;
typedef struct PJRT_SerializedExecutable PJRT_SerializedExecutable;
typedef struct PJRT_Extension_Base PJRT_Extension_Base;

#define BRAINC_STRUCT_SIZE(t, last) (offsetof(t, last) + sizeof(((t*)0)->last))

typedef struct {
	size_t struct_size;
	PJRT_Extension_Base* extension_start;
	PJRT_Error* error;
} brainc_error_destroy_args;

typedef struct {
	size_t struct_size;
	PJRT_Extension_Base* extension_start;
	const PJRT_Error* error;
	const char* message;
	size_t message_size;
} brainc_error_message_args;

typedef struct {
	size_t struct_size;
	PJRT_Extension_Base* extension_start;
	const PJRT_Error* error;
	int code;
} brainc_error_code_args;

typedef struct {
	size_t struct_size;
	PJRT_Extension_Base* extension_start;
	const PJRT_Executable* executable;
	const char* serialized_bytes;
	size_t serialized_bytes_size;
	PJRT_SerializedExecutable* serialized_executable;
	void (*serialized_executable_deleter)(PJRT_SerializedExecutable*);
} brainc_serialize_args;

typedef struct {
	size_t struct_size;
	PJRT_Extension_Base* extension_start;
	PJRT_Client* client;
	const char* serialized_executable;
	size_t serialized_executable_size;
	PJRT_LoadedExecutable* loaded_executable;
	const char* overridden_serialized_compile_options;
	size_t overridden_serialized_compile_options_size;
} brainc_deserialize_args;

typedef struct {
	size_t struct_size;
	PJRT_Extension_Base* extension_start;
	const PJRT_Executable* executable;
	int* output_types; // PJRT_Buffer_Type
	size_t num_output_types;
} brainc_output_types_args;

typedef struct {
	size_t struct_size;
	PJRT_Extension_Base* extension_start;
	const PJRT_Executable* executable;
	size_t num_outputs;
	const int64_t* dims;
	const size_t* dim_sizes;
} brainc_output_dims_args;

// The head of PJRT_Api: its size, version, and the function pointers by
// their slot (0: PJRT_Error_Destroy, 49: PJRT_Executable_Serialize, 56:
// PJRT_Executable_DeserializeAndLoad, 90: PJRT_Executable_OutputElementTypes,
// 91: PJRT_Executable_OutputDimensions).
typedef struct {
	size_t struct_size;
	PJRT_Extension_Base* extension_start;
	struct {
		size_t struct_size;
		PJRT_Extension_Base* extension_start;
		int major_version;
		int minor_version;
	} version;
	void (*error_destroy)(brainc_error_destroy_args*);
	void (*error_message)(brainc_error_message_args*);
	PJRT_Error* (*error_code)(brainc_error_code_args*);
	void* skip_3_48[46];
	PJRT_Error* (*serialize)(brainc_serialize_args*);
	void* skip_50_55[6];
	PJRT_Error* (*deserialize)(brainc_deserialize_args*);
	void* skip_57_89[33];
	PJRT_Error* (*output_types)(brainc_output_types_args*);
	PJRT_Error* (*output_dims)(brainc_output_dims_args*);
} brainc_api;

_Static_assert(offsetof(brainc_api, error_destroy) == 40, "PJRT_Api layout");
_Static_assert(offsetof(brainc_api, serialize) == 432, "PJRT_Api layout");
_Static_assert(offsetof(brainc_api, deserialize) == 488, "PJRT_Api layout");
_Static_assert(BRAINC_STRUCT_SIZE(brainc_serialize_args, serialized_executable_deleter) == 56, "Serialize_Args");
_Static_assert(BRAINC_STRUCT_SIZE(brainc_deserialize_args, overridden_serialized_compile_options_size) == 64, "DeserializeAndLoad_Args");
_Static_assert(BRAINC_STRUCT_SIZE(brainc_error_code_args, code) == 28, "Error_GetCode_Args");
_Static_assert(offsetof(brainc_api, output_types) == 760, "PJRT_Api layout");
_Static_assert(offsetof(brainc_api, output_dims) == 768, "PJRT_Api layout");
_Static_assert(BRAINC_STRUCT_SIZE(brainc_output_types_args, num_output_types) == 40, "OutputElementTypes_Args");
_Static_assert(BRAINC_STRUCT_SIZE(brainc_output_dims_args, dim_sizes) == 48, "OutputDimensions_Args");

// brainc_api_outputs_ok reports whether api's table reaches the output
// shape functions.
static int brainc_api_outputs_ok(const brainc_api* api) {
	return api->struct_size >= offsetof(brainc_api, output_dims) + sizeof(void*) && api->output_types && api->output_dims;
}

// brainc_output_types gives exe's output element types (owned by exe).
static PJRT_Error* brainc_output_types(const brainc_api* api, const PJRT_Executable* exe, int** types, size_t* n) {
	brainc_output_types_args a;
	memset(&a, 0, sizeof a);
	a.struct_size = BRAINC_STRUCT_SIZE(brainc_output_types_args, num_output_types);
	a.executable = exe;
	PJRT_Error* err = api->output_types(&a);
	*types = a.output_types;
	*n = err ? 0 : a.num_output_types;
	return err;
}

// brainc_output_dims gives exe's output dimensions (owned by exe): the
// ranks of the n outputs, and their dimensions one after another.
static PJRT_Error* brainc_output_dims(const brainc_api* api, const PJRT_Executable* exe, const int64_t** dims, const size_t** ranks, size_t* n) {
	brainc_output_dims_args a;
	memset(&a, 0, sizeof a);
	a.struct_size = BRAINC_STRUCT_SIZE(brainc_output_dims_args, dim_sizes);
	a.executable = exe;
	PJRT_Error* err = api->output_dims(&a);
	*dims = a.dims;
	*ranks = a.dim_sizes;
	*n = err ? 0 : a.num_outputs;
	return err;
}

// brainc_api_ok reports whether api's table reaches the functions used.
static int brainc_api_ok(const brainc_api* api) {
	return api->struct_size >= offsetof(brainc_api, deserialize) + sizeof(void*) && api->serialize && api->deserialize;
}

// brainc_error takes err apart: its message copied into *msg (malloc'd;
// free it) and its code, and destroys it.
static int brainc_error(const brainc_api* api, PJRT_Error* err, char** msg) {
	brainc_error_message_args m;
	memset(&m, 0, sizeof m);
	m.struct_size = BRAINC_STRUCT_SIZE(brainc_error_message_args, message_size);
	m.error = err;
	api->error_message(&m);
	*msg = malloc(m.message_size + 1);
	if (*msg) {
		memcpy(*msg, m.message, m.message_size);
		(*msg)[m.message_size] = 0;
	}
	brainc_error_code_args c;
	memset(&c, 0, sizeof c);
	c.struct_size = BRAINC_STRUCT_SIZE(brainc_error_code_args, code);
	c.error = err;
	int code = 2; // UNKNOWN, if the code cannot be read
	PJRT_Error* e2 = api->error_code(&c);
	if (!e2) {
		code = c.code;
	} else {
		brainc_error_destroy_args d = {BRAINC_STRUCT_SIZE(brainc_error_destroy_args, error), NULL, e2};
		api->error_destroy(&d);
	}
	brainc_error_destroy_args d = {BRAINC_STRUCT_SIZE(brainc_error_destroy_args, error), NULL, err};
	api->error_destroy(&d);
	return code;
}

// brainc_serialize copies exe's serialized form into *out (malloc'd; free
// it) and releases the plugin's.
static PJRT_Error* brainc_serialize(const brainc_api* api, const PJRT_Executable* exe, char** out, size_t* size) {
	brainc_serialize_args a;
	memset(&a, 0, sizeof a);
	a.struct_size = BRAINC_STRUCT_SIZE(brainc_serialize_args, serialized_executable_deleter);
	a.executable = exe;
	PJRT_Error* err = api->serialize(&a);
	if (err) {
		return err;
	}
	*out = malloc(a.serialized_bytes_size ? a.serialized_bytes_size : 1);
	*size = 0;
	if (*out) {
		memcpy(*out, a.serialized_bytes, a.serialized_bytes_size);
		*size = a.serialized_bytes_size;
	}
	if (a.serialized_executable_deleter) {
		a.serialized_executable_deleter(a.serialized_executable);
	}
	return NULL;
}

// brainc_deserialize loads a serialized executable on client.
static PJRT_Error* brainc_deserialize(const brainc_api* api, PJRT_Client* client, const char* data, size_t size, PJRT_LoadedExecutable** out) {
	brainc_deserialize_args a;
	memset(&a, 0, sizeof a);
	a.struct_size = BRAINC_STRUCT_SIZE(brainc_deserialize_args, overridden_serialized_compile_options_size);
	a.client = client;
	a.serialized_executable = data;
	a.serialized_executable_size = size;
	PJRT_Error* err = api->deserialize(&a);
	*out = err ? NULL : a.loaded_executable;
	return err;
}
*/
import "C"

import (
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"unsafe"

	xlapjrt "github.com/gomlx/go-xla/pkg/pjrt"
)

// ErrNoSerialization is returned (wrapped) when a plugin or this go-xla
// version gives no way to serialize or load executables.
var ErrNoSerialization = errors.New("pjrt: this plugin cannot serialize executables")

// pjrtUnimplemented is PJRT_Error_Code UNIMPLEMENTED.
const pjrtUnimplemented = 12

// Serialize returns the serialized form of exe, compiled by client: bytes
// that Deserialize loads again on a client of the same plugin build. It
// reaches the PJRT objects behind go-xla v0.1.4's types by field name (see
// cField); a go-xla without them, or a plugin without the functions, gives
// ErrNoSerialization.
func Serialize(client *xlapjrt.Client, exe *xlapjrt.LoadedExecutable) ([]byte, error) {
	api, err := apiOf(client)
	if err != nil {
		return nil, err
	}
	cexe, err := cField(reflect.ValueOf(exe), "executable", "wrapper", "c")
	if err != nil {
		return nil, err
	}
	var out *C.char
	var size C.size_t
	perr := C.brainc_serialize(api, (*C.PJRT_Executable)(cexe), &out, &size)
	runtime.KeepAlive(exe)
	if perr != nil {
		return nil, pjrtError(api, perr, "serialize")
	}
	if out == nil {
		return nil, errors.New("pjrt: serialize: out of memory")
	}
	defer C.free(unsafe.Pointer(out))
	return C.GoBytes(unsafe.Pointer(out), C.int(size)), nil
}

// Deserialize loads an executable that Serialize wrote, for client.
// Bytes from another plugin build, or damaged ones, are an error of the
// plugin's (never a crash when the plugin checks them, as XLA's does).
func Deserialize(client *xlapjrt.Client, data []byte) (*xlapjrt.LoadedExecutable, error) {
	return DeserializeOn(client, data, 1)
}

// DeserializeOn is Deserialize for an executable compiled partitioned
// across devices (go-xla's WithShardy(devices) and the device assignment
// 0..devices-1; 1: one device): the loaded executable then takes its
// arguments device after device, as the compiled one does. (go-xla's
// constructor marks every loaded executable as one device's; the
// serialized executable keeps its own assignment, and the marks are set
// here to match it.)
func DeserializeOn(client *xlapjrt.Client, data []byte, devices int) (*xlapjrt.LoadedExecutable, error) {
	if devices < 1 || devices > len(client.AddressableDevices()) {
		return nil, fmt.Errorf("pjrt: deserialize for %d devices: the client has %d", devices, len(client.AddressableDevices()))
	}
	api, err := apiOf(client)
	if err != nil {
		return nil, err
	}
	if len(data) == 0 {
		return nil, errors.New("pjrt: deserialize: no bytes")
	}
	cclient, err := cField(reflect.ValueOf(client), "client", "c")
	if err != nil {
		return nil, err
	}
	buf := C.CBytes(data)
	defer C.free(buf)
	var loaded *C.PJRT_LoadedExecutable
	perr := C.brainc_deserialize(api, (*C.PJRT_Client)(cclient), (*C.char)(buf), C.size_t(len(data)), &loaded)
	runtime.KeepAlive(client)
	if perr != nil {
		return nil, pjrtError(api, perr, "deserialize")
	}
	exe, err := xlaNewLoadedExecutable(client.Plugin(), client, unsafe.Pointer(loaded))
	if err != nil { // go-xla destroyed the executable
		return nil, fmt.Errorf("pjrt: deserialize: %w", err)
	}
	// go-xla compiles portable executables and marks them so after its
	// compile; a loaded one needs the same mark to be given its device.
	f := reflect.ValueOf(exe).Elem().FieldByName("isPortable")
	if !f.IsValid() || f.Kind() != reflect.Bool {
		return nil, fmt.Errorf("%w: go-xla's LoadedExecutable has no isPortable field", ErrNoSerialization)
	}
	if devices == 1 {
		*(*bool)(unsafe.Pointer(f.UnsafeAddr())) = true
		return exe, nil
	}
	assign := make([]int, devices)
	for d := range assign {
		assign[d] = d
	}
	v := reflect.ValueOf(exe).Elem()
	parts, reps, da := v.FieldByName("numPartitions"), v.FieldByName("numReplicas"), v.FieldByName("deviceAssignment")
	if parts.Kind() != reflect.Int || reps.Kind() != reflect.Int || da.Type() != reflect.TypeOf(assign) {
		return nil, fmt.Errorf("%w: go-xla's LoadedExecutable has no partition fields", ErrNoSerialization)
	}
	*(*int)(unsafe.Pointer(parts.UnsafeAddr())) = devices
	*(*int)(unsafe.Pointer(reps.UnsafeAddr())) = 1
	*(*[]int)(unsafe.Pointer(da.UnsafeAddr())) = assign
	return exe, nil
}

// Output is one result of an executable: its PJRT element type and its
// dimensions.
type Output struct {
	// Type is the PJRT_Buffer_Type (see ElementType).
	Type int
	// Dims are the dimensions (none for a scalar).
	Dims []int64
}

// ElementType is the PJRT_Buffer_Type of a StableHLO element type name
// (f32, i32, i1 …); ok is false for a name it does not know.
func ElementType(name string) (t int, ok bool) {
	t, ok = elementTypes[name]
	return t, ok
}

// elementTypes are the PJRT_Buffer_Type values of StableHLO's element
// types.
var elementTypes = map[string]int{
	"i1": 1, "i8": 2, "i16": 3, "i32": 4, "i64": 5,
	"ui8": 6, "ui16": 7, "ui32": 8, "ui64": 9,
	"f16": 10, "f32": 11, "f64": 12, "bf16": 13,
}

// Outputs returns the element types and dimensions of exe's results, as
// its plugin reports them (for one partition's share when it is compiled
// partitioned). A plugin without the functions gives ErrNoSerialization.
func Outputs(client *xlapjrt.Client, exe *xlapjrt.LoadedExecutable) ([]Output, error) {
	api, err := apiOf(client)
	if err != nil {
		return nil, err
	}
	if C.brainc_api_outputs_ok(api) == 0 {
		return nil, fmt.Errorf("%w (no output shapes in its PJRT_Api table)", ErrNoSerialization)
	}
	cexe, err := cField(reflect.ValueOf(exe), "executable", "wrapper", "c")
	if err != nil {
		return nil, err
	}
	defer runtime.KeepAlive(exe)
	var types *C.int
	var nt C.size_t
	if perr := C.brainc_output_types(api, (*C.PJRT_Executable)(cexe), &types, &nt); perr != nil {
		return nil, pjrtError(api, perr, "output types")
	}
	var dims *C.int64_t
	var ranks *C.size_t
	var nd C.size_t
	if perr := C.brainc_output_dims(api, (*C.PJRT_Executable)(cexe), &dims, &ranks, &nd); perr != nil {
		return nil, pjrtError(api, perr, "output dimensions")
	}
	if nt != nd {
		return nil, fmt.Errorf("pjrt: the executable reports %d output types and %d output shapes", nt, nd)
	}
	out := make([]Output, int(nt))
	if nt == 0 {
		return out, nil
	}
	if types == nil || ranks == nil {
		return nil, errors.New("pjrt: the executable reports no output types or shapes")
	}
	ts := unsafe.Slice(types, int(nt))
	rs := unsafe.Slice(ranks, int(nd))
	total := 0
	for _, r := range rs {
		total += int(r)
	}
	var ds []C.int64_t
	if total > 0 {
		if dims == nil {
			return nil, errors.New("pjrt: the executable reports no output dimensions")
		}
		ds = unsafe.Slice(dims, total)
	}
	at := 0
	for i := range out {
		out[i].Type = int(ts[i])
		out[i].Dims = make([]int64, int(rs[i]))
		for j := range out[i].Dims {
			out[i].Dims[j] = int64(ds[at])
			at++
		}
	}
	return out, nil
}

// xlaNewLoadedExecutable is go-xla's constructor of a LoadedExecutable
// around a PJRT_LoadedExecutable (it reads the executable's name and
// outputs, and destroys it on error); go-xla v0.1.4 has no exported way to
// load serialized executables.
//
//go:linkname xlaNewLoadedExecutable github.com/gomlx/go-xla/pkg/pjrt.newLoadedExecutable
func xlaNewLoadedExecutable(plugin *xlapjrt.Plugin, client *xlapjrt.Client, c unsafe.Pointer) (*xlapjrt.LoadedExecutable, error)

// apiOf returns the PJRT_Api table of client's plugin, checked to reach
// the serialization functions.
func apiOf(client *xlapjrt.Client) (*C.brainc_api, error) {
	if client == nil {
		return nil, errors.New("pjrt: nil client")
	}
	p, err := cField(reflect.ValueOf(client.Plugin()), "api")
	if err != nil {
		return nil, err
	}
	api := (*C.brainc_api)(p)
	if C.brainc_api_ok(api) == 0 {
		return nil, fmt.Errorf("%w (its PJRT_Api table of %d bytes lacks them)", ErrNoSerialization, api.struct_size)
	}
	return api, nil
}

// cField follows the named fields from v (a pointer to a go-xla struct)
// through pointers to a C pointer and returns it; a missing field or a nil
// pointer is ErrNoSerialization.
func cField(v reflect.Value, path ...string) (unsafe.Pointer, error) {
	for _, name := range path {
		if v.Kind() != reflect.Pointer || v.IsNil() {
			return nil, fmt.Errorf("%w: nil %s in go-xla's objects", ErrNoSerialization, name)
		}
		v = v.Elem().FieldByName(name)
		if !v.IsValid() {
			return nil, fmt.Errorf("%w: go-xla has no field %s", ErrNoSerialization, name)
		}
	}
	if v.Kind() != reflect.Pointer {
		return nil, fmt.Errorf("%w: go-xla's %s is not a pointer", ErrNoSerialization, path[len(path)-1])
	}
	p := *(*unsafe.Pointer)(unsafe.Pointer(v.UnsafeAddr()))
	if p == nil {
		return nil, fmt.Errorf("%w: nil %s in go-xla's objects", ErrNoSerialization, path[len(path)-1])
	}
	return p, nil
}

// pjrtError converts a PJRT error to a Go error (UNIMPLEMENTED wraps
// ErrNoSerialization) and destroys it.
func pjrtError(api *C.brainc_api, perr *C.PJRT_Error, op string) error {
	var msg *C.char
	code := C.brainc_error(api, perr, &msg)
	text := "unknown error"
	if msg != nil {
		text = C.GoString(msg)
		C.free(unsafe.Pointer(msg))
	}
	if code == pjrtUnimplemented {
		return fmt.Errorf("%w: %s: %s", ErrNoSerialization, op, text)
	}
	return fmt.Errorf("pjrt: %s: %s (PJRT error code %d)", op, text, int(code))
}

// API returns the address of the PJRT_Api table of client's plugin, for
// brainc's own C code (package cpuops registers custom-call handlers
// through its extensions), with the PJRT C API version the plugin reports.
func API(client *xlapjrt.Client) (api unsafe.Pointer, major, minor int, err error) {
	if client == nil {
		return nil, 0, 0, errors.New("pjrt: nil client")
	}
	p, err := cField(reflect.ValueOf(client.Plugin()), "api")
	if err != nil {
		return nil, 0, 0, err
	}
	a := (*C.brainc_api)(p)
	return p, int(a.version.major_version), int(a.version.minor_version), nil
}

// Error converts a PJRT_Error* that a PJRT function of client's plugin
// returned (to brainc's own C code) into a Go error, and destroys it.
func Error(client *xlapjrt.Client, perr unsafe.Pointer, op string) error {
	api, err := apiOf(client)
	if err != nil {
		return fmt.Errorf("pjrt: %s failed (%v)", op, err)
	}
	return pjrtError(api, (*C.PJRT_Error)(perr), op)
}

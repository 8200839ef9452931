// XLA FFI handlers (typed FFI, custom-call api_version 4) of brainc's CPU
// event operators, and their registration through the PJRT FFI extension.
//
// The structures below are this project's own declarations of the parts of
// two C ABIs it uses, with the offsets pinned by static assertions:
//   - the XLA FFI C API (xla/ffi/api/c_api.h), versions 0.1 to 0.5 share
//     these layouts; brainc answers XLA's metadata query with version 0.1;
//   - the PJRT FFI extension (xla/pjrt/c/pjrt_c_api_ffi_extension.h,
//     extension version 2, as in PJRT C API 0.104 and later), whose
//     handler registration arguments have no api_version field.
#include <stdint.h>
#include <string.h>

#include "ffi.h"
#include "kernels.h"

// ---- XLA FFI ----

typedef struct ffi_ext_base {
	size_t struct_size;
	int type;
	struct ffi_ext_base* next;
} ffi_ext_base;

typedef struct {
	size_t struct_size;
	void* extension_start;
	int major_version;
	int minor_version;
} ffi_api_version;

typedef struct {
	size_t struct_size;
	ffi_api_version api_version;
	uint32_t traits;
} ffi_metadata;

typedef struct {
	ffi_ext_base base;
	ffi_metadata* metadata;
} ffi_metadata_ext;

typedef struct {
	size_t struct_size;
	void* extension_start;
	int dtype;
	void* data;
	int64_t rank;
	int64_t* dims;
} ffi_buffer;

typedef struct {
	size_t struct_size;
	void* extension_start;
	int64_t size;
	int* types;
	void** ptrs;
} ffi_list; // XLA_FFI_Args and XLA_FFI_Rets

typedef struct {
	size_t struct_size;
	void* extension_start;
	int64_t size;
	int* types;
	void** names;
	void** attrs;
} ffi_attrs;

typedef struct XLA_FFI_Error XLA_FFI_Error;

typedef struct {
	size_t struct_size;
	void* extension_start;
	const char* message;
	int errc;
} ffi_error_create_args;

typedef struct {
	size_t struct_size;
	void* extension_start;
	ffi_api_version api_version;
	void* internal_api;
	XLA_FFI_Error* (*error_create)(ffi_error_create_args*);
} ffi_api;

typedef struct {
	size_t struct_size;
	ffi_ext_base* extension_start;
	const ffi_api* api;
	void* ctx;
	int stage;
	ffi_list args;
	ffi_list rets;
	ffi_attrs attrs;
} ffi_call_frame;

_Static_assert(offsetof(ffi_call_frame, args) == 40, "XLA_FFI_CallFrame.args");
_Static_assert(offsetof(ffi_call_frame, rets) == 80, "XLA_FFI_CallFrame.rets");
_Static_assert(offsetof(ffi_call_frame, attrs) == 120, "XLA_FFI_CallFrame.attrs");
_Static_assert(offsetof(ffi_list, ptrs) == 32, "XLA_FFI_Args.args");
_Static_assert(offsetof(ffi_buffer, data) == 24 && offsetof(ffi_buffer, dims) == 40, "XLA_FFI_Buffer");
_Static_assert(offsetof(ffi_metadata, traits) == 32 && offsetof(ffi_metadata_ext, metadata) == 24, "XLA_FFI_Metadata");
_Static_assert(offsetof(ffi_api, error_create) == 48, "XLA_FFI_Api.XLA_FFI_Error_Create");

enum {
	FFI_EXT_METADATA = 1,
	FFI_STAGE_EXECUTE = 3,
	FFI_BUFFER = 1,
	FFI_S32 = 4,
	FFI_U8 = 6,
	FFI_F32 = 11,
	FFI_F64 = 12,
	FFI_INVALID_ARGUMENT = 3,
	FFI_INTERNAL = 13,
};

// The smallest call frame holding the fields read.
#define FFI_MIN_FRAME (offsetof(ffi_call_frame, attrs))

static XLA_FFI_Error* fail(const ffi_call_frame* cf, const char* msg) {
	if (!cf->api || cf->api->struct_size < offsetof(ffi_api, error_create) + sizeof(void*) || !cf->api->error_create) {
		return NULL; // nothing to report it with
	}
	ffi_error_create_args a = {sizeof a, NULL, msg, FFI_INVALID_ARGUMENT};
	return cf->api->error_create(&a);
}

// answer handles XLA's metadata query (during registration: a metadata
// extension in the frame) and tells whether the call is one to execute.
static int answer(ffi_call_frame* cf) {
	for (ffi_ext_base* e = cf->extension_start; e; e = e->next) {
		if (e->type == FFI_EXT_METADATA) {
			ffi_metadata* m = ((ffi_metadata_ext*)e)->metadata;
			m->api_version.major_version = 0;
			m->api_version.minor_version = 1;
			m->traits = 0;
			return 0;
		}
	}
	return cf->stage == FFI_STAGE_EXECUTE;
}

// elems is a buffer's element count.
static int64_t elems(const ffi_buffer* b) {
	int64_t n = 1;
	for (int64_t d = 0; d < b->rank; d++) n *= b->dims[d];
	return n;
}

static const ffi_buffer* arg(const ffi_call_frame* cf, int i) { return (const ffi_buffer*)cf->args.ptrs[i]; }

// check validates the frame: its size, n operands of buffers (n < 0: at
// least -n) and one result buffer.
static const char* check(const ffi_call_frame* cf, int n) {
	if (cf->struct_size < FFI_MIN_FRAME) return "brainc custom call: the XLA FFI call frame is smaller than the layout brainc was built for";
	if (n >= 0 ? cf->args.size != n : cf->args.size < -n) return "brainc custom call: wrong number of operands";
	if (cf->rets.size != 1 || cf->rets.types[0] != FFI_BUFFER) return "brainc custom call: expected one result buffer";
	for (int64_t i = 0; i < cf->args.size; i++) {
		if (cf->args.types[i] != FFI_BUFFER) return "brainc custom call: operands must be buffers";
	}
	return NULL;
}

// compact: operands caps (s32 [blocks]), then one key (f32 or u8 [size])
// per block; result the events row (s32 [Σ 1 + cap]).
static XLA_FFI_Error* compact_handler(ffi_call_frame* cf) {
	if (!answer(cf)) return NULL;
	const char* bad = check(cf, -1);
	if (bad) return fail(cf, bad);
	const ffi_buffer* caps = arg(cf, 0);
	const ffi_buffer* row = (const ffi_buffer*)cf->rets.ptrs[0];
	int64_t nb = elems(caps);
	if (caps->dtype != FFI_S32 || row->dtype != FFI_S32 || cf->args.size != 1 + nb) {
		return fail(cf, "brainc_compact: expected s32 capacities, one f32 or u8 key per block and an s32 row");
	}
	const int32_t* cap = (const int32_t*)caps->data;
	int64_t width = 0;
	for (int64_t j = 0; j < nb; j++) {
		const ffi_buffer* key = arg(cf, 1 + (int)j);
		int64_t size = elems(key);
		if ((key->dtype != FFI_F32 && key->dtype != FFI_U8) || cap[j] < 1 || cap[j] > size) return fail(cf, "brainc_compact: bad key or capacity");
		width += 1 + cap[j];
	}
	if (width != elems(row)) return fail(cf, "brainc_compact: the row's width is not the blocks' counts and capacities");
	int32_t* out = (int32_t*)row->data;
	for (int64_t j = 0; j < nb; j++) {
		const ffi_buffer* key = arg(cf, 1 + (int)j);
		if (key->dtype == FFI_U8) {
			brainc_compact_block_u8((const uint8_t*)key->data, (int32_t)elems(key), cap[j], out);
		} else {
			brainc_compact_block((const float*)key->data, (int32_t)elems(key), cap[j], out);
		}
		out += 1 + cap[j];
	}
	return NULL;
}

// csr: operands meta (s32 [4]: count offset, capacity, presynaptic size,
// weight mode), the events row (s32), the row pointers (s32 [npre+2]),
// the targets (s32 [S]), the weights (float: [] or [1], [nout+1] or [S]);
// result the input of every target slot (float [nout]).
static XLA_FFI_Error* csr_handler(ffi_call_frame* cf) {
	if (!answer(cf)) return NULL;
	const char* bad = check(cf, 5);
	if (bad) return fail(cf, bad);
	const ffi_buffer *meta = arg(cf, 0), *row = arg(cf, 1), *ptr = arg(cf, 2), *idx = arg(cf, 3), *w = arg(cf, 4);
	const ffi_buffer* out = (const ffi_buffer*)cf->rets.ptrs[0];
	if (meta->dtype != FFI_S32 || elems(meta) != 4 || row->dtype != FFI_S32 || ptr->dtype != FFI_S32 || idx->dtype != FFI_S32) {
		return fail(cf, "brainc_csr: expected s32 meta [4], row, row pointers and targets");
	}
	const int32_t* m = (const int32_t*)meta->data;
	int32_t off = m[0], cap = m[1], npre = m[2], mode = m[3];
	int64_t nout = elems(out), nidx = elems(idx), nw = elems(w);
	if (off < 0 || cap < 0 || (int64_t)off + 1 + cap > elems(row) || npre < 0 || elems(ptr) != (int64_t)npre + 2) {
		return fail(cf, "brainc_csr: the meta operand does not fit the row and the table");
	}
	if (w->dtype != out->dtype || (mode == BRAINC_W_SCALAR && nw != 1) || (mode == BRAINC_W_SLOT && nw != nout + 1) ||
	    (mode == BRAINC_W_SYNAPSE && nw != nidx) || mode < BRAINC_W_SCALAR || mode > BRAINC_W_SYNAPSE) {
		return fail(cf, "brainc_csr: the weights do not fit their mode or the result's type");
	}
	const int32_t* p = (const int32_t*)ptr->data;
	if (out->dtype == FFI_F32) {
		brainc_csr_f32((const int32_t*)row->data, off, cap, npre, p, (const int32_t*)idx->data, nidx,
		               (const float*)w->data, mode, (float*)out->data, nout);
	} else if (out->dtype == FFI_F64) {
		brainc_csr_f64((const int32_t*)row->data, off, cap, npre, p, (const int32_t*)idx->data, nidx,
		               (const double*)w->data, mode, (double*)out->data, nout);
	} else {
		return fail(cf, "brainc_csr: the result must be f32 or f64");
	}
	return NULL;
}

// csr_delayed: operands meta (s32 [5]: count offset, capacity, the
// population's offset in its block, its size, weight mode), the events row
// (s32), the step (s32 scalar), the row pointers (s32 [npre+2]), the
// targets and the delays (s32 [S]), the weights (float: [] or [S]), the
// ring buffer (float [L, npost]); result the new ring buffer.
static XLA_FFI_Error* csr_delayed_handler(ffi_call_frame* cf) {
	if (!answer(cf)) return NULL;
	const char* bad = check(cf, 8);
	if (bad) return fail(cf, bad);
	const ffi_buffer *meta = arg(cf, 0), *row = arg(cf, 1), *step = arg(cf, 2), *ptr = arg(cf, 3), *idx = arg(cf, 4),
	                 *delay = arg(cf, 5), *w = arg(cf, 6), *buf = arg(cf, 7);
	const ffi_buffer* out = (const ffi_buffer*)cf->rets.ptrs[0];
	if (meta->dtype != FFI_S32 || elems(meta) != 5 || row->dtype != FFI_S32 || step->dtype != FFI_S32 || elems(step) != 1 ||
	    ptr->dtype != FFI_S32 || idx->dtype != FFI_S32 || delay->dtype != FFI_S32 || elems(delay) != elems(idx)) {
		return fail(cf, "brainc_csr_delayed: expected s32 meta [5], row, step, row pointers, targets and delays");
	}
	const int32_t* m = (const int32_t*)meta->data;
	int32_t off = m[0], cap = m[1], pop_off = m[2], npre = m[3], mode = m[4];
	int64_t nidx = elems(idx), nw = elems(w);
	if (off < 0 || cap < 0 || (int64_t)off + 1 + cap > elems(row) || npre < 0 || elems(ptr) != (int64_t)npre + 2) {
		return fail(cf, "brainc_csr_delayed: the meta operand does not fit the row and the table");
	}
	if (buf->rank != 2 || out->rank != 2 || buf->dims[0] < 1 || buf->dims[0] != out->dims[0] || buf->dims[1] != out->dims[1] ||
	    buf->dtype != out->dtype || w->dtype != out->dtype || (mode == BRAINC_W_SCALAR && nw != 1) ||
	    (mode == BRAINC_W_SYNAPSE && nw != nidx) || (mode != BRAINC_W_SCALAR && mode != BRAINC_W_SYNAPSE)) {
		return fail(cf, "brainc_csr_delayed: the ring buffer, the result or the weights do not fit");
	}
	int32_t s = *(const int32_t*)step->data;
	const int32_t *p = (const int32_t*)ptr->data, *t = (const int32_t*)idx->data, *d = (const int32_t*)delay->data;
	if (out->dtype == FFI_F32) {
		brainc_csr_delayed_f32((const int32_t*)row->data, off, cap, pop_off, npre, p, t, d, nidx, (const float*)w->data, mode,
		                       (const float*)buf->data, buf->dims[0], buf->dims[1], s, (float*)out->data);
	} else if (out->dtype == FFI_F64) {
		brainc_csr_delayed_f64((const int32_t*)row->data, off, cap, pop_off, npre, p, t, d, nidx, (const double*)w->data, mode,
		                       (const double*)buf->data, buf->dims[0], buf->dims[1], s, (double*)out->data);
	} else {
		return fail(cf, "brainc_csr_delayed: the ring buffer must be f32 or f64");
	}
	return NULL;
}

void* brainc_handler(int which) {
	switch (which) {
	case 0:
		return (void*)compact_handler;
	case 1:
		return (void*)csr_handler;
	case 2:
		return (void*)csr_delayed_handler;
	}
	return NULL;
}

// ---- PJRT FFI extension ----

typedef struct {
	size_t struct_size;
	const char* target_name;
	size_t target_name_size;
	void* handler;
	const char* platform_name;
	size_t platform_name_size;
	uint32_t traits;
} pjrt_ffi_register_args;

typedef void* (*pjrt_ffi_register_fn)(pjrt_ffi_register_args*);

typedef struct {
	size_t struct_size;
	int type;
	void* next;
	void* type_id_register;
	void* user_data_add;
	pjrt_ffi_register_fn register_handler;
} pjrt_ffi_ext;

_Static_assert(offsetof(pjrt_ffi_register_args, traits) == 48, "PJRT_FFI_Register_Handler_Args");
_Static_assert(offsetof(pjrt_ffi_ext, register_handler) == 40, "PJRT_FFI_Extension.register_handler");

void* brainc_register(void* ext, const char* name, void* handler) {
	pjrt_ffi_register_args a;
	memset(&a, 0, sizeof a);
	a.struct_size = offsetof(pjrt_ffi_register_args, traits) + sizeof(uint32_t);
	a.target_name = name;
	a.target_name_size = strlen(name);
	a.handler = handler;
	a.platform_name = "Host";
	a.platform_name_size = 4;
	return ((pjrt_ffi_ext*)ext)->register_handler(&a);
}

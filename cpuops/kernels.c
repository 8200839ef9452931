#include <string.h>

#include "kernels.h"

// COMPACT defines a compaction over keys of type T; ZERO_RUN(at, end) is
// true when keys [at, end) are all 0 (spikes are rare: most runs of keys
// are skipped after one test).
#define COMPACT(NAME, T, ZERO_RUN)                                                   \
	void NAME(const T* key, int32_t size, int32_t cap, int32_t* row) {                \
		int32_t k = cap + 1 < size ? cap + 1 : size;                                  \
		int32_t* slot = row + 1;                                                      \
		/* One pass for the common case: the 1s in index order, the first k         \
		   counted, the first cap kept; a key of 2 sends it to the general path. */ \
		int32_t ones = 0, bad = 0;                                                    \
		for (int32_t at = 0; at < size && !bad; at += 64) {                           \
			int32_t end = at + 64 < size ? at + 64 : size;                            \
			if (ZERO_RUN(at, end)) continue;                                          \
			for (int32_t i = at; i < end; i++) {                                      \
				if (key[i] == 1) {                                                    \
					if (ones < cap) slot[ones] = i;                                   \
					ones++;                                                           \
				} else if (key[i] == 2) {                                             \
					bad = 1;                                                          \
					break;                                                            \
				}                                                                     \
			}                                                                         \
		}                                                                             \
		if (!bad) {                                                                   \
			for (int32_t j = ones; j < cap; j++) slot[j] = size;                      \
			row[0] = ones < k ? ones : k;                                             \
			return;                                                                   \
		}                                                                             \
		/* Keys of 2 come first in top-k's order: each counts cap+2 and takes a      \
		   slot holding the padding index; then the 1s. */                           \
		int32_t count = 0, taken = 0;                                                 \
		for (int32_t i = 0; i < size && taken < k; i++) {                             \
			if (key[i] == 2) {                                                        \
				if (taken < cap) slot[taken] = size;                                  \
				count += cap + 2;                                                     \
				taken++;                                                              \
			}                                                                         \
		}                                                                             \
		for (int32_t i = 0; i < size && taken < k; i++) {                             \
			if (key[i] == 1) {                                                        \
				if (taken < cap) slot[taken] = i;                                     \
				count++;                                                              \
				taken++;                                                              \
			}                                                                         \
		}                                                                             \
		for (int32_t j = taken; j < cap; j++) slot[j] = size;                         \
		row[0] = count;                                                               \
	}

// zero_f32 and zero_u8 test a run of keys for all zero bits (+0 for
// floats), by 64-bit words where whole.
static int zero_words(const void* p, int32_t bytes) {
	uint64_t any = 0;
	const unsigned char* b = (const unsigned char*)p;
	int32_t i = 0;
	for (; i + 8 <= bytes; i += 8) {
		uint64_t w;
		memcpy(&w, b + i, 8);
		any |= w;
	}
	for (; i < bytes; i++) any |= b[i];
	return any == 0;
}
#define ZERO_F32(at, end) zero_words(key + (at), 4 * ((end) - (at)))
#define ZERO_U8(at, end) zero_words(key + (at), (end) - (at))

COMPACT(brainc_compact_block, float, ZERO_F32)
COMPACT(brainc_compact_block_u8, uint8_t, ZERO_U8)

#define BRAINC_CSR(NAME, T)                                                                  \
	void NAME(const int32_t* row, int32_t off, int32_t cap, int32_t npre, const int32_t* ptr, \
	          const int32_t* idx, int64_t nidx, const T* w, int wmode, T* out, int64_t nout) {  \
		memset(out, 0, (size_t)nout * sizeof(T));                                             \
		int32_t n = row[off];                                                                 \
		if (n > cap) n = cap;                                                                 \
		const int32_t* fired = row + off + 1;                                                 \
		for (int32_t k = 0; k < n; k++) {                                                     \
			int32_t i = fired[k];                                                             \
			if (i < 0 || i >= npre) continue;                                                 \
			int64_t end = ptr[i + 1] < nidx ? ptr[i + 1] : nidx;                              \
			for (int64_t s = ptr[i] < 0 ? 0 : ptr[i]; s < end; s++) {                         \
				int32_t t = idx[s];                                                           \
				if (t < 0 || t >= nout) continue;                                             \
				out[t] += wmode == BRAINC_W_SCALAR ? w[0] : wmode == BRAINC_W_SLOT ? w[t] : w[s]; \
			}                                                                                 \
		}                                                                                     \
	}

BRAINC_CSR(brainc_csr_f32, float)
BRAINC_CSR(brainc_csr_f64, double)

#define BRAINC_CSR_DELAYED(NAME, T)                                                                         \
	void NAME(const int32_t* row, int32_t off, int32_t cap, int32_t pop_off, int32_t npre, const int32_t* ptr, \
	          const int32_t* idx, const int32_t* delay, int64_t nidx, const T* w, int wmode, const T* buf,      \
	          int64_t len, int64_t npost, int32_t step, T* out) {                                              \
		int64_t total = len * npost;                                                                         \
		memset(out, 0, (size_t)total * sizeof(T));                                                           \
		int32_t n = row[off];                                                                                \
		if (n > cap) n = cap;                                                                                \
		const int32_t* fired = row + off + 1;                                                                \
		for (int32_t k = 0; k < n; k++) {                                                                    \
			int32_t i = fired[k] - pop_off;                                                                  \
			if (i < 0 || i >= npre) continue;                                                                \
			int64_t end = ptr[i + 1] < nidx ? ptr[i + 1] : nidx;                                             \
			for (int64_t s = ptr[i] < 0 ? 0 : ptr[i]; s < end; s++) {                                        \
				int32_t t = idx[s];                                                                          \
				if (t < 0 || t >= npost) continue;                                                           \
				int64_t r = ((int64_t)delay[s] + step) % len;                                                \
				if (r < 0) r += len;                                                                         \
				out[r * npost + t] += wmode == BRAINC_W_SYNAPSE ? w[s] : w[0];                               \
			}                                                                                                \
		}                                                                                                    \
		for (int64_t j = 0; j < total; j++) out[j] = buf[j] + out[j];                                        \
	}

BRAINC_CSR_DELAYED(brainc_csr_delayed_f32, float)
BRAINC_CSR_DELAYED(brainc_csr_delayed_f64, double)

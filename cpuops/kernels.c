#include <string.h>

#include "kernels.h"

void brainc_compact_block(const float* key, int32_t size, int32_t cap, int32_t* row) {
	int32_t k = cap + 1 < size ? cap + 1 : size;
	int32_t* slot = row + 1;
	int32_t count = 0, taken = 0;
	// Keys of 2 come first in top-k's order: each counts cap+2 and takes a
	// slot holding the padding index.
	for (int32_t i = 0; i < size && taken < k; i++) {
		if (key[i] == 2.0f) {
			if (taken < cap) slot[taken] = size;
			count += cap + 2;
			taken++;
		}
	}
	for (int32_t i = 0; i < size && taken < k; i++) {
		if (key[i] == 1.0f) {
			if (taken < cap) slot[taken] = i;
			count++;
			taken++;
		}
	}
	for (int32_t j = taken; j < cap; j++) slot[j] = size;
	row[0] = count;
}

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

// Event operators of brainc's CPU custom calls, on plain arrays (the XLA
// FFI handlers in ffi.c read their buffers and call these).
#ifndef BRAINC_CPUOPS_KERNELS_H
#define BRAINC_CPUOPS_KERNELS_H

#include <stddef.h>
#include <stdint.h>

// brainc_compact_block writes one block's share of the events row from its
// keys (1: fired, 0: not, 2: a state is not finite), as the loop's top-k
// compaction does (package loop, writeCompaction): of the k = min(cap+1,
// size) largest keys, in the order top-k gives them (larger first, lower
// index first among equals), row[0] is the number of 1s plus cap+2 per 2,
// and row[1..cap] the first cap of them, each its index where the key is
// 1 and size elsewhere.
void brainc_compact_block(const float* key, int32_t size, int32_t cap, int32_t* row);

// brainc_compact_block_u8 is brainc_compact_block on keys of one byte.
void brainc_compact_block_u8(const uint8_t* key, int32_t size, int32_t cap, int32_t* row);

// Weight modes of brainc_csr_*.
enum { BRAINC_W_SCALAR = 0, BRAINC_W_SLOT = 1, BRAINC_W_SYNAPSE = 2 };

// brainc_csr_f32 is ops.EventPropagateCSR (and its per-synapse form) for
// the firing rows given by an events row: out[0..nout) is zeroed, then for
// each of the min(count, cap) indices i after row[off] (count = row[off]),
// in order, each synapse s of row i (ptr[i] ≤ s < ptr[i+1]), in order,
// adds its weight to out[idx[s]]: w[0] (scalar), w[idx[s]] (one weight per
// target slot) or w[s] (one per synapse). Indices outside [0, npre) and
// targets outside [0, nout) are skipped, as the composed operator drops
// them; the order of the additions is the composed scatter's.
void brainc_csr_f32(const int32_t* row, int32_t off, int32_t cap, int32_t npre,
                    const int32_t* ptr, const int32_t* idx, int64_t nidx,
                    const float* w, int wmode, float* out, int64_t nout);

// brainc_csr_f64 is brainc_csr_f32 in float64.
void brainc_csr_f64(const int32_t* row, int32_t off, int32_t cap, int32_t npre,
                    const int32_t* ptr, const int32_t* idx, int64_t nidx,
                    const double* w, int wmode, double* out, int64_t nout);

// brainc_csr_delayed_f32 is ops.EventPropagateCSRDelayed without a row
// scale, for a projection's own table whose rows are one population's
// neurons, from pop_off on in the block the events row numbers: the
// firing block indices i of the row's share (as for brainc_csr) with
// pop_off ≤ i < pop_off + npre are rows i − pop_off; each synapse s adds
// its weight (w[0], or w[s] with BRAINC_W_SYNAPSE) to slot (step +
// delay[s]) mod L, column idx[s], of an accumulator of zeros [L, npost];
// out = buf + accumulator, element by element (the composed operator's
// order of additions).
void brainc_csr_delayed_f32(const int32_t* row, int32_t off, int32_t cap, int32_t pop_off, int32_t npre,
                            const int32_t* ptr, const int32_t* idx, const int32_t* delay, int64_t nidx,
                            const float* w, int wmode, const float* buf, int64_t len, int64_t npost,
                            int32_t step, float* out);

// brainc_csr_delayed_f64 is brainc_csr_delayed_f32 in float64.
void brainc_csr_delayed_f64(const int32_t* row, int32_t off, int32_t cap, int32_t pop_off, int32_t npre,
                            const int32_t* ptr, const int32_t* idx, const int32_t* delay, int64_t nidx,
                            const double* w, int wmode, const double* buf, int64_t len, int64_t npost,
                            int32_t step, double* out);

#endif

#pragma once
// Reference quantizers: float rows into the block formats that rotary writes (synth models,
// test data). Not bit-exact with ggml's quantizers: they pick each block's scales by a small
// search that minimises the squared error, and never do worse than the plain min/max choice
// (docs/quantization.md gives the error bound of every type and how the tests check it).
#include <cstdint>

#include "loader/ggml_types.h"

namespace rotary::quant {

// F32, F16, BF16, Q8_0, Q4_0, Q4_K, Q5_K, Q6_K, IQ4_XS, MXFP4.
bool can_quantize(GgmlType type);

// Writes the ggml_row_bytes(type, n) bytes of `n` floats into `dst`. `n` must be a whole number
// of blocks and every input finite (Error InvalidArgument otherwise); a type outside
// can_quantize is Error Unsupported. F16 follows IEEE: magnitudes above 65504 become infinity.
void quantize_row(GgmlType type, const float* src, void* dst, int64_t n);

// The per-format block quantizers behind quantize_row (n a multiple of the block size).
void quantize_row_q8_0(const float* x, void* dst, int64_t n);
void quantize_row_q4_0(const float* x, void* dst, int64_t n);
void quantize_row_mxfp4(const float* x, void* dst, int64_t n);
void quantize_row_q4_k(const float* x, void* dst, int64_t n);
void quantize_row_q5_k(const float* x, void* dst, int64_t n);
void quantize_row_q6_k(const float* x, void* dst, int64_t n);
void quantize_row_iq4_xs(const float* x, void* dst, int64_t n);

}  // namespace rotary::quant

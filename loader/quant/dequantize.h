#pragma once
// Reference dequantisation: blocks of every type rotary reads, to float. Simple and obviously
// right, and bit-identical with ggml's to_float (same arithmetic in the same order), which the
// oracle suite checks. The GPU kernels are tested against these.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "loader/ggml_types.h"

namespace rotary::quant {

// `n` elements from `src` (n / block_size whole blocks) into dst[0..n).
// Throws Error(Unsupported) for types without a reference, Error(InvalidArgument) when n is
// not a whole number of blocks.
void dequantize_row(GgmlType type, const void* src, float* dst, int64_t n);

std::vector<float> dequantize(GgmlType type, std::span<const std::byte> src, int64_t n);

// Whether dequantize_row handles `type`.
bool can_dequantize(GgmlType type);

}  // namespace rotary::quant

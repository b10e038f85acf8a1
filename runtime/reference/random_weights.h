#pragma once
// Deterministic random test data for the weight kernels' tests and benchmarks: weights of any
// kernel type as valid blocks (finite, moderate scales; every quant field random) and activations.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "loader/ggml_types.h"

namespace rotary::ref {

// rows x cols elements of `type` as a GGUF file lays them out, from `seed`. Scales are chosen so
// that dequantised values stay within about +-10 (normal floats; no subnormal MXFP4 exponents).
std::vector<std::byte> random_weight(GgmlType type, uint32_t rows, uint32_t cols, uint64_t seed);

// n floats uniform in [lo, hi), from `seed`.
std::vector<float> random_floats(size_t n, uint64_t seed, float lo = -1.0f, float hi = 1.0f);

}  // namespace rotary::ref

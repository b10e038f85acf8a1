#pragma once
// llama.cpp's own quantiser and dequantiser (libggml-base of the oracle), in process, for tests:
// quantise test tensors exactly as llama.cpp does, and check rotary's dequantisation against
// llama.cpp's bit for bit. Nothing of ggml's API shows here: types are rotary's GgmlType.
#include <cstdint>
#include <string>
#include <vector>

#include "loader/ggml_types.h"

namespace rotary::ggml_ref {

// Whether libggml-base can quantise to `type` (F32, F16 and BF16 count; types that need an
// importance matrix do not).
bool can_quantize(GgmlType type);

// `rows` rows of `n_per_row` floats -> the blocks llama.cpp writes (ggml_quantize_chunk).
// n_per_row must be a whole number of blocks. `imatrix` (n_per_row weights) may be null.
std::vector<uint8_t> quantize(GgmlType type, const float* src, int64_t rows, int64_t n_per_row,
                              const float* imatrix = nullptr);

// n elements of `type` -> floats, as llama.cpp's type traits (to_float) compute them.
void dequantize(GgmlType type, const void* src, float* dst, int64_t n);

// What libggml-base says about a type: its name, elements per block, bytes per block.
struct TypeTraits {
  std::string name;
  int64_t block_size;
  uint64_t type_size;
  bool is_quantized;
};
TypeTraits traits(GgmlType type);
// By raw id, for ids rotary may not know: block_size 0 marks an id llama.cpp retired.
TypeTraits traits_by_id(uint32_t id);
// Type ids run from 0 to type_count() - 1 (GGML_TYPE_COUNT of this release).
uint32_t type_count();

}  // namespace rotary::ggml_ref

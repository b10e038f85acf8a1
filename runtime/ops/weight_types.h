#pragma once
// The weight types the weight kernels read (get_rows, matvec, matmul, grouped experts), and the
// facts about them that the host side needs: shader variant names and the matvec unit size.
#include <cstdint>
#include <span>
#include <string>

#include "loader/ggml_types.h"

namespace rotary::ops {

// F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, IQ4_NL, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, IQ4_XS, MXFP4,
// IQ2_XXS, IQ2_XS, IQ2_S, IQ3_XXS, IQ3_S, IQ1_S, IQ1_M.
std::span<const GgmlType> weight_kernel_types();
bool has_weight_kernels(GgmlType type);
// The grid-based IQ types, whose kernels read the device's lookup tables (vk::ShaderTables).
bool weight_type_reads_tables(GgmlType type);

// Whether the Q8_1 integer-dot matvec kernels exist for `type` (the dot path, matvec_path.h).
bool has_dot_kernels(GgmlType type);

// "<family>_<type>", e.g. "matvec_q4_k": the shader variant for `type` (lower-case ggml name).
std::string weight_shader(const char* family, GgmlType type);

// Elements one matvec/get_rows unit covers (UNIT_ELEMS of shaders/quant/<type>.glsl).
uint32_t unit_elems(GgmlType type);
// Units in a row of `cols` elements.
inline uint32_t row_units(GgmlType type, uint32_t cols) {
  return (cols + unit_elems(type) - 1) / unit_elems(type);
}

// Throws Error(Unsupported) when `type` has no kernels, Error(InvalidArgument) when `cols` is
// not a positive whole number of blocks or `rows` is 0; `op` names the caller in the message.
void check_weight_shape(GgmlType type, uint64_t cols, uint64_t rows, const char* op);

}  // namespace rotary::ops

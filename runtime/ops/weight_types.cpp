#include "runtime/ops/weight_types.h"

#include <algorithm>
#include <cctype>

#include "base/error.h"
#include "loader/quant/dequantize_iq.h"

namespace rotary::ops {

namespace {
// Each needs shaders/quant/<type>.glsl, its WTYPE_ branch in type.glsl and its name in
// ROTARY_WEIGHT_TYPES (shaders/CMakeLists.txt), and a dequantize_row case (loader/quant).
constexpr GgmlType kTypes[] = {
    GgmlType::F32,  GgmlType::F16,  GgmlType::BF16, GgmlType::Q8_0, GgmlType::Q4_0,   GgmlType::Q4_1,
    GgmlType::Q5_0, GgmlType::Q5_1, GgmlType::IQ4_NL, GgmlType::Q2_K, GgmlType::Q3_K, GgmlType::Q4_K,
    GgmlType::Q5_K, GgmlType::Q6_K, GgmlType::IQ4_XS, GgmlType::MXFP4, GgmlType::IQ2_XXS, GgmlType::IQ2_XS,
    GgmlType::IQ2_S, GgmlType::IQ3_XXS, GgmlType::IQ3_S, GgmlType::IQ1_S, GgmlType::IQ1_M};
}

std::span<const GgmlType> weight_kernel_types() {
  return kTypes;
}

bool has_weight_kernels(GgmlType type) {
  return std::find(std::begin(kTypes), std::end(kTypes), type) != std::end(kTypes);
}

bool has_dot_kernels(GgmlType type) {
  // ROTARY_DOT_TYPES in shaders/CMakeLists.txt: the quant files with unit_dot_q8.
  return type == GgmlType::Q4_0 || type == GgmlType::Q8_0 || type == GgmlType::Q4_K ||
         type == GgmlType::Q5_K || type == GgmlType::Q6_K;
}

bool weight_type_reads_tables(GgmlType type) {
  return quant::is_iq_grid_type(type);
}

std::string weight_shader(const char* family, GgmlType type) {
  std::string name = std::string(family) + "_" + std::string(ggml_type_name(type));
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return name;
}

uint32_t unit_elems(GgmlType type) {
  switch (type) {
    case GgmlType::F32:
      return 4;
    case GgmlType::F16:
    case GgmlType::BF16:
      return 8;
    case GgmlType::Q8_0:
      return 16;
    default:
      return 32;
  }
}

void check_weight_shape(GgmlType type, uint64_t cols, uint64_t rows, const char* op) {
  const GgmlTypeInfo& info = ggml_type_info(type);
  if (!has_weight_kernels(type))
    throw Error(ErrorKind::Unsupported,
                std::string(op) + ": no kernels for weight type " + std::string(info.name));
  if (cols == 0 || rows == 0 || cols % info.block_size != 0 || cols > UINT32_MAX ||
      rows > UINT32_MAX)
    throw Error(ErrorKind::InvalidArgument,
                std::string(op) + ": a " + std::string(info.name) + " weight of " +
                    std::to_string(rows) + " rows x " + std::to_string(cols) +
                    " columns (columns must be a positive multiple of " +
                    std::to_string(info.block_size) + ")");
}

}  // namespace rotary::ops

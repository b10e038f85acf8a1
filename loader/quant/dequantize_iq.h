#pragma once
// Reference dequantisation of the grid-based IQ types (IQ2_XXS, IQ2_XS, IQ2_S, IQ3_XXS, IQ3_S,
// IQ1_S, IQ1_M): internal to dequantize.cpp, which validates the arguments.
#include <cstdint>

#include "loader/ggml_types.h"

namespace rotary::quant {

bool is_iq_grid_type(GgmlType type);
// nb whole 256-element blocks of `type` from src into y.
void dequantize_iq_blocks(GgmlType type, const uint8_t* src, float* y, int64_t nb);

}  // namespace rotary::quant

#pragma once
// How ops see a weight matrix: the bytes of the whole tensor in VRAM, its ggml type and shape.
// `data` may be larger than maxStorageBufferRange; the op splits it by rows (vk::split_rows).
#include <cstdint>

#include "loader/ggml_types.h"
#include "runtime/vk/memory.h"

namespace rotary::ops {

struct WeightView {
  vk::BufferView data;
  GgmlType type = GgmlType::F32;
  uint32_t cols = 0;  // ne[0]: input features, contiguous in memory
  uint32_t rows = 0;  // ne[1]: output features

  uint64_t row_bytes() const { return *ggml_row_bytes(type, cols); }
};

}  // namespace rotary::ops

#pragma once
// Tensors larger than maxStorageBufferRange (128 MiB on lavapipe and some Intel drivers; the
// Qwen3 output head alone is 250 MB) are bound in ranges: split_rows() cuts a row-major tensor
// into chunks of whole rows that can each be bound at an aligned offset.
#include <vector>

#include "runtime/vk/memory.h"

namespace rotary::vk {

struct RowChunk {
  BufferView binding;   // what to bind: starts at an aligned offset at or before the first row
  uint64_t first_row;   // the first row of this chunk in the whole tensor
  uint64_t rows;        // rows in this chunk
  uint64_t skip_bytes;  // bytes between the binding's start and the first row
};

// `max_range` 0 means the device limit. Throws Error(Unsupported) if a single row cannot be bound.
std::vector<RowChunk> split_rows(const BufferView& tensor, uint64_t row_bytes, uint64_t rows,
                                 const DeviceCaps& caps, uint64_t max_range = 0);

}  // namespace rotary::vk

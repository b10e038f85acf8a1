#include "runtime/vk/binding.h"

#include <algorithm>
#include <string>

namespace rotary::vk {

std::vector<RowChunk> split_rows(const BufferView& tensor, uint64_t row_bytes, uint64_t rows, const DeviceCaps& caps,
                                 uint64_t max_range) {
  const uint64_t limit = max_range ? std::min<uint64_t>(max_range, caps.max_storage_buffer_range)
                                   : caps.max_storage_buffer_range;
  const uint64_t align = std::max<uint64_t>(caps.min_storage_offset_alignment, 4);
  std::vector<RowChunk> chunks;
  uint64_t row = 0;
  while (row < rows) {
    const uint64_t start = tensor.offset + row * row_bytes;
    const uint64_t bind_at = align_down(start, align);
    const uint64_t skip = start - bind_at;
    if (skip + row_bytes > limit)
      throw Error(ErrorKind::Unsupported, "a tensor row of " + std::to_string(row_bytes) +
                                              " bytes exceeds this device's maxStorageBufferRange");
    const uint64_t n = std::min(rows - row, (limit - skip) / row_bytes);
    const uint64_t bytes = align_up(skip + n * row_bytes, 4);
    chunks.push_back({BufferView{tensor.buffer, bind_at, bytes, tensor.mapped ? tensor.mapped - tensor.offset + bind_at : nullptr},
                      row, n, skip});
    row += n;
  }
  return chunks;
}

}  // namespace rotary::vk

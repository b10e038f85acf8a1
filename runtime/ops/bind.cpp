#include "runtime/ops/bind.h"

#include <algorithm>
#include <string>

namespace rotary::ops {

BoundRange bind_elements(const vk::DeviceCaps& caps, const vk::BufferView& view, uint64_t count,
                         const char* what, uint64_t max_range) {
  const uint64_t limit = max_range ? std::min(max_range, caps.max_storage_buffer_range)
                                   : caps.max_storage_buffer_range;
  if (!view || view.offset % 4 != 0 || view.size < count * 4)
    throw Error(ErrorKind::InvalidArgument,
                std::string(what) + ": a buffer range of " + std::to_string(view.size) +
                    " bytes at offset " + std::to_string(view.offset) + " for " +
                    std::to_string(count) + " 4-byte elements (needs 4-byte alignment)");
  const uint64_t start =
      vk::align_down(view.offset, std::max<uint64_t>(caps.min_storage_offset_alignment, 4));
  const uint64_t skip = view.offset - start;
  const uint64_t bytes = skip + std::max<uint64_t>(count, 1) * 4;
  if (bytes > limit)
    throw Error(ErrorKind::Unsupported,
                std::string(what) + ": " + std::to_string(bytes) +
                    " bytes in one binding exceed the device's storage buffer range (" +
                    std::to_string(limit) + "); split the work");
  return {vk::BufferView{view.buffer, start, bytes, view.mapped ? view.mapped - skip : nullptr},
          static_cast<uint32_t>(skip / 4)};
}

BoundBytes bind_bytes(const vk::DeviceCaps& caps, const vk::BufferView& view, uint64_t first,
                      uint64_t bytes, const char* what, uint64_t max_range) {
  const uint64_t word = first / 4 * 4, extra = first - word;
  require(word <= view.size, ErrorKind::InvalidArgument,
          std::string(what) + ": a byte range past the end of its buffer");
  const BoundRange r = bind_elements(caps, view.sub(word, view.size - word),
                                     (extra + bytes + 3) / 4, what, max_range);
  return {r.binding, static_cast<uint32_t>(r.offset * 4 + extra)};
}

}  // namespace rotary::ops

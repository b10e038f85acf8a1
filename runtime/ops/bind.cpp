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

BoundWords bind_words(const vk::BufferView& view, uint64_t bytes, const vk::DeviceCaps& caps,
                      uint64_t limit) {
  require(static_cast<bool>(view), ErrorKind::InvalidArgument, "binding an empty buffer view");
  require(view.offset % 4 == 0, ErrorKind::InvalidArgument,
          "a buffer view for a float or uint binding must start at a multiple of 4 bytes");
  require(bytes > 0 && bytes <= view.size, ErrorKind::InvalidArgument,
          "an op needs " + std::to_string(bytes) + " bytes of a " + std::to_string(view.size) +
              "-byte buffer view");
  const uint64_t align = std::max<uint64_t>(caps.min_storage_offset_alignment, 4);
  const uint64_t start = vk::align_down(view.offset, align);
  const uint64_t skip = view.offset - start;
  const uint64_t size = vk::align_up(skip + bytes, 4);
  uint64_t max_range = caps.max_storage_buffer_range;
  if (limit && limit < max_range) max_range = limit;
  if (size > max_range)
    throw Error(ErrorKind::Unsupported, "a binding of " + std::to_string(size) +
                                            " bytes exceeds the storage-buffer range limit of " +
                                            std::to_string(max_range) + " bytes");
  vk::BufferView b{view.buffer, start, size, view.mapped ? view.mapped - skip : nullptr};
  return {b, static_cast<uint32_t>(skip / 4)};
}

uint32_t resolve_workgroup(uint32_t requested, uint32_t fallback, const vk::DeviceCaps& caps,
                           const char* op) {
  uint32_t wg = requested ? requested : fallback;
  const uint32_t cap = std::min(caps.max_workgroup_size_x, caps.max_workgroup_invocations);
  if (!requested)
    while (wg > cap && wg > 1) wg /= 2;
  require(wg > 0 && (wg & (wg - 1)) == 0 && wg <= cap, ErrorKind::InvalidArgument,
          std::string(op) + ": workgroup size " + std::to_string(wg) +
              " must be a power of two no larger than " + std::to_string(cap));
  return wg;
}

}  // namespace rotary::ops

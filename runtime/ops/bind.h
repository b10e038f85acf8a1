#pragma once
// Binding activation ranges that start anywhere (4-byte aligned) in a buffer: the binding starts
// at the largest offset at or before the range that minStorageBufferOffsetAlignment allows, and
// the shader gets the rest as an element offset in push constants.
#include <cstdint>

#include "runtime/vk/memory.h"

namespace rotary::ops {

struct BoundRange {
  vk::BufferView binding;
  uint32_t offset = 0;  // in 4-byte elements from the binding's start
};

// The first `count` 4-byte elements of `view`. Throws Error(InvalidArgument) when `view` is
// shorter or not 4-byte aligned, Error(Unsupported) when the binding would exceed `max_range`
// (0: the device's maxStorageBufferRange). `what` names the range in messages.
BoundRange bind_elements(const vk::DeviceCaps& caps, const vk::BufferView& view, uint64_t count,
                         const char* what, uint64_t max_range = 0);

// Bytes [first, first + bytes) of `view` (which starts 4-byte aligned and extends to a whole word
// past the range), bound from the word holding `first`: for data packed at 2-byte granularity
// (quantised KV rows). `skip_bytes` is where `first` lies in the binding.
struct BoundBytes {
  vk::BufferView binding;
  uint32_t skip_bytes = 0;
};
BoundBytes bind_bytes(const vk::DeviceCaps& caps, const vk::BufferView& view, uint64_t first,
                      uint64_t bytes, const char* what, uint64_t max_range = 0);

}  // namespace rotary::ops

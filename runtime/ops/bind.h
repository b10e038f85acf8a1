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

struct BoundWords {
  vk::BufferView binding;
  uint32_t skip = 0;  // 32-bit words from the binding's start to the view's first byte
};

// Binds the first `bytes` of `view`. Throws Error(InvalidArgument) when the view is too small or
// not 4-byte aligned, Error(Unsupported) when the range exceeds maxStorageBufferRange (the op
// must split it) or `limit` when that is smaller and not 0.
BoundWords bind_words(const vk::BufferView& view, uint64_t bytes, const vk::DeviceCaps& caps,
                      uint64_t limit = 0);

// The workgroup size an op runs with: `requested` when not 0, else `fallback`; either way capped
// by the device and checked to be a power of two (the shared-memory reductions need one).
uint32_t resolve_workgroup(uint32_t requested, uint32_t fallback, const vk::DeviceCaps& caps,
                           const char* op);

// Rows of a 2-D float array: row r starts `stride` floats after row r-1 (0: packed, stride =
// the row length the op is given).
struct Rows {
  vk::BufferView view;
  uint32_t stride = 0;
};

}  // namespace rotary::ops

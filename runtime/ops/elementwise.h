#pragma once
// Elementwise ops over float vectors. Like every op they record into a Recorder and never submit.
#include <cstdint>

#include "runtime/vk/recorder.h"

namespace rotary::ops {

struct ElementwiseTuning {
  uint32_t workgroup_size = 256;
};

// y[i] = a[i] + b[i] for i < n. The views may alias y (in-place residual add).
void add(vk::Recorder& rec, const vk::BufferView& a, const vk::BufferView& b, const vk::BufferView& y, uint32_t n,
         const ElementwiseTuning& tuning = {});

}  // namespace rotary::ops

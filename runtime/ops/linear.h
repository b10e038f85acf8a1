#pragma once
// A linear layer over n tokens: the matvec kernel for one token (decode), the tiled matmul for
// several (prompt chunks). y holds n rows of w.rows floats, x n rows of w.cols. Records, never
// submits.
#include <cstdint>

#include "runtime/ops/matmul.h"
#include "runtime/ops/matvec.h"

namespace rotary::ops {

inline void linear(vk::Recorder& rec, const WeightView& w, const vk::BufferView& x, const vk::BufferView& y,
                   uint32_t n) {
  if (n == 1) matvec(rec, w, x, y);
  else matmul(rec, w, x, y, n);
}

}  // namespace rotary::ops

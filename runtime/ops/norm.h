#pragma once
// RMSNorm fused with its weight: y[r] = x[r] / sqrt(mean(x[r]^2) + eps) * w over rows of `dim`
// floats. The per-head Q/K norm is the same op over n_tokens * n_heads rows of head_dim.
#include <cstdint>

#include "runtime/vk/recorder.h"

namespace rotary::ops {

struct RmsNormShape {
  uint32_t rows = 0;
  uint32_t dim = 0;
  float eps = 1e-6f;
  uint32_t x_stride = 0;  // floats between rows of x; 0: dim
  uint32_t y_stride = 0;  // floats between rows of y; 0: dim
};

struct NormTuning {
  uint32_t workgroup_size = 0;  // 0: 64 for rows up to 512 floats, else 256
};

// x and y may be the same view (in place). w holds `dim` floats.
void rms_norm(vk::Recorder& rec, const vk::BufferView& x, const vk::BufferView& w,
              const vk::BufferView& y, const RmsNormShape& shape, const NormTuning& tuning = {});

}  // namespace rotary::ops

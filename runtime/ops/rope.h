#pragma once
// NEOX rotary position embedding over x[token][head][head_dim]: dimension i < n_rot/2 pairs with
// i + n_rot/2 and turns by theta_i = pos * base^(-2i/n_rot); dimensions >= n_rot pass through
// (Qwen3.5 rotates 64 of 256). Positions come from a buffer, one uint32 per token (< 2^23).
#include <cstdint>

#include "runtime/vk/recorder.h"

namespace rotary::ops {

struct RopeShape {
  uint32_t n_tokens = 0;
  uint32_t n_heads = 0;
  uint32_t head_dim = 0;
  uint32_t n_rot = 0;     // even, <= head_dim, <= 512
  float base = 10000.0f;  // rope.freq_base
  // Floats between tokens and between heads; 0: packed ([n_tokens][n_heads][head_dim]).
  uint32_t x_token_stride = 0, x_head_stride = 0;
  uint32_t y_token_stride = 0, y_head_stride = 0;
};

struct RopeTuning {
  uint32_t workgroup_size = 0;  // 0: 128
};

// base^(-2/n_rot) in float, as ggml computes it (powf(base, -2.0f/n_rot)); every angle is built
// from it by repeated float multiplication, so it must be bit-identical.
float rope_theta_scale(float base, uint32_t n_rot);

// y may be x (in place, same strides). With y elsewhere the pass-through dimensions are copied.
void rope_neox(vk::Recorder& rec, const vk::BufferView& x, const vk::BufferView& positions,
               const vk::BufferView& y, const RopeShape& shape, const RopeTuning& tuning = {});

}  // namespace rotary::ops

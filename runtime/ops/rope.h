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
  // YaRN (loader/hparams.h RopeScaling): the defaults are plain RoPE. theta_i is mixed from
  // freq_scale * theta_i and theta_i by a ramp over the pairs between the correction dims of
  // beta_fast and beta_slow (over n_ctx_orig), times ext_factor; sin and cos are scaled by
  // attn_factor * (1 + 0.1 ln(1 / freq_scale)) when ext_factor is not 0.
  float freq_scale = 1.0f;
  float ext_factor = 0.0f;
  float attn_factor = 1.0f;
  uint32_t n_ctx_orig = 0;
  float beta_fast = 32.0f, beta_slow = 1.0f;
};

struct RopeTuning {
  uint32_t workgroup_size = 0;  // 0: 128
};

// base^(-2/n_rot) in float, as ggml computes it (powf(base, -2.0f/n_rot)); every angle is built
// from it by repeated float multiplication, so it must be bit-identical.
float rope_theta_scale(float base, uint32_t n_rot);

// What the kernel takes for YaRN, computed as ggml does (ggml_rope_yarn_corr_dims, rope_yarn's
// mscale): the ramp's first and last pair, and the factor of sin and cos.
struct RopeYarn {
  float corr_low = 0, corr_high = 0, mscale = 1;
};
RopeYarn rope_yarn(const RopeShape& shape);

// y may be x (in place, same strides). With y elsewhere the pass-through dimensions are copied.
void rope_neox(vk::Recorder& rec, const vk::BufferView& x, const vk::BufferView& positions,
               const vk::BufferView& y, const RopeShape& shape, const RopeTuning& tuning = {});

}  // namespace rotary::ops

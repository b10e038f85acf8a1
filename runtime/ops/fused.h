#pragma once
// Fused kernels: two or more ops in one dispatch with the same bits as the ops one after the other
// (the same operations in the same order), so a model may use either form. Records, never submits.
#include <cstdint>

#include "runtime/ops/rope.h"
#include "runtime/vk/recorder.h"

namespace rotary::ops {

// expert_combine (experts.h) then rms_norm (norm.h) of its output, per token, in one dispatch:
//   out[t][r]    = residual[t][r] + (y[t][0][r] + ... + y[t][top_k - 1][r])
//   normed[t][r] = (out[t][r] * scale_t) * norm_w[r], scale_t = 1 / sqrt(mean(out[t]^2) + eps)
// out has expert_combine's bits; normed has rms_norm's bits when both use `workgroup_size`
// (0: rms_norm's default for rows of n_embd). An empty `residual` means none; it may alias `out`.
void expert_combine_norm(vk::Recorder& rec, const vk::BufferView& y, uint32_t n_tokens, uint32_t top_k,
                         uint32_t n_embd, const vk::BufferView& residual, const vk::BufferView& out,
                         const vk::BufferView& norm_w, float eps, const vk::BufferView& normed,
                         uint32_t workgroup_size = 0);

// The per-head Q/K norm then RoPE in one dispatch: for each token and head, n = rms_norm(x) * w
// (w: head_dim floats), y = rope_neox(n) (pass-through dimensions are n). The bits of rms_norm
// (rows of head_dim, `workgroup_size`, 0: rms_norm's default) then rope_neox. `shape` as
// rope_neox's (strides included); y may be x (in place, same strides).
void norm_rope(vk::Recorder& rec, const vk::BufferView& x, const vk::BufferView& w, float eps,
               const vk::BufferView& positions, const vk::BufferView& y, const RopeShape& shape,
               uint32_t workgroup_size = 0);

// rms_norm then quantize_q8_1 (matvec.h, the dot path) in one dispatch, without writing the
// normalised rows: `rows` rows of `dim` floats (a positive multiple of 32) in x to rows of Q8_1
// blocks in xq (q8_1_bytes(dim) each). The bits of rms_norm (`workgroup_size`, 0: its default for
// rows of dim) then quantize_q8_1.
void norm_quantize_q8_1(vk::Recorder& rec, const vk::BufferView& x, const vk::BufferView& w, float eps,
                        uint32_t rows, uint32_t dim, const vk::BufferView& xq, uint32_t workgroup_size = 0);

}  // namespace rotary::ops

#pragma once
// The two per-head norms of a Gated DeltaNet layer: L2 normalisation of q and k after the conv,
// and the gated RMSNorm of the delta-rule output.
#include <cstdint>

#include "runtime/ops/gdn_shape.h"
#include "runtime/vk/recorder.h"

namespace rotary::ops {

// In place, per head of head_dim floats: x <- x / sqrt(sum(x^2) + eps), as llama.cpp's
// qwen35moe/qwen3next graphs compute it; eps is the model's RMS-norm epsilon. Head i of token t
// starts at float t * token_stride + i * head_dim of x. For the conv output use
// heads = 2 * k_heads and token_stride = conv_channels: q and k are normalised in one dispatch.
void gdn_l2_norm(vk::Recorder& rec, const vk::BufferView& x, uint32_t n_tokens, uint32_t heads,
                 uint32_t head_dim, uint32_t token_stride, float eps, const GdnTuning& tuning = {});

// y = RMSNorm(o; weight) * silu(z) per row of head_dim floats (rows = tokens * value heads):
// RMSNorm(o; w) = o / sqrt(mean(o^2) + eps) * w. o, z, y: [rows][head_dim]; weight: [head_dim]
// (ssm_norm, used as is). y may alias o.
void gdn_gated_norm(vk::Recorder& rec, const vk::BufferView& o, const vk::BufferView& z,
                    const vk::BufferView& weight, const vk::BufferView& y, uint32_t rows,
                    uint32_t head_dim, float eps, const GdnTuning& tuning = {});

}  // namespace rotary::ops

#pragma once
// Gated attention (qwen35moe and qwen3next full-attention layers): attn_q projects each token to
// [query head_dim | gate head_dim] per head; the query goes on to the per-head RMSNorm and RoPE,
// the gate to the sigmoid output gate after attention.
#include <cstdint>

#include "runtime/ops/gdn_shape.h"
#include "runtime/vk/recorder.h"

namespace rotary::ops {

// qg: [n_tokens][heads][2 * head_dim] f32 -> q, gate: [n_tokens][heads][head_dim] f32.
void attn_qgate_split(vk::Recorder& rec, const vk::BufferView& qg, const vk::BufferView& q,
                      const vk::BufferView& gate, uint32_t n_tokens, uint32_t heads,
                      uint32_t head_dim, const GdnTuning& tuning = {});

}  // namespace rotary::ops

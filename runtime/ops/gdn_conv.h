#pragma once
// Gated DeltaNet: the causal depthwise conv (kernel conv_kernel, no bias) with SiLU over the
// conv state followed by the new tokens, which also rolls the conv state forward.
#include <cstdint>

#include "runtime/ops/gdn_shape.h"
#include "runtime/vk/recorder.h"

namespace rotary::ops {

// x:          [n_tokens][conv_channels] f32, the attn_qkv projection ([q | k | v] per token)
// weight:     [conv_channels][conv_kernel] f32 (ssm_conv1d, ggml ne = {conv_kernel, channels})
// conv_state: [conv_kernel - 1][conv_channels] f32, oldest row first; read and rewritten
// y:          [n_tokens][conv_channels] f32, silu(conv); must not alias x
// A new sequence starts from a zeroed conv state. Records one dispatch, or two with a barrier
// between them when the tokens span several blocks (prompts longer than 16 tokens).
void gdn_conv(vk::Recorder& rec, const GdnShape& shape, const vk::BufferView& x,
              const vk::BufferView& weight, const vk::BufferView& conv_state,
              const vk::BufferView& y, uint32_t n_tokens, const GdnTuning& tuning = {});

}  // namespace rotary::ops

#pragma once
// MoE routing on the GPU: softmax over all experts, the k most probable, their probabilities
// renormalised to sum 1. The router GEMV itself (logits = W_router x) is a matvec/matmul op.
// The same op applied to the next layer's router logits gives the prefetch prediction.
#include <cstdint>

#include "runtime/vk/recorder.h"

namespace rotary::ops {

struct RouterShape {
  uint32_t n_tokens = 1;
  uint32_t n_experts = 0;  // <= 512
  uint32_t k = 0;          // <= 16, <= n_experts
  bool normalize =
      true;  // divide the chosen probabilities by their sum (clamped >= 6.103515625e-5)
  // gpt-oss (llama.cpp's SOFTMAX_WEIGHT gating): the k largest logits, weighted by a softmax
  // over those k alone (`normalize` is then moot).
  bool softmax_chosen = false;
};

struct RouterTuning {
  uint32_t workgroup_size = 0;  // 0: 64
};

// logits [n_tokens][n_experts] f32 -> ids [n_tokens][k] uint32 and weights [n_tokens][k] f32, in
// descending probability order (equal probabilities: lower expert id first).
void router_topk(vk::Recorder& rec, const vk::BufferView& logits, const vk::BufferView& ids,
                 const vk::BufferView& weights, const RouterShape& shape,
                 const RouterTuning& tuning = {});

}  // namespace rotary::ops

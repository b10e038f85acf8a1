#pragma once
// Grouped routed-expert kernels: one dispatch computes many experts of a layer through a slot
// table (ExpertSlot[], shaders/expert_slot.h: per entry the page and byte offset of its gate, up
// and down matrices in the slot pool). Each entry's arithmetic depends only on its own weights
// and inputs, never on the other entries or on how the table is split into dispatches, so hits
// and misses may be computed by separate dispatches as uploads land with bitwise identical
// results; expert_combine then sums in a fixed order. Records, never submits.
#include <cstdint>
#include <span>

#include "loader/ggml_types.h"
#include "runtime/ops/matmul.h"
#include "runtime/ops/matvec.h"
#include "runtime/vk/recorder.h"
#include "shaders/expert_slot.h"

namespace rotary::ops {

// What an expert computes from its gate and up products: SwiGLU (Qwen), or gpt-oss's clamped
// SwiGLU min(g, 7) sigmoid(1.702 min(g, 7)) (clamp(u, -7, 7) + 1).
enum class ExpertActivation { Silu, SwigluOai };

// A layer's routed experts as the kernels see them.
struct ExpertLayer {
  // The slot pool's pages, bound as one descriptor array (the order gives the page indices of
  // the table). Each at most maxStorageBufferRange; every expert matrix lies wholly in one page.
  std::span<const vk::BufferView> pages;
  GgmlType gate_up_type = GgmlType::Q4_K;  // ffn_gate_exps and ffn_up_exps (one type for both)
  GgmlType down_type = GgmlType::Q4_K;     // ffn_down_exps
  uint32_t n_embd = 0;                     // model width: gate/up columns, down rows
  uint32_t n_ff = 0;                       // expert FFN width: gate/up rows, down columns
  // gpt-oss: per-expert biases, f32 [n_expert][n_ff] (gate, up) and [n_expert][n_embd] (down),
  // indexed by each entry's `expert`; all three or none (empty views).
  vk::BufferView gate_bias, up_bias, down_bias;
  ExpertActivation activation = ExpertActivation::Silu;
  bool has_biases() const { return gate_bias.buffer != VK_NULL_HANDLE; }
};

// The entries [first, first + count) of a slot table that one dispatch computes. The table view
// starts at a minStorageBufferOffsetAlignment boundary (the recorder checks).
struct ExpertEntries {
  vk::BufferView table;
  uint32_t first = 0;
  uint32_t count = 0;
};

struct ExpertTuning {
  MatvecTuning matvec;  // decode kernels (max_range does not apply: pages are never split)
  MatmulTuning matmul;  // prefill kernels (likewise)
};

// Decode (one token; k = the entry's k_index < top_k):
// h[k][r] = silu(gate_e . x)[r] * (up_e . x)[r]. x: n_embd floats; h: top_k x n_ff floats.
// (With a layer's biases and activation: act(gate_e . x + gate_bias[e], up_e . x + up_bias[e]),
// and below y = w (down_e . h + down_bias[e]); the same in the prefill forms.)
void expert_gate_up(vk::Recorder& rec, const ExpertLayer& layer, const ExpertEntries& entries,
                    const vk::BufferView& x, const vk::BufferView& h, uint32_t top_k,
                    const ExpertTuning& tuning = {});
// y[k][r] = route_weights[k] * (down_e . h[k])[r]. route_weights: top_k floats (the router's
// output, read on the GPU); y: top_k x n_embd floats.
void expert_down(vk::Recorder& rec, const ExpertLayer& layer, const ExpertEntries& entries,
                 const vk::BufferView& h, const vk::BufferView& route_weights,
                 const vk::BufferView& y, uint32_t top_k, const ExpertTuning& tuning = {});

// The dot path (matvec.h): the same products with the activations as Q8_1 blocks and integer dot
// products, for layers whose types have dot kernels (has_dot_kernels; Error(Unsupported) else).
// xq: quantize_q8_1 of x (n_embd); hq: quantize_q8_1 of h as one run of top_k * n_ff values.
void expert_gate_up_q8_1(vk::Recorder& rec, const ExpertLayer& layer, const ExpertEntries& entries,
                         const vk::BufferView& xq, const vk::BufferView& h, uint32_t top_k,
                         const ExpertTuning& tuning = {});
void expert_down_q8_1(vk::Recorder& rec, const ExpertLayer& layer, const ExpertEntries& entries,
                      const vk::BufferView& hq, const vk::BufferView& route_weights,
                      const vk::BufferView& y, uint32_t top_k, const ExpertTuning& tuning = {});

// Prefill: n_tokens tokens with top_k choices each; a choice's slot is token * top_k + k.
struct ExpertRouting {
  vk::BufferView
      pairs;  // uint32 slots: entry e's tokens are pairs[first_pair, first_pair + pair_count)
  uint32_t n_tokens = 0;
  uint32_t top_k = 0;
  uint32_t max_pairs = 0;  // the largest pair_count among the dispatched entries (sizes the grid)
};

// h[slot][r] = silu(gate_e . x[token])[r] * (up_e . x[token])[r] for every pair of every entry.
// x: n_tokens x n_embd floats; h: n_tokens * top_k x n_ff floats.
void expert_gate_up_batched(vk::Recorder& rec, const ExpertLayer& layer,
                            const ExpertEntries& entries, const ExpertRouting& routing,
                            const vk::BufferView& x, const vk::BufferView& h,
                            const ExpertTuning& tuning = {});
// y[slot][r] = route_weights[slot] * (down_e . h[slot])[r]. route_weights: n_tokens * top_k
// floats; y: n_tokens * top_k x n_embd floats.
void expert_down_batched(vk::Recorder& rec, const ExpertLayer& layer, const ExpertEntries& entries,
                         const ExpertRouting& routing, const vk::BufferView& h,
                         const vk::BufferView& route_weights, const vk::BufferView& y,
                         const ExpertTuning& tuning = {});

// out[t][r] = residual[t][r] + (y[t][0][r] + y[t][1][r] + ... + y[t][top_k - 1][r]), in that
// order, for t < n_tokens. y: n_tokens x top_k x n_embd floats. An empty `residual` view means no
// residual; `residual` may alias `out`.
void expert_combine(vk::Recorder& rec, const vk::BufferView& y, uint32_t n_tokens, uint32_t top_k,
                    uint32_t n_embd, const vk::BufferView& residual, const vk::BufferView& out,
                    uint32_t workgroup_size = 256);

// The GPU routes (decode): the router's k chosen ids become a slot table for the kernels above,
// table[j] = map[map_first + ids[j]] with k_index = j. `map` holds every (layer, expert)'s entry,
// layer-major (map_first = layer * n_experts), device-resident; `ids`: k uint32 (router_topk's);
// `table`: at least k entries, its view starting at an aligned offset.
void expert_route(vk::Recorder& rec, const vk::BufferView& ids, uint32_t k, const vk::BufferView& map,
                  uint32_t map_first, uint32_t n_experts, const vk::BufferView& table);

}  // namespace rotary::ops

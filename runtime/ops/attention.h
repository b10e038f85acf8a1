#pragma once
// Causal attention over one layer's KV cache (layout: ops/kv_view.h), GQA, scale 1/sqrt(head_dim).
//
// Queries q[n_tokens][n_heads][head_dim] (f32, RoPE applied) at positions p0 .. p0+n_tokens-1
// attend to cached positions [0, p0 + i]; the cache must already hold positions up to
// p0 + n_tokens - 1 (kv_store first, then a barrier). Query head h uses KV head
// h / (n_heads / n_kv_heads). Output out[n_tokens][n_heads][head_dim] (f32).
//
// One kernel (attention.comp) serves both: decode splits the KV length across workgroups
// (flash-decoding) and merges the partials in a second pass; prefill tiles queries and keys with
// an online softmax in shared memory. A cache larger than maxStorageBufferRange is bound in
// position ranges, each range a dispatch writing partials, merged the same way.
#include <cstdint>
#include <vector>

#include "runtime/ops/kv_view.h"
#include "runtime/vk/recorder.h"

namespace rotary::ops {

struct AttentionShape {
  uint32_t n_tokens = 1;
  uint32_t p0 = 0;       // position of the first query
  uint32_t n_heads = 0;  // query heads; a multiple of the cache's n_kv_heads
  // Sliding window (gpt-oss): 0 for none, else the query at position i sees keys
  // i - window + 1 .. i (llama.cpp's LLAMA_SWA_TYPE_STANDARD).
  uint32_t window = 0;
  // The cache is a ring: position j lives at row j % capacity, and only the keys the window
  // shows are read (capacity >= window + n_tokens - 1, which kv_store's writes then never
  // overwrite before they are read). Needs a window.
  bool ring = false;
  // The first key any query of the call sees.
  uint32_t first_key() const { return window && p0 + 1 > window ? p0 + 1 - window : 0; }
};

struct AttentionTuning {
  uint32_t workgroup_size = 0;          // 0: 128
  uint32_t rows_per_tile = 0;           // query rows per workgroup (power of two); 0: from head_dim
  uint32_t keys_per_tile = 0;           // keys per shared-memory tile; 0: from head_dim
  uint32_t split_keys = 0;              // keys per split; 0: decode splits until target_workgroups,
                                        // prefill only when its tiles alone are too few
  uint32_t target_workgroups = 0;       // 0: 256
  uint32_t combine_workgroup_size = 0;  // 0: 64
  uint64_t max_range = 0;               // cap on one KV binding in bytes (0: the device limit)
};

// What a dispatch sequence looks like for a shape; exposed for tests and for sizing scratch.
struct AttentionPlan {
  uint32_t workgroup_size = 0, rows_per_tile = 0, keys_per_tile = 0, heads_per_row_group = 0;
  uint32_t tiles = 0;        // workgroups along the queries
  uint32_t head_groups = 0;  // workgroups along the heads (n_kv_heads * groups)
  uint32_t split_len = 0;    // keys per split
  uint32_t n_splits = 0;     // splits over the whole KV length; 1: no combine pass
  uint32_t range_len = 0;    // positions per KV binding (a multiple of split_len)
  uint32_t n_ranges = 0;
  uint32_t shared_bytes = 0;
  uint64_t scratch_bytes = 0;  // partials (0 when n_splits == 1)
};

AttentionPlan attention_plan(const AttentionShape& shape, const KvGeometry& geo,
                             const vk::DeviceCaps& caps, const AttentionTuning& tuning = {});

// Scratch that serves every shape up to `max_tokens` queries per call at every position of a cache
// of this geometry: size it once. (The number of splits is not monotonic in the KV length, so this
// bounds it over every length rather than evaluating the full cache.)
uint64_t attention_scratch_bytes(uint32_t max_tokens, uint32_t n_heads, const KvGeometry& geo,
                                 const vk::DeviceCaps& caps, const AttentionTuning& tuning = {});

// `scratch` holds attention_plan(...).scratch_bytes (it may be empty when that is 0).
// `sinks` (gpt-oss; empty for none): n_heads floats, head h's sink logit joins each of its rows'
// softmax (scores scaled, the sink not) and adds nothing to the output.
void attention(vk::Recorder& rec, const vk::BufferView& q, const KvLayerView& kv,
               const vk::BufferView& out, const vk::BufferView& scratch,
               const AttentionShape& shape, const AttentionTuning& tuning = {},
               const vk::BufferView& sinks = {});

// One token at position kv_len - 1 against [0, kv_len): the flash-decoding path.
inline void attention_decode(vk::Recorder& rec, const vk::BufferView& q, const KvLayerView& kv,
                             const vk::BufferView& out, const vk::BufferView& scratch,
                             uint32_t n_heads, uint32_t kv_len,
                             const AttentionTuning& tuning = {}) {
  attention(rec, q, kv, out, scratch, {1, kv_len - 1, n_heads}, tuning);
}

// n_tokens queries at p0 .. p0+n_tokens-1 (p0 > 0 continues a cached prompt).
inline void attention_prefill(vk::Recorder& rec, const vk::BufferView& q, const KvLayerView& kv,
                              const vk::BufferView& out, const vk::BufferView& scratch,
                              uint32_t n_tokens, uint32_t p0, uint32_t n_heads,
                              const AttentionTuning& tuning = {}) {
  attention(rec, q, kv, out, scratch, {n_tokens, p0, n_heads}, tuning);
}

}  // namespace rotary::ops

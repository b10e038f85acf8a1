#pragma once
// Appends the current tokens' K and V to one layer's cache (layout: ops/kv_view.h).
#include <cstdint>

#include "runtime/ops/kv_view.h"
#include "runtime/vk/recorder.h"

namespace rotary::ops {

struct KvStoreTuning {
  uint32_t workgroup_size = 0;  // 0: 256
  uint64_t max_range = 0;       // cap on one binding (0: the device's); tests force range splits
};

// k_cur and v_cur are [n_tokens][n_kv_heads * head_dim] f32, rows `src_stride` floats apart
// (0: packed); they go to positions [p0, p0 + n_tokens) in the cache's types: F16 rounded to
// nearest even, bit-identical with ggml's fp32 -> fp16; Q8_0 and Q4_0 the bytes llama.cpp's
// reference quantisers write (ggml_quantize_chunk).
void kv_store(vk::Recorder& rec, const vk::BufferView& k_cur, const vk::BufferView& v_cur,
              const KvLayerView& kv, uint32_t p0, uint32_t n_tokens, uint32_t src_stride = 0,
              const KvStoreTuning& tuning = {});

}  // namespace rotary::ops

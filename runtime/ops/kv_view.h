#pragma once
// How ops see one layer's KV cache.
//
// Layout: per layer, K and V are separate buffers, each [capacity][n_kv_heads][head_dim]
// (position-major; the layout llama.cpp uses for K, and for V without flash attention's
// transpose). Why position-major:
// - the current tokens' K (or V) rows land in one contiguous run, so kv_store writes one range;
// - a range of positions is one contiguous byte range covering every head, so a cache larger
//   than maxStorageBufferRange is bound in position ranges and one dispatch per range serves all
//   heads; that range split is the same split of the KV length that decode uses anyway;
// - a KV head's row (head_dim elements, 256-512 bytes) is still contiguous, which is all that
//   coalesced loads need.
// Elements are F32 (the exact path tests use) or F16 (the fast default: half the bytes to read
// per decoded token), chosen when the cache is created.
#include <cstdint>

#include "runtime/vk/memory.h"

namespace rotary::ops {

enum class KvType : uint32_t { F32, F16 };

inline const char* to_string(KvType t) {
  return t == KvType::F32 ? "f32" : "f16";
}

struct KvGeometry {
  KvType type = KvType::F16;
  uint32_t n_kv_heads = 0;
  uint32_t head_dim = 0;  // even
  uint32_t capacity = 0;  // positions

  uint32_t elem_bytes() const { return type == KvType::F32 ? 4 : 2; }
  uint64_t row_bytes() const {
    return uint64_t{n_kv_heads} * head_dim * elem_bytes();
  }                                                          // one position
  uint64_t bytes() const { return row_bytes() * capacity; }  // K or V of one layer
};

struct KvLayerView {
  vk::BufferView k;  // [capacity][n_kv_heads][head_dim]
  vk::BufferView v;  // [capacity][n_kv_heads][head_dim]
  KvGeometry geo;
};

}  // namespace rotary::ops

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
// Element types (K and V each, chosen when the cache is created; llama.cpp's -ctk/-ctv):
//   F32   the exact path tests use (--exact)
//   F16   the default: half the bytes to read per decoded token
//   Q8_0  llama.cpp's blocks of 32: {f16 d, int8 q[32]}, value q * d; 34 bytes (8.5 bits/value)
//   Q4_0  llama.cpp's blocks of 32: {f16 d, u8 qs[16]}, value (nibble - 8) * d, element j < 16 in
//         the low nibble of qs[j], element 16 + j in its high nibble; 18 bytes (4.5 bits/value)
// Quantised rows are whole blocks (head_dim a multiple of 32); a block may start at any even
// byte (34 and 18 are not multiples of 4), a position's row too.
#include <cstdint>
#include <string>

#include "runtime/vk/memory.h"

namespace rotary::ops {

enum class KvType : uint32_t { F32, F16, Q8_0, Q4_0 };

const char* to_string(KvType t);
// "f32", "f16", "q8_0", "q4_0" (llama.cpp's names); anything else is Error(InvalidArgument)
// naming the accepted values. `flag` names the option in the message.
KvType parse_kv_type(const std::string& name, const char* flag);

uint32_t kv_block_elems(KvType t);  // 1 for F32/F16, 32 for the quantised types
uint32_t kv_block_bytes(KvType t);  // 4, 2, 34, 18
inline bool kv_quantised(KvType t) { return t == KvType::Q8_0 || t == KvType::Q4_0; }

// The types of K and V. One type converts implicitly: both tensors of that type.
struct KvTypes {
  KvType k = KvType::F16;
  KvType v = KvType::F16;
  KvTypes() = default;
  KvTypes(KvType both) : k(both), v(both) {}  // NOLINT(google-explicit-constructor)
  KvTypes(KvType k_type, KvType v_type) : k(k_type), v(v_type) {}
  bool operator==(const KvTypes&) const = default;
};
// "f16" when both are one type, else "k q8_0, v f16".
std::string to_string(KvTypes t);

struct KvGeometry {
  KvTypes types;
  uint32_t n_kv_heads = 0;
  uint32_t head_dim = 0;  // even; a multiple of 32 for quantised types
  uint32_t capacity = 0;  // positions

  // Bytes of one position (every head) in a tensor of type t; K or V of one layer.
  uint64_t row_bytes(KvType t) const {
    return uint64_t{n_kv_heads} * head_dim / kv_block_elems(t) * kv_block_bytes(t);
  }
  uint64_t k_row_bytes() const { return row_bytes(types.k); }
  uint64_t v_row_bytes() const { return row_bytes(types.v); }
  uint64_t tensor_bytes(KvType t) const { return row_bytes(t) * capacity; }
  // K plus V of one layer, each rounded up to whole words (what KvCache allocates).
  uint64_t layer_bytes() const {
    return vk::align_up(tensor_bytes(types.k), 4) + vk::align_up(tensor_bytes(types.v), 4);
  }
};

// Throws Error(InvalidArgument) when the geometry cannot hold its types (head_dim not a multiple
// of a quantised type's block).
void validate(const KvGeometry& geo);

struct KvLayerView {
  vk::BufferView k;  // [capacity][n_kv_heads][head_dim] of geo.types.k
  vk::BufferView v;  // [capacity][n_kv_heads][head_dim] of geo.types.v
  KvGeometry geo;
};

}  // namespace rotary::ops

#include "runtime/ops/kv_view.h"

#include "base/error.h"

namespace rotary::ops {

const char* to_string(KvType t) {
  switch (t) {
    case KvType::F32: return "f32";
    case KvType::F16: return "f16";
    case KvType::Q8_0: return "q8_0";
    case KvType::Q4_0: return "q4_0";
  }
  return "?";
}

KvType parse_kv_type(const std::string& name, const char* flag) {
  for (KvType t : {KvType::F32, KvType::F16, KvType::Q8_0, KvType::Q4_0})
    if (name == to_string(t)) return t;
  throw Error(ErrorKind::InvalidArgument, std::string(flag) + ": unknown KV cache type '" + name +
                                              "' (rotary supports f32, f16, q8_0, q4_0)");
}

uint32_t kv_block_elems(KvType t) {
  return kv_quantised(t) ? 32 : 1;
}

uint32_t kv_block_bytes(KvType t) {
  switch (t) {
    case KvType::F32: return 4;
    case KvType::F16: return 2;
    case KvType::Q8_0: return 34;
    case KvType::Q4_0: return 18;
  }
  return 0;
}

std::string to_string(KvTypes t) {
  if (t.k == t.v) return to_string(t.k);
  return std::string("k ") + to_string(t.k) + ", v " + to_string(t.v);
}

void validate(const KvGeometry& geo) {
  require(geo.n_kv_heads > 0 && geo.head_dim > 0 && geo.head_dim % 2 == 0 && geo.capacity > 0,
          ErrorKind::InvalidArgument,
          "KV cache: heads, an even head_dim and a capacity must be given");
  for (KvType t : {geo.types.k, geo.types.v})
    require(geo.head_dim % kv_block_elems(t) == 0, ErrorKind::InvalidArgument,
            std::string("KV cache type ") + to_string(t) + " needs a head_dim that is a multiple of " +
                std::to_string(kv_block_elems(t)) + "; this model's is " +
                std::to_string(geo.head_dim) + " (use f16)");
}

}  // namespace rotary::ops

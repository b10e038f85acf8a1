#include "runtime/ops/kv_store.h"

#include <algorithm>
#include <string>

#include "runtime/check/op_checks.h"
#include "runtime/check/op_scope.h"
#include "runtime/ops/bind.h"
#include "runtime/ops/grid.h"
#include "runtime/ops/tuning.h"
#include "shaders/push.h"

namespace rotary::ops {

namespace {

std::string store_shader(KvType type) {
  return std::string("kv_store_") + to_string(type);
}

void store_one(vk::Recorder& rec, const vk::BufferView& src, const vk::BufferView& dst,
               const KvGeometry& geo, KvType type, uint32_t p0, uint32_t n_tokens, uint32_t stride,
               uint32_t wg, uint64_t limit) {
  const uint64_t row_bytes = geo.row_bytes(type);
  const uint32_t row_elems = geo.n_kv_heads * geo.head_dim;
  const uint64_t range = limit ? std::min(limit, rec.caps().max_storage_buffer_range)
                               : rec.caps().max_storage_buffer_range;
  // Rows per binding, leaving room for the alignment skip before the first row and the word
  // that a quantised row may end inside.
  const uint64_t align = std::max<uint64_t>(rec.caps().min_storage_offset_alignment, 4) + 4;
  require(range > align && (range - align) / row_bytes > 0, ErrorKind::Unsupported,
          "kv_store: one cache row exceeds the storage-buffer range limit");
  const uint32_t per_piece =
      static_cast<uint32_t>(std::min<uint64_t>((range - align) / row_bytes, n_tokens));
  const vk::Pipeline& p =
      rec.pipeline({store_shader(type), {wg}, 2, sizeof(push::KvStorePush)});
  for (uint32_t t = 0; t < n_tokens; t += per_piece) {
    const uint32_t n = std::min(per_piece, n_tokens - t);
    const BoundRange bs = bind_elements(
        rec.caps(), src.sub(uint64_t{t} * stride * 4, src.size - uint64_t{t} * stride * 4),
        (n - 1) * uint64_t{stride} + row_elems, "kv_store");
    const BoundBytes bd =
        bind_bytes(rec.caps(), dst, (p0 + t) * row_bytes, n * row_bytes, "kv_store", limit);
    const push::KvStorePush pc{n, row_elems, bs.offset, stride, bd.skip_bytes};
    // One invocation per element (F32), word (F16) or block (quantised).
    const uint64_t items = uint64_t{n} * row_elems /
                           (type == KvType::F16 ? 2 : kv_block_elems(type));
    const Grid g = grid_for(rec.caps(), items, wg);
    rec.dispatch(p, {bs.binding, bd.binding}, pc, g.x, g.y);
  }
}

}  // namespace

void kv_store(vk::Recorder& rec, const vk::BufferView& k_cur, const vk::BufferView& v_cur,
              const KvLayerView& kv, uint32_t p0, uint32_t n_tokens, uint32_t src_stride,
              const KvStoreTuning& tuning) {
  const check::OpScope checked(
      rec, [&] { return check::kv_store(k_cur, v_cur, kv, p0, n_tokens, src_stride); });
  const KvGeometry& geo = kv.geo;
  validate(geo);
  if (n_tokens == 0) return;
  if (uint64_t{p0} + n_tokens > geo.capacity)
    throw Error(ErrorKind::ContextFull, "the KV cache holds " + std::to_string(geo.capacity) +
                                            " positions; storing " + std::to_string(n_tokens) +
                                            " at " + std::to_string(p0) +
                                            " does not fit (raise --ctx)");
  const uint32_t row_elems = geo.n_kv_heads * geo.head_dim;
  const uint32_t stride = src_stride ? src_stride : row_elems;
  require(stride >= row_elems, ErrorKind::InvalidArgument, "kv_store: source rows overlap");
  const uint32_t wg = resolve_workgroup_size(rec.caps(), tuning.workgroup_size, 256, "kv_store");
  store_one(rec, k_cur, kv.k, geo, geo.types.k, p0, n_tokens, stride, wg, tuning.max_range);
  store_one(rec, v_cur, kv.v, geo, geo.types.v, p0, n_tokens, stride, wg, tuning.max_range);
}

}  // namespace rotary::ops

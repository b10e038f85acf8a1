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

void store_one(vk::Recorder& rec, const vk::BufferView& src, const vk::BufferView& dst,
               const KvGeometry& geo, uint32_t p0, uint32_t n_tokens, uint32_t stride, uint32_t wg,
               uint64_t limit) {
  const uint64_t row_bytes = geo.row_bytes();
  const uint32_t row_elems = geo.n_kv_heads * geo.head_dim;
  const uint64_t range = limit ? std::min(limit, rec.caps().max_storage_buffer_range)
                               : rec.caps().max_storage_buffer_range;
  // Rows per binding, leaving room for the alignment skip before the first row.
  const uint64_t align = std::max<uint64_t>(rec.caps().min_storage_offset_alignment, 4);
  require(range > align && (range - align) / row_bytes > 0, ErrorKind::Unsupported,
          "kv_store: one cache row exceeds the storage-buffer range limit");
  const uint32_t per_piece =
      static_cast<uint32_t>(std::min<uint64_t>((range - align) / row_bytes, n_tokens));
  const char* shader = geo.type == KvType::F32 ? "kv_store_f32" : "kv_store_f16";
  const vk::Pipeline& p = rec.pipeline({shader, {wg}, 2, sizeof(push::KvStorePush)});
  for (uint32_t t = 0; t < n_tokens; t += per_piece) {
    const uint32_t n = std::min(per_piece, n_tokens - t);
    const BoundRange bs = bind_elements(
        rec.caps(), src.sub(uint64_t{t} * stride * 4, src.size - uint64_t{t} * stride * 4),
        (n - 1) * uint64_t{stride} + row_elems, "kv_store");
    const BoundRange bd =
        bind_elements(rec.caps(), dst.sub((p0 + t) * row_bytes, uint64_t{n} * row_bytes),
                      n * row_bytes / 4, "kv_store", limit);
    const push::KvStorePush pc{n, row_elems, bs.offset, stride, bd.offset};
    const uint64_t items =
        geo.type == KvType::F32 ? uint64_t{n} * row_elems : uint64_t{n} * row_elems / 2;
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
  require(geo.head_dim % 2 == 0 && geo.n_kv_heads > 0, ErrorKind::InvalidArgument,
          "kv_store: head_dim must be even and n_kv_heads positive");
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
  store_one(rec, k_cur, kv.k, geo, p0, n_tokens, stride, wg, tuning.max_range);
  store_one(rec, v_cur, kv.v, geo, p0, n_tokens, stride, wg, tuning.max_range);
}

}  // namespace rotary::ops

#include "runtime/ops/matmul.h"

#include <algorithm>
#include <string>

#include "runtime/check/op_checks.h"
#include "runtime/check/op_scope.h"
#include "runtime/ops/bind.h"
#include "runtime/ops/tuning.h"
#include "runtime/ops/weight_types.h"
#include "runtime/vk/binding.h"
#include "shaders/push.h"
#include "shaders/registry.h"

namespace rotary::ops {

uint32_t matmul_shared_bytes(const MatmulTuning& t, uint32_t nmat) {
  return 4 * (nmat * 32 * t.tile_rows + 32 * (t.tile_tokens + 1) + t.tile_tokens);
}

MatmulTuning resolve(const MatmulTuning& tuning, const vk::DeviceCaps& caps, uint32_t n,
                     uint32_t nmat) {
  MatmulTuning t = tuning;
  if (!t.tile_rows) t.tile_rows = 64;
  if (!t.tile_tokens) t.tile_tokens = n <= 16 ? 16 : n <= 32 ? 32 : 64;
  if (!t.thread_rows) t.thread_rows = 8;
  if (!t.thread_tokens) t.thread_tokens = std::max<uint32_t>(t.tile_tokens / 8, 1);
  if (!t.subgroup_min) t.subgroup_min = min_subgroup_size(caps);
  if (t.tile_rows % t.thread_rows != 0 || t.tile_tokens % t.thread_tokens != 0)
    throw Error(ErrorKind::InvalidArgument, "matmul: thread tiles must divide the workgroup tile");
  const uint32_t wg = t.workgroup_size();
  if (wg == 0 || wg > caps.max_workgroup_invocations || wg > caps.max_workgroup_size_x)
    throw Error(ErrorKind::InvalidArgument,
                "matmul: a tile of " + std::to_string(wg) + " invocations");
  if (matmul_shared_bytes(t, nmat) > caps.max_shared_memory)
    throw Error(ErrorKind::InvalidArgument, "matmul: tiles of " + std::to_string(t.tile_rows) +
                                                " x " + std::to_string(t.tile_tokens) + " need " +
                                                std::to_string(matmul_shared_bytes(t, nmat)) +
                                                " bytes of shared memory; the device has " +
                                                std::to_string(caps.max_shared_memory));
  return t;
}

std::string matmul_coopmat_shader(GgmlType type) {
  return weight_shader("matmul_coopmat", type);
}

vk::MatmulPath matmul_path(const vk::Device& device, vk::MatmulPath tuning_path, GgmlType type) {
  const vk::MatmulPath requested = tuning_path != vk::MatmulPath::automatic ? tuning_path : device.matmul_path();
  return vk::resolve_matmul_path(device.caps(), requested,
                                 shaders::find(matmul_coopmat_shader(type)) != nullptr);
}

void matmul(vk::Recorder& rec, const WeightView& w, const vk::BufferView& x,
            const vk::BufferView& y, uint32_t n, const MatmulTuning& tuning) {
  const check::OpScope checked(rec, [&] { return check::matmul(w, x, y, n); });
  check_weight_shape(w.type, w.cols, w.rows, "matmul");
  if (n == 0) return;
  const vk::DeviceCaps& caps = rec.caps();
  const MatmulTuning t = resolve(tuning, caps, n);
  const uint64_t row_bytes = w.row_bytes();
  require(w.data.size >= row_bytes * w.rows, ErrorKind::InvalidArgument,
          "matmul: the weight view is too small");
  require(x.size >= uint64_t{n} * w.cols * 4 && y.size >= uint64_t{n} * w.rows * 4,
          ErrorKind::InvalidArgument, "matmul: x or y is smaller than n rows");
  const bool coop = matmul_path(rec.device(), t.path, w.type) == vk::MatmulPath::coopmat;
  const uint32_t tile_rows = coop ? 64 : t.tile_rows, tile_tokens = coop ? 64 : t.tile_tokens;
  const vk::Pipeline& p =
      coop ? rec.pipeline({matmul_coopmat_shader(w.type), {4 * caps.subgroup_size}, 3,
                           sizeof(push::MatmulPush), caps.subgroup_size})
           : rec.pipeline({weight_shader("matmul", w.type),
                           {t.workgroup_size(), t.subgroup_min, t.tile_rows, t.tile_tokens,
                            t.thread_rows, t.thread_tokens},
                           3,
                           sizeof(push::MatmulPush)});
  // Tokens per dispatch so that x and y pieces stay within one binding.
  const uint64_t limit = t.max_range ? std::min(t.max_range, caps.max_storage_buffer_range)
                                     : caps.max_storage_buffer_range;
  const uint64_t align = std::max<uint64_t>(caps.min_storage_offset_alignment, 4);
  const uint64_t per_token = 4ull * std::max(w.cols, w.rows);
  require(limit > align + per_token, ErrorKind::Unsupported,
          "matmul: one token's activations exceed a binding");
  const uint32_t tokens_per =
      static_cast<uint32_t>(std::min<uint64_t>((limit - align) / per_token, n));
  const auto chunks = vk::split_rows(w.data, row_bytes, w.rows, caps, t.max_range);
  for (uint32_t t0 = 0; t0 < n; t0 += tokens_per) {
    const uint32_t tn = std::min(tokens_per, n - t0);
    const BoundRange xb =
        bind_elements(caps, x.sub(uint64_t{t0} * w.cols * 4, uint64_t{tn} * w.cols * 4),
                      uint64_t{tn} * w.cols, "matmul x", t.max_range);
    const BoundRange yb =
        bind_elements(caps, y.sub(uint64_t{t0} * w.rows * 4, uint64_t{tn} * w.rows * 4),
                      uint64_t{tn} * w.rows, "matmul y", t.max_range);
    for (const vk::RowChunk& c : chunks) {
      const push::MatmulPush pc{w.cols,
                                static_cast<uint32_t>(c.rows),
                                static_cast<uint32_t>(row_bytes),
                                static_cast<uint32_t>(c.skip_bytes),
                                tn,
                                xb.offset,
                                w.cols,
                                static_cast<uint32_t>(yb.offset + c.first_row),
                                w.rows};
      const uint32_t gx = static_cast<uint32_t>((c.rows + tile_rows - 1) / tile_rows);
      const uint32_t gy = (tn + tile_tokens - 1) / tile_tokens;
      require(gx <= caps.max_workgroup_count[0] && gy <= caps.max_workgroup_count[1],
              ErrorKind::Unsupported,
              "matmul: more row or token tiles than the device's workgroup count limit");
      const vk::DispatchCost cost{c.rows * row_bytes + uint64_t{tn} * w.cols * 4, uint64_t{tn} * c.rows * 4,
                                  2.0 * static_cast<double>(c.rows) * w.cols * tn};
      rec.dispatch(cost, p, {c.binding, xb.binding, yb.binding}, pc, gx, gy);
    }
  }
}

}  // namespace rotary::ops

#include "runtime/ops/get_rows.h"

#include "runtime/check/op_checks.h"
#include "runtime/check/op_scope.h"
#include "runtime/ops/bind.h"
#include "runtime/ops/tuning.h"
#include "runtime/ops/weight_types.h"
#include "runtime/vk/binding.h"
#include "shaders/push.h"

namespace rotary::ops {

GetRowsTuning resolve(const GetRowsTuning& tuning, const vk::DeviceCaps& caps) {
  GetRowsTuning t = tuning;
  if (!t.workgroup_size) t.workgroup_size = 64;
  if (!t.subgroup_min) t.subgroup_min = min_subgroup_size(caps);
  check_workgroup_size(caps, t.workgroup_size, "get_rows");
  return t;
}

void get_rows(vk::Recorder& rec, const WeightView& w, const vk::BufferView& ids, uint32_t count,
              const vk::BufferView& out, const GetRowsTuning& tuning) {
  const check::OpScope checked(rec, [&] { return check::get_rows(w, ids, count, out); });
  check_weight_shape(w.type, w.cols, w.rows, "get_rows");
  if (count == 0) return;
  const vk::DeviceCaps& caps = rec.caps();
  const GetRowsTuning t = resolve(tuning, caps);
  const uint64_t row_bytes = w.row_bytes();
  require(w.data.size >= row_bytes * w.rows, ErrorKind::InvalidArgument,
          "get_rows: the weight view is too small");
  require(count <= caps.max_workgroup_count[1], ErrorKind::InvalidArgument,
          "get_rows: more ids than the device's workgroup count limit; split them");
  const BoundRange ib = bind_elements(caps, ids, count, "get_rows ids");
  const BoundRange ob = bind_elements(caps, out, uint64_t{count} * w.cols, "get_rows out");
  const vk::Pipeline& p = rec.pipeline({weight_shader("get_rows", w.type),
                                        {t.workgroup_size, t.subgroup_min},
                                        3,
                                        sizeof(push::GetRowsPush)});
  const uint32_t gx = (row_units(w.type, w.cols) + t.workgroup_size - 1) / t.workgroup_size;
  for (const vk::RowChunk& c : vk::split_rows(w.data, row_bytes, w.rows, caps, t.max_range)) {
    const push::GetRowsPush pc{w.cols,
                               static_cast<uint32_t>(c.rows),
                               static_cast<uint32_t>(row_bytes),
                               static_cast<uint32_t>(c.skip_bytes),
                               static_cast<uint32_t>(c.first_row),
                               count,
                               ib.offset,
                               ob.offset};
    // The ids' rows, not the bound table: a chunk holds its share of them (on average).
    const double share = static_cast<double>(c.rows) / static_cast<double>(w.rows);
    const vk::DispatchCost cost{static_cast<uint64_t>(share * count * row_bytes) + uint64_t{count} * 4,
                                static_cast<uint64_t>(share * count * w.cols * 4), 0};
    rec.dispatch(cost, p, {c.binding, ib.binding, ob.binding}, pc, gx, count);
  }
}

}  // namespace rotary::ops

#include "runtime/ops/matvec.h"

#include "runtime/check/op_checks.h"
#include "runtime/check/op_scope.h"
#include "runtime/ops/bind.h"
#include "runtime/ops/grid.h"
#include "runtime/ops/tuning.h"
#include "runtime/ops/weight_types.h"
#include "runtime/vk/binding.h"
#include "shaders/push.h"

namespace rotary::ops {

MatvecTuning resolve(const MatvecTuning& t, const vk::DeviceCaps& caps, uint32_t units) {
  MatvecTuning r = t;
  const bool cpu = is_cpu_device(caps);
  const bool long_rows = units >= 64;
  if (!r.workgroup_size)
    r.workgroup_size = cpu ? std::max<uint32_t>(caps.subgroup_size, 1)
                           : std::max<uint32_t>(long_rows ? 64 : 32, caps.subgroup_size);
  if (!r.rows_per_workgroup) r.rows_per_workgroup = cpu ? 1 : long_rows ? 2 : 4;
  if (!r.subgroup_min) r.subgroup_min = min_subgroup_size(caps);
  check_workgroup_size(caps, r.workgroup_size, "matvec");
  if (r.rows_per_workgroup > r.workgroup_size)
    throw Error(ErrorKind::InvalidArgument, "matvec: more rows per workgroup than invocations");
  return r;
}

void matvec(vk::Recorder& rec, const WeightView& w, const vk::BufferView& x,
            const vk::BufferView& y, const MatvecTuning& tuning) {
  const check::OpScope checked(rec, [&] { return check::matvec(w, x, y); });
  check_weight_shape(w.type, w.cols, w.rows, "matvec");
  const vk::DeviceCaps& caps = rec.caps();
  const MatvecTuning t = resolve(tuning, caps, row_units(w.type, w.cols));
  const uint64_t row_bytes = w.row_bytes();
  require(w.data.size >= row_bytes * w.rows, ErrorKind::InvalidArgument,
          "matvec: the weight view is too small");
  const BoundRange xb = bind_elements(caps, x, w.cols, "matvec x");
  const BoundRange yb = bind_elements(caps, y, w.rows, "matvec y");
  const vk::Pipeline& p = rec.pipeline({weight_shader("matvec", w.type),
                                        {t.workgroup_size, t.subgroup_min, t.rows_per_workgroup},
                                        3,
                                        sizeof(push::MatvecPush)});
  for (const vk::RowChunk& c : vk::split_rows(w.data, row_bytes, w.rows, caps, t.max_range)) {
    const push::MatvecPush pc{w.cols,
                              static_cast<uint32_t>(c.rows),
                              static_cast<uint32_t>(row_bytes),
                              static_cast<uint32_t>(c.skip_bytes),
                              xb.offset,
                              static_cast<uint32_t>(yb.offset + c.first_row)};
    const Grid g = grid_for(caps, c.rows, t.rows_per_workgroup);
    rec.dispatch(p, {c.binding, xb.binding, yb.binding}, pc, g.x, g.y);
  }
}

}  // namespace rotary::ops

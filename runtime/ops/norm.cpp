#include "runtime/ops/norm.h"

#include "runtime/check/op_checks.h"
#include "runtime/check/op_scope.h"
#include "runtime/ops/bind.h"
#include "runtime/ops/grid.h"
#include "runtime/ops/tuning.h"
#include "shaders/push.h"

namespace rotary::ops {

namespace {
// Floats spanned by `rows` rows of `cols`, `stride` apart.
uint64_t strided_floats(uint32_t rows, uint32_t stride, uint32_t cols) {
  return rows == 0 ? 0 : (rows - 1) * uint64_t{stride} + cols;
}
}  // namespace

void rms_norm(vk::Recorder& rec, const vk::BufferView& x, const vk::BufferView& w,
              const vk::BufferView& y, const RmsNormShape& s, const NormTuning& tuning) {
  const check::OpScope checked(rec, [&] { return check::rms_norm(x, w, y, s); });
  require(s.dim > 0, ErrorKind::InvalidArgument, "rms_norm: dim must be positive");
  if (s.rows == 0) return;
  const uint32_t xs = s.x_stride ? s.x_stride : s.dim;
  const uint32_t ys = s.y_stride ? s.y_stride : s.dim;
  require(xs >= s.dim && ys >= s.dim, ErrorKind::InvalidArgument,
          "rms_norm: a row stride is shorter than the row");
  const uint32_t wg = resolve_workgroup_size(rec.caps(), tuning.workgroup_size,
                                             s.dim <= 512 ? 64 : 256, "rms_norm");
  const BoundRange bx = bind_elements(rec.caps(), x, strided_floats(s.rows, xs, s.dim), "rms_norm");
  const BoundRange bw = bind_elements(rec.caps(), w, s.dim, "rms_norm");
  const BoundRange by = bind_elements(rec.caps(), y, strided_floats(s.rows, ys, s.dim), "rms_norm");
  const vk::Pipeline& p = rec.pipeline({"rms_norm", {wg}, 3, sizeof(push::RmsNormPush)});
  const push::RmsNormPush pc{s.rows, s.dim, bx.offset, xs, bw.offset, by.offset, ys, s.eps};
  const Grid g = grid_for(rec.caps(), s.rows, 1);
  rec.dispatch(p, {bx.binding, bw.binding, by.binding}, pc, g.x, g.y);
}

}  // namespace rotary::ops

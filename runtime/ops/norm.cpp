#include "runtime/ops/norm.h"

#include "runtime/ops/grid.h"
#include "shaders/push.h"

namespace rotary::ops {

namespace {
uint64_t strided_bytes(uint32_t rows, uint32_t stride, uint32_t cols) {
  return rows == 0 ? 0 : ((rows - 1) * uint64_t{stride} + cols) * 4;
}
}  // namespace

void rms_norm(vk::Recorder& rec, const vk::BufferView& x, const vk::BufferView& w,
              const vk::BufferView& y, const RmsNormShape& s, const NormTuning& tuning) {
  require(s.dim > 0, ErrorKind::InvalidArgument, "rms_norm: dim must be positive");
  if (s.rows == 0) return;
  const uint32_t xs = s.x_stride ? s.x_stride : s.dim;
  const uint32_t ys = s.y_stride ? s.y_stride : s.dim;
  require(xs >= s.dim && ys >= s.dim, ErrorKind::InvalidArgument,
          "rms_norm: a row stride is shorter than the row");
  const uint32_t wg = resolve_workgroup(tuning.workgroup_size, s.dim <= 512 ? 64 : 256, rec.caps(), "rms_norm");
  const BoundWords bx = bind_words(x, strided_bytes(s.rows, xs, s.dim), rec.caps());
  const BoundWords bw = bind_words(w, s.dim * 4ull, rec.caps());
  const BoundWords by = bind_words(y, strided_bytes(s.rows, ys, s.dim), rec.caps());
  const vk::Pipeline& p = rec.pipeline({"rms_norm", {wg}, 3, sizeof(push::RmsNormPush)});
  const push::RmsNormPush pc{s.rows, s.dim, bx.skip, xs, bw.skip, by.skip, ys, s.eps};
  const Grid g = grid_for(rec.caps(), s.rows, 1);
  rec.dispatch(p, {bx.binding, bw.binding, by.binding}, pc, g.x, g.y);
}

}  // namespace rotary::ops

#include "runtime/ops/matvec.h"

#include <string>

#include "runtime/check/op_checks.h"
#include "runtime/check/op_scope.h"
#include "runtime/ops/bind.h"
#include "runtime/ops/grid.h"
#include "runtime/ops/tuning.h"
#include "runtime/ops/weight_types.h"
#include "runtime/vk/binding.h"
#include "shaders/push.h"

namespace rotary::ops {

uint32_t pick_lanes(uint32_t workgroup_size, uint32_t units) {
  uint32_t best = workgroup_size;
  double best_idle = 2;
  const uint32_t lowest = std::min<uint32_t>(4, workgroup_size);
  for (uint32_t l = workgroup_size; l >= lowest && l > 0; l /= 2) {
    const uint64_t slots = (uint64_t{std::max<uint32_t>(units, 1)} + l - 1) / l * l;
    const double idle = 1.0 - static_cast<double>(units) / static_cast<double>(slots);
    if (idle < best_idle - 1e-12) {
      best = l;
      best_idle = idle;
    }
  }
  return best;
}

MatvecTuning resolve(const MatvecTuning& t, const vk::DeviceCaps& caps, uint32_t units) {
  MatvecTuning r = t;
  const bool cpu = is_cpu_device(caps);
  if (!r.workgroup_size)
    r.workgroup_size = cpu ? std::max<uint32_t>(caps.subgroup_size, 1)
                           : std::max<uint32_t>(64, caps.subgroup_size);
  check_workgroup_size(caps, r.workgroup_size, "matvec");
  if (!r.lanes) r.lanes = pick_lanes(r.workgroup_size, units);
  require(r.lanes <= r.workgroup_size && (r.lanes & (r.lanes - 1)) == 0, ErrorKind::InvalidArgument,
          "matvec: lanes per row group must be a power of two up to the workgroup size");
  const uint32_t groups = r.workgroup_size / r.lanes;
  if (!r.rows_per_workgroup) r.rows_per_workgroup = groups * (!cpu && units >= 64 ? 2 : 1);
  if (!r.subgroup_min) r.subgroup_min = min_subgroup_size(caps);
  if (r.rows_per_workgroup > r.workgroup_size)
    throw Error(ErrorKind::InvalidArgument, "matvec: more rows per workgroup than invocations");
  return r;
}

vk::MatvecPath matvec_path(const vk::Device& device, vk::MatvecPath tuning_path) {
  const vk::MatvecPath requested =
      tuning_path != vk::MatvecPath::automatic ? tuning_path : device.matvec_path();
  return vk::resolve_matvec_path(device.caps(), requested, false);
}

std::string matvec_shader(const char* family, GgmlType type, vk::MatvecPath path) {
  const std::string base = weight_shader(family, type);
  if (path == vk::MatvecPath::u16) return base + "_u16";
  if (path == vk::MatvecPath::dot) return base + "_dot";
  return base;
}

namespace {

// The row-chunked dispatches of one matvec variant; `xb` is x bound (f32 elements, or Q8_1 words).
void dispatch_rows(vk::Recorder& rec, const WeightView& w, const std::string& shader,
                   const BoundRange& xb, const vk::BufferView& y, const MatvecTuning& t) {
  const vk::DeviceCaps& caps = rec.caps();
  const uint64_t row_bytes = w.row_bytes();
  require(w.data.size >= row_bytes * w.rows, ErrorKind::InvalidArgument,
          "matvec: the weight view is too small");
  const BoundRange yb = bind_elements(caps, y, w.rows, "matvec y");
  const vk::Pipeline& p = rec.pipeline(
      {shader, {t.workgroup_size, t.subgroup_min, t.rows_per_workgroup, t.lanes}, 3, sizeof(push::MatvecPush)});
  for (const vk::RowChunk& c : vk::split_rows(w.data, row_bytes, w.rows, caps, t.max_range)) {
    const push::MatvecPush pc{w.cols,
                              static_cast<uint32_t>(c.rows),
                              static_cast<uint32_t>(row_bytes),
                              static_cast<uint32_t>(c.skip_bytes),
                              xb.offset,
                              static_cast<uint32_t>(yb.offset + c.first_row)};
    const Grid g = grid_for(caps, c.rows, t.rows_per_workgroup);
    const vk::DispatchCost cost{c.rows * row_bytes + uint64_t{w.cols} * 4, c.rows * 4,
                                2.0 * static_cast<double>(c.rows) * w.cols};
    rec.dispatch(cost, p, {c.binding, xb.binding, yb.binding}, pc, g.x, g.y);
  }
}

}  // namespace

void matvec(vk::Recorder& rec, const WeightView& w, const vk::BufferView& x,
            const vk::BufferView& y, const MatvecTuning& tuning) {
  const check::OpScope checked(rec, [&] { return check::matvec(w, x, y); });
  check_weight_shape(w.type, w.cols, w.rows, "matvec");
  const MatvecTuning t = resolve(tuning, rec.caps(), row_units(w.type, w.cols));
  const vk::MatvecPath path = matvec_path(rec.device(), t.path);
  const BoundRange xb = bind_elements(rec.caps(), x, w.cols, "matvec x");
  dispatch_rows(rec, w, matvec_shader("matvec", w.type, path), xb, y, t);
}

void quantize_q8_1(vk::Recorder& rec, const vk::BufferView& x, uint32_t n, const vk::BufferView& xq) {
  require(n > 0 && n % 32 == 0, ErrorKind::InvalidArgument,
          "quantize_q8_1: " + std::to_string(n) + " activations (needs a positive multiple of 32)");
  const vk::DeviceCaps& caps = rec.caps();
  const BoundRange xb = bind_elements(caps, x, n, "quantize_q8_1 x");
  const BoundRange ob = bind_elements(caps, xq, q8_1_bytes(n) / 4, "quantize_q8_1 out");
  const uint32_t wg = resolve_workgroup_size(caps, 0, 64, "quantize_q8_1");
  const vk::Pipeline& p = rec.pipeline({"quantize_q8_1", {wg}, 2, sizeof(push::QuantizeQ8Push)});
  const push::QuantizeQ8Push pc{n / 32, xb.offset, ob.offset};
  const Grid g = grid_for(caps, n / 32, wg);
  rec.dispatch(p, {xb.binding, ob.binding}, pc, g.x, g.y);
}

void matvec_q8_1(vk::Recorder& rec, const WeightView& w, const vk::BufferView& xq,
                 const vk::BufferView& y, const MatvecTuning& tuning) {
  check_weight_shape(w.type, w.cols, w.rows, "matvec_q8_1");
  require(has_dot_kernels(w.type), ErrorKind::Unsupported,
          "matvec_q8_1: no dot kernels for weight type " + std::string(ggml_type_name(w.type)));
  require(w.cols % 32 == 0, ErrorKind::InvalidArgument, "matvec_q8_1: columns must be a multiple of 32");
  require(rec.caps().integer_dot_product, ErrorKind::Unsupported,
          "matvec_q8_1: the device has no integer dot product");
  const MatvecTuning t = resolve(tuning, rec.caps(), row_units(w.type, w.cols));
  const BoundRange xb = bind_elements(rec.caps(), xq, q8_1_bytes(w.cols) / 4, "matvec_q8_1 x");
  dispatch_rows(rec, w, matvec_shader("matvec", w.type, vk::MatvecPath::dot), xb, y, t);
}

}  // namespace rotary::ops

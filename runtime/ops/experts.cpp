#include "runtime/ops/experts.h"

#include <string>
#include <vector>

#include "runtime/check/op_checks.h"
#include "runtime/check/op_scope.h"
#include "runtime/ops/bind.h"
#include "runtime/ops/experts_internal.h"
#include "runtime/ops/grid.h"
#include "runtime/ops/matvec.h"
#include "runtime/ops/tuning.h"
#include "runtime/ops/weight_types.h"
#include "shaders/push.h"

namespace rotary::ops {

namespace detail {

void check_layer(const vk::DeviceCaps& caps, const ExpertLayer& layer, const char* op) {
  require(!layer.pages.empty(), ErrorKind::InvalidArgument,
          std::string(op) + ": no slot pool pages");
  require(
      caps.storage_buffer_array_dynamic_indexing, ErrorKind::Unsupported,
      std::string(op) + ": the device cannot index arrays of storage buffers (slot pool pages)");
  check_weight_shape(layer.gate_up_type, layer.n_embd, layer.n_ff, op);
  check_weight_shape(layer.down_type, layer.n_ff, layer.n_embd, op);
}

std::vector<vk::BufferView> with_pages(const ExpertLayer& layer,
                                       std::initializer_list<vk::BufferView> rest) {
  std::vector<vk::BufferView> v(layer.pages.begin(), layer.pages.end());
  v.insert(v.end(), rest);
  return v;
}

std::vector<uint32_t> page_array(const ExpertLayer& layer, uint32_t other_bindings) {
  std::vector<uint32_t> sizes(1 + other_bindings, 1);
  sizes[0] = static_cast<uint32_t>(layer.pages.size());
  return sizes;
}

vk::BufferView table_range(const ExpertEntries& entries) {
  const uint64_t bytes = (uint64_t{entries.first} + entries.count) * sizeof(ExpertSlot);
  require(entries.table.size >= bytes, ErrorKind::InvalidArgument,
          "expert kernels: the slot table is too small");
  return entries.table.sub(0, bytes);
}

ExpertBiases expert_biases(const vk::DeviceCaps& caps, const ExpertLayer& layer, bool gate_up,
                           const vk::BufferView& unused) {
  ExpertBiases b{unused, unused};
  if (gate_up && layer.activation == ExpertActivation::SwigluOai) b.flags |= 2u;
  if (!layer.has_biases()) return b;
  // Whole [n_expert][rows] tensors; the kernels index them by the entries' experts.
  const vk::BufferView& v1 = gate_up ? layer.gate_bias : layer.down_bias;
  const BoundRange b1 = bind_elements(caps, v1, v1.size / 4, "expert biases");
  b.first = b1.binding;
  b.first_offset = b1.offset;
  if (gate_up) {
    const BoundRange b2 = bind_elements(caps, layer.up_bias, layer.up_bias.size / 4, "expert biases");
    b.second = b2.binding;
    b.second_offset = b2.offset;
  }
  b.flags |= 1u;
  return b;
}

}  // namespace detail

namespace {

// The decode kernels: one workgroup per (row group, entry).
void expert_matvec(vk::Recorder& rec, const ExpertLayer& layer, const ExpertEntries& entries,
                   bool gate_up, std::initializer_list<vk::BufferView> io,
                   const push::ExpertPush& pc, const ExpertTuning& tuning, bool dot = false) {
  const GgmlType type = gate_up ? layer.gate_up_type : layer.down_type;
  const MatvecTuning t = resolve(tuning.matvec, rec.caps(), row_units(type, pc.cols));
  const uint32_t others = static_cast<uint32_t>(io.size()) + 1;  // the table, then io
  const vk::MatvecPath path = dot ? vk::MatvecPath::dot : matvec_path(rec.device(), t.path);
  const vk::Pipeline& p =
      rec.pipeline({matvec_shader(gate_up ? "expert_gate_up" : "expert_down", type, path),
                    {t.workgroup_size, t.subgroup_min, t.rows_per_workgroup,
                     static_cast<uint32_t>(layer.pages.size()), t.lanes},
                    1 + others,
                    sizeof(push::ExpertPush),
                    0,
                    detail::page_array(layer, others)});
  std::vector<vk::BufferView> bindings = detail::with_pages(layer, {detail::table_range(entries)});
  bindings.insert(bindings.end(), io);
  require(entries.count <= rec.caps().max_workgroup_count[1], ErrorKind::InvalidArgument,
          "expert kernels: more entries than the workgroup count limit");
  const uint32_t groups = (pc.rows + t.rows_per_workgroup - 1) / t.rows_per_workgroup;
  // The entries' matrices (gate and up, or down), not the whole slot pool that is bound.
  const uint64_t matrices = uint64_t{entries.count} * (gate_up ? 2 : 1);
  const vk::DispatchCost cost{matrices * pc.rows * pc.row_bytes + uint64_t{entries.count} * pc.cols * 4,
                              uint64_t{entries.count} * pc.rows * 4,
                              2.0 * static_cast<double>(matrices) * pc.rows * pc.cols};
  rec.dispatch(cost, p, bindings, &pc, sizeof(pc), groups, entries.count);
}

uint32_t row_bytes32(GgmlType type, uint32_t cols) {
  return static_cast<uint32_t>(*ggml_row_bytes(type, cols));
}

void check_dot(const vk::DeviceCaps& caps, GgmlType type, const char* op) {
  require(has_dot_kernels(type), ErrorKind::Unsupported,
          std::string(op) + ": no dot kernels for weight type " + std::string(ggml_type_name(type)));
  require(caps.integer_dot_product, ErrorKind::Unsupported, std::string(op) + ": the device has no integer dot product");
}

}  // namespace

void expert_gate_up(vk::Recorder& rec, const ExpertLayer& layer, const ExpertEntries& entries,
                    const vk::BufferView& x, const vk::BufferView& h, uint32_t top_k,
                    const ExpertTuning& tuning) {
  const check::OpScope checked(rec,
                               [&] { return check::expert_gate_up(layer, entries, x, h, top_k); });
  detail::check_layer(rec.caps(), layer, "expert_gate_up");
  if (entries.count == 0) return;
  const BoundRange xb = bind_elements(rec.caps(), x, layer.n_embd, "expert_gate_up x");
  const BoundRange hb =
      bind_elements(rec.caps(), h, uint64_t{top_k} * layer.n_ff, "expert_gate_up h");
  const detail::ExpertBiases b = detail::expert_biases(rec.caps(), layer, true, xb.binding);
  const push::ExpertPush pc{
      layer.n_embd,  layer.n_ff, row_bytes32(layer.gate_up_type, layer.n_embd),
      entries.first, top_k,      0,
      xb.offset,     hb.offset,  0, b.flags, b.first_offset, b.second_offset};
  expert_matvec(rec, layer, entries, true, {xb.binding, hb.binding, b.first, b.second}, pc, tuning);
}

void expert_down(vk::Recorder& rec, const ExpertLayer& layer, const ExpertEntries& entries,
                 const vk::BufferView& h, const vk::BufferView& route_weights,
                 const vk::BufferView& y, uint32_t top_k, const ExpertTuning& tuning) {
  const check::OpScope checked(
      rec, [&] { return check::expert_down(layer, entries, h, route_weights, y, top_k); });
  detail::check_layer(rec.caps(), layer, "expert_down");
  if (entries.count == 0) return;
  const BoundRange hb = bind_elements(rec.caps(), h, uint64_t{top_k} * layer.n_ff, "expert_down h");
  const BoundRange wb =
      bind_elements(rec.caps(), route_weights, top_k, "expert_down route weights");
  const BoundRange yb =
      bind_elements(rec.caps(), y, uint64_t{top_k} * layer.n_embd, "expert_down y");
  const detail::ExpertBiases b = detail::expert_biases(rec.caps(), layer, false, hb.binding);
  const push::ExpertPush pc{layer.n_ff,    layer.n_embd, row_bytes32(layer.down_type, layer.n_ff),
                            entries.first, top_k,        0,
                            hb.offset,     yb.offset,    wb.offset, b.flags, b.first_offset, 0};
  expert_matvec(rec, layer, entries, false, {hb.binding, yb.binding, wb.binding, b.first}, pc, tuning);
}

void expert_gate_up_q8_1(vk::Recorder& rec, const ExpertLayer& layer, const ExpertEntries& entries,
                         const vk::BufferView& xq, const vk::BufferView& h, uint32_t top_k,
                         const ExpertTuning& tuning) {
  detail::check_layer(rec.caps(), layer, "expert_gate_up_q8_1");
  check_dot(rec.caps(), layer.gate_up_type, "expert_gate_up_q8_1");
  if (entries.count == 0) return;
  const BoundRange xb = bind_elements(rec.caps(), xq, q8_1_bytes(layer.n_embd) / 4, "expert_gate_up_q8_1 x");
  const BoundRange hb = bind_elements(rec.caps(), h, uint64_t{top_k} * layer.n_ff, "expert_gate_up_q8_1 h");
  const detail::ExpertBiases b = detail::expert_biases(rec.caps(), layer, true, xb.binding);
  const push::ExpertPush pc{
      layer.n_embd,  layer.n_ff, row_bytes32(layer.gate_up_type, layer.n_embd),
      entries.first, top_k,      0,
      xb.offset,     hb.offset,  0, b.flags, b.first_offset, b.second_offset};
  expert_matvec(rec, layer, entries, true, {xb.binding, hb.binding, b.first, b.second}, pc, tuning,
                true);
}

void expert_down_q8_1(vk::Recorder& rec, const ExpertLayer& layer, const ExpertEntries& entries,
                      const vk::BufferView& hq, const vk::BufferView& route_weights,
                      const vk::BufferView& y, uint32_t top_k, const ExpertTuning& tuning) {
  detail::check_layer(rec.caps(), layer, "expert_down_q8_1");
  check_dot(rec.caps(), layer.down_type, "expert_down_q8_1");
  if (entries.count == 0) return;
  const BoundRange hb = bind_elements(rec.caps(), hq, top_k * q8_1_bytes(layer.n_ff) / 4, "expert_down_q8_1 h");
  const BoundRange wb = bind_elements(rec.caps(), route_weights, top_k, "expert_down_q8_1 route weights");
  const BoundRange yb = bind_elements(rec.caps(), y, uint64_t{top_k} * layer.n_embd, "expert_down_q8_1 y");
  const detail::ExpertBiases b = detail::expert_biases(rec.caps(), layer, false, hb.binding);
  const push::ExpertPush pc{layer.n_ff,    layer.n_embd, row_bytes32(layer.down_type, layer.n_ff),
                            entries.first, top_k,        0,
                            hb.offset,     yb.offset,    wb.offset, b.flags, b.first_offset, 0};
  expert_matvec(rec, layer, entries, false, {hb.binding, yb.binding, wb.binding, b.first}, pc, tuning,
                true);
}

void expert_combine(vk::Recorder& rec, const vk::BufferView& y, uint32_t n_tokens, uint32_t top_k,
                    uint32_t n_embd, const vk::BufferView& residual, const vk::BufferView& out,
                    uint32_t workgroup_size) {
  const check::OpScope checked(
      rec, [&] { return check::expert_combine(y, n_tokens, top_k, n_embd, residual, out); });
  if (n_tokens == 0 || n_embd == 0) return;
  require(top_k > 0, ErrorKind::InvalidArgument, "expert_combine: top_k is 0");
  const vk::DeviceCaps& caps = rec.caps();
  check_workgroup_size(caps, workgroup_size, "expert_combine");
  const uint64_t n = uint64_t{n_tokens} * n_embd;
  const BoundRange yb = bind_elements(caps, y, n * top_k, "expert_combine y");
  const BoundRange ob = bind_elements(caps, out, n, "expert_combine out");
  const bool add = static_cast<bool>(residual);
  const BoundRange rb = add ? bind_elements(caps, residual, n, "expert_combine residual") : yb;
  const vk::Pipeline& p = rec.pipeline(
      {"expert_combine", {workgroup_size, min_subgroup_size(caps)}, 3, sizeof(push::CombinePush)});
  const push::CombinePush pc{n_embd,    n_tokens,  top_k,        yb.offset,
                             rb.offset, ob.offset, add ? 1u : 0u};
  const Grid g = grid_for(caps, n, workgroup_size);
  rec.dispatch(p, {yb.binding, rb.binding, ob.binding}, pc, g.x, g.y);
}

void expert_route(vk::Recorder& rec, const vk::BufferView& ids, uint32_t k, const vk::BufferView& map,
                  uint32_t map_first, uint32_t n_experts, const vk::BufferView& table) {
  const check::OpScope checked(rec, [&] { return check::expert_route(ids, k, map, map_first, n_experts, table); });
  if (k == 0) return;
  constexpr uint64_t entry = sizeof(ExpertSlot);
  require(map.size >= (uint64_t{map_first} + n_experts) * entry && table.size >= k * entry, ErrorKind::InvalidArgument,
          "expert_route: the map or the table is too small");
  const vk::DeviceCaps& caps = rec.caps();
  const BoundRange ib = bind_elements(caps, ids, k, "expert_route ids");
  const uint32_t wg = 64;
  const vk::Pipeline& p =
      rec.pipeline({"expert_route", {wg, min_subgroup_size(caps)}, 3, sizeof(push::ExpertRoutePush)});
  const push::ExpertRoutePush pc{k, n_experts, ib.offset, map_first, 0};
  // k ids and their k map entries (the whole layer's map is bound).
  const vk::DispatchCost cost{k * (4 + entry), k * entry, 0};
  rec.dispatch(cost, p, {ib.binding, map, table}, pc, (k + wg - 1) / wg);
}

}  // namespace rotary::ops

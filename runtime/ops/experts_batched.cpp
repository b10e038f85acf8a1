// The prefill forms of the grouped expert kernels: tiled matmuls over the tokens routed to each
// table entry (shaders/expert_matmul.comp).
#include <algorithm>
#include <string>
#include <vector>

#include "runtime/check/op_checks.h"
#include "runtime/check/op_scope.h"
#include "runtime/ops/bind.h"
#include "runtime/ops/experts.h"
#include "runtime/ops/experts_internal.h"
#include "runtime/ops/weight_types.h"
#include "shaders/push.h"

namespace rotary::ops {

namespace {

void expert_matmul(vk::Recorder& rec, const ExpertLayer& layer, const ExpertEntries& entries,
                   const ExpertRouting& routing, bool gate_up,
                   std::initializer_list<vk::BufferView> io, const push::ExpertPush& pc,
                   const ExpertTuning& tuning) {
  const vk::DeviceCaps& caps = rec.caps();
  const MatmulTuning t = resolve(tuning.matmul, caps, routing.max_pairs, gate_up ? 2 : 1);
  const GgmlType type = gate_up ? layer.gate_up_type : layer.down_type;
  const uint32_t others = static_cast<uint32_t>(io.size()) + 2;  // the table and the pairs, then io
  const vk::Pipeline& p =
      rec.pipeline({weight_shader(gate_up ? "expert_gate_up_mm" : "expert_down_mm", type),
                    {t.workgroup_size(), t.subgroup_min, t.tile_rows, t.tile_tokens, t.thread_rows,
                     t.thread_tokens, static_cast<uint32_t>(layer.pages.size())},
                    1 + others,
                    sizeof(push::ExpertPush),
                    0,
                    detail::page_array(layer, others)});
  const BoundRange pairs = bind_elements(
      caps, routing.pairs, std::max<uint64_t>(routing.pairs.size / 4, 1), "expert pairs");
  std::vector<vk::BufferView> bindings =
      detail::with_pages(layer, {detail::table_range(entries), pairs.binding});
  bindings.insert(bindings.end(), io);
  push::ExpertPush push = pc;
  push.pairs_offset = pairs.offset;
  const uint32_t gx = (pc.rows + t.tile_rows - 1) / t.tile_rows;
  const uint32_t gy = (routing.max_pairs + t.tile_tokens - 1) / t.tile_tokens;
  require(entries.count <= caps.max_workgroup_count[2] && gy <= caps.max_workgroup_count[1],
          ErrorKind::InvalidArgument,
          "expert kernels: more entries or pair tiles than the workgroup count limits");
  // The entries' matrices (not the whole bound slot pool), each applied to at most max_pairs tokens.
  const uint64_t matrices = uint64_t{entries.count} * (gate_up ? 2 : 1);
  const uint64_t tokens = uint64_t{entries.count} * routing.max_pairs;
  const vk::DispatchCost cost{matrices * pc.rows * pc.row_bytes + tokens * pc.cols * 4, tokens * pc.rows * 4,
                              2.0 * static_cast<double>(matrices) * pc.rows * pc.cols * routing.max_pairs};
  rec.dispatch(cost, p, bindings, &push, sizeof(push), gx, gy, entries.count);
}

void check_routing(const ExpertRouting& r, const char* op) {
  require(r.top_k > 0 && r.n_tokens > 0, ErrorKind::InvalidArgument,
          std::string(op) + ": no tokens or top_k 0");
  require(r.max_pairs <= uint64_t{r.n_tokens} * r.top_k, ErrorKind::InvalidArgument,
          std::string(op) + ": max_pairs exceeds the number of routing choices");
}

}  // namespace

void expert_gate_up_batched(vk::Recorder& rec, const ExpertLayer& layer,
                            const ExpertEntries& entries, const ExpertRouting& routing,
                            const vk::BufferView& x, const vk::BufferView& h,
                            const ExpertTuning& tuning) {
  const check::OpScope checked(
      rec, [&] { return check::expert_gate_up_batched(layer, entries, routing, x, h); });
  detail::check_layer(rec.caps(), layer, "expert_gate_up_batched");
  check_routing(routing, "expert_gate_up_batched");
  if (entries.count == 0 || routing.max_pairs == 0) return;
  const uint64_t slots = uint64_t{routing.n_tokens} * routing.top_k;
  const BoundRange xb = bind_elements(rec.caps(), x, uint64_t{routing.n_tokens} * layer.n_embd,
                                      "expert_gate_up_batched x");
  const BoundRange hb =
      bind_elements(rec.caps(), h, slots * layer.n_ff, "expert_gate_up_batched h");
  const detail::ExpertBiases b = detail::expert_biases(rec.caps(), layer, true, xb.binding);
  const push::ExpertPush pc{
      layer.n_embd,
      layer.n_ff,
      static_cast<uint32_t>(*ggml_row_bytes(layer.gate_up_type, layer.n_embd)),
      entries.first,
      routing.top_k,
      0,
      xb.offset,
      hb.offset,
      0,
      b.flags,
      b.first_offset,
      b.second_offset};
  expert_matmul(rec, layer, entries, routing, true, {xb.binding, hb.binding, b.first, b.second}, pc, tuning);
}

void expert_down_batched(vk::Recorder& rec, const ExpertLayer& layer, const ExpertEntries& entries,
                         const ExpertRouting& routing, const vk::BufferView& h,
                         const vk::BufferView& route_weights, const vk::BufferView& y,
                         const ExpertTuning& tuning) {
  const check::OpScope checked(rec, [&] {
    return check::expert_down_batched(layer, entries, routing, h, route_weights, y);
  });
  detail::check_layer(rec.caps(), layer, "expert_down_batched");
  check_routing(routing, "expert_down_batched");
  if (entries.count == 0 || routing.max_pairs == 0) return;
  const uint64_t slots = uint64_t{routing.n_tokens} * routing.top_k;
  const BoundRange hb = bind_elements(rec.caps(), h, slots * layer.n_ff, "expert_down_batched h");
  const BoundRange wb =
      bind_elements(rec.caps(), route_weights, slots, "expert_down_batched route weights");
  const BoundRange yb = bind_elements(rec.caps(), y, slots * layer.n_embd, "expert_down_batched y");
  const detail::ExpertBiases b = detail::expert_biases(rec.caps(), layer, false, hb.binding);
  const push::ExpertPush pc{layer.n_ff,
                            layer.n_embd,
                            static_cast<uint32_t>(*ggml_row_bytes(layer.down_type, layer.n_ff)),
                            entries.first,
                            routing.top_k,
                            0,
                            hb.offset,
                            yb.offset,
                            wb.offset,
                            b.flags,
                            b.first_offset,
                            0};
  expert_matmul(rec, layer, entries, routing, false, {hb.binding, yb.binding, wb.binding, b.first}, pc,
                tuning);
}

}  // namespace rotary::ops

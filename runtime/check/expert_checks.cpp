// The grouped expert ops for the checker (runtime/check/op_checks.h). The slot table names each
// entry's matrices by page and offset: the first round downloads the table's entries, the second
// the matrices they point at (from VRAM: the slots are what the kernels read).
#include <cmath>
#include <string>

#include "runtime/check/op_checks.h"
#include "runtime/check/tolerance.h"
#include "runtime/reference/experts.h"

namespace rotary::check {

namespace {

struct Layer {  // ops::ExpertLayer with its pages held by value
  std::vector<vk::BufferView> pages;
  GgmlType gate_up_type, down_type;
  uint32_t n_embd, n_ff;
  vk::BufferView gate_bias, up_bias, down_bias;  // gpt-oss
  bool biases, swiglu_oai;

  explicit Layer(const ops::ExpertLayer& l)
      : pages(l.pages.begin(), l.pages.end()),
        gate_up_type(l.gate_up_type),
        down_type(l.down_type),
        n_embd(l.n_embd),
        n_ff(l.n_ff),
        gate_bias(l.gate_bias),
        up_bias(l.up_bias),
        down_bias(l.down_bias),
        biases(l.has_biases()),
        swiglu_oai(l.activation == ops::ExpertActivation::SwigluOai) {}
  // Buffers fetched per entry in the second round: the matrices, then the biases.
  size_t per_entry(bool gate_up) const { return (gate_up ? 2 : 1) * (biases ? 2 : 1); }
  uint64_t gate_up_bytes() const { return uint64_t{n_ff} * *ggml_row_bytes(gate_up_type, n_embd); }
  uint64_t down_bytes() const { return uint64_t{n_embd} * *ggml_row_bytes(down_type, n_ff); }
  std::string shape(uint32_t count) const {
    return std::to_string(count) + (count == 1 ? " expert, " : " experts, ") +
           std::string(ggml_type_name(gate_up_type)) + " gate/up, " +
           std::string(ggml_type_name(down_type)) + " down, " + std::to_string(n_embd) + " x " +
           std::to_string(n_ff);
  }
};

vk::BufferView table_entries(const ops::ExpertEntries& e) {
  return e.table.sub(uint64_t{e.first} * sizeof(ops::ExpertSlot),
                     uint64_t{e.count} * sizeof(ops::ExpertSlot));
}
std::span<const ops::ExpertSlot> slots(const OpData& d) {
  return as<ops::ExpertSlot>(d.inputs[0]);
}

// Second round: per entry the gate and up matrices, or the down matrix.
std::function<std::vector<vk::BufferView>(const OpData&)> matrices(const Layer& l, bool gate_up) {
  return [l, gate_up](const OpData& d) {
    std::vector<vk::BufferView> v;
    for (const ops::ExpertSlot& s : slots(d)) {
      if (gate_up) {
        v.push_back(l.pages.at(s.gate_page).sub(s.gate_offset, l.gate_up_bytes()));
        v.push_back(l.pages.at(s.up_page).sub(s.up_offset, l.gate_up_bytes()));
        if (l.biases) {
          v.push_back(l.gate_bias.sub(uint64_t{s.expert} * l.n_ff * 4, uint64_t{l.n_ff} * 4));
          v.push_back(l.up_bias.sub(uint64_t{s.expert} * l.n_ff * 4, uint64_t{l.n_ff} * 4));
        }
      } else {
        v.push_back(l.pages.at(s.down_page).sub(s.down_offset, l.down_bytes()));
        if (l.biases) v.push_back(l.down_bias.sub(uint64_t{s.expert} * l.n_embd * 4, uint64_t{l.n_embd} * 4));
      }
    }
    return v;
  };
}

ref::HostExpert gate_up_expert(const Layer& l, const OpData& d, size_t entry) {
  const size_t at = l.per_entry(true) * entry;
  ref::HostExpert e;
  e.gate = {l.gate_up_type, l.n_embd, l.n_ff, d.more[at]};
  e.up = {l.gate_up_type, l.n_embd, l.n_ff, d.more[at + 1]};
  if (l.biases) {
    e.gate_bias = as<float>(d.more[at + 2]);
    e.up_bias = as<float>(d.more[at + 3]);
  }
  e.swiglu_oai = l.swiglu_oai;
  return e;
}
ref::HostExpert down_expert(const Layer& l, const OpData& d, size_t entry) {
  const size_t at = l.per_entry(false) * entry;
  ref::HostExpert e;
  e.down = {l.down_type, l.n_ff, l.n_embd, d.more[at]};
  if (l.biases) e.down_bias = as<float>(d.more[at + 1]);
  return e;
}

// One h row: silu(gate x) * (up x), with its tolerance.
void gate_up_row(const Layer& l, const ref::HostExpert& e, std::span<const float> x,
                 std::span<float> want, std::span<float> tol) {
  std::vector<float> g(l.n_ff), u(l.n_ff), mg(l.n_ff), mu(l.n_ff);
  ref::matvec(e.gate, x, g);
  ref::matvec(e.up, x, u);
  ref::matmul_magnitude(e.gate, x, 1, mg);
  ref::matmul_magnitude(e.up, x, 1, mu);
  ref::expert_gate_up(e, x, want);
  for (uint32_t r = 0; r < l.n_ff; ++r) {
    if (l.biases) {  // the biases' magnitudes join the products'
      g[r] += e.gate_bias[r];
      u[r] += e.up_bias[r];
      mg[r] += std::fabs(e.gate_bias[r]);
      mu[r] += std::fabs(e.up_bias[r]);
    }
    tol[r] = l.swiglu_oai ? swiglu_oai_tolerance(l.n_embd, g[r], u[r], mg[r], mu[r], want[r])
                          : gate_up_tolerance(l.n_embd, g[r], u[r], mg[r], mu[r], want[r]);
  }
}
// One y row: weight * (down h), with its tolerance.
void down_row(const Layer& l, const ref::HostExpert& e, std::span<const float> h, float weight,
              std::span<float> want, std::span<float> tol) {
  std::vector<float> mag(l.n_embd);
  ref::expert_down(e, h, weight, want);
  ref::matmul_magnitude(e.down, h, 1, mag);
  for (uint32_t r = 0; r < l.n_embd; ++r) {
    const double m = mag[r] + (e.down_bias.empty() ? 0.0 : std::fabs(e.down_bias[r]));
    tol[r] = product_tolerance(l.n_ff, std::fabs(weight) * m, want[r]);
  }
}

// Compares the rows the entries wrote (each op writes only its entries' rows of h or y).
struct Rows {
  std::vector<float> got, want, tol;
  std::vector<uint64_t> at;  // each element's index in the output
  void add(std::span<const float> output, uint64_t first, const std::vector<float>& w,
           const std::vector<float>& t) {
    for (size_t i = 0; i < w.size(); ++i) at.push_back(first + i);
    got.insert(got.end(), output.begin() + static_cast<std::ptrdiff_t>(first),
               output.begin() + static_cast<std::ptrdiff_t>(first + w.size()));
    want.insert(want.end(), w.begin(), w.end());
    tol.insert(tol.end(), t.begin(), t.end());
  }
  Verdict compare(const char* output) const {
    Verdict v = check::compare(output, got, want, tol);
    if (!at.empty()) v.index = at[v.index];
    return v;
  }
};

// The (token, choice) slots of a batched entry.
std::span<const uint32_t> entry_pairs(const OpData& d, size_t pairs_input,
                                      const ops::ExpertSlot& s) {
  return as<uint32_t>(d.inputs[pairs_input]).subspan(s.first_pair, s.pair_count);
}

// The first row an op writes (for CheckOptions::perturb_op): its first entry's.
uint64_t decode_row(const OpData& d) {
  return slots(d).empty() ? 0 : slots(d)[0].k_index;
}
uint64_t batched_row(const OpData& d) {
  return slots(d).empty() || slots(d)[0].pair_count == 0 ? 0 : entry_pairs(d, 1, slots(d)[0])[0];
}

}  // namespace

CheckedOp expert_gate_up(const ops::ExpertLayer& layer, const ops::ExpertEntries& entries,
                         const vk::BufferView& x, const vk::BufferView& h, uint32_t top_k) {
  const Layer l(layer);
  CheckedOp op;
  op.name = "expert_gate_up";
  op.shape = l.shape(entries.count) + ", 1 token";
  op.inputs = {table_entries(entries), prefix(x, uint64_t{l.n_embd} * 4)};
  op.outputs = {prefix(h, uint64_t{top_k} * l.n_ff * 4)};
  op.more = matrices(l, true);
  op.first_written = [l](const OpData& d) { return decode_row(d) * l.n_ff * 4; };
  op.compare = [l](const OpData& d) {
    Rows rows;
    std::vector<float> want(l.n_ff), tol(l.n_ff);
    const auto got = as<float>(d.outputs[0]);
    for (size_t j = 0; j < slots(d).size(); ++j) {
      gate_up_row(l, gate_up_expert(l, d, j), as<float>(d.inputs[1]), want, tol);
      rows.add(got, uint64_t{slots(d)[j].k_index} * l.n_ff, want, tol);
    }
    return rows.compare("h");
  };
  return op;
}

CheckedOp expert_down(const ops::ExpertLayer& layer, const ops::ExpertEntries& entries,
                      const vk::BufferView& h, const vk::BufferView& route_weights,
                      const vk::BufferView& y, uint32_t top_k) {
  const Layer l(layer);
  CheckedOp op;
  op.name = "expert_down";
  op.shape = l.shape(entries.count) + ", 1 token";
  op.inputs = {table_entries(entries), prefix(h, uint64_t{top_k} * l.n_ff * 4),
               prefix(route_weights, uint64_t{top_k} * 4)};
  op.outputs = {prefix(y, uint64_t{top_k} * l.n_embd * 4)};
  op.more = matrices(l, false);
  op.first_written = [l](const OpData& d) { return decode_row(d) * l.n_embd * 4; };
  op.compare = [l](const OpData& d) {
    Rows rows;
    std::vector<float> want(l.n_embd), tol(l.n_embd);
    const auto got = as<float>(d.outputs[0]);
    for (size_t j = 0; j < slots(d).size(); ++j) {
      const uint32_t k = slots(d)[j].k_index;
      down_row(l, down_expert(l, d, j),
               as<float>(d.inputs[1]).subspan(uint64_t{k} * l.n_ff, l.n_ff),
               as<float>(d.inputs[2])[k], want, tol);
      rows.add(got, uint64_t{k} * l.n_embd, want, tol);
    }
    return rows.compare("y");
  };
  return op;
}

CheckedOp expert_gate_up_batched(const ops::ExpertLayer& layer, const ops::ExpertEntries& entries,
                                 const ops::ExpertRouting& routing, const vk::BufferView& x,
                                 const vk::BufferView& h) {
  const Layer l(layer);
  const uint64_t nk = uint64_t{routing.n_tokens} * routing.top_k;
  CheckedOp op;
  op.name = "expert_gate_up_batched";
  op.shape = l.shape(entries.count) + ", " + std::to_string(routing.n_tokens) + " tokens";
  op.inputs = {table_entries(entries), routing.pairs,
               prefix(x, uint64_t{routing.n_tokens} * l.n_embd * 4)};
  op.outputs = {prefix(h, nk * l.n_ff * 4)};
  op.more = matrices(l, true);
  op.first_written = [l](const OpData& d) { return batched_row(d) * l.n_ff * 4; };
  op.compare = [l, top_k = routing.top_k](const OpData& d) {
    Rows rows;
    std::vector<float> want(l.n_ff), tol(l.n_ff);
    const auto got = as<float>(d.outputs[0]);
    const auto tokens = as<float>(d.inputs[2]);
    for (size_t j = 0; j < slots(d).size(); ++j) {
      const ref::HostExpert e = gate_up_expert(l, d, j);
      for (uint32_t slot : entry_pairs(d, 1, slots(d)[j])) {
        gate_up_row(l, e, tokens.subspan(uint64_t{slot / top_k} * l.n_embd, l.n_embd), want, tol);
        rows.add(got, uint64_t{slot} * l.n_ff, want, tol);
      }
    }
    return rows.compare("h");
  };
  return op;
}

CheckedOp expert_down_batched(const ops::ExpertLayer& layer, const ops::ExpertEntries& entries,
                              const ops::ExpertRouting& routing, const vk::BufferView& h,
                              const vk::BufferView& route_weights, const vk::BufferView& y) {
  const Layer l(layer);
  const uint64_t nk = uint64_t{routing.n_tokens} * routing.top_k;
  CheckedOp op;
  op.name = "expert_down_batched";
  op.shape = l.shape(entries.count) + ", " + std::to_string(routing.n_tokens) + " tokens";
  op.inputs = {table_entries(entries), routing.pairs, prefix(h, nk * l.n_ff * 4),
               prefix(route_weights, nk * 4)};
  op.outputs = {prefix(y, nk * l.n_embd * 4)};
  op.more = matrices(l, false);
  op.first_written = [l](const OpData& d) { return batched_row(d) * l.n_embd * 4; };
  op.compare = [l](const OpData& d) {
    Rows rows;
    std::vector<float> want(l.n_embd), tol(l.n_embd);
    const auto got = as<float>(d.outputs[0]);
    for (size_t j = 0; j < slots(d).size(); ++j) {
      const ref::HostExpert e = down_expert(l, d, j);
      for (uint32_t slot : entry_pairs(d, 1, slots(d)[j])) {
        down_row(l, e, as<float>(d.inputs[2]).subspan(uint64_t{slot} * l.n_ff, l.n_ff),
                 as<float>(d.inputs[3])[slot], want, tol);
        rows.add(got, uint64_t{slot} * l.n_embd, want, tol);
      }
    }
    return rows.compare("y");
  };
  return op;
}

CheckedOp expert_combine(const vk::BufferView& y, uint32_t n_tokens, uint32_t top_k,
                         uint32_t n_embd, const vk::BufferView& residual,
                         const vk::BufferView& out) {
  const uint64_t n = uint64_t{n_tokens} * n_embd;
  CheckedOp op;
  op.name = "expert_combine";
  op.shape = std::to_string(n_tokens) + " tokens x " + std::to_string(top_k) + " experts x " +
             std::to_string(n_embd);
  op.inputs = {prefix(y, n * top_k * 4)};
  if (residual) op.inputs.push_back(prefix(residual, n * 4));
  op.outputs = {prefix(out, n * 4)};
  op.compare = [n, n_tokens, top_k, n_embd](const OpData& d) {
    std::vector<float> want(n);
    ref::expert_combine(as<float>(d.inputs[0]), n_tokens, top_k, n_embd,
                        d.inputs.size() > 1 ? as<float>(d.inputs[1]) : std::span<const float>{},
                        want);
    return exact("out", as<float>(d.outputs[0]), want);
  };
  return op;
}

CheckedOp expert_route(const vk::BufferView& ids, uint32_t k, const vk::BufferView& map,
                       uint32_t map_first, uint32_t n_experts, const vk::BufferView& table) {
  constexpr uint64_t entry = sizeof(ops::ExpertSlot);
  CheckedOp op;
  op.name = "expert_route";
  op.shape = std::to_string(k) + " of " + std::to_string(n_experts) + " experts";
  op.inputs = {prefix(ids, uint64_t{k} * 4), prefix(map, (uint64_t{map_first} + n_experts) * entry)};
  op.outputs = {prefix(table, k * entry)};
  op.compare = [k, map_first, n_experts](const OpData& d) {
    const auto entries = as<ops::ExpertSlot>(d.inputs[1]);
    std::vector<ops::ExpertSlot> want(k);
    ref::expert_route(as<uint32_t>(d.inputs[0]), entries, map_first, n_experts, want);
    const auto* w = reinterpret_cast<const uint32_t*>(want.data());
    return exact("table", as<uint32_t>(d.outputs[0]), std::span<const uint32_t>(w, want.size() * entry / 4));
  };
  return op;
}

}  // namespace rotary::check

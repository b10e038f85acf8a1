// The Gated DeltaNet ops (qwen35moe, qwen3next) and the gated-attention q/gate split for the
// checker (runtime/check/op_checks.h). The ops that update a state in place (gdn_conv's conv
// state, the delta rule's S, gdn_l2_norm's x, gdn_gated_norm with y = o) list the view both as an
// input and as an output: the checker downloads inputs before the op records and outputs after it
// ran, so the reference starts from the state the op read.
#include <algorithm>
#include <cmath>
#include <string>

#include "runtime/check/op_checks.h"
#include "runtime/reference/gdn.h"

namespace rotary::check {

namespace {

// Tolerances of tests/gpu/gdn_ops_test.cpp (glue ops) and tests/gpu/gdn_delta_rule_test.cpp.
constexpr double kGlueAbs = 2e-6, kGlueRel = 1e-5;
constexpr double kDeltaAbs = 5e-6, kDeltaRel = 5e-5;

std::string gdn_dims(const ops::GdnShape& s, uint32_t n_tokens) {
  return std::to_string(n_tokens) + " tokens, " + std::to_string(s.k_heads) + " key / " +
         std::to_string(s.v_heads) + " value heads of " + std::to_string(s.dim_k) + " x " +
         std::to_string(s.dim_v) + ", conv kernel " + std::to_string(s.conv_kernel);
}

std::vector<float> copy(const Bytes& b) {
  const std::span<const float> f = as<float>(b);
  return {f.begin(), f.end()};
}

float largest(std::span<const float> v) {
  float m = 0;
  for (float x : v) m = std::max(m, std::fabs(x));
  return m;
}

// Both delta-rule forms: the same reference (token by token, double inside). The tests' inputs
// keep |S| below ~2 and |v| below 1; the absolute term scales with the largest |S| or |v| here
// (the error of a dot product grows with its terms), the relative term is the test's.
CheckedOp delta_rule(const char* name, const ops::GdnShape& shape, const vk::BufferView& qkv,
                     const vk::BufferView& beta, const vk::BufferView& g,
                     const vk::BufferView& state, const vk::BufferView& out, uint32_t n) {
  const uint64_t t = n;
  CheckedOp op;
  op.name = name;
  op.shape = gdn_dims(shape, n);
  op.inputs = {prefix(qkv, t * shape.conv_channels() * 4), prefix(beta, t * shape.v_heads * 4),
               prefix(g, t * shape.v_heads * 4), prefix(state, shape.delta_state_floats() * 4)};
  op.outputs = {prefix(out, t * shape.value_dim() * 4),
                prefix(state, shape.delta_state_floats() * 4)};
  op.compare = [shape, n](const OpData& d) {
    std::vector<float> s = copy(d.inputs[3]), o(d.outputs[0].size() / 4);
    const std::span<const float> in = as<float>(d.inputs[0]);
    ref::gdn_delta_rule(shape, in, as<float>(d.inputs[1]), as<float>(d.inputs[2]), s, o, n);
    const double scale = std::max({1.0f, largest(as<float>(d.inputs[3])), largest(s), largest(in)});
    return worse(compare("out", as<float>(d.outputs[0]), o, kDeltaAbs * scale, kDeltaRel),
                 compare("state", as<float>(d.outputs[1]), s, kDeltaAbs * scale, kDeltaRel));
  };
  return op;
}

}  // namespace

CheckedOp gdn_conv(const ops::GdnShape& shape, const vk::BufferView& x,
                   const vk::BufferView& weight, const vk::BufferView& conv_state,
                   const vk::BufferView& y, uint32_t n) {
  const uint64_t c = shape.conv_channels(), rows = uint64_t{n} * c;
  CheckedOp op;
  op.name = "gdn_conv";
  op.shape = gdn_dims(shape, n);
  op.weights = {prefix(weight, c * shape.conv_kernel * 4)};
  op.inputs = {prefix(x, rows * 4), prefix(conv_state, shape.conv_state_floats() * 4)};
  op.outputs = {prefix(y, rows * 4), prefix(conv_state, shape.conv_state_floats() * 4)};
  op.compare = [shape, n, c](const OpData& d) {
    const std::span<const float> in = as<float>(d.inputs[0]), w = as<float>(d.weights[0]),
                                 s0 = as<float>(d.inputs[1]);
    std::vector<float> state = copy(d.inputs[1]), want(in.size());
    ref::gdn_conv(shape, in, w, state, want, n);
    // gdn_ops_test.cpp's abs 2e-6 + rel 1e-5, for sums of terms |w x| <= ~1 there: the absolute
    // term scales with sum_i |w_i x_i| of the element (cancellation inside the sum).
    const uint32_t kk = shape.conv_kernel;
    std::vector<float> tol(want.size());
    for (uint32_t tk = 0; tk < n; ++tk)
      for (uint64_t ch = 0; ch < c; ++ch) {
        double mag = 0;
        for (uint32_t i = 0; i < kk; ++i) {
          const uint64_t row = uint64_t{tk} + i;  // in [state rows | x rows]
          const float xv = row < kk - 1 ? s0[row * c + ch] : in[(row - (kk - 1)) * c + ch];
          mag += std::fabs(double{w[ch * kk + i]} * xv);
        }
        const uint64_t at = uint64_t{tk} * c + ch;
        tol[at] =
            static_cast<float>(kGlueAbs * std::max(1.0, mag) + kGlueRel * std::fabs(want[at]));
      }
    return worse(compare("y", as<float>(d.outputs[0]), want, tol),
                 compare("conv_state", as<float>(d.outputs[1]), state, kGlueAbs, kGlueRel));
  };
  return op;
}

CheckedOp gdn_l2_norm(const vk::BufferView& x, uint32_t n, uint32_t heads, uint32_t head_dim,
                      uint32_t token_stride, float eps) {
  const uint64_t floats = uint64_t{n - 1} * token_stride + uint64_t{heads} * head_dim;
  CheckedOp op;
  op.name = "gdn_l2_norm";
  op.shape = std::to_string(n) + " tokens x " + std::to_string(heads) + " heads of " +
             std::to_string(head_dim) + ", token stride " + std::to_string(token_stride);
  op.inputs = {prefix(x, floats * 4)};
  op.outputs = {prefix(x, floats * 4)};
  op.compare = [n, heads, head_dim, token_stride, eps](const OpData& d) {
    std::vector<float> want = copy(d.inputs[0]);  // floats between the heads stay as they were
    ref::gdn_l2_norm(want, n, heads, head_dim, token_stride, eps);
    return compare("x", as<float>(d.outputs[0]), want, kGlueAbs, kGlueRel);
  };
  return op;
}

CheckedOp gdn_gates(const ops::GdnShape& shape, const ops::GdnGateLayout& layout,
                    const vk::BufferView& b, const vk::BufferView& a,
                    const vk::BufferView& dt_bias, const vk::BufferView& ssm_a,
                    const vk::BufferView& beta, const vk::BufferView& g, uint32_t n) {
  const uint32_t h = shape.v_heads;
  const uint64_t last = (h - 1) / layout.group * layout.group_stride + (h - 1) % layout.group;
  const uint64_t in_floats = uint64_t{n - 1} * layout.token_stride + last + 1;
  const uint64_t out_bytes = uint64_t{h} * n * 4;
  CheckedOp op;
  op.name = "gdn_gates";
  op.shape = std::to_string(n) + " tokens x " + std::to_string(h) + " value heads, token stride " +
             std::to_string(layout.token_stride);
  op.weights = {prefix(dt_bias, h * 4ull), prefix(ssm_a, h * 4ull)};
  op.inputs = {prefix(b, (in_floats + layout.b_offset) * 4),
               prefix(a, (in_floats + layout.a_offset) * 4)};
  op.outputs = {prefix(beta, out_bytes), prefix(g, out_bytes)};
  op.compare = [shape, layout, n](const OpData& d) {
    std::vector<float> want_beta(d.outputs[0].size() / 4), want_g(want_beta.size());
    ref::gdn_gates(shape, layout, as<float>(d.inputs[0]), as<float>(d.inputs[1]),
                   as<float>(d.weights[0]), as<float>(d.weights[1]), want_beta, want_g, n);
    return worse(compare("beta", as<float>(d.outputs[0]), want_beta, kGlueAbs, kGlueRel),
                 compare("g", as<float>(d.outputs[1]), want_g, kGlueAbs, kGlueRel));
  };
  return op;
}

CheckedOp gdn_recurrent(const ops::GdnShape& shape, const vk::BufferView& qkv,
                        const vk::BufferView& beta, const vk::BufferView& g,
                        const vk::BufferView& state, const vk::BufferView& out, uint32_t n) {
  return delta_rule("gdn_recurrent", shape, qkv, beta, g, state, out, n);
}

CheckedOp gdn_chunked(const ops::GdnShape& shape, const vk::BufferView& qkv,
                      const vk::BufferView& beta, const vk::BufferView& g,
                      const vk::BufferView& state, const vk::BufferView& out, uint32_t n) {
  return delta_rule("gdn_chunked", shape, qkv, beta, g, state, out, n);
}

CheckedOp gdn_gated_norm(const vk::BufferView& o, const vk::BufferView& z,
                         const vk::BufferView& weight, const vk::BufferView& y, uint32_t rows,
                         uint32_t head_dim, float eps) {
  const uint64_t bytes = uint64_t{rows} * head_dim * 4;
  CheckedOp op;
  op.name = "gdn_gated_norm";
  op.shape = std::to_string(rows) + " rows of " + std::to_string(head_dim);
  op.weights = {prefix(weight, head_dim * 4ull)};
  op.inputs = {prefix(o, bytes), prefix(z, bytes)};
  op.outputs = {prefix(y, bytes)};
  op.compare = [rows, head_dim, eps](const OpData& d) {
    std::vector<float> want(d.outputs[0].size() / 4);
    ref::gdn_gated_norm(as<float>(d.inputs[0]), as<float>(d.inputs[1]), as<float>(d.weights[0]),
                        want, rows, head_dim, eps);
    return compare("y", as<float>(d.outputs[0]), want, kGlueAbs, kGlueRel);
  };
  return op;
}

CheckedOp attn_qgate_split(const vk::BufferView& qg, const vk::BufferView& q,
                           const vk::BufferView& gate, uint32_t n, uint32_t heads,
                           uint32_t head_dim) {
  const uint64_t bytes = uint64_t{n} * heads * head_dim * 4;
  CheckedOp op;
  op.name = "attn_qgate_split";
  op.shape = std::to_string(n) + " tokens x " + std::to_string(heads) + " heads of " +
             std::to_string(head_dim);
  op.inputs = {prefix(qg, 2 * bytes)};
  op.outputs = {prefix(q, bytes), prefix(gate, bytes)};
  op.compare = [n, heads, head_dim](const OpData& d) {
    std::vector<float> want_q(d.outputs[0].size() / 4), want_gate(want_q.size());
    ref::attn_qgate_split(as<float>(d.inputs[0]), want_q, want_gate, n, heads, head_dim);
    return worse(exact("q", as<float>(d.outputs[0]), want_q),
                 exact("gate", as<float>(d.outputs[1]), want_gate));
  };
  return op;
}

}  // namespace rotary::check

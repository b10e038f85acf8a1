// The elementwise ops for the checker: scale, swiglu, mul_sigmoid, mul_sigmoid_row
// (runtime/check/op_checks.h). Only the elements an op writes are compared: strided rows leave
// the gaps between them as they were.
#include <cmath>
#include <string>

#include "runtime/check/op_checks.h"
#include "runtime/check/tolerance.h"
#include "runtime/reference/activations.h"

namespace rotary::check {

namespace {

uint32_t stride_of(const ops::Rows& r, uint32_t n_cols) { return r.stride ? r.stride : n_cols; }

// Bytes spanned by `rows` rows of `cols` floats, `stride` apart (rows > 0).
uint64_t span_bytes(uint32_t rows, uint32_t cols, uint32_t stride) {
  return ((uint64_t{rows} - 1) * stride + cols) * 4;
}

std::string rows_shape(uint32_t n_rows, uint32_t n_cols) {
  return std::to_string(n_rows) + " x " + std::to_string(n_cols);
}

// Element c of row r of a strided array.
float at(std::span<const float> a, uint32_t stride, uint32_t r, uint32_t c) {
  return a[uint64_t{r} * stride + c];
}

// exp(v) is within (3 + 2|v|) ulps on a Vulkan device; 1 + e, the division and the product add
// about 5 (tests/gpu/elementwise_test.cpp derives 2e-6 relative for |v| <= 8; model activations
// are not bounded, so the |v| term stays).
float gate_tolerance(float v, float want) {
  return static_cast<float>(1e-9 + (10.0 + 2.0 * std::fabs(v)) * kUnitRoundoff * std::fabs(want));
}

// A two-input row op y = f(a, b): the reference into a packed array, compared at the written
// elements with a tolerance from the gate argument.
struct RowOp {
  const char* name;
  uint32_t n_cols, n_rows, a_stride, b_stride, y_stride;
  bool b_per_row;  // b holds one value per row (mul_sigmoid_row)
};

CheckedOp row_op(const RowOp& r, const vk::BufferView& a, const vk::BufferView& b,
                 const vk::BufferView& y,
                 void (*reference)(const RowOp&, std::span<const float>, std::span<const float>,
                                   std::span<float>),
                 bool gate_is_a) {
  CheckedOp op;
  op.name = r.name;
  op.shape = rows_shape(r.n_rows, r.n_cols);
  op.inputs = {prefix(a, span_bytes(r.n_rows, r.n_cols, r.a_stride)),
               prefix(b, r.b_per_row ? uint64_t{r.n_rows} * 4
                                     : span_bytes(r.n_rows, r.n_cols, r.b_stride))};
  op.outputs = {prefix(y, span_bytes(r.n_rows, r.n_cols, r.y_stride))};
  op.compare = [r, reference, gate_is_a](const OpData& d) {
    const std::span<const float> in_a = as<float>(d.inputs[0]), in_b = as<float>(d.inputs[1]),
                                 out = as<float>(d.outputs[0]);
    std::vector<float> want(uint64_t{r.n_rows} * r.n_cols), got(want.size()), tol(want.size());
    reference(r, in_a, in_b, want);
    for (uint32_t row = 0; row < r.n_rows; ++row)
      for (uint32_t c = 0; c < r.n_cols; ++c) {
        const uint64_t i = uint64_t{row} * r.n_cols + c;
        got[i] = at(out, r.y_stride, row, c);
        const float gate = gate_is_a ? at(in_a, r.a_stride, row, c)
                           : r.b_per_row ? in_b[row]
                                         : at(in_b, r.b_stride, row, c);
        tol[i] = gate_tolerance(gate, want[i]);
      }
    return compare("y", got, want, tol);
  };
  return op;
}

}  // namespace

CheckedOp scale(const vk::BufferView& x, const vk::BufferView& y, uint32_t n, float s) {
  CheckedOp op;
  op.name = "scale";
  op.shape = std::to_string(n) + " floats by " + std::to_string(s);
  op.inputs = {prefix(x, uint64_t{n} * 4)};
  op.outputs = {prefix(y, uint64_t{n} * 4)};
  op.compare = [n, s](const OpData& d) {
    std::vector<float> want(n);
    ref::scale(as<float>(d.inputs[0]), want, s);
    return exact("y", as<float>(d.outputs[0]), want);  // one multiply, as the reference
  };
  return op;
}

CheckedOp swiglu(const ops::Rows& gate, const ops::Rows& up, const ops::Rows& y, uint32_t n_cols,
                 uint32_t n_rows) {
  const RowOp r{"swiglu",          n_cols, n_rows, stride_of(gate, n_cols), stride_of(up, n_cols),
                stride_of(y, n_cols), false};
  return row_op(
      r, gate.view, up.view, y.view,
      [](const RowOp& o, std::span<const float> g, std::span<const float> u, std::span<float> w) {
        ref::swiglu(g, o.a_stride, u, o.b_stride, w, o.n_cols, o.n_cols, o.n_rows);
      },
      true);
}

CheckedOp mul_sigmoid(const ops::Rows& x, const ops::Rows& gate, const ops::Rows& y,
                      uint32_t n_cols, uint32_t n_rows) {
  const RowOp r{"mul_sigmoid",     n_cols, n_rows, stride_of(x, n_cols), stride_of(gate, n_cols),
                stride_of(y, n_cols), false};
  return row_op(
      r, x.view, gate.view, y.view,
      [](const RowOp& o, std::span<const float> in, std::span<const float> g, std::span<float> w) {
        ref::mul_sigmoid(in, o.a_stride, g, o.b_stride, w, o.n_cols, o.n_cols, o.n_rows);
      },
      false);
}

CheckedOp mul_sigmoid_row(const ops::Rows& x, const vk::BufferView& s, const ops::Rows& y,
                          uint32_t n_cols, uint32_t n_rows) {
  const RowOp r{"mul_sigmoid_row", n_cols, n_rows, stride_of(x, n_cols), 1, stride_of(y, n_cols),
                true};
  return row_op(
      r, x.view, s, y.view,
      [](const RowOp& o, std::span<const float> in, std::span<const float> g, std::span<float> w) {
        ref::mul_sigmoid_row(in, o.a_stride, g, w, o.n_cols, o.n_cols, o.n_rows);
      },
      false);
}

CheckedOp add_bias(const ops::Rows& x, const vk::BufferView& bias, const ops::Rows& y, uint32_t n_cols,
                   uint32_t n_rows) {
  const uint32_t xs = stride_of(x, n_cols), ys = stride_of(y, n_cols);
  CheckedOp op;
  op.name = "add_bias";
  op.shape = rows_shape(n_rows, n_cols);
  op.inputs = {prefix(x.view, span_bytes(n_rows, n_cols, xs)), prefix(bias, uint64_t{n_cols} * 4)};
  op.outputs = {prefix(y.view, span_bytes(n_rows, n_cols, ys))};
  op.compare = [xs, ys, n_cols, n_rows](const OpData& d) {
    std::vector<float> want(uint64_t{n_rows} * n_cols), got(want.size());
    ref::add_bias(as<float>(d.inputs[0]), xs, as<float>(d.inputs[1]), want, n_cols, n_cols, n_rows);
    const auto out = as<float>(d.outputs[0]);
    for (uint32_t r = 0; r < n_rows; ++r)
      for (uint32_t c = 0; c < n_cols; ++c) got[uint64_t{r} * n_cols + c] = at(out, ys, r, c);
    return exact("y", got, want);  // one float add, as the reference
  };
  return op;
}

}  // namespace rotary::check

#include <cmath>

#include "base/error.h"
#include "runtime/reference/activations.h"

namespace rotary::ref {

namespace {
float sigmoid(float v) {
  return 1.0f / (1.0f + std::exp(-v));
}
size_t stride_or(uint32_t stride, uint32_t n_cols) {
  return stride ? stride : n_cols;
}
void check_rows(size_t size, size_t stride, uint32_t n_cols, uint32_t n_rows, const char* what) {
  require(n_rows == 0 || (n_rows - 1) * stride + n_cols <= size, ErrorKind::InvalidArgument,
          std::string("ref: ") + what + " span too small");
}
}  // namespace

void swiglu(std::span<const float> gate, uint32_t gate_stride, std::span<const float> up,
            uint32_t up_stride, std::span<float> y, uint32_t y_stride, uint32_t n_cols,
            uint32_t n_rows) {
  const size_t gs = stride_or(gate_stride, n_cols), us = stride_or(up_stride, n_cols),
               ys = stride_or(y_stride, n_cols);
  check_rows(gate.size(), gs, n_cols, n_rows, "swiglu gate");
  check_rows(up.size(), us, n_cols, n_rows, "swiglu up");
  check_rows(y.size(), ys, n_cols, n_rows, "swiglu y");
  for (size_t r = 0; r < n_rows; ++r)
    for (size_t c = 0; c < n_cols; ++c) {
      const float g = gate[r * gs + c];
      y[r * ys + c] = (g / (1.0f + std::exp(-g))) * up[r * us + c];
    }
}

void mul_sigmoid(std::span<const float> x, uint32_t x_stride, std::span<const float> gate,
                 uint32_t gate_stride, std::span<float> y, uint32_t y_stride, uint32_t n_cols,
                 uint32_t n_rows) {
  const size_t xs = stride_or(x_stride, n_cols), gs = stride_or(gate_stride, n_cols),
               ys = stride_or(y_stride, n_cols);
  check_rows(x.size(), xs, n_cols, n_rows, "mul_sigmoid x");
  check_rows(gate.size(), gs, n_cols, n_rows, "mul_sigmoid gate");
  check_rows(y.size(), ys, n_cols, n_rows, "mul_sigmoid y");
  for (size_t r = 0; r < n_rows; ++r)
    for (size_t c = 0; c < n_cols; ++c) y[r * ys + c] = x[r * xs + c] * sigmoid(gate[r * gs + c]);
}

void mul_sigmoid_row(std::span<const float> x, uint32_t x_stride, std::span<const float> s,
                     std::span<float> y, uint32_t y_stride, uint32_t n_cols, uint32_t n_rows) {
  const size_t xs = stride_or(x_stride, n_cols), ys = stride_or(y_stride, n_cols);
  check_rows(x.size(), xs, n_cols, n_rows, "mul_sigmoid_row x");
  check_rows(y.size(), ys, n_cols, n_rows, "mul_sigmoid_row y");
  require(s.size() >= n_rows, ErrorKind::InvalidArgument,
          "ref: mul_sigmoid_row scalars span too small");
  for (size_t r = 0; r < n_rows; ++r) {
    const float g = sigmoid(s[r]);
    for (size_t c = 0; c < n_cols; ++c) y[r * ys + c] = x[r * xs + c] * g;
  }
}

void scale(std::span<const float> x, std::span<float> y, float s) {
  require(y.size() >= x.size(), ErrorKind::InvalidArgument, "ref::scale: output too small");
  for (size_t i = 0; i < x.size(); ++i) y[i] = x[i] * s;
}

void add(std::span<const float> a, std::span<const float> b, std::span<float> y) {
  require(b.size() >= a.size() && y.size() >= a.size(), ErrorKind::InvalidArgument,
          "ref::add: spans too small");
  for (size_t i = 0; i < a.size(); ++i) y[i] = a[i] + b[i];
}

void add_bias(std::span<const float> x, uint32_t x_stride, std::span<const float> bias,
              std::span<float> y, uint32_t y_stride, uint32_t n_cols, uint32_t n_rows) {
  const uint32_t xs = x_stride ? x_stride : n_cols, ys = y_stride ? y_stride : n_cols;
  check_rows(x.size(), xs, n_cols, n_rows, "add_bias x");
  check_rows(y.size(), ys, n_cols, n_rows, "add_bias y");
  require(bias.size() >= n_cols, ErrorKind::InvalidArgument, "ref: add_bias bias span too small");
  for (uint32_t r = 0; r < n_rows; ++r)
    for (uint32_t c = 0; c < n_cols; ++c) y[uint64_t{r} * ys + c] = x[uint64_t{r} * xs + c] + bias[c];
}

}  // namespace rotary::ref

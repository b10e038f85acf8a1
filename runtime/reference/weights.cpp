#include "runtime/reference/weights.h"

#include <cmath>
#include <string>

#include "base/error.h"
#include "loader/quant/dequantize.h"

namespace rotary::ref {

uint64_t HostWeight::row_bytes() const {
  const auto b = ggml_row_bytes(type, cols);
  if (!b)
    throw Error(ErrorKind::InvalidArgument,
                "a weight row of " + std::to_string(cols) + " elements is not whole blocks");
  return *b;
}

void HostWeight::check() const {
  if (data.size() < row_bytes() * rows)
    throw Error(ErrorKind::InvalidArgument, "reference weight: " + std::to_string(data.size()) +
                                                " bytes for " + std::to_string(rows) + " rows of " +
                                                std::to_string(row_bytes()));
}

std::vector<float> HostWeight::row(uint32_t r) const {
  std::vector<float> out(cols);
  quant::dequantize_row(type, data.data() + r * row_bytes(), out.data(), cols);
  return out;
}

void get_rows(const HostWeight& w, std::span<const uint32_t> ids, std::span<float> out) {
  w.check();
  require(out.size() >= ids.size() * w.cols, ErrorKind::InvalidArgument,
          "ref::get_rows: output too small");
  for (size_t i = 0; i < ids.size(); ++i) {
    require(ids[i] < w.rows, ErrorKind::InvalidArgument,
            "ref::get_rows: id " + std::to_string(ids[i]) + " out of range");
    const std::vector<float> r = w.row(ids[i]);
    std::copy(r.begin(), r.end(), out.begin() + static_cast<std::ptrdiff_t>(i * w.cols));
  }
}

namespace {

// Visits every (token, row) with the dequantised row, dequantising each row once.
template <typename Fn>
void for_each_product(const HostWeight& w, std::span<const float> x, uint32_t n, Fn&& fn) {
  w.check();
  require(x.size() >= uint64_t{n} * w.cols, ErrorKind::InvalidArgument,
          "reference product: x too small");
  for (uint32_t r = 0; r < w.rows; ++r) {
    const std::vector<float> row = w.row(r);
    for (uint32_t t = 0; t < n; ++t) fn(t, r, row, x.subspan(uint64_t{t} * w.cols, w.cols));
  }
}

}  // namespace

void matvec(const HostWeight& w, std::span<const float> x, std::span<float> y) {
  matmul(w, x, 1, y);
}

void matmul(const HostWeight& w, std::span<const float> x, uint32_t n, std::span<float> y) {
  require(y.size() >= uint64_t{n} * w.rows, ErrorKind::InvalidArgument, "ref::matmul: y too small");
  for_each_product(
      w, x, n,
      [&](uint32_t t, uint32_t r, const std::vector<float>& row, std::span<const float> xt) {
        double s = 0;
        for (uint32_t c = 0; c < w.cols; ++c) s += static_cast<double>(row[c]) * xt[c];
        y[uint64_t{t} * w.rows + r] = static_cast<float>(s);
      });
}

void matmul_magnitude(const HostWeight& w, std::span<const float> x, uint32_t n,
                      std::span<float> mag) {
  require(mag.size() >= uint64_t{n} * w.rows, ErrorKind::InvalidArgument,
          "ref::matmul_magnitude: output too small");
  for_each_product(
      w, x, n,
      [&](uint32_t t, uint32_t r, const std::vector<float>& row, std::span<const float> xt) {
        double s = 0;
        for (uint32_t c = 0; c < w.cols; ++c) s += std::fabs(static_cast<double>(row[c]) * xt[c]);
        mag[uint64_t{t} * w.rows + r] = static_cast<float>(s);
      });
}

}  // namespace rotary::ref

#pragma once
// CPU references of the weight kernels (runtime/ops/get_rows, matvec, matmul): plain and obviously
// right, used by the tests and by the debug mode that re-checks ops while a model runs. Weights
// are dequantised with loader/quant (bit-identical with ggml); products are summed in double and
// rounded once to float.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "loader/ggml_types.h"

namespace rotary::ref {

// A weight matrix in host memory as a GGUF file stores it: `rows` rows of `cols` elements.
struct HostWeight {
  GgmlType type = GgmlType::F32;
  uint32_t cols = 0;
  uint32_t rows = 0;
  std::span<const std::byte> data;  // rows * row_bytes() bytes

  uint64_t row_bytes() const;
  // Row r dequantised (cols floats).
  std::vector<float> row(uint32_t r) const;
  // Throws Error(InvalidArgument) when data is shorter than the shape needs.
  void check() const;
};

// out[i * cols + c] = W[ids[i]][c]. Throws Error(InvalidArgument) for an id >= rows.
void get_rows(const HostWeight& w, std::span<const uint32_t> ids, std::span<float> out);

// y[r] = sum_c W[r][c] * x[c] (x: cols floats, y: rows floats).
void matvec(const HostWeight& w, std::span<const float> x, std::span<float> y);

// y[t * rows + r] = sum_c W[r][c] * x[t * cols + c] for t < n.
void matmul(const HostWeight& w, std::span<const float> x, uint32_t n, std::span<float> y);

// mag[t * rows + r] = sum_c |W[r][c] * x[t * cols + c]|: the scale of the rounding error of any
// f32 evaluation of the sum (tests derive their tolerances from it).
void matmul_magnitude(const HostWeight& w, std::span<const float> x, uint32_t n,
                      std::span<float> mag);

}  // namespace rotary::ref

// rotary's quantizers (loader/quant/quantize.h) against llama.cpp: llama.cpp reads rotary's
// blocks as rotary does, and their error is no worse than that of llama.cpp's own reference
// quantizers on the same rows.
#include <doctest/doctest.h>

#include <cmath>
#include <random>
#include <vector>

#include "loader/ggml_types.h"
#include "loader/quant/dequantize.h"
#include "loader/quant/quantize.h"
#include "tests/oracle/ggml_ref.h"

using namespace rotary;

namespace {

double rms_error(const std::vector<float>& x, const std::vector<float>& y) {
  double e = 0;
  for (size_t i = 0; i < x.size(); ++i)
    e += (static_cast<double>(x[i]) - y[i]) * (static_cast<double>(x[i]) - y[i]);
  return std::sqrt(e / static_cast<double>(x.size()));
}

}  // namespace

TEST_CASE(
    "quantize: llama.cpp decodes rotary's blocks as rotary does, with no more error than its own "
    "quantizers") {
  const GgmlType types[] = {GgmlType::F16,  GgmlType::BF16,   GgmlType::Q8_0,
                            GgmlType::Q4_0, GgmlType::Q4_K,   GgmlType::Q5_K,
                            GgmlType::Q6_K, GgmlType::IQ4_XS, GgmlType::MXFP4};
  std::mt19937 rng(17);
  for (const GgmlType type : types) {
    for (const float scale : {1e-3f, 0.7f, 300.0f}) {
      const int64_t n_per_row = ggml_type_info(type).block_size == 256 ? 512 : 96;
      const int64_t rows = 13;
      std::normal_distribution<float> normal(0.0f, scale);
      std::uniform_int_distribution<int> pick(0, 40);
      std::vector<float> x(static_cast<size_t>(rows * n_per_row));
      for (float& v : x) v = pick(rng) == 0 ? 8.0f * normal(rng) : normal(rng);  // some outliers

      const uint64_t row_bytes = *ggml_row_bytes(type, static_cast<uint64_t>(n_per_row));
      std::vector<uint8_t> ours(row_bytes * rows);
      for (int64_t r = 0; r < rows; ++r)
        quant::quantize_row(type, x.data() + r * n_per_row, ours.data() + r * row_bytes, n_per_row);
      const auto n = static_cast<int64_t>(x.size());
      std::vector<float> read_by_llama(x.size()), read_by_rotary(x.size()), theirs(x.size());
      ggml_ref::dequantize(type, ours.data(), read_by_llama.data(), n);
      quant::dequantize_row(type, ours.data(), read_by_rotary.data(), n);
      const std::vector<uint8_t> ref = ggml_ref::quantize(type, x.data(), rows, n_per_row);
      ggml_ref::dequantize(type, ref.data(), theirs.data(), n);

      CAPTURE(ggml_type_name(type));
      CAPTURE(scale);
      CHECK(read_by_llama == read_by_rotary);
      // rotary's scale search includes llama.cpp's kind of min/max choice and refits it by least
      // squares, so it should not lose; 2% covers blocks where llama.cpp's iterative search
      // (K-quants) happens to land better. Measured (docs/quantization.md): lower except Q8_0 at
      // scale 300, 0.15% higher because rotary rounds the scale up so that no code clamps.
      const double mine = rms_error(x, read_by_llama), llama = rms_error(x, theirs);
      INFO("rms error: rotary " << mine << ", llama.cpp " << llama);
      CHECK(mine <= 1.02 * llama);
    }
  }
}

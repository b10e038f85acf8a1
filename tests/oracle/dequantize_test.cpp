// rotary's reference dequantisation (loader/quant/dequantize.h) against llama.cpp's own
// (ggml's to_float, in libggml-base of the oracle): bit-identical floats for every type rotary
// dequantises, on blocks llama.cpp's quantiser wrote and on arbitrary bytes.
#include <doctest/doctest.h>

#include <bit>
#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "loader/ggml_types.h"
#include "loader/quant/dequantize.h"
#include "loader/quant/dequantize_iq.h"
#include "tests/oracle/ggml_ref.h"

using namespace rotary;

namespace {

std::vector<GgmlType> dequantized_types() {
  std::vector<GgmlType> types;
  for (uint32_t id = 0; id < ggml_ref::type_count(); ++id) {
    const std::optional<GgmlTypeInfo> info = ggml_type_info(id);
    if (info && quant::can_dequantize(info->type)) types.push_back(info->type);
  }
  return types;
}

// Equal bits, or both NaN (a NaN's payload is not part of the format).
bool same(float a, float b) {
  return std::bit_cast<uint32_t>(a) == std::bit_cast<uint32_t>(b) || (std::isnan(a) && std::isnan(b));
}

std::string bits(float f) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08x", std::bit_cast<uint32_t>(f));
  return buf;
}

void check_identical(GgmlType type, const std::vector<uint8_t>& blocks, int64_t n, const std::string& what) {
  std::vector<float> ours(static_cast<size_t>(n)), ref(static_cast<size_t>(n));
  quant::dequantize_row(type, blocks.data(), ours.data(), n);
  ggml_ref::dequantize(type, blocks.data(), ref.data(), n);
  for (int64_t i = 0; i < n; ++i) {
    const auto k = static_cast<size_t>(i);
    if (!same(ours[k], ref[k])) {
      FAIL_CHECK(ggml_type_name(type), " ", what, ": element ", i, " of ", n, " is ", ours[k], " (", bits(ours[k]),
                 "), llama.cpp has ", ref[k], " (", bits(ref[k]), ")");
      return;
    }
  }
}

// A row of `n` floats: Gaussian at `scale`, with a few outliers so that block scales differ.
std::vector<float> random_row(std::mt19937& rng, int64_t n, float scale) {
  std::normal_distribution<float> normal(0.0f, scale);
  std::uniform_int_distribution<int> pick(0, 40);
  std::vector<float> row(static_cast<size_t>(n));
  for (float& x : row) x = pick(rng) == 0 ? 8.0f * normal(rng) : normal(rng);
  return row;
}

}  // namespace

TEST_CASE("dequantize: rotary and llama.cpp agree bit for bit on blocks llama.cpp quantised") {
  const std::vector<GgmlType> types = dequantized_types();
  // F32 F16 BF16 Q4_0 Q4_1 Q5_0 Q5_1 Q8_0 IQ4_NL Q2_K Q3_K Q4_K Q5_K Q6_K IQ4_XS MXFP4, and
  // IQ2_XXS IQ2_XS IQ2_S IQ3_XXS IQ3_S IQ1_S IQ1_M
  REQUIRE(types.size() >= 23);
  std::mt19937 rng(20261121);
  for (GgmlType type : types) {
    CAPTURE(ggml_type_name(type));
    // IQ1/IQ2 quantisers need an importance matrix: all ones, as the model tests use.
    const bool needs_imatrix = !ggml_ref::can_quantize(type);
    const int64_t block = ggml_type_info(type).block_size;
    // One block, a few, and an awkward many; for element types, awkward lengths.
    // The grid types' quantisers search slowly: fewer blocks (random bytes below reach every code).
    const bool grid = quant::is_iq_grid_type(type);
    const std::vector<int64_t> lengths = block == 1 ? std::vector<int64_t>{1, 7, 13, 127, 4099}
                                         : grid     ? std::vector<int64_t>{block, 3 * block}
                                                    : std::vector<int64_t>{block, 3 * block, 13 * block};
    for (int64_t n : lengths) {
      for (float scale : {1e-3f, 0.7f, 300.0f}) {
        const int64_t rows = 3;
        std::vector<float> x;
        for (int r = 0; r < rows; ++r) {
          const std::vector<float> row = random_row(rng, n, scale);
          x.insert(x.end(), row.begin(), row.end());
        }
        const std::vector<float> ones(static_cast<size_t>(n), 1.0f);
        const std::vector<uint8_t> q = ggml_ref::quantize(type, x.data(), rows, n, needs_imatrix ? ones.data() : nullptr);
        check_identical(type, q, rows * n, "n=" + std::to_string(n) + " scale=" + std::to_string(scale));
        // Non-vacuous: the reference itself must reproduce the input roughly.
        std::vector<float> back(x.size());
        ggml_ref::dequantize(type, q.data(), back.data(), rows * n);
        double err = 0, mag = 0;
        for (size_t i = 0; i < x.size(); ++i) {
          err += std::abs(back[i] - x[i]);
          mag += std::abs(x[i]);
        }
        // Q2_K keeps well inside 0.6 on Gaussian rows with outliers; the 1.5-3-bit grid types do
        // not (IQ2_XXS measured up to 0.69).
        CHECK(err < (grid ? 0.9 : 0.6) * mag);
      }
    }
    // All-zero rows: scales of zero.
    const std::vector<float> zeros(static_cast<size_t>(2 * block * (block == 1 ? 7 : 1)), 0.0f);
    const int64_t nz = static_cast<int64_t>(zeros.size());
    const std::vector<float> ones(zeros.size(), 1.0f);
    check_identical(type, ggml_ref::quantize(type, zeros.data(), 1, nz, needs_imatrix ? ones.data() : nullptr), nz,
                    "zeros");
  }
}

TEST_CASE("dequantize: rotary and llama.cpp agree bit for bit on arbitrary block bytes") {
  // Random bytes reach what no quantiser writes: negative and subnormal scales, Inf/NaN scales,
  // every code in every position.
  std::mt19937 rng(77);
  for (GgmlType type : dequantized_types()) {
    CAPTURE(ggml_type_name(type));
    const GgmlTypeInfo& info = ggml_type_info(type);
    for (int64_t blocks : {int64_t{1}, int64_t{7}, int64_t{64}}) {
      const int64_t n = blocks * info.block_size * (info.block_size == 1 ? 13 : 1);
      std::vector<uint8_t> bytes(*ggml_row_bytes(type, static_cast<uint64_t>(n)));
      for (uint8_t& b : bytes) b = static_cast<uint8_t>(rng());
      check_identical(type, bytes, n, "random bytes, " + std::to_string(blocks) + " blocks");
    }
  }
}

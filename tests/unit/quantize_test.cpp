// The reference quantizers: block fields where models.md puts them, every element on the nearest
// value of its block's grid, and per-block error within a bound derived from each format.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "base/error.h"
#include "loader/quant/dequantize.h"
#include "loader/quant/half.h"
#include "loader/quant/pack.h"
#include "loader/quant/quantize.h"
#include "quant_reference.h"

using rotary::GgmlType;
namespace quant = rotary::quant;
namespace test = rotary::test;

namespace {

const GgmlType kBlockTypes[] = {GgmlType::Q8_0, GgmlType::Q4_0, GgmlType::MXFP4, GgmlType::Q4_K,
                                GgmlType::Q5_K, GgmlType::Q6_K, GgmlType::IQ4_XS};

std::vector<uint8_t> quantize(GgmlType type, const std::vector<float>& x) {
  std::vector<uint8_t> out(*rotary::ggml_row_bytes(type, x.size()));
  quant::quantize_row(type, x.data(), out.data(), static_cast<int64_t>(x.size()));
  return out;
}

float fp16_ceil_value(float v) {
  return quant::fp16_to_f32(quant::fp16_ceil(v));
}

float absmax(const float* x, int n) {
  float m = 0;
  for (int i = 0; i < n; ++i) m = std::max(m, std::fabs(x[i]));
  return m;
}

// The bound on the squared error of one block (block_size elements at x) that the plain min/max
// choice of scales guarantees, from the format alone. The quantizers store the better of their
// search and that choice, so their error must be within it. Each term is the worst case of one
// element: half a grid step, plus what rounding the sub-block scales to their stored bits can
// move the grid (half a step of the super-scale, times the largest code).
double sse_bound(GgmlType type, const float* x) {
  double sum = 0;
  auto add = [&sum](double e, int count) { sum += count * e * e; };
  switch (type) {
    case GgmlType::Q8_0:
      add(fp16_ceil_value(absmax(x, 32) / 127) / 2, 32);
      break;
    case GgmlType::Q4_0:
      add(fp16_ceil_value(absmax(x, 32) / 7) / 2, 32);
      break;
    case GgmlType::MXFP4: {  // grid 0,1,2,3,4,6,8,12 times s: half-gaps s/2, s, 2s
      const float amax = absmax(x, 32);
      float s = std::ldexp(1.0f, -128);
      while (12 * s < amax) s *= 2;
      for (int j = 0; j < 32; ++j) add(std::max(s / 2, std::fabs(x[j]) / 4), 1);
      break;
    }
    case GgmlType::Q4_K:
    case GgmlType::Q5_K: {
      const int qmax = type == GgmlType::Q4_K ? 15 : 31;
      float a[8], b[8], amax = 0, bmax = 0;
      for (int j = 0; j < 8; ++j) {
        const float* xs = x + 32 * j;
        const float lo = std::min(0.0f, *std::min_element(xs, xs + 32));
        const float hi = *std::max_element(xs, xs + 32);
        a[j] = (hi - lo) / static_cast<float>(qmax);
        b[j] = -lo;
        amax = std::max(amax, a[j]);
        bmax = std::max(bmax, b[j]);
      }
      const double d = fp16_ceil_value(amax / 63), dmin = fp16_ceil_value(bmax / 63);
      for (int j = 0; j < 8; ++j) add(a[j] / 2 + qmax * d / 2 + dmin / 2, 32);
      break;
    }
    case GgmlType::Q6_K: {
      float s[16], smax = 0;
      for (int j = 0; j < 16; ++j) smax = std::max(smax, s[j] = absmax(x + 16 * j, 16) / 31);
      const double d = fp16_ceil_value(smax / 127);
      for (int j = 0; j < 16; ++j) add(s[j] / 2 + 31 * d / 2, 16);
      break;
    }
    case GgmlType::IQ4_XS: {  // largest half-gap of kIQ4NL within [-113, 113] is 12 (89 -> 113)
      float s[8], smax = 0;
      for (int j = 0; j < 8; ++j) smax = std::max(smax, s[j] = absmax(x + 32 * j, 32) / 113);
      const double d = fp16_ceil_value(smax / 31);
      for (int j = 0; j < 8; ++j) add(12 * s[j] + 127 * d / 2, 32);
      break;
    }
    default:
      break;
  }
  return sum;
}

// Checks every property of a quantised row that holds for any input.
void check_row(GgmlType type, const std::vector<float>& x) {
  const auto& info = rotary::ggml_type_info(type);
  const auto bytes = quantize(type, x);
  const test::DecodedRow r =
      test::decode_reference(type, bytes.data(), static_cast<int64_t>(x.size()));
  REQUIRE(r.value.size() == x.size());
  for (size_t i = 0; i < x.size(); ++i) {
    INFO(info.name << " element " << i << " x=" << x[i] << " got=" << r.value[i]);
    REQUIRE(std::isfinite(r.value[i]));
    // The stored code is the nearest one on the block's grid. Tolerance: float rounding of the
    // grid values themselves, a few ulps of the largest magnitude involved.
    float nearest = INFINITY;
    float scale_of_grid = std::fabs(r.grid[i].offset);
    for (int c = 0; c < r.grid[i].n_codes; ++c) {
      nearest = std::min(nearest, std::fabs(r.grid[i].value(c) - x[i]));
      scale_of_grid = std::max(scale_of_grid, std::fabs(r.grid[i].value(c)));
    }
    CHECK(std::fabs(r.value[i] - x[i]) <=
          nearest + 4e-7f * std::max(scale_of_grid, std::fabs(x[i])));
  }
  for (size_t start = 0; start < x.size(); start += info.block_size) {
    double sse = 0;
    for (size_t i = start; i < start + info.block_size; ++i)
      sse += (r.value[i] - x[i]) * static_cast<double>(r.value[i] - x[i]);
    // 1e-5 relative: the quantizers add up their squared errors in float.
    const double bound = sse_bound(type, x.data() + start);
    INFO(info.name << " block at " << start << " sse=" << sse << " bound=" << bound);
    CHECK(sse <= bound * (1 + 1e-5) + 1e-37);
  }
}

std::vector<float> gaussian(size_t n, float sigma, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> dist(0.0f, sigma);
  std::vector<float> x(n);
  for (auto& v : x) v = dist(rng);
  return x;
}

size_t awkward_length(GgmlType type) {
  return rotary::ggml_type_info(type).block_size == 32 ? 32 * 7 : 256 * 3;
}

}  // namespace

TEST_CASE("quantize: fp16_ceil is the smallest half at or above its argument") {
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> exponent(-26.0f, 17.0f);
  for (int i = 0; i < 20000; ++i) {
    const float v = std::exp2(exponent(rng));
    const uint16_t h = quant::fp16_ceil(v);
    INFO("v=" << v);
    if (v > 65504.0f) {
      CHECK(h == 0x7BFF);
      continue;
    }
    CHECK(quant::fp16_to_f32(h) >= v);
    if (h > 0) CHECK(quant::fp16_to_f32(static_cast<uint16_t>(h - 1)) < v);
  }
  CHECK(quant::fp16_ceil(0.0f) == 0);
}

TEST_CASE("quantize: block fields land where models.md says") {
  // Inputs that each format stores exactly (chosen codes and scales, with the largest code and
  // scale present so that the min/max rule recovers them); the stored codes must be the chosen
  // ones and every value exact. Scales are i * 2^-12 so that all products are exact in float.
  std::mt19937 rng(11);
  auto uniform = [&rng](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  auto scale = [&] { return static_cast<float>(uniform(1024, 2047)) * std::ldexp(1.0f, -12); };
  for (const GgmlType type : kBlockTypes) {
    const auto& info = rotary::ggml_type_info(type);
    const int n = static_cast<int>(info.block_size) * 3;
    std::vector<int> want(n);
    std::vector<float> x(n);
    for (int blk = 0; blk < n / static_cast<int>(info.block_size); ++blk) {
      const int base = blk * static_cast<int>(info.block_size);
      const float d = scale(), dmin = scale();
      const int e = uniform(100, 150);
      int sub_scale[16], sub_min[16];
      const int subs = type == GgmlType::Q6_K ? 16 : 8;
      for (int j = 0; j < subs; ++j) {
        sub_scale[j] = type == GgmlType::Q6_K     ? uniform(1, 127) * (uniform(0, 1) ? 1 : -1)
                       : type == GgmlType::IQ4_XS ? uniform(1, 31) * (uniform(0, 1) ? 1 : -1)
                                                  : uniform(1, 63);
        sub_min[j] = uniform(0, 63);
      }
      const bool signed_scales = type == GgmlType::Q6_K || type == GgmlType::IQ4_XS;
      const int top = type == GgmlType::Q6_K ? 127 : type == GgmlType::IQ4_XS ? 31 : 63;
      sub_scale[uniform(0, subs - 1)] = signed_scales && uniform(0, 1) ? -top : top;
      sub_min[uniform(0, subs - 1)] = 63;
      const int sub_len = static_cast<int>(info.block_size) / (info.block_size == 32 ? 1 : subs);
      for (int i = 0; i < static_cast<int>(info.block_size); ++i) {
        const int j = i / sub_len, pos = i % sub_len;
        int c = 0;
        float v = 0;
        switch (type) {
          case GgmlType::Q8_0:  // codes -127..127, one at +-127
            c = pos == 5 ? (blk % 2 ? 127 : -127) : uniform(-126, 126);
            v = d * static_cast<float>(c);
            c += 128;
            break;
          case GgmlType::Q4_0:  // q - 8 in -6..7 with one 7 (so that +7d is the unique extreme)
            c = pos == 3 ? 15 : uniform(2, 15);
            v = static_cast<float>(c - 8) * (blk % 2 ? -d : d);
            break;
          case GgmlType::MXFP4:  // any code but -0, one +-12
            c = pos == 9 ? 7 + 8 * (blk % 2) : uniform(0, 15);
            if (c == 8) c = 0;
            v = static_cast<float>(quant::kFP4[c]) * std::ldexp(1.0f, e - 128);
            break;
          case GgmlType::Q4_K:
          case GgmlType::Q5_K: {  // each sub-block holds code 0 and code qmax
            const int qmax = type == GgmlType::Q4_K ? 15 : 31;
            c = pos == 0 ? 0 : pos == 1 ? qmax : uniform(0, qmax);
            v = d * static_cast<float>(sub_scale[j]) * static_cast<float>(c) -
                dmin * static_cast<float>(sub_min[j]);
            break;
          }
          case GgmlType::Q6_K:  // q - 32 in -30..31, one 31 per sub-block
            c = pos == 2 ? 63 : uniform(2, 63);
            v = d * static_cast<float>(sub_scale[j]) * static_cast<float>(c - 32);
            break;
          case GgmlType::IQ4_XS:  // codes 1..15 (not -127), one 15 (113) per sub-block
            c = pos == 4 ? 15 : uniform(1, 15);
            v = d * static_cast<float>(sub_scale[j]) * static_cast<float>(quant::kIQ4NL[c]);
            break;
          default:
            break;
        }
        want[base + i] = c;
        x[base + i] = v;
      }
    }
    const auto bytes = quantize(type, x);
    const test::DecodedRow r = test::decode_reference(type, bytes.data(), n);
    for (int i = 0; i < n; ++i) {
      INFO(info.name << " element " << i);
      REQUIRE(r.code[i] == want[i]);
      REQUIRE(r.value[i] == x[i]);
    }
  }
}

TEST_CASE("quantize: Gaussian rows are on the nearest grid value and within the format's bound") {
  for (const GgmlType type : kBlockTypes) {
    for (const float sigma : {1.0f, 1e-3f, 300.0f}) {
      CAPTURE(sigma);
      check_row(type, gaussian(awkward_length(type), sigma, 3));
    }
  }
}

TEST_CASE("quantize: Q8_0 error is at most half its stored scale") {
  const auto x = gaussian(32 * 13, 2.0f, 5);
  const auto bytes = quantize(GgmlType::Q8_0, x);
  const test::DecodedRow r =
      test::decode_reference(GgmlType::Q8_0, bytes.data(), static_cast<int64_t>(x.size()));
  for (size_t i = 0; i < x.size(); ++i) {
    const float d = r.grid[i].scale;
    CHECK(d <= absmax(x.data() + i / 32 * 32, 32) / 127 * (1 + 0x1p-10f));
    CHECK(std::fabs(r.value[i] - x[i]) <= d / 2 * (1 + 1e-6f));
  }
}

TEST_CASE("quantize: awkward rows (zeros, constants, huge, tiny, one outlier)") {
  for (const GgmlType type : kBlockTypes) {
    const size_t n = awkward_length(type);
    CAPTURE(rotary::ggml_type_name(type));
    const std::vector<float> zeros(n, 0.0f);
    check_row(type, zeros);
    const auto bytes = quantize(type, zeros);
    const auto r = test::decode_reference(type, bytes.data(), static_cast<int64_t>(n));
    for (const float v : r.value) CHECK(v == 0.0f);

    for (const float c : {0.7f, -2.5f}) {
      const std::vector<float> constant(n, c);
      check_row(type, constant);
      const auto cb = quantize(type, constant);
      const auto cr = test::decode_reference(type, cb.data(), static_cast<int64_t>(n));
      // Every format holds a constant block to the precision of its fp16 scale (2^-11 relative,
      // 2^-10 after rounding up), except MXFP4: its power-of-two scale leaves E2M1's own
      // precision, whose worst case is a value midway in a gap of 1/5 relative (5 between 4 and
      // 6, 10 between 8 and 12: -2.5 is stored as -2 or -3).
      const float rel = type == GgmlType::MXFP4 ? 0.2f : 0x1p-9f;
      for (const float v : cr.value) CHECK(std::fabs(v - c) <= rel * std::fabs(c));
    }

    check_row(type, gaussian(n, 3e4f / 4, 9));  // elements up to about 3e4
    check_row(type, gaussian(n, 1e-7f, 10));    // scales far below fp16's smallest normal

    auto outlier = gaussian(n, 0.01f, 12);
    outlier[n / 2 + 3] = 100.0f;
    check_row(type, outlier);
    const auto ob = quantize(type, outlier);
    const auto orow = test::decode_reference(type, ob.data(), static_cast<int64_t>(n));
    // The outlier itself is kept to its block's step: at least within a quarter of its value.
    CHECK(std::fabs(orow.value[n / 2 + 3] - 100.0f) <= 25.0f);
  }
}

TEST_CASE("quantize: F32, F16 and BF16 rows") {
  const auto x = gaussian(13, 10.0f, 14);
  std::vector<float> y(13);
  quant::quantize_row(GgmlType::F32, x.data(), y.data(), 13);
  CHECK(y == x);
  std::vector<uint16_t> h(13);
  quant::quantize_row(GgmlType::F16, x.data(), h.data(), 13);
  for (size_t i = 0; i < 13; ++i)  // round to nearest: half an ulp of fp16's 11-bit significand
    CHECK(std::fabs(quant::fp16_to_f32(h[i]) - x[i]) <= 0x1p-11f * std::fabs(x[i]));
  quant::quantize_row(GgmlType::BF16, x.data(), h.data(), 13);
  for (size_t i = 0; i < 13; ++i)  // bf16 keeps 8 significant bits
    CHECK(std::fabs(quant::bf16_to_f32(h[i]) - x[i]) <= 0x1p-8f * std::fabs(x[i]));
}

TEST_CASE("quantize: bad input is an error that says what to do") {
  std::vector<float> x(256, 1.0f);
  std::vector<uint8_t> out(1024);
  try {
    quant::quantize_row(GgmlType::Q4_K, x.data(), out.data(), 100);
    FAIL("expected an error");
  } catch (const rotary::Error& e) {
    CHECK(e.kind() == rotary::ErrorKind::InvalidArgument);
    CHECK(std::string(e.what()).find("multiple of 256") != std::string::npos);
  }
  CHECK_THROWS_AS(quant::quantize_row(GgmlType::Q2_K, x.data(), out.data(), 256), rotary::Error);
  CHECK_FALSE(quant::can_quantize(GgmlType::Q2_K));
  x[17] = NAN;
  CHECK_THROWS_AS(quant::quantize_row(GgmlType::Q8_0, x.data(), out.data(), 32), rotary::Error);
}

TEST_CASE("quantize: round trip through dequantize_row") {
  // dequantize_row (ggml's arithmetic) and this file's models.md decoder must agree bit for bit
  // on the quantizers' blocks; the error bounds above are checked on the decoder's values.
  for (const GgmlType type : kBlockTypes) {
    const auto x = gaussian(awkward_length(type), 0.5f, 21);
    const auto bytes = quantize(type, x);
    std::vector<float> y(x.size());
    quant::dequantize_row(type, bytes.data(), y.data(), static_cast<int64_t>(x.size()));
    const auto r = test::decode_reference(type, bytes.data(), static_cast<int64_t>(x.size()));
    CAPTURE(rotary::ggml_type_name(type));
    CHECK(y == r.value);
  }
  for (const GgmlType type : {GgmlType::F32, GgmlType::F16, GgmlType::BF16}) {
    const auto x = gaussian(77, 0.5f, 22);
    const auto bytes = quantize(type, x);
    std::vector<float> y(x.size());
    quant::dequantize_row(type, bytes.data(), y.data(), 77);
    const float rel = type == GgmlType::F32 ? 0.0f : type == GgmlType::F16 ? 0x1p-11f : 0x1p-8f;
    for (size_t i = 0; i < x.size(); ++i) CHECK(std::fabs(y[i] - x[i]) <= rel * std::fabs(x[i]));
  }
}

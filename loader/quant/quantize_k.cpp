// The K-quant quantizers (Q4_K, Q5_K, Q6_K): super-blocks of 256 whose sub-block scales are
// themselves quantised against one fp16 super-scale. Each super-block is planned twice, from the
// searched sub-block scales and from the min/max ones, and the plan with less error is stored.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "loader/quant/blocks.h"
#include "loader/quant/half.h"
#include "loader/quant/pack.h"
#include "loader/quant/quantize.h"
#include "loader/quant/scale_search.h"

namespace rotary::quant {

namespace {

// Integer candidates around v / step: the two neighbours, clamped to [lo, hi].
void neighbours(float v, float step, int lo, int hi, int out[2]) {
  const float t = step > 0 ? v / step : 0.0f;
  out[0] = std::clamp(static_cast<int>(std::floor(t)), lo, hi);
  out[1] = std::clamp(static_cast<int>(std::ceil(t)), lo, hi);
}

// Q4_K / Q5_K: value = d * sc * q - dmin * m with 6-bit sc and m.
struct AffinePlan {
  uint16_t d = 0, dmin = 0;
  uint8_t sc[8] = {}, m[8] = {};
  uint8_t codes[256] = {};
  float err = 0;
};

AffinePlan plan_affine(const float* x, const AffineScale sub[8], int qmax) {
  AffinePlan p;
  float amax = 0, bmax = 0;
  for (int j = 0; j < 8; ++j) {
    amax = std::max(amax, sub[j].a);
    bmax = std::max(bmax, sub[j].b);
  }
  p.d = fp16_ceil(amax / 63.0f);
  p.dmin = fp16_ceil(bmax / 63.0f);
  const float d = fp16_to_f32(p.d), dmin = fp16_to_f32(p.dmin);
  for (int j = 0; j < 8; ++j) {
    const float* xs = x + 32 * j;
    int scs[2], ms[2];
    neighbours(sub[j].a, d, 0, 63, scs);
    neighbours(sub[j].b, dmin, 0, 63, ms);
    float best = INFINITY;
    for (const int sc : scs)
      for (const int m : ms) {
        const float e =
            affine_sse(xs, 32, {d * static_cast<float>(sc), dmin * static_cast<float>(m)}, qmax);
        if (e < best) {
          best = e;
          p.sc[j] = static_cast<uint8_t>(sc);
          p.m[j] = static_cast<uint8_t>(m);
        }
      }
    const AffineScale chosen{d * p.sc[j], dmin * p.m[j]};
    for (int l = 0; l < 32; ++l)
      p.codes[32 * j + l] = static_cast<uint8_t>(nearest_affine_code(xs[l], chosen, qmax));
    p.err += best;
  }
  return p;
}

AffinePlan best_affine_plan(const float* x, int qmax) {
  AffineScale searched[8], cover[8];
  for (int j = 0; j < 8; ++j) {
    searched[j] = search_affine_scale(x + 32 * j, 32, qmax);
    cover[j] = cover_affine_scale(x + 32 * j, 32, qmax);
  }
  AffinePlan a = plan_affine(x, searched, qmax);
  AffinePlan b = plan_affine(x, cover, qmax);
  return b.err < a.err ? b : a;
}

// Q6_K: value = d * sc * (q - 32) with signed 8-bit sc over 16 sub-blocks of 16.
struct SymmetricPlan {
  uint16_t d = 0;
  int8_t sc[16] = {};
  uint8_t codes[256] = {};
  float err = 0;
};

SymmetricPlan plan_q6_k(const float* x, const float sub[16]) {
  constexpr SymmetricGrid grid{-32, 31};
  SymmetricPlan p;
  float smax = 0;
  for (int j = 0; j < 16; ++j) smax = std::max(smax, std::fabs(sub[j]));
  p.d = fp16_ceil(smax / 127.0f);
  const float d = fp16_to_f32(p.d);
  for (int j = 0; j < 16; ++j) {
    const float* xs = x + 16 * j;
    int scs[2];
    neighbours(sub[j], d, -128, 127, scs);
    float best = INFINITY;
    for (const int sc : scs) {
      const float e = symmetric_sse(xs, 16, d * static_cast<float>(sc), grid);
      if (e < best) {
        best = e;
        p.sc[j] = static_cast<int8_t>(sc);
      }
    }
    const float s = d * p.sc[j];
    for (int l = 0; l < 16; ++l)
      p.codes[16 * j + l] = static_cast<uint8_t>(nearest_code(xs[l], s, grid) + 32);
    p.err += best;
  }
  return p;
}

template <typename Block>
void store(void* dst, int64_t index, const Block& b) {
  std::memcpy(static_cast<uint8_t*>(dst) + index * static_cast<int64_t>(sizeof(Block)), &b,
              sizeof(Block));
}

}  // namespace

void quantize_row_q4_k(const float* x, void* dst, int64_t n) {
  for (int64_t i = 0; i < n / kQK; ++i) {
    const AffinePlan p = best_affine_plan(x + kQK * i, 15);
    BlockQ4_K b{};
    b.d = p.d;
    b.dmin = p.dmin;
    pack_k_scales(p.sc, p.m, b.scales);
    pack_k_low_nibbles(p.codes, b.qs);
    store(dst, i, b);
  }
}

void quantize_row_q5_k(const float* x, void* dst, int64_t n) {
  for (int64_t i = 0; i < n / kQK; ++i) {
    const AffinePlan p = best_affine_plan(x + kQK * i, 31);
    BlockQ5_K b{};
    b.d = p.d;
    b.dmin = p.dmin;
    pack_k_scales(p.sc, p.m, b.scales);
    pack_k_low_nibbles(p.codes, b.qs);
    pack_q5_k_high_bits(p.codes, b.qh);
    store(dst, i, b);
  }
}

void quantize_row_q6_k(const float* x, void* dst, int64_t n) {
  for (int64_t i = 0; i < n / kQK; ++i) {
    const float* xb = x + kQK * i;
    float searched[16], cover[16];
    for (int j = 0; j < 16; ++j) {
      searched[j] = search_symmetric_scale(xb + 16 * j, 16, {-32, 31});
      cover[j] = signed_absmax(xb + 16 * j, 16) / 31.0f;
    }
    const SymmetricPlan a = plan_q6_k(xb, searched);
    const SymmetricPlan c = plan_q6_k(xb, cover);
    const SymmetricPlan& p = c.err < a.err ? c : a;
    BlockQ6_K b{};
    pack_q6_k_codes(p.codes, b.ql, b.qh);
    std::memcpy(b.scales, p.sc, 16);
    b.d = p.d;
    store(dst, i, b);
  }
}

}  // namespace rotary::quant

// IQ4_XS: 8 sub-blocks of 32 on the non-linear kIQ4NL codebook, value = d * (ls - 32) * k[c],
// with 6-bit ls. Planned from the searched and from the min/max sub-block scales; the plan with
// less error is stored.
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

struct Iq4Plan {
  uint16_t d = 0;
  uint8_t ls[8] = {};
  uint8_t codes[256] = {};
  float err = 0;
};

Iq4Plan plan_iq4_xs(const float* x, const float sub[8]) {
  Iq4Plan p;
  float smax = 0;
  for (int j = 0; j < 8; ++j) smax = std::max(smax, std::fabs(sub[j]));
  p.d = fp16_ceil(smax / 31.0f);
  const float d = fp16_to_f32(p.d);
  for (int j = 0; j < 8; ++j) {
    const float* xs = x + 32 * j;
    const float t = d > 0 ? sub[j] / d : 0.0f;
    float best = INFINITY;
    for (const float l : {std::floor(t), std::ceil(t)}) {
      const int li = std::clamp(static_cast<int>(l), -32, 31);
      const float e = iq4nl_sse(xs, 32, d * static_cast<float>(li));
      if (e < best) {
        best = e;
        p.ls[j] = static_cast<uint8_t>(li + 32);
      }
    }
    const float s = d * static_cast<float>(p.ls[j] - 32);
    for (int l = 0; l < 32; ++l)
      p.codes[32 * j + l] = static_cast<uint8_t>(nearest_iq4nl_code(xs[l], s));
    p.err += best;
  }
  return p;
}

}  // namespace

void quantize_row_iq4_xs(const float* x, void* dst, int64_t n) {
  for (int64_t i = 0; i < n / kQK; ++i) {
    const float* xb = x + kQK * i;
    float searched[8], cover[8];
    for (int j = 0; j < 8; ++j) {
      searched[j] = search_iq4nl_scale(xb + 32 * j, 32);
      cover[j] = signed_absmax(xb + 32 * j, 32) / 113.0f;
    }
    const Iq4Plan a = plan_iq4_xs(xb, searched);
    const Iq4Plan c = plan_iq4_xs(xb, cover);
    const Iq4Plan& p = c.err < a.err ? c : a;
    BlockIQ4_XS b{};
    b.d = p.d;
    pack_iq4_xs_scales(p.ls, b);
    for (int j = 0; j < 8; ++j) pack_nibbles_32(p.codes + 32 * j, b.qs + 16 * j);
    std::memcpy(static_cast<uint8_t*>(dst) + i * static_cast<int64_t>(sizeof(b)), &b, sizeof(b));
  }
}

}  // namespace rotary::quant

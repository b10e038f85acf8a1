#include "loader/quant/scale_search.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "loader/quant/blocks.h"

namespace rotary::quant {

namespace {

// Candidate scales are m / (t * f) for the extreme code t of each side and f in 0.90 .. 1.10:
// f = 1 on the side that cannot clamp is the min/max choice; f > 1 clamps the largest elements a
// little to give every other element a finer grid, which often lowers the total squared error.
constexpr int kFactors = 5;
float factor(int k) {
  return 0.90f + 0.05f * static_cast<float>(k);
}

// Round to nearest (ties to even) for |t| < 2^22: adding 1.5 * 2^23 leaves the integer in the
// low mantissa bits. Callers clamp t first. Much faster than std::nearbyint, which is a libm call
// on baseline x86-64.
inline int round_nearest(float t) {
  const float v = t + 12582912.0f;
  int32_t bits;
  std::memcpy(&bits, &v, 4);
  return (bits & 0x007FFFFF) - 0x00400000;
}

inline int code_for(float x, float inv, int lo, int hi) {
  const float t = std::clamp(x * inv, static_cast<float>(lo), static_cast<float>(hi));
  return round_nearest(t);
}

// The kIQ4NL code nearest t, by table: kIQ4NL's values are integers, so the midpoints between
// neighbours are multiples of 1/2 and the nearest code is constant on each half-unit cell
// [u/2, (u+1)/2) of t in [-128, 128) (on a midpoint itself both codes are equally near).
struct Iq4Table {
  uint8_t code[512];
  Iq4Table() {
    for (int u = 0; u < 512; ++u) {
      const float t = (static_cast<float>(u) - 256.0f) * 0.5f + 0.25f;  // the cell's centre
      int best = 0;
      for (int c = 1; c < 16; ++c)
        if (std::fabs(t - kIQ4NL[c]) < std::fabs(t - kIQ4NL[best])) best = c;
      code[u] = static_cast<uint8_t>(best);
    }
  }
};
const Iq4Table kIq4;

inline int iq4_code_for(float t) {
  const float u = std::clamp(2.0f * t, -256.0f, 255.0f) + 256.0f;  // cell index, before flooring
  return kIq4.code[std::clamp(round_nearest(u - 0.5f), 0, 511)];
}

}  // namespace

float signed_absmax(const float* x, int n) {
  float m = 0, am = 0;
  for (int i = 0; i < n; ++i) {
    const float a = std::fabs(x[i]);
    if (a > am) {
      am = a;
      m = x[i];
    }
  }
  return m;
}

int nearest_code(float x, float s, SymmetricGrid grid) {
  if (s == 0.0f) return 0;
  return code_for(x, 1.0f / s, grid.lo, grid.hi);
}

float symmetric_sse(const float* x, int n, float s, SymmetricGrid grid) {
  if (s == 0.0f) {
    float e = 0;
    for (int i = 0; i < n; ++i) e += x[i] * x[i];
    return e;
  }
  const float inv = 1.0f / s;
  float e = 0;
  for (int i = 0; i < n; ++i) {
    const float d = s * static_cast<float>(code_for(x[i], inv, grid.lo, grid.hi)) - x[i];
    e += d * d;
  }
  return e;
}

float search_symmetric_scale(const float* x, int n, SymmetricGrid grid) {
  const float m = signed_absmax(x, n);
  if (m == 0.0f) return 0.0f;
  float best = m / static_cast<float>(grid.hi);  // min/max: m -> hi, nothing clamps
  float best_err = symmetric_sse(x, n, best, grid);
  for (int side = 0; side < 2; ++side) {
    const float t = static_cast<float>(side == 0 ? grid.hi : grid.lo);
    for (int k = 0; k < kFactors; ++k) {
      const float s = m / (t * factor(k));
      const float inv = 1.0f / s;
      float err = 0, sxc = 0, scc = 0;
      for (int i = 0; i < n; ++i) {
        const float c = static_cast<float>(code_for(x[i], inv, grid.lo, grid.hi));
        const float d = s * c - x[i];
        err += d * d;
        sxc += x[i] * c;
        scc += c * c;
      }
      if (err < best_err) {
        best_err = err;
        best = s;
      }
      if (scc > 0) {  // least-squares scale for these codes; its own nearest codes do no worse
        const float refit = sxc / scc;
        const float refit_err = symmetric_sse(x, n, refit, grid);
        if (refit_err < best_err) {
          best_err = refit_err;
          best = refit;
        }
      }
    }
  }
  return best;
}

int nearest_affine_code(float x, AffineScale p, int qmax) {
  if (p.a == 0.0f) return 0;
  return code_for(x + p.b, 1.0f / p.a, 0, qmax);
}

float affine_sse(const float* x, int n, AffineScale p, int qmax) {
  const float inv = p.a == 0.0f ? 0.0f : 1.0f / p.a;
  float e = 0;
  for (int i = 0; i < n; ++i) {
    const float q = static_cast<float>(p.a == 0.0f ? 0 : code_for(x[i] + p.b, inv, 0, qmax));
    const float d = p.a * q - p.b - x[i];
    e += d * d;
  }
  return e;
}

AffineScale cover_affine_scale(const float* x, int n, int qmax) {
  float lo = 0, hi = x[0];
  for (int i = 0; i < n; ++i) {
    lo = std::min(lo, x[i]);
    hi = std::max(hi, x[i]);
  }
  return {(hi - lo) / static_cast<float>(qmax), -lo};
}

AffineScale search_affine_scale(const float* x, int n, int qmax) {
  const AffineScale cover = cover_affine_scale(x, n, qmax);
  if (cover.a == 0.0f) return cover;  // constant block: the min alone holds it
  AffineScale best = cover;
  float best_err = affine_sse(x, n, cover, qmax);
  const float range = cover.a * static_cast<float>(qmax);
  for (int k = 0; k <= 5; ++k) {
    // Steps of range / (qmax - 1 .. qmax + 1): slightly finer or coarser than min/max.
    const AffineScale p{range / (static_cast<float>(qmax) - 1.0f + 0.4f * static_cast<float>(k)),
                        cover.b};
    const float inv = 1.0f / p.a;
    float err = 0, sq = 0, sqq = 0, sx = 0, sqx = 0;
    for (int i = 0; i < n; ++i) {
      const float q = static_cast<float>(code_for(x[i] + p.b, inv, 0, qmax));
      const float d = p.a * q - p.b - x[i];
      err += d * d;
      sq += q;
      sqq += q * q;
      sx += x[i];
      sqx += q * x[i];
    }
    if (err < best_err) {
      best_err = err;
      best = p;
    }
    // Least-squares (a, b) for these codes, with b >= 0 (the format stores the min unsigned).
    const float det = static_cast<float>(n) * sqq - sq * sq;
    if (det <= 0) continue;
    float a = (static_cast<float>(n) * sqx - sq * sx) / det;
    float b = -(sx - a * sq) / static_cast<float>(n);
    if (b < 0) {
      b = 0;
      a = sqx / sqq;
    }
    if (!(a > 0)) continue;
    const float refit_err = affine_sse(x, n, {a, b}, qmax);
    if (refit_err < best_err) {
      best_err = refit_err;
      best = {a, b};
    }
  }
  return best;
}

int nearest_iq4nl_code(float x, float s) {
  if (s == 0.0f) return 8;  // kIQ4NL[8] = 1 is the value nearest zero
  return iq4_code_for(x / s);
}

float iq4nl_sse(const float* x, int n, float s) {
  const float inv = s == 0.0f ? 0.0f : 1.0f / s;
  float e = 0;
  for (int i = 0; i < n; ++i) {
    const float d = s * static_cast<float>(kIQ4NL[iq4_code_for(x[i] * inv)]) - x[i];
    e += d * d;
  }
  return e;
}

float search_iq4nl_scale(const float* x, int n) {
  const float m = signed_absmax(x, n);
  if (m == 0.0f) return 0.0f;
  float best = m / 113.0f;  // min/max: m -> 113, everything else within [-113, 113]
  float best_err = iq4nl_sse(x, n, best);
  for (const float t : {113.0f, -127.0f}) {
    for (int k = 0; k < kFactors; ++k) {
      const float s = m / (t * factor(k));
      const float inv = 1.0f / s;
      float err = 0, sxk = 0, skk = 0;
      for (int i = 0; i < n; ++i) {
        const float v = kIQ4NL[iq4_code_for(x[i] * inv)];
        const float d = s * v - x[i];
        err += d * d;
        sxk += x[i] * v;
        skk += v * v;
      }
      if (err < best_err) {
        best_err = err;
        best = s;
      }
      if (skk > 0) {
        const float refit = sxk / skk;
        const float refit_err = iq4nl_sse(x, n, refit);
        if (refit_err < best_err) {
          best_err = refit_err;
          best = refit;
        }
      }
    }
  }
  return best;
}

}  // namespace rotary::quant

#include "loader/quant/scale_search.h"

#include <algorithm>
#include <cmath>

#include "loader/quant/blocks.h"

namespace rotary::quant {

namespace {

// Candidate scales are m / (t * f) for the extreme code t of each side and f in 0.70 .. 1.10:
// f = 1 on the side that cannot clamp is the min/max choice; f < 1 clamps the largest elements a
// little to give every other element a finer grid, which often lowers the total squared error.
constexpr int kFactors = 17;
float factor(int k) { return 0.70f + 0.025f * static_cast<float>(k); }

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
  const float t = std::nearbyint(x / s);
  return static_cast<int>(std::clamp(t, static_cast<float>(grid.lo), static_cast<float>(grid.hi)));
}

float symmetric_sse(const float* x, int n, float s, SymmetricGrid grid) {
  float e = 0;
  for (int i = 0; i < n; ++i) {
    const float d = s * static_cast<float>(nearest_code(x[i], s, grid)) - x[i];
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
      double sxc = 0, scc = 0;
      for (int i = 0; i < n; ++i) {
        const int c = nearest_code(x[i], s, grid);
        sxc += static_cast<double>(x[i]) * c;
        scc += static_cast<double>(c) * c;
      }
      for (const float cand : {s, scc > 0 ? static_cast<float>(sxc / scc) : s}) {
        const float err = symmetric_sse(x, n, cand, grid);
        if (err < best_err) {
          best_err = err;
          best = cand;
        }
      }
    }
  }
  return best;
}

int nearest_affine_code(float x, AffineScale p, int qmax) {
  if (p.a == 0.0f) return 0;
  const float t = std::nearbyint((x + p.b) / p.a);
  return static_cast<int>(std::clamp(t, 0.0f, static_cast<float>(qmax)));
}

float affine_sse(const float* x, int n, AffineScale p, int qmax) {
  float e = 0;
  for (int i = 0; i < n; ++i) {
    const float d = p.a * static_cast<float>(nearest_affine_code(x[i], p, qmax)) - p.b - x[i];
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

namespace {

// Least-squares (a, b) for fixed codes, with b >= 0 (the format stores the min unsigned).
AffineScale refit_affine(const float* x, int n, AffineScale p, int qmax) {
  double sq = 0, sqq = 0, sx = 0, sqx = 0;
  for (int i = 0; i < n; ++i) {
    const double q = nearest_affine_code(x[i], p, qmax);
    sq += q;
    sqq += q * q;
    sx += x[i];
    sqx += q * x[i];
  }
  const double det = n * sqq - sq * sq;
  if (det <= 0) return p;
  double a = (n * sqx - sq * sx) / det;
  double b = -(sx - a * sq) / n;
  if (b < 0) {
    b = 0;
    a = sqq > 0 ? sqx / sqq : 0;
  }
  if (a <= 0) return p;
  return {static_cast<float>(a), static_cast<float>(b)};
}

}  // namespace

AffineScale search_affine_scale(const float* x, int n, int qmax) {
  const AffineScale cover = cover_affine_scale(x, n, qmax);
  if (cover.a == 0.0f) return cover;  // constant block: the min alone holds it
  AffineScale best = cover;
  float best_err = affine_sse(x, n, cover, qmax);
  const float range = cover.a * static_cast<float>(qmax);
  for (int k = 0; k <= 20; ++k) {
    // Steps of range / (qmax - 1 .. qmax + 1): slightly finer or coarser than min/max.
    const float steps = static_cast<float>(qmax) - 1.0f + 0.1f * static_cast<float>(k);
    const AffineScale p{range / steps, cover.b};
    for (const AffineScale cand : {p, refit_affine(x, n, p, qmax)}) {
      const float err = affine_sse(x, n, cand, qmax);
      if (err < best_err) {
        best_err = err;
        best = cand;
      }
    }
  }
  return best;
}

int nearest_iq4nl_code(float x, float s) {
  if (s == 0.0f) return 8;  // kIQ4NL[8] = 1 is the value nearest zero
  const float t = x / s;
  int best = 0;
  float best_d = std::fabs(t - kIQ4NL[0]);
  for (int c = 1; c < 16; ++c) {
    const float d = std::fabs(t - kIQ4NL[c]);
    if (d < best_d) {
      best_d = d;
      best = c;
    }
  }
  return best;
}

float iq4nl_sse(const float* x, int n, float s) {
  float e = 0;
  for (int i = 0; i < n; ++i) {
    const float d = s * static_cast<float>(kIQ4NL[nearest_iq4nl_code(x[i], s)]) - x[i];
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
      double sxk = 0, skk = 0;
      for (int i = 0; i < n; ++i) {
        const double v = kIQ4NL[nearest_iq4nl_code(x[i], s)];
        sxk += x[i] * v;
        skk += v * v;
      }
      for (const float cand : {s, skk > 0 ? static_cast<float>(sxk / skk) : s}) {
        const float err = iq4nl_sse(x, n, cand);
        if (err < best_err) {
          best_err = err;
          best = cand;
        }
      }
    }
  }
  return best;
}

}  // namespace rotary::quant

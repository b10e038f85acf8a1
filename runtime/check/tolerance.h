#pragma once
// Tolerances of the checked ops against their double-precision references (derivations in the
// kernels' GPU tests: tests/gpu/weight_util.h, expert_util.cpp, norm_rope_test.cpp,
// attention_test.cpp, router_logits_test.cpp).
#include <algorithm>
#include <cmath>
#include <cstdint>

namespace rotary::check {

inline constexpr double kUnitRoundoff = 0x1p-24;  // f32

// A K-term weight product: the dequantised weights are exact, so the error is the f32 rounding of
// the sum in the kernel's order, at most (K - 1) u sum|w x| (Higham 3.1), plus a few roundings
// where block scales meet partial sums; and the final rounding of the result.
inline float product_tolerance(uint32_t k, double magnitude, double want) {
  return static_cast<float>((k + 8.0) * kUnitRoundoff * magnitude +
                            2 * kUnitRoundoff * std::fabs(want) + 1e-30);
}

// h = silu(g) * u from two products with errors dg and du: |d(silu(g) u)| <= 1.1 dg (|u| + du) +
// |silu(g)| du (silu' <= 1.1), plus the roundings of silu and the product.
inline float gate_up_tolerance(uint32_t k, double g, double u, double mag_g, double mag_u,
                               double want) {
  const double gamma = (k + 8.0) * kUnitRoundoff;
  const double dg = gamma * mag_g, du = gamma * mag_u;
  const double silu = g / (1.0 + std::exp(-g));
  return static_cast<float>(1.1 * dg * (std::fabs(u) + du) + std::fabs(silu) * du +
                            64 * kUnitRoundoff * std::fabs(want) + 1e-30);
}

// gpt-oss's clamped SwiGLU x sigmoid(1.702 x) (y + 1), x = min(g, 7), y = clamp(u, -7, 7): the
// gate's derivative is at most 1.4 and the up's is the activation (clamps only shrink errors).
inline float swiglu_oai_tolerance(uint32_t k, double g, double u, double mag_g, double mag_u,
                                  double want) {
  const double gamma = (k + 8.0) * kUnitRoundoff;
  const double dg = gamma * mag_g, du = gamma * mag_u;
  const double x = std::min(g, 7.0);
  const double act = x / (1.0 + std::exp(-1.702 * x));
  return static_cast<float>(1.4 * dg * (std::fabs(u) + 1 + du) + std::fabs(act) * du +
                            64 * kUnitRoundoff * std::fabs(want) + 1e-30);
}

}  // namespace rotary::check

#pragma once
// Scale searches for the reference quantizers. Each returns the scale (and min) of one block or
// sub-block that minimises the squared error over a small set of candidates, refitted by least
// squares; the plain min/max ("cover") choice is always among the candidates, so a search never
// does worse than it before the scale itself is rounded to its storage format.
#include <cstdint>

namespace rotary::quant {

// value = s * c with integer codes c in [lo, hi] (lo = -hi - 1: Q4_0, Q6_K sub-blocks).
struct SymmetricGrid {
  int lo;
  int hi;
};
// The element of largest magnitude, with its sign (0 for an all-zero block).
float signed_absmax(const float* x, int n);
// Code of x on the grid with scale s (nearest, clamped); 0 when s == 0.
int nearest_code(float x, float s, SymmetricGrid grid);
float symmetric_sse(const float* x, int n, float s, SymmetricGrid grid);
float search_symmetric_scale(const float* x, int n, SymmetricGrid grid);

// value = a * q - b with q in [0, qmax], a >= 0, b >= 0 (Q4_K / Q5_K sub-blocks).
struct AffineScale {
  float a = 0;
  float b = 0;
};
int nearest_affine_code(float x, AffineScale p, int qmax);
float affine_sse(const float* x, int n, AffineScale p, int qmax);
AffineScale cover_affine_scale(const float* x, int n, int qmax);
AffineScale search_affine_scale(const float* x, int n, int qmax);

// value = s * kIQ4NL[c] (IQ4_XS sub-blocks); s may be negative.
int nearest_iq4nl_code(float x, float s);
float iq4nl_sse(const float* x, int n, float s);
float search_iq4nl_scale(const float* x, int n);

}  // namespace rotary::quant

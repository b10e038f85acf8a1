// sin and cos of a float angle to about 1e-7 absolute, on any GPU. Rotary must reproduce
// llama.cpp's RoPE, which evaluates cosf/sinf (glibc, nearly correctly rounded) at angles up to
// the position (hundreds of thousands of radians); GPU sin/cos reduce the argument in float and
// Vulkan only promises 2^-11 absolute error on [-pi, pi]. Here the reduction is exact: the
// angle's 24-bit mantissa times a 64-bit fixed-point 1/(2 pi) gives the fraction of a turn in
// integer arithmetic (umulExtended), then a minimax polynomial on [-pi/4, pi/4] (the Cephes
// sinf/cosf coefficients) finishes. Valid for 0 <= x < 2^23.
#ifndef ROTARY_SINCOS_GLSL
#define ROTARY_SINCOS_GLSL

void rt_sincos_poly(float r, out float s, out float c) {
  const float z = r * r;
  s = ((-1.9515295891e-4 * z + 8.3321608736e-3) * z - 1.6666654611e-1) * z * r + r;
  c = ((2.443315711809948e-5 * z - 1.388731625493765e-3) * z + 4.166664568298827e-2) * z * z - 0.5 * z + 1.0;
}

void rt_sincos(float x, out float s, out float c) {
  if (x <= 0.78539816) {
    rt_sincos_poly(x, s, c);
    return;
  }
  const uint bits = floatBitsToUint(x);
  const uint mant = (bits & 0x7FFFFFu) | 0x800000u;
  const int e = int(bits >> 23) - 150;  // x = mant * 2^e, -24 <= e <= -1
  // mant * floor(2^64 / (2 pi)) = turns * 2^(64 - e); 0x28BE60DB9391054A = 2^64 / (2 pi)
  uint a_hi, a_lo, b_hi, b_lo;
  umulExtended(mant, 0x9391054Au, a_hi, a_lo);
  umulExtended(mant, 0x28BE60DBu, b_hi, b_lo);
  const uint p1 = a_hi + b_lo;
  const uint p2 = b_hi + (p1 < a_hi ? 1u : 0u);
  // The 32 bits below the binary point of the turn count: bits [32 - e, 64 - e) of the product.
  const uint shift = uint(32 - e);  // 33 .. 56
  const uint turn = (p1 >> (shift - 32u)) | (p2 << (64u - shift));
  uint quadrant = turn >> 30;
  int rem = int(turn & 0x3FFFFFFFu);
  if (rem >= 0x20000000) {
    rem -= 0x40000000;
    quadrant = (quadrant + 1u) & 3u;
  }
  // r = rem * 2 pi / 2^32, split so that each integer converts to float exactly
  const int rem_hi = rem & ~0x3F;
  const float r = float(rem_hi) * 1.4629180792671596e-9 + float(rem - rem_hi) * 1.4629180792671596e-9;
  float sr, cr;
  rt_sincos_poly(r, sr, cr);
  if (quadrant == 0u) {
    s = sr; c = cr;
  } else if (quadrant == 1u) {
    s = cr; c = -sr;
  } else if (quadrant == 2u) {
    s = -sr; c = -cr;
  } else {
    s = -cr; c = sr;
  }
}

#endif

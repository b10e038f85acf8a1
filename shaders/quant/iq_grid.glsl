// The unit interface (type.glsl) for the grid-based IQ types (IQ2_XXS, IQ2_XS, IQ2_S, IQ3_XXS,
// IQ3_S, IQ1_S, IQ1_M), from one function of the type file:
//   void iq_values(uint src, uint bb, uint ib, out vec4 q[8], out vec2 sc)
// which gives sub-block ib (elements 32 ib .. 32 ib + 31) of the 256-element block at byte bb as
// exact small values q (grid value times sign; IQ1: grid value plus delta) and the scales of its
// halves (elements 0..15 and 16..31), so that the dequantised value is sc * q in one rounding as
// in the CPU reference: ggml's (db * grid) * sign equals db * (grid * sign) bit for bit, since
// negation is exact. A unit is one sub-block. The type file defines BLOCK_BYTES first.
//
// The lookup tables are data, not shader constants: one read-only buffer at set 1, binding 0
// (layout: quant/iq_tables.h), which the pipeline cache creates once per device and binds to every
// pipeline whose shader declares set 1 (runtime/vk/shader_tables.h). As constant arrays, the
// larger tables made lavapipe's LLVM compile for minutes and crash.
#include "quant/iq_tables.h"

layout(std430, set = 1, binding = 0) readonly buffer IqTables { uint iq_tables[]; };

const uint QK = 256u;
const uint UNIT_ELEMS = 32u;

// The sign byte of a 7-bit index: an eighth bit makes the count of set bits even (checked
// against llama.cpp's table by the oracle test iq_grids).
uint iq_ksigns(uint s) { return s | ((uint(bitCount(s)) & 1u) << 7); }

// The four unsigned bytes of a grid word, negated where sign bits 0..3 of `signs` are set: exact.
vec4 iq_signed4(uint grid_word, uint signs) {
  const uvec4 neg = (uvec4(signs) >> uvec4(0u, 1u, 2u, 3u)) & 1u;
  return bytes_u8(grid_word) * (vec4(1.0) - 2.0 * vec4(neg));
}

// Entry e of an 8-value grid at word `at`, with sign byte `signs`, into q[2l], q[2l + 1].
void iq_put8(uint at, uint e, uint signs, uint l, inout vec4 q[8]) {
  q[2u * l] = iq_signed4(iq_tables[at + 2u * e], signs);
  q[2u * l + 1u] = iq_signed4(iq_tables[at + 2u * e + 1u], signs >> 4);
}

void iq_values(uint src, uint bb, uint ib, out vec4 q[8], out vec2 sc);

uint row_units(uint cols) { return cols / QK * 8u; }
uint unit_elem(uint u, uint i) { return 32u * u + i; }

float unit_dot(uint src, uint row, uint u, uint xb, uint cols) {
  vec4 q[8];
  vec2 sc;
  iq_values(src, row + (u >> 3) * BLOCK_BYTES, u & 7u, q, sc);
  const uint e0 = xb + 32u * u;
  vec4 a = vec4(0.0), b = vec4(0.0);
  [[unroll]] for (uint j = 0u; j < 4u; ++j) {
    a += q[j] * xload4(e0 + 4u * j);
    b += q[4u + j] * xload4(e0 + 16u + 4u * j);
  }
  return sc.x * dot(a, vec4(1.0)) + sc.y * dot(b, vec4(1.0));
}

void chunk_decode(uint src, uint row, uint c, uint cols, out float v[32]) {
  vec4 q[8];
  vec2 sc;
  iq_values(src, row + (c >> 3) * BLOCK_BYTES, c & 7u, q, sc);
  [[unroll]] for (uint j = 0u; j < 8u; ++j)
    [[unroll]] for (uint k = 0u; k < 4u; ++k) {
      precise const float t = (j < 4u ? sc.x : sc.y) * q[j][k];
      v[4u * j + k] = t;
    }
}

void unit_decode(uint src, uint row, uint u, uint cols, out float v[UNIT_ELEMS]) { chunk_decode(src, row, u, cols, v); }

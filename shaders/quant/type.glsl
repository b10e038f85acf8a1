// The weight type of a shader variant, chosen by one -DWTYPE_<NAME>=1 define (shaders/CMakeLists.txt).
// Every type file implements the same interface over one row of a weight matrix that starts at
// byte `row` of source `src` (see load.glsl) and holds `cols` elements:
//
//   const uint UNIT_ELEMS                 elements decoded by one unit (matvec/get_rows work item)
//   uint  row_units(uint cols)            units in a row
//   uint  unit_elem(uint u, uint i)       the row element that value i of unit u belongs to
//   float unit_dot(src, row, u, xb, cols) sum over unit u of w[e] * xload(xb + e), scales factored out
//   void  unit_decode(src, row, u, cols, out float v[UNIT_ELEMS])
//                                         the unit's values, bit-identical with the CPU reference
//                                         (loader/quant/dequantize.cpp): same operations, same
//                                         order, `precise` so nothing is fused into an fma
//   void  chunk_decode(src, row, c, cols, out float v[32])
//                                         elements [32c, 32c + 32) of the row, 0 past `cols`
//                                         (matmul tiles), bit-identical as above
//
// The dot path (MATVEC_DOT, quant/dot_q8.glsl) adds, in the types that have it (ROTARY_DOT_TYPES
// in shaders/CMakeLists.txt, ops::has_dot_kernels):
//   float unit_dot_q8(src, row, u, xb)  unit_dot against activations held as Q8_1 blocks
//
// A unit is chosen so that one invocation reads 16-32 contiguous bytes and neighbouring
// invocations read neighbouring bytes: a workgroup striding over units streams whole blocks.
// Kernels define `float xload(uint i)` and `vec4 xload4(uint i)` (activation elements i .. i + 3,
// one 128-bit load when i is a multiple of 4) before including this file.
#ifndef ROTARY_QUANT_TYPE_GLSL
#define ROTARY_QUANT_TYPE_GLSL

#include "quant/load.glsl"
#if MATVEC_DOT
#include "quant/dot_q8.glsl"
#endif

#if defined(WTYPE_F32)
#include "quant/f32.glsl"
#elif defined(WTYPE_F16)
#include "quant/f16.glsl"
#elif defined(WTYPE_BF16)
#include "quant/bf16.glsl"
#elif defined(WTYPE_Q8_0)
#include "quant/q8_0.glsl"
#elif defined(WTYPE_Q4_0)
#include "quant/q4_0.glsl"
#elif defined(WTYPE_Q4_1)
#include "quant/q4_1.glsl"
#elif defined(WTYPE_Q5_0)
#include "quant/q5_0.glsl"
#elif defined(WTYPE_Q5_1)
#include "quant/q5_1.glsl"
#elif defined(WTYPE_IQ4_NL)
#include "quant/iq4_nl.glsl"
#elif defined(WTYPE_Q2_K)
#include "quant/q2_k.glsl"
#elif defined(WTYPE_Q3_K)
#include "quant/q3_k.glsl"
#elif defined(WTYPE_Q4_K)
#include "quant/q4_k.glsl"
#elif defined(WTYPE_Q5_K)
#include "quant/q5_k.glsl"
#elif defined(WTYPE_Q6_K)
#include "quant/q6_k.glsl"
#elif defined(WTYPE_IQ4_XS)
#include "quant/iq4_xs.glsl"
#elif defined(WTYPE_MXFP4)
#include "quant/mxfp4.glsl"
#elif defined(WTYPE_IQ2_XXS)
#include "quant/iq2_xxs.glsl"
#elif defined(WTYPE_IQ2_XS)
#include "quant/iq2_xs.glsl"
#elif defined(WTYPE_IQ2_S)
#include "quant/iq2_s.glsl"
#elif defined(WTYPE_IQ3_XXS)
#include "quant/iq3_xxs.glsl"
#elif defined(WTYPE_IQ3_S)
#include "quant/iq3_s.glsl"
#elif defined(WTYPE_IQ1_S)
#include "quant/iq1_s.glsl"
#elif defined(WTYPE_IQ1_M)
#include "quant/iq1_m.glsl"
#else
#error "no weight type: define one WTYPE_<NAME>"
#endif

#endif

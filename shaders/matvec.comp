#version 450
// y[r] = sum_c W[r][c] * x[c] for one row chunk of a weight (batch 1, the decode hot path). W is
// read in its quantised blocks (shaders/quant/): a workgroup computes ROWS rows. Its invocations
// form row groups of LANES; group g computes rows g, g + GROUPS, ... and its invocations stride
// over the rows' units (16-32 contiguous bytes each), so together they stream whole blocks with
// coalesced loads. LANES below the workgroup size keeps every invocation busy on short rows (24
// units at K = 768: LANES 8, three units each). Each invocation accumulates in f32 with the block
// scales factored out, then the workgroup reduces (rows_reduce.glsl).
// Variants: ROTARY_STORAGE16 (8/16-bit loads, quant/load.glsl); MATVEC_DOT (x given as Q8_1
// blocks, integer dot products: quant/dot_q8.glsl; x_offset is then in words).
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

layout(local_size_x_id = 0) in;
layout(constant_id = 1) const uint SUBGROUP_MIN = 8;
layout(constant_id = 2) const uint ROWS = 1;
layout(constant_id = 3) const uint LANES = 8;  // invocations per row group: a power of two dividing the workgroup
const uint GROUPS = gl_WorkGroupSize.x / LANES;

// Each input is declared twice on one binding: as 32-bit words and as 128-bit vectors (and as
// 16- and 8-bit units in the u16 variants).
layout(std430, binding = 0) readonly buffer Weights { uint w[]; };
layout(std430, binding = 0) readonly buffer Weights4 { uvec4 w4[]; };
#if ROTARY_STORAGE16
layout(std430, binding = 0) readonly buffer Weights16 { uint16_t w16[]; };
layout(std430, binding = 0) readonly buffer Weights8 { uint8_t w8[]; };
uint wload16(uint src, uint i) { return uint(w16[i]); }
uint wload8(uint src, uint i) { return uint(w8[i]); }
#endif
layout(std430, binding = 1) readonly buffer X { float x[]; };
layout(std430, binding = 1) readonly buffer X4 { vec4 x4[]; };
#if MATVEC_DOT
layout(std430, binding = 1) readonly buffer XQ { uint xw[]; };
uint xq_word(uint xb, uint b, uint j) { return xw[xb + 10u * b + 2u + j]; }
vec2 xq_ds(uint xb, uint b) { return uintBitsToFloat(uvec2(xw[xb + 10u * b], xw[xb + 10u * b + 1u])); }
#endif
layout(std430, binding = 2) writeonly buffer Y { float y[]; };
layout(push_constant) uniform PushBlock { MatvecPush p; };

uint wload(uint src, uint i) { return w[i]; }
uvec4 wload4(uint src, uint i) { return w4[i]; }
float xload(uint i) { return x[i]; }
vec4 xload4(uint i) { return (i & 3u) == 0u ? x4[i >> 2] : vec4(x[i], x[i + 1u], x[i + 2u], x[i + 3u]); }

#include "quant/type.glsl"
#define RR_N ROWS
#include "rows_reduce.glsl"

void main() {
  const uint row0 = (gl_WorkGroupID.x + gl_WorkGroupID.y * gl_NumWorkGroups.x) * ROWS;
  if (row0 >= p.rows) return;  // whole workgroup
  const uint units = row_units(p.cols);
  const uint lane = gl_LocalInvocationID.x % LANES, group = gl_LocalInvocationID.x / LANES;
  float acc[ROWS];
  for (uint r = 0u; r < ROWS; ++r) acc[r] = 0.0;
  for (uint u = lane; u < units; u += LANES)
    for (uint r = 0u; r < ROWS; ++r)
      if (r % GROUPS == group && row0 + r < p.rows)
#if MATVEC_DOT
        acc[r] += unit_dot_q8(0u, p.w_skip + (row0 + r) * p.row_bytes, u, p.x_offset);
#else
        acc[r] += unit_dot(0u, p.w_skip + (row0 + r) * p.row_bytes, u, p.x_offset, p.cols);
#endif
  rows_reduce(acc);
  const uint r = gl_LocalInvocationID.x;
  if (r < ROWS && row0 + r < p.rows) y[p.y_offset + row0 + r] = acc[r];
}

#version 450
// y[r] = sum_c W[r][c] * x[c] for one row chunk of a weight (batch 1, the decode hot path). W is
// read in its quantised blocks (shaders/quant/): a workgroup computes ROWS rows; its invocations
// stride over the rows' units (16-32 contiguous bytes each), so together they stream whole blocks
// with coalesced 32-bit loads; each invocation accumulates in f32 with the block scales factored
// out, then the workgroup reduces with subgroup adds (rows_reduce.glsl).
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

layout(local_size_x_id = 0) in;
layout(constant_id = 1) const uint SUBGROUP_MIN = 8;
layout(constant_id = 2) const uint ROWS = 1;

// Each input is declared twice on one binding: as 32-bit words and as 128-bit vectors.
layout(std430, binding = 0) readonly buffer Weights { uint w[]; };
layout(std430, binding = 0) readonly buffer Weights4 { uvec4 w4[]; };
layout(std430, binding = 1) readonly buffer X { float x[]; };
layout(std430, binding = 1) readonly buffer X4 { vec4 x4[]; };
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
  float acc[ROWS];
  for (uint r = 0u; r < ROWS; ++r) acc[r] = 0.0;
  for (uint u = gl_LocalInvocationID.x; u < units; u += gl_WorkGroupSize.x)
    for (uint r = 0u; r < ROWS; ++r)
      if (row0 + r < p.rows) acc[r] += unit_dot(0u, p.w_skip + (row0 + r) * p.row_bytes, u, p.x_offset, p.cols);
  rows_reduce(acc);
  const uint r = gl_LocalInvocationID.x;
  if (r < ROWS && row0 + r < p.rows) y[p.y_offset + row0 + r] = acc[r];
}

#version 450
// Y[t][r] = sum_c W[r][c] * X[t][c] for a row chunk of W and a chunk of tokens (prompt
// processing): a tiled product with the weight dequantised into shared memory (mm_tile.glsl).
// Grid: x = row tiles, y = token tiles.
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

layout(local_size_x_id = 0) in;
layout(constant_id = 1) const uint SUBGROUP_MIN = 8;

layout(std430, binding = 0) readonly buffer Weights { uint w[]; };
layout(std430, binding = 0) readonly buffer Weights4 { uvec4 w4[]; };
layout(std430, binding = 1) readonly buffer X { float x[]; };
layout(std430, binding = 2) writeonly buffer Y { float y[]; };
layout(push_constant) uniform PushBlock { MatmulPush p; };

uint wload(uint src, uint i) { return w[i]; }
uvec4 wload4(uint src, uint i) { return w4[i]; }
float xload(uint i) { return x[i]; }  // unit_dot is not used here
vec4 xload4(uint i) { return vec4(0.0); }

#include "quant/type.glsl"

#define NMAT 1u
uint g_m0, g_n0;
uint mm_src(uint mat) { return 0u; }
uint mm_row(uint mat, uint m) { return p.w_skip + (g_m0 + m) * p.row_bytes; }
float mm_x(uint n, uint k) { return x[p.x_offset + (g_n0 + n) * p.x_stride + k]; }
#include "mm_tile.glsl"

void main() {
  g_m0 = gl_WorkGroupID.x * BM;
  g_n0 = gl_WorkGroupID.y * BN;
  if (g_m0 >= p.rows || g_n0 >= p.n) return;  // whole workgroup
  mm_run(min(BM, p.rows - g_m0), min(BN, p.n - g_n0), p.cols);
  for (uint j = 0u; j < TN; ++j) {
    const uint n = g_n0 + mm_n(j);
    if (n >= p.n) continue;
    for (uint i = 0u; i < TM; ++i) {
      const uint m = g_m0 + mm_m(i);
      if (m < p.rows) y[p.y_offset + n * p.y_stride + m] = mm_acc[i * TN + j];
    }
  }
}

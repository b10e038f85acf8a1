#version 450
// out[i][c] = W[ids[i]][c] dequantised (embedding lookup), for the ids whose row lies in this
// dispatch's row chunk of W; other ids are left to the other chunks' dispatches. Values are
// bit-identical with the CPU reference dequantisation. Grid: x covers a row's units, y the ids.
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

layout(local_size_x_id = 0) in;
layout(constant_id = 1) const uint SUBGROUP_MIN = 8;

layout(std430, binding = 0) readonly buffer Weights { uint w[]; };
layout(std430, binding = 0) readonly buffer Weights4 { uvec4 w4[]; };
layout(std430, binding = 1) readonly buffer Ids { uint ids[]; };
layout(std430, binding = 2) writeonly buffer Out { float o[]; };
layout(push_constant) uniform PushBlock { GetRowsPush p; };

uint wload(uint src, uint i) { return w[i]; }
uvec4 wload4(uint src, uint i) { return w4[i]; }
float xload(uint i) { return 0.0; }  // unused: get_rows only decodes
vec4 xload4(uint i) { return vec4(0.0); }

#include "quant/type.glsl"

void main() {
  const uint i = gl_WorkGroupID.y;
  const uint u = gl_WorkGroupID.x * gl_WorkGroupSize.x + gl_LocalInvocationID.x;
  if (i >= p.count || u >= row_units(p.cols)) return;
  const uint id = ids[p.ids_offset + i];
  if (id < p.first_row || id - p.first_row >= p.rows) return;
  float v[UNIT_ELEMS];
  unit_decode(0u, p.w_skip + (id - p.first_row) * p.row_bytes, u, p.cols, v);
  const uint base = p.out_offset + i * p.cols;
  for (uint k = 0u; k < UNIT_ELEMS; ++k) {
    const uint e = unit_elem(u, k);
    if (e < p.cols) o[base + e] = v[k];
  }
}

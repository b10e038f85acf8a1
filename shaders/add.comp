#version 450
// y = a + b over n floats. The smallest useful kernel: the foundation's GPU test checks it, and
// every bound range may start at an element offset (push constants).
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

layout(local_size_x_id = 0) in;

layout(std430, binding = 0) readonly buffer A { float a[]; };
layout(std430, binding = 1) readonly buffer B { float b[]; };
layout(std430, binding = 2) writeonly buffer Y { float y[]; };
layout(push_constant) uniform PushBlock { BinaryPush p; };

void main() {
  const uint i = gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * gl_WorkGroupSize.x;
  if (i >= p.n) return;
  y[p.y_offset + i] = a[p.a_offset + i] + b[p.b_offset + i];
}

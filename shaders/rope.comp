#version 450
// NEOX rotary embedding, one workgroup per token: dimension i pairs with i + n_rot/2 and turns by
// theta_i = pos * theta_scale^i; dimensions >= n_rot pass through. The angles repeat ggml's
// float evaluation exactly (theta starts at the position and is multiplied by theta_scale once
// per pair, in float, as ggml_rope_cache_init does), and sin/cos are accurate to ~1e-7 at any
// angle (sincos.glsl), so the result matches llama.cpp's CPU RoPE to a few float ulps.
// YaRN (gpt-oss) mixes each pair's interpolated and extrapolated angle and scales sin and cos,
// in ggml's float order. Positions must be below 2^23.
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
#include "sincos.glsl"

layout(local_size_x_id = 0) in;

layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) readonly buffer Pos { uint pos[]; };
layout(std430, binding = 2) buffer Y { float y[]; };
layout(push_constant) uniform PushBlock { RopePush p; };

const uint MAX_PAIRS = 256;  // n_rot <= 512
shared float rt_cos[MAX_PAIRS];
shared float rt_sin[MAX_PAIRS];

void main() {
  const uint token = gl_WorkGroupID.x + gl_WorkGroupID.y * gl_NumWorkGroups.x;
  if (token >= p.n_tokens) return;  // uniform across the workgroup
  const uint half_rot = p.n_rot / 2;
  const float position = float(pos[p.pos_offset + token]);
  for (uint i = gl_LocalInvocationID.x; i < half_rot; i += gl_WorkGroupSize.x) {
    precise float theta_extrap = position;
    for (uint j = 0; j < i; ++j) theta_extrap *= p.theta_scale;
    precise float theta = p.freq_scale * theta_extrap;
    if (p.ext_factor != 0.0) {
      const float y = (float(i) - p.corr_low) / max(0.001, p.corr_high - p.corr_low);
      precise const float ramp = (1.0 - min(1.0, max(0.0, y))) * p.ext_factor;
      theta = theta * (1.0 - ramp) + theta_extrap * ramp;
    }
    float s, c;
    rt_sincos(theta, s, c);
    rt_sin[i] = s * p.mscale;
    rt_cos[i] = c * p.mscale;
  }
  barrier();
  const uint per_head = half_rot + (p.copy_rest != 0u ? p.head_dim - p.n_rot : 0u);
  const uint xt = p.x_offset + token * p.x_token_stride;
  const uint yt = p.y_offset + token * p.y_token_stride;
  for (uint e = gl_LocalInvocationID.x; e < p.n_heads * per_head; e += gl_WorkGroupSize.x) {
    const uint h = e / per_head;
    const uint i = e - h * per_head;
    const uint xb = xt + h * p.x_head_stride;
    const uint yb = yt + h * p.y_head_stride;
    if (i < half_rot) {
      const float x0 = x[xb + i];
      const float x1 = x[xb + i + half_rot];
      y[yb + i] = x0 * rt_cos[i] - x1 * rt_sin[i];
      y[yb + i + half_rot] = x0 * rt_sin[i] + x1 * rt_cos[i];
    } else {
      const uint d = p.n_rot + (i - half_rot);
      y[yb + d] = x[xb + d];
    }
  }
}

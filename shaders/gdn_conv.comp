#version 450
// Gated DeltaNet: causal depthwise conv over [conv state | x] with SiLU, per channel:
//   y[t][c] = silu(sum_i w[c][i] * xs[t + i][c]),  xs = [state rows 0..KC-2 | x rows 0..T-1]
// and the conv state rolled forward to the last KC-1 rows of xs.
// One invocation walks TOKENS_PER_INVOCATION tokens of one channel with the window in
// registers; workgroup row y is the token block. With one block the same invocation rolls the
// state in place; with several, blocks would race on it, so the op records a second dispatch
// (state_only = 1) after a barrier. x must not alias y: later blocks read x after earlier
// blocks have written y.
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

layout(local_size_x_id = 0) in;
layout(constant_id = 1) const uint SUBGROUP_SIZE = 32;  // unused: nothing here reduces
layout(constant_id = 2) const uint TOKENS_PER_INVOCATION = 16;
layout(constant_id = 3) const uint KC = 4;  // conv kernel size (ssm.conv_kernel)

layout(std430, binding = 0) readonly buffer X { float x[]; };          // [T][C]
layout(std430, binding = 1) readonly buffer W { float w[]; };          // [C][KC] (ssm_conv1d)
layout(std430, binding = 2) buffer State { float state[]; };           // [KC-1][C]
layout(std430, binding = 3) writeonly buffer Y { float y[]; };         // [T][C]
layout(push_constant) uniform PushBlock { GdnConvPush p; };

// Row m of [state | x] for channel c.
float xs(uint m, uint c) {
  return m < KC - 1 ? state[m * p.channels + c] : x[(m - (KC - 1)) * p.channels + c];
}

void roll_state(uint c) {
  float keep[KC];
  [[unroll]] for (uint i = 0; i + 1 < KC; ++i) keep[i] = xs(p.n_tokens + i, c);
  [[unroll]] for (uint i = 0; i + 1 < KC; ++i) state[i * p.channels + c] = keep[i];
}

void main() {
  const uint c = gl_GlobalInvocationID.x;
  if (c >= p.channels) return;
  if (p.state_only != 0) {
    roll_state(c);
    return;
  }
  const uint t0 = gl_WorkGroupID.y * TOKENS_PER_INVOCATION;
  const uint t1 = min(p.n_tokens, t0 + TOKENS_PER_INVOCATION);
  float wc[KC];
  float win[KC];  // win[KC-1] is the newest input
  [[unroll]] for (uint i = 0; i < KC; ++i) wc[i] = w[c * KC + i];
  [[unroll]] for (uint i = 0; i + 1 < KC; ++i) win[i + 1] = xs(t0 + i, c);
  for (uint t = t0; t < t1; ++t) {
    [[unroll]] for (uint i = 0; i + 1 < KC; ++i) win[i] = win[i + 1];
    win[KC - 1] = x[t * p.channels + c];
    float acc = 0.0;
    [[unroll]] for (uint i = 0; i < KC; ++i) acc += wc[i] * win[i];
    y[t * p.channels + c] = acc / (1.0 + exp(-acc));
  }
  if (gl_NumWorkGroups.y == 1) roll_state(c);
}

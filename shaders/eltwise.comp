#version 450
// Row-structured elementwise ops, one variant per OP (a #define):
//   OP_SWIGLU           y = silu(a) * b, silu(a) = a / (1 + exp(-a))   (ggml_vec_swiglu_f32)
//   OP_MUL_SIGMOID      y = a * sigmoid(b), per element                  (gated attention output)
//   OP_MUL_SIGMOID_ROW  y = a * sigmoid(b[row]), one scalar per row      (shared-expert gate)
//   OP_SCALE            y = a * scalar
//   OP_ADD_BIAS         y = a + b[col], one bias row for every row          (gpt-oss's biases)
// Rows are n_cols floats, strided independently for a, b and y, so that halves of a merged
// gate|up row or per-head gates interleaved with queries are read in place.
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

layout(local_size_x_id = 0) in;

layout(std430, binding = 0) readonly buffer A { float a[]; };
layout(std430, binding = 1) readonly buffer B { float b[]; };
layout(std430, binding = 2) buffer Y { float y[]; };
layout(push_constant) uniform PushBlock { EltwisePush p; };

float sigmoid(float v) { return 1.0 / (1.0 + exp(-v)); }

void main() {
  const uint i = gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * gl_WorkGroupSize.x;
  if (i >= p.n_cols * p.n_rows) return;
  const uint r = i / p.n_cols;
  const uint c = i - r * p.n_cols;
  const float av = a[p.a_offset + r * p.a_stride + c];
#if defined(OP_SWIGLU)
  const float v = (av / (1.0 + exp(-av))) * b[p.b_offset + r * p.b_stride + c];
#elif defined(OP_MUL_SIGMOID)
  const float v = av * sigmoid(b[p.b_offset + r * p.b_stride + c]);
#elif defined(OP_MUL_SIGMOID_ROW)
  const float v = av * sigmoid(b[p.b_offset + r * p.b_stride]);
#elif defined(OP_SCALE)
  const float v = av * p.scalar;
#elif defined(OP_ADD_BIAS)
  const float v = av + b[p.b_offset + c];
#else
#error "eltwise.comp needs an OP_* define"
#endif
  y[p.y_offset + r * p.y_stride + c] = v;
}

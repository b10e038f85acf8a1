// The expert kernels' outputs from their products (expert_matvec.comp, expert_matmul.comp):
// SwiGLU silu(g) u, or gpt-oss's form (ExpertPush.flags): per-expert biases added to the products
// (ggml_add_id), and the clamped SwiGLU of ggml_swiglu_oai with alpha 1.702 and limit 7:
// x = min(g, 7), y = clamp(u, -7, 7), x / (1 + exp(-1.702 x)) (y + 1). Needs p (ExpertPush) and,
// for gate/up, the Bias and Bias2 buffers, for down the Bias buffer.
#ifndef ROTARY_EXPERT_ACT_GLSL
#define ROTARY_EXPERT_ACT_GLSL

float silu(float v) { return v / (1.0 + exp(-v)); }

#if EXPERT_GATE_UP
float expert_gate_up_out(uint expert, uint r, float g, float u) {
  if ((p.flags & 1u) != 0u) {
    g += bias[p.bias_offset + expert * p.rows + r];
    u += bias2[p.bias2_offset + expert * p.rows + r];
  }
  if ((p.flags & 2u) == 0u) return silu(g) * u;
  const float x = min(g, 7.0);
  const float y = clamp(u, -7.0, 7.0);
  return x / (1.0 + exp(1.702 * (-x))) * (y + 1.0);
}
#else
float expert_down_out(uint expert, uint r, float v) {
  return (p.flags & 1u) != 0u ? v + bias[p.bias_offset + expert * p.rows + r] : v;
}
#endif

#endif

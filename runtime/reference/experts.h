#pragma once
// CPU references of the grouped expert kernels (runtime/ops/experts.h), one expert and one token
// at a time: the prefill forms are the same per (token, k) pair.
#include <span>

#include "runtime/reference/weights.h"
#include "shaders/expert_slot.h"

namespace rotary::ref {

struct HostExpert {
  HostWeight gate;  // n_ff x n_embd
  HostWeight up;    // n_ff x n_embd
  HostWeight down;  // n_embd x n_ff
  // gpt-oss: this expert's biases (n_ff, n_ff, n_embd floats; empty: none) and clamped SwiGLU.
  std::span<const float> gate_bias, up_bias, down_bias;
  bool swiglu_oai = false;
};

// h[r] = silu(gate . x)[r] * (up . x)[r], in double, rounded once. x: n_embd, h: n_ff floats.
// gpt-oss: g = gate . x + gate_bias, u = up . x + up_bias, h = x' sigmoid(1.702 x') (u' + 1) with
// x' = min(g, 7), u' = clamp(u, -7, 7) (ggml_swiglu_oai).
void expert_gate_up(const HostExpert& e, std::span<const float> x, std::span<float> h);
// y[r] = weight * (down . h + down_bias)[r], in double, rounded once. h: n_ff, y: n_embd floats.
void expert_down(const HostExpert& e, std::span<const float> h, float weight, std::span<float> y);
// ggml_swiglu_oai's activation of one (gate, up) pair, in double.
double swiglu_oai(double g, double u);
// out[t][r] = residual[t][r] + (y[t][0][r] + ... + y[t][top_k-1][r]) in float, in exactly that
// order (the GPU kernel's, so the two agree bit for bit). An empty residual means none.
void expert_combine(std::span<const float> y, uint32_t n_tokens, uint32_t top_k, uint32_t n_embd,
                    std::span<const float> residual, std::span<float> out);
// The GPU routing step (ops::expert_route): table[j] = map[map_first + ids[j]] with k_index = j for
// j < ids.size(); an id >= n_experts (the router's non-finite mark) reads expert 0's entry.
void expert_route(std::span<const uint32_t> ids, std::span<const ops::ExpertSlot> map, uint32_t map_first,
                  uint32_t n_experts, std::span<ops::ExpertSlot> table);

}  // namespace rotary::ref

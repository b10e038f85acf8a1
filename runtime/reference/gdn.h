#pragma once
// Plain CPU references of the Gated DeltaNet ops (runtime/ops/gdn_*.h), written from the math
// (shared/reference/models.md section 2, llama.cpp's qwen35moe graph), not from the shaders:
// f32 in and out, double inside. Layouts and argument meanings are the ops' own.
#include <cstdint>
#include <span>

#include "runtime/ops/gdn_gates.h"
#include "runtime/ops/gdn_shape.h"

namespace rotary::ref {

// y[t][c] = silu(sum_i w[c][i] * xs[t + i][c]), xs = [state | x]; state <- last kernel-1 rows of
// xs.
void gdn_conv(const ops::GdnShape& shape, std::span<const float> x, std::span<const float> weight,
              std::span<float> conv_state, std::span<float> y, uint32_t n_tokens);

// x <- x / sqrt(sum(x^2) + eps) per head, in place.
void gdn_l2_norm(std::span<float> x, uint32_t n_tokens, uint32_t heads, uint32_t head_dim,
                 uint32_t token_stride, float eps);

// beta = sigmoid(b), g = softplus(a + dt_bias) * ssm_a, softplus(x) = x > 20 ? x : log(1 + e^x).
void gdn_gates(const ops::GdnShape& shape, const ops::GdnGateLayout& layout,
               std::span<const float> b, std::span<const float> a, std::span<const float> dt_bias,
               std::span<const float> ssm_a, std::span<float> beta, std::span<float> g,
               uint32_t n_tokens);

// The delta rule token by token: decay, delta update, read (the state in double across tokens).
void gdn_delta_rule(const ops::GdnShape& shape, std::span<const float> qkv,
                    std::span<const float> beta, std::span<const float> g, std::span<float> state,
                    std::span<float> out, uint32_t n_tokens);

// y = o / sqrt(mean(o^2) + eps) * w * silu(z) per row; y may be o.
void gdn_gated_norm(std::span<const float> o, std::span<const float> z,
                    std::span<const float> weight, std::span<float> y, uint32_t rows,
                    uint32_t head_dim, float eps);

// [T][H][q D | gate D] -> q [T][H][D], gate [T][H][D].
void attn_qgate_split(std::span<const float> qg, std::span<float> q, std::span<float> gate,
                      uint32_t n_tokens, uint32_t heads, uint32_t head_dim);

}  // namespace rotary::ref

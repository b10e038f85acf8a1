#pragma once
// Plain CPU references of the activation kernels, one per op, with the same shapes and layouts
// as runtime/ops. They follow llama.cpp's CPU evaluation where the order of float operations is
// what the oracle computes (noted per function), so that a debug mode can check each GPU op
// against them while a model runs, and tests can check the GPU against them.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "runtime/ops/attention.h"
#include "runtime/ops/kv_view.h"
#include "runtime/ops/norm.h"
#include "runtime/ops/rope.h"
#include "runtime/ops/router.h"

namespace rotary::ref {

// As ggml_compute_forward_rms_norm_f32: sum of squares in double, the mean as a float,
// scale = 1 / sqrtf(mean + eps), y = (x * scale) * w.
void rms_norm(std::span<const float> x, std::span<const float> w, std::span<float> y,
              const ops::RmsNormShape& shape);

// As ggml's NEOX rope: theta starts at the position and is multiplied by theta_scale (float) once
// per pair; cosf/sinf of that float; y0 = x0 cos - x1 sin, y1 = x0 sin + x1 cos in float.
void rope_neox(std::span<const float> x, std::span<const uint32_t> positions, std::span<float> y,
               const ops::RopeShape& shape);

// Causal GQA attention in double precision (the exact answer the kernels are measured against).
// k and v are the cache contents as floats, [rows][n_kv_heads][head_dim]: position j at row j
// (rows >= p0 + n_tokens), or with shape.ring at row j % rows. shape.window masks keys as
// llama.cpp's standard sliding window (a key at least `window` positions back is not seen).
// `sinks` (empty: none): head h's sink logit joins its softmax, as ggml_soft_max_add_sinks.
void attention(std::span<const float> q, std::span<const float> k, std::span<const float> v,
               std::span<float> out, const ops::AttentionShape& shape, uint32_t n_kv_heads,
               uint32_t head_dim, std::span<const float> sinks = {});

// n elements (a multiple of the block) into a cache row of type t: F16 rounds as ggml does; Q8_0
// and Q4_0 as llama.cpp's quantize_row_q8_0_ref / quantize_row_q4_0_ref, operation for operation
// in float (what ggml_quantize_chunk writes).
void kv_quantize_row(ops::KvType t, const float* src, std::byte* dst, size_t n);

// kv_store into a host copy of one cache tensor (K or V) of type `type`.
void kv_store(std::span<const float> cur, std::span<std::byte> cache, const ops::KvGeometry& geo,
              ops::KvType type, uint32_t p0, uint32_t n_tokens, uint32_t src_stride = 0);
// The first `positions` rows of a cache tensor of type `type` as floats (dequantised as ggml does).
std::vector<float> kv_values(std::span<const std::byte> cache, const ops::KvGeometry& geo,
                             ops::KvType type, uint32_t positions);

// As llama.cpp's build_moe_ffn with softmax gating: ggml_soft_max (expf, sum in double, scaled by
// the float of 1/sum), argsort descending (equal probabilities: lower id first; ggml's std::sort
// leaves that order unspecified), chosen probabilities summed in double, clamped, divided. A
// token with a NaN or infinite logit gets ROUTER_NON_FINITE (shaders/push.h) in all k ids.
// softmax_chosen (gpt-oss's SOFTMAX_WEIGHT gating): the k largest logits, ggml_soft_max over them.
void router_topk(std::span<const float> logits, std::span<uint32_t> ids, std::span<float> weights,
                 const ops::RouterShape& shape);

// Greedy: the first index of the maximum (llama_sampler_greedy_apply).
uint32_t logits_argmax(std::span<const float> logits);
// The k best, value descending then index ascending.
void logits_topk(std::span<const float> logits, uint32_t k, std::span<uint32_t> ids,
                 std::span<float> values);

// Elementwise, as ggml: silu(v) = v / (1 + expf(-v)), sigmoid(v) = 1 / (1 + expf(-v)).
// Row-structured arrays use the strides of ops::Rows (0: packed).
void swiglu(std::span<const float> gate, uint32_t gate_stride, std::span<const float> up,
            uint32_t up_stride, std::span<float> y, uint32_t y_stride, uint32_t n_cols,
            uint32_t n_rows);
void mul_sigmoid(std::span<const float> x, uint32_t x_stride, std::span<const float> gate,
                 uint32_t gate_stride, std::span<float> y, uint32_t y_stride, uint32_t n_cols,
                 uint32_t n_rows);
void mul_sigmoid_row(std::span<const float> x, uint32_t x_stride, std::span<const float> s,
                     std::span<float> y, uint32_t y_stride, uint32_t n_cols, uint32_t n_rows);
void scale(std::span<const float> x, std::span<float> y, float s);
// y[r][c] = x[r][c] + bias[c], in float (ggml_add broadcasting a bias row).
void add_bias(std::span<const float> x, uint32_t x_stride, std::span<const float> bias,
              std::span<float> y, uint32_t y_stride, uint32_t n_cols, uint32_t n_rows);
void add(std::span<const float> a, std::span<const float> b, std::span<float> y);

}  // namespace rotary::ref

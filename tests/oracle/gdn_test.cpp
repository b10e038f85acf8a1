// rotary's Gated DeltaNet references (runtime/reference/gdn.h) against llama.cpp's own ggml CPU ops
// (the oracle's libggml, in process): gates, ssm_conv over [conv state | x] with SiLU, the L2 norm
// llama.cpp composes from rms_norm, the fused gated_delta_net and the gated RMSNorm, chained as
// llama.cpp's qwen35moe and qwen3next graphs chain them, from non-zero conv and delta states.
// The GPU kernels are tested against the same references (tests/gpu/gdn_*), so this pins the
// conventions (head mapping, layouts, the L2 norm's eps, softplus) to the oracle.
#include <doctest/doctest.h>
#include <ggml-alloc.h>
#include <ggml-backend.h>
#include <ggml.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "runtime/reference/gdn.h"

namespace rotary {
namespace {

struct Layer {
  ops::GdnShape shape;
  uint32_t tokens;
  std::vector<float> qkv, z, b, a, ba, dt_bias, ssm_a, conv_w, conv_state, delta_state, norm_w;
};

std::vector<float> uniform(std::mt19937& rng, size_t n, float lo, float hi) {
  std::uniform_real_distribution<float> d(lo, hi);
  std::vector<float> v(n);
  for (float& x : v) x = d(rng);
  return v;
}

Layer make_layer(const ops::GdnShape& s, uint32_t tokens, uint32_t seed) {
  std::mt19937 rng(seed);
  Layer l{s, tokens};
  const uint32_t c = s.conv_channels();
  l.qkv = uniform(rng, uint64_t{tokens} * c, -2, 2);
  l.z = uniform(rng, uint64_t{tokens} * s.value_dim(), -4, 4);
  l.b = uniform(rng, uint64_t{tokens} * s.v_heads, -4, 4);
  l.a = uniform(rng, uint64_t{tokens} * s.v_heads, -6, 4);
  l.ba = uniform(rng, uint64_t{tokens} * 2 * s.v_heads, -4, 4);
  l.dt_bias = uniform(rng, s.v_heads, -1, 1);
  l.ssm_a = uniform(rng, s.v_heads, -3, -0.05f);
  l.conv_w = uniform(rng, uint64_t{c} * s.conv_kernel, -0.6f, 0.6f);
  l.conv_state = uniform(rng, s.conv_state_floats(), -2, 2);  // rotary's layout: [kernel-1][c]
  l.delta_state = uniform(rng, s.delta_state_floats(), -0.5f, 0.5f);
  l.norm_w = uniform(rng, s.dim_v, 0.5f, 1.5f);
  return l;
}

struct LayerOut {
  std::vector<float> y, conv_state, delta_state;
};

constexpr float kEps = 1e-6f;

// The chain through rotary's references.
LayerOut run_reference(const Layer& l, bool fused_ba) {
  const ops::GdnShape& s = l.shape;
  const uint32_t t = l.tokens;
  LayerOut r{std::vector<float>(uint64_t{t} * s.conv_channels()), l.conv_state, l.delta_state};
  std::vector<float> beta(uint64_t{t} * s.v_heads), g(beta.size());
  if (fused_ba)
    ref::gdn_gates(s, ops::GdnGateLayout::fused_ba(s), l.ba, l.ba, l.dt_bias, l.ssm_a, beta, g, t);
  else
    ref::gdn_gates(s, ops::GdnGateLayout::separate(s), l.b, l.a, l.dt_bias, l.ssm_a, beta, g, t);
  std::vector<float> conv(r.y.size());
  ref::gdn_conv(s, l.qkv, l.conv_w, r.conv_state, conv, t);
  ref::gdn_l2_norm(conv, t, 2 * s.k_heads, s.dim_k, s.conv_channels(), kEps);
  std::vector<float> o(uint64_t{t} * s.value_dim());
  ref::gdn_delta_rule(s, conv, beta, g, r.delta_state, o, t);
  r.y.resize(o.size());
  ref::gdn_gated_norm(o, l.z, l.norm_w, r.y, t * s.v_heads, s.dim_v, kEps);
  return r;
}

// llama.cpp's rms_norm-based L2 norm of the graph builders (models.h, build_gdn_l2_norm).
ggml_tensor* l2_norm(ggml_context* ctx, ggml_tensor* x) {
  const float n = static_cast<float>(x->ne[0]);
  return ggml_scale(ctx, ggml_rms_norm(ctx, x, kEps / n), 1.0f / std::sqrt(n));
}

struct Graph {
  ggml_tensor *qkv, *z, *b, *a, *ba, *dt, *ssm_a, *w, *conv_state, *state, *norm_w;
  ggml_tensor *y, *new_conv_state, *new_state;
};

// The same layer as ggml ops, in the order llama.cpp's qwen35moe (fused_ba = false: separate
// projections, tiled value heads) or qwen3next (fused ssm_ba, q/k repeated per group) builds it.
Graph build(ggml_context* ctx, const ops::GdnShape& s, int64_t t, bool fused_ba) {
  const int64_t c = s.conv_channels(), kc = s.conv_kernel, hv = s.v_heads, hk = s.k_heads;
  const int64_t dk = s.dim_k, dv = s.dim_v, r = hv / hk;
  Graph g{};
  g.qkv = ggml_new_tensor_2d(ctx, GGML_TYPE_F32, c, t);
  g.z = ggml_new_tensor_2d(ctx, GGML_TYPE_F32, dv * hv, t);
  g.b = ggml_new_tensor_2d(ctx, GGML_TYPE_F32, hv, t);
  g.a = ggml_new_tensor_2d(ctx, GGML_TYPE_F32, hv, t);
  g.ba = ggml_new_tensor_2d(ctx, GGML_TYPE_F32, 2 * hv, t);
  g.dt = ggml_new_tensor_1d(ctx, GGML_TYPE_F32, hv);
  g.ssm_a = ggml_new_tensor_1d(ctx, GGML_TYPE_F32, hv);
  g.w = ggml_new_tensor_2d(ctx, GGML_TYPE_F32, kc, c);
  g.conv_state = ggml_new_tensor_2d(ctx, GGML_TYPE_F32, kc - 1, c);  // llama.cpp's: per channel
  g.state = ggml_new_tensor_4d(ctx, GGML_TYPE_F32, dv, dv, hv, 1);
  g.norm_w = ggml_new_tensor_1d(ctx, GGML_TYPE_F32, dv);

  ggml_tensor *b = g.b, *a = g.a;
  if (fused_ba) {  // [b x r | a x r] per key head
    ggml_tensor* ba = ggml_reshape_4d(ctx, g.ba, 2 * r, hk, t, 1);
    b = ggml_cont_2d(ctx, ggml_view_4d(ctx, ba, r, hk, t, 1, ba->nb[1], ba->nb[2], ba->nb[3], 0),
                     hv, t);
    a = ggml_cont_2d(
        ctx, ggml_view_4d(ctx, ba, r, hk, t, 1, ba->nb[1], ba->nb[2], ba->nb[3], r * 4), hv, t);
  }
  ggml_tensor* beta = ggml_reshape_4d(ctx, ggml_sigmoid(ctx, b), 1, hv, t, 1);
  ggml_tensor* gate = ggml_reshape_4d(
      ctx, ggml_mul(ctx, ggml_softplus(ctx, ggml_add(ctx, a, g.dt)), g.ssm_a), 1, hv, t, 1);

  ggml_tensor* conv_in =
      ggml_concat(ctx, g.conv_state, ggml_transpose(ctx, g.qkv), 0);     // [kc-1+t, c]
  ggml_tensor* conv = ggml_silu(ctx, ggml_ssm_conv(ctx, conv_in, g.w));  // [c, t, 1]
  g.new_conv_state =
      ggml_cont(ctx, ggml_view_2d(ctx, conv_in, kc - 1, c, conv_in->nb[1], t * sizeof(float)));

  const size_t row = c * sizeof(float);
  ggml_tensor* q = ggml_view_4d(ctx, conv, dk, hk, t, 1, dk * 4, row, row * t, 0);
  ggml_tensor* k = ggml_view_4d(ctx, conv, dk, hk, t, 1, dk * 4, row, row * t, hk * dk * 4);
  ggml_tensor* v = ggml_view_4d(ctx, conv, dv, hv, t, 1, dv * 4, row, row * t, 2 * hk * dk * 4);
  q = l2_norm(ctx, q);
  k = l2_norm(ctx, k);
  if (fused_ba) {  // qwen3next repeats each key head for its r value heads, interleaved
    q = ggml_reshape_4d(ctx,
                        ggml_repeat_4d(ctx, ggml_reshape_4d(ctx, q, dk, 1, hk, t), dk, r, hk, t),
                        dk, hv, t, 1);
    k = ggml_reshape_4d(ctx,
                        ggml_repeat_4d(ctx, ggml_reshape_4d(ctx, k, dk, 1, hk, t), dk, r, hk, t),
                        dk, hv, t, 1);
  }
  ggml_tensor* res = ggml_gated_delta_net(ctx, q, k, v, gate, beta, g.state, 1);
  ggml_tensor* o = ggml_view_4d(ctx, res, dv, hv, t, 1, dv * 4, dv * hv * 4, dv * hv * t * 4, 0);
  g.new_state = ggml_cont(ctx, ggml_view_1d(ctx, res, dv * dv * hv, dv * hv * t * 4));
  ggml_tensor* normed = ggml_mul(ctx, ggml_rms_norm(ctx, o, kEps), g.norm_w);
  g.y = ggml_cont(ctx,
                  ggml_mul(ctx, normed, ggml_silu(ctx, ggml_reshape_4d(ctx, g.z, dv, hv, t, 1))));
  return g;
}

ggml_backend_t cpu_backend() {
  static ggml_backend_t backend = [] {
    ggml_backend_load_all_from_path(ROTARY_ORACLE_CPU_BINS);
    ggml_backend_t be = ggml_backend_init_by_type(GGML_BACKEND_DEVICE_TYPE_CPU, nullptr);
    REQUIRE_MESSAGE(be != nullptr,
                    "llama.cpp's CPU backend did not load from " ROTARY_ORACLE_CPU_BINS);
    ggml_backend_reg_t reg = ggml_backend_dev_backend_reg(ggml_backend_get_device(be));
    auto set_threads = reinterpret_cast<ggml_backend_set_n_threads_t>(
        ggml_backend_reg_get_proc_address(reg, "ggml_backend_set_n_threads"));
    if (set_threads) set_threads(be, 2);  // the default thread count crawls on a 2-core machine
    return be;
  }();
  return backend;
}

// The chain through llama.cpp's ggml ops.
LayerOut run_ggml(const Layer& l, bool fused_ba) {
  const ops::GdnShape& s = l.shape;
  ggml_init_params params{64ull << 20, nullptr, true};
  ggml_context* ctx = ggml_init(params);
  REQUIRE(ctx != nullptr);
  const Graph g = build(ctx, s, l.tokens, fused_ba);
  ggml_cgraph* gf = ggml_new_graph_custom(ctx, 4096, false);
  ggml_build_forward_expand(gf, g.y);
  ggml_build_forward_expand(gf, g.new_conv_state);
  ggml_build_forward_expand(gf, g.new_state);
  ggml_backend_buffer_t buf = ggml_backend_alloc_ctx_tensors(ctx, cpu_backend());
  REQUIRE(buf != nullptr);

  const uint32_t c = s.conv_channels(), hist = s.conv_kernel - 1;
  std::vector<float> conv_state(l.conv_state.size());  // rotary [i][c] -> llama.cpp [c][i]
  for (uint32_t i = 0; i < hist; ++i)
    for (uint32_t ch = 0; ch < c; ++ch) conv_state[ch * hist + i] = l.conv_state[i * c + ch];
  auto set = [](ggml_tensor* t, const std::vector<float>& v) {
    REQUIRE(ggml_nbytes(t) == v.size() * sizeof(float));
    ggml_backend_tensor_set(t, v.data(), 0, ggml_nbytes(t));
  };
  const std::pair<ggml_tensor*, const std::vector<float>*> inputs[] = {{g.qkv, &l.qkv},
                                                                       {g.z, &l.z},
                                                                       {g.b, &l.b},
                                                                       {g.a, &l.a},
                                                                       {g.ba, &l.ba},
                                                                       {g.dt, &l.dt_bias},
                                                                       {g.ssm_a, &l.ssm_a},
                                                                       {g.w, &l.conv_w},
                                                                       {g.conv_state, &conv_state},
                                                                       {g.state, &l.delta_state},
                                                                       {g.norm_w, &l.norm_w}};
  for (const auto& [tensor, values] : inputs) set(tensor, *values);
  REQUIRE(ggml_backend_graph_compute(cpu_backend(), gf) == GGML_STATUS_SUCCESS);

  auto get = [](ggml_tensor* t) {
    std::vector<float> v(ggml_nelements(t));
    ggml_backend_tensor_get(t, v.data(), 0, ggml_nbytes(t));
    return v;
  };
  LayerOut out{get(g.y), std::vector<float>(l.conv_state.size()), get(g.new_state)};
  const auto cs = get(g.new_conv_state);
  for (uint32_t i = 0; i < hist; ++i)
    for (uint32_t ch = 0; ch < c; ++ch) out.conv_state[i * c + ch] = cs[ch * hist + i];
  ggml_backend_buffer_free(buf);
  ggml_free(ctx);
  return out;
}

// abs 2e-5 + rel 2e-4: ggml runs in f32, the references in double. Worst seen: 8.9e-6 on an
// output of 0.53 (the RMSNorm divides by the small rms of o), 2.4e-7 on the delta state, 0 on the
// conv state. A wrong head mapping or layout is off by O(1).
void check_close(const std::vector<float>& got, const std::vector<float>& want, const char* what) {
  REQUIRE(got.size() == want.size());
  size_t bad = 0, worst = 0;
  double worst_err = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    const double err = std::abs(double(got[i]) - want[i]);
    if (!(err <= 2e-5 + 2e-4 * std::abs(double(want[i])))) ++bad;
    if (!(err <= worst_err)) {
      worst_err = err;
      worst = i;
    }
  }
  INFO(std::string(what) << ": " << bad << " of " << got.size() << " off; worst at " << worst
                         << ": llama.cpp " << want[worst] << ", rotary " << got[worst]);
  CHECK(bad == 0);
  if (const char* r = std::getenv("ROTARY_REPORT_ERRORS"); r && std::string(r) == "1")
    std::printf("max |error| %-14s %.3g (at llama.cpp %.3g)\n", what, worst_err, want[worst]);
}

void compare(const Layer& l, bool fused_ba) {
  const LayerOut want = run_ggml(l, fused_ba), got = run_reference(l, fused_ba);
  check_close(got.y, want.y, "layer output");
  check_close(got.conv_state, want.conv_state, "conv state");
  check_close(got.delta_state, want.delta_state, "delta state");
}

TEST_CASE("gdn references match llama.cpp's qwen35moe ops (tiled heads, separate gates)") {
  compare(make_layer(ops::GdnShape{}, 1, 1), false);  // decode step
  compare(make_layer(ops::GdnShape{}, 7, 2), false);
}

TEST_CASE("gdn references match llama.cpp's qwen3next ops (grouped heads, fused ssm_ba)") {
  ops::GdnShape s{};
  s.order = ops::VHeadOrder::Grouped;
  compare(make_layer(s, 5, 3), true);
  compare(make_layer(ops::GdnShape{2, 6, 24, 24, 3, ops::VHeadOrder::Grouped}, 9, 4), true);
}

}  // namespace
}  // namespace rotary

// The Gated DeltaNet glue ops against their CPU references: conv + SiLU with the conv state,
// per-head L2 norm, gates, gated RMSNorm, and the gated-attention q/gate split. Each runs in
// two workgroup/subgroup configurations and in the shared-memory (_nosg) variants.
//
// Tolerance for all of them: abs 2e-6 + rel 1e-5. Each output is a handful of f32 roundings
// (<= 6e-8 relative each) plus one exp/inversesqrt/log (a few ulp) away from the double
// reference; 1e-5 is ~100 ulp, tight enough that a wrong index, weight or missing term fails.
#include "runtime/kv/gdn_state.h"
#include "runtime/ops/attn_qgate.h"
#include "runtime/ops/gdn_conv.h"
#include "runtime/ops/gdn_gates.h"
#include "runtime/ops/gdn_norm.h"
#include "runtime/reference/gdn.h"
#include "tests/gpu/gdn_test_util.h"

namespace rotary::test {
namespace {

constexpr Tolerance kTol{2e-6, 1e-5};
constexpr float kEps = 1e-6f;
const ops::GdnTuning kConfigs[] = {{64, 8}, {128, 32}};

// Runs gdn_conv over the tokens split into consecutive calls (as decode follows a prompt), from a
// non-zero conv state, and checks every output row and the final state.
void check_conv(vk::GpuContext& g, const ops::GdnShape& shape, std::vector<uint32_t> calls,
                const ops::GdnTuning& tun, uint32_t seed) {
  std::mt19937 rng(seed);
  const uint32_t c = shape.conv_channels();
  uint32_t total = 0;
  for (uint32_t n : calls) total += n;
  const auto x = uniform(rng, uint64_t{total} * c, -1.5f, 1.5f);
  const auto w = uniform(rng, uint64_t{c} * shape.conv_kernel, -0.7f, 0.7f);
  std::vector<float> state = uniform(rng, shape.conv_state_floats(), -1.0f, 1.0f);
  std::vector<float> y_ref(x.size());

  vk::Buffer dw = upload_floats(g, w), ds = upload_floats(g, state);
  std::vector<float> y;
  uint32_t first = 0;
  for (uint32_t n : calls) {
    const uint64_t at = uint64_t{first} * c, count = uint64_t{n} * c;
    vk::Buffer dx = upload_floats(g, std::vector<float>(x.begin() + at, x.begin() + at + count));
    vk::Buffer dy = device_buffer(g, count * 4);
    g.compute().run_now([&](vk::Recorder& rec) {
      ops::gdn_conv(rec, shape, dx.view(), dw.view(), ds.view(), dy.view(), n, tun);
    });
    const auto part = download_floats(g, dy.view(), count);
    y.insert(y.end(), part.begin(), part.end());
    ref::gdn_conv(shape, std::span(x).subspan(at), w, state, std::span(y_ref).subspan(at), n);
    first += n;
  }
  check_close(y, y_ref, kTol, "conv output");
  check_close(download_floats(g, ds.view(), state.size()), state, kTol, "conv state");
}

TEST_CASE_FIXTURE(GpuTest, "gdn_conv: prompt then decode steps, from a non-zero conv state") {
  for (const auto& tun : kConfigs) {
    CAPTURE(tun.workgroup_size);
    check_conv(ctx, qwen35_shape(), {1, 2, 1}, tun, 1);  // decode steps: shorter than the kernel
    check_conv(ctx, qwen35_shape(), {37, 1}, tun, 2);    // 3 token blocks, then one step
    check_conv(ctx, awkward_tiled_shape(), {16, 17, 2, 1}, tun, 3);
    check_conv(ctx, awkward_grouped_shape(), {1, 130}, tun, 4);  // kernel 3
  }
}

// L2 norm in place over q and k of a conv-output-like row (v untouched).
void check_l2(vk::GpuContext& g, const ops::GdnShape& shape, uint32_t tokens,
              const ops::GdnTuning& tun, uint32_t seed) {
  std::mt19937 rng(seed);
  const uint32_t stride = shape.conv_channels(), heads = 2 * shape.k_heads;
  auto x = uniform(rng, uint64_t{tokens} * stride, -2.0f, 2.0f);
  for (uint32_t i = 0; i < shape.dim_k; ++i)
    x[shape.dim_k + i] = 0.0f;  // an all-zero head: stays 0
  vk::Buffer dx = upload_floats(g, x);
  g.compute().run_now([&](vk::Recorder& rec) {
    ops::gdn_l2_norm(rec, dx.view(), tokens, heads, shape.dim_k, stride, kEps, tun);
  });
  ref::gdn_l2_norm(x, tokens, heads, shape.dim_k, stride, kEps);
  check_close(download_floats(g, dx.view(), x.size()), x, kTol, "l2 norm");
}

TEST_CASE_FIXTURE(GpuTest, "gdn_l2_norm: q and k heads of the conv output, in place") {
  for (const auto& tun : kConfigs) {
    CAPTURE(tun.workgroup_size);
    check_l2(ctx, qwen35_shape(), 3, tun, 11);
    check_l2(ctx, awkward_tiled_shape(), 7, tun, 12);
    check_l2(ctx, awkward_grouped_shape(), 5, tun, 13);
  }
}

void check_gates(vk::GpuContext& g, const ops::GdnShape& shape, bool fused, uint32_t tokens,
                 const ops::GdnTuning& tun, uint32_t seed) {
  std::mt19937 rng(seed);
  const ops::GdnGateLayout layout =
      fused ? ops::GdnGateLayout::fused_ba(shape) : ops::GdnGateLayout::separate(shape);
  const uint64_t in = uint64_t{tokens} * layout.token_stride;
  // a spans the softplus branch point (a + dt_bias > 20) and large negative values.
  const auto b = uniform(rng, in, -8.0f, 8.0f);
  const auto a = uniform(rng, in, -30.0f, 25.0f);
  const auto dt_bias = uniform(rng, shape.v_heads, -1.0f, 1.0f);
  auto ssm_a = uniform(rng, shape.v_heads, 0.05f, 3.0f);
  for (float& v : ssm_a) v = -v;  // -exp(A_log) < 0
  std::vector<float> beta_ref(uint64_t{tokens} * shape.v_heads), g_ref(beta_ref.size());
  ref::gdn_gates(shape, layout, b, fused ? b : a, dt_bias, ssm_a, beta_ref, g_ref, tokens);

  vk::Buffer db = upload_floats(g, b), da = upload_floats(g, a), dbias = upload_floats(g, dt_bias),
             dssm = upload_floats(g, ssm_a);
  vk::Buffer dbeta = device_buffer(g, beta_ref.size() * 4), dg = device_buffer(g, g_ref.size() * 4);
  g.compute().run_now([&](vk::Recorder& rec) {
    const vk::BufferView& av = fused ? db.view() : da.view();
    ops::gdn_gates(rec, shape, layout, db.view(), av, dbias.view(), dssm.view(), dbeta.view(),
                   dg.view(), tokens, tun);
  });
  check_close(download_floats(g, dbeta.view(), beta_ref.size()), beta_ref, kTol, "beta");
  check_close(download_floats(g, dg.view(), g_ref.size()), g_ref, kTol, "g");
}

TEST_CASE_FIXTURE(GpuTest,
                  "gdn_gates: separate projections (qwen35moe) and fused ssm_ba (qwen3next)") {
  for (const auto& tun : kConfigs) {
    CAPTURE(tun.workgroup_size);
    check_gates(ctx, qwen35_shape(), false, 13, tun, 21);
    check_gates(ctx, qwen35_shape(), true, 7, tun, 22);
    check_gates(ctx, awkward_grouped_shape(), true, 5, tun, 23);
  }
}

void check_gated_norm(vk::GpuContext& g, uint32_t rows, uint32_t dim, bool in_place,
                      const ops::GdnTuning& tun, uint32_t seed) {
  std::mt19937 rng(seed);
  const auto o = uniform(rng, uint64_t{rows} * dim, -3.0f, 3.0f);
  const auto z = uniform(rng, o.size(), -6.0f, 6.0f);
  const auto w = uniform(rng, dim, 0.2f, 1.8f);
  std::vector<float> y_ref(o.size());
  ref::gdn_gated_norm(o, z, w, y_ref, rows, dim, kEps);
  vk::Buffer d_o = upload_floats(g, o), dz = upload_floats(g, z), dw = upload_floats(g, w);
  vk::Buffer dy = device_buffer(g, o.size() * 4);
  const vk::BufferView out = in_place ? d_o.view() : dy.view();
  g.compute().run_now([&](vk::Recorder& rec) {
    ops::gdn_gated_norm(rec, d_o.view(), dz.view(), dw.view(), out, rows, dim, kEps, tun);
  });
  check_close(download_floats(g, out, o.size()), y_ref, kTol, "gated norm");
}

TEST_CASE_FIXTURE(GpuTest, "gdn_gated_norm: RMSNorm(o; w) * silu(z) per head, in place and not") {
  for (const auto& tun : kConfigs) {
    CAPTURE(tun.workgroup_size);
    check_gated_norm(ctx, 32 * 3, 128, false, tun, 31);  // three tokens of Qwen3.5/3.6
    check_gated_norm(ctx, 13, 7, true, tun, 32);
    check_gated_norm(ctx, 5, 200, false, tun, 33);  // head dim over the workgroup size
  }
}

void check_qgate(vk::GpuContext& g, uint32_t tokens, uint32_t heads, uint32_t dim,
                 const ops::GdnTuning& tun, uint32_t seed) {
  std::mt19937 rng(seed);
  const auto qg = uniform(rng, uint64_t{tokens} * heads * dim * 2, -1.0f, 1.0f);
  std::vector<float> q_ref(qg.size() / 2), gate_ref(qg.size() / 2);
  ref::attn_qgate_split(qg, q_ref, gate_ref, tokens, heads, dim);
  vk::Buffer dqg = upload_floats(g, qg), dq = device_buffer(g, q_ref.size() * 4),
             dgate = device_buffer(g, q_ref.size() * 4);
  g.compute().run_now([&](vk::Recorder& rec) {
    ops::attn_qgate_split(rec, dqg.view(), dq.view(), dgate.view(), tokens, heads, dim, tun);
  });
  check_close(download_floats(g, dq.view(), q_ref.size()), q_ref, {0, 0}, "q");  // copies: exact
  check_close(download_floats(g, dgate.view(), q_ref.size()), gate_ref, {0, 0}, "gate");
}

TEST_CASE_FIXTURE(GpuTest, "attn_qgate_split: [q | gate] per head into q and gate") {
  for (const auto& tun : kConfigs) {
    CAPTURE(tun.workgroup_size);
    check_qgate(ctx, 3, 16, 256, tun, 41);  // Qwen3.5/3.6 full-attention layers
    check_qgate(ctx, 7, 3, 13, tun, 42);
  }
}

TEST_CASE_FIXTURE(
    GpuTest, "GdnState: aligned views per layer and sequence, budgeted, cleared per sequence") {
  const ops::GdnShape shape = awkward_grouped_shape();
  const uint64_t before = ctx.budget().used(vk::MemoryUse::KvCache);
  {
    const kv::GdnState st = kv::GdnState::create(ctx.device(), &ctx.budget(), shape, 3, 2);
    CHECK(ctx.budget().used(vk::MemoryUse::KvCache) - before ==
          2 * kv::GdnState::bytes_per_sequence(ctx.caps(), shape, 3));
    const uint64_t align = vk::binding_alignment(ctx.caps());
    std::vector<vk::BufferView> views;
    for (uint32_t seq = 0; seq < 2; ++seq)
      for (uint32_t layer = 0; layer < 3; ++layer) {
        views.push_back(st.conv(layer, seq));
        views.push_back(st.delta(layer, seq));
        CHECK(st.conv(layer, seq).size == shape.conv_state_floats() * 4);
        CHECK(st.delta(layer, seq).size == shape.delta_state_floats() * 4);
      }
    for (size_t i = 0; i < views.size(); ++i) {
      CHECK(views[i].offset % align == 0);
      for (size_t j = 0; j < i; ++j)  // no two views overlap
        CHECK((views[i].buffer != views[j].buffer ||
               views[i].offset >= views[j].offset + views[j].size ||
               views[j].offset >= views[i].offset + views[i].size));
    }
    ctx.compute().run_now([&](vk::Recorder& rec) {
      for (const auto& v : views) rec.fill(v, 0x3f800000u);  // 1.0f
      st.clear(rec, 1);
    });
    const auto kept = download_floats(ctx, st.delta(2, 0), shape.delta_state_floats());
    const auto cleared = download_floats(ctx, st.conv(2, 1), shape.conv_state_floats());
    CHECK(std::count(kept.begin(), kept.end(), 1.0f) == static_cast<long>(kept.size()));
    CHECK(std::count(cleared.begin(), cleared.end(), 0.0f) == static_cast<long>(cleared.size()));
    CHECK_THROWS_AS(st.conv(3, 0), Error);
    CHECK_THROWS_AS(st.delta(0, 2), Error);
  }
  CHECK(ctx.budget().used(vk::MemoryUse::KvCache) == before);
}

TEST_CASE("gdn glue ops: the shared-memory (no subgroup) variants") {
  auto g = make_gpu({.subgroup_arith = false});
  REQUIRE_FALSE(g->pipelines().subgroup_arith());
  const ops::GdnTuning tun{64, 8};
  check_conv(*g, qwen35_shape(), {37, 1}, tun, 51);
  check_conv(*g, awkward_grouped_shape(), {2, 19}, tun, 52);
  check_l2(*g, qwen35_shape(), 2, tun, 53);
  check_l2(*g, awkward_tiled_shape(), 7, {32, 8}, 54);
  check_gates(*g, qwen35_shape(), false, 3, tun, 55);
  check_gated_norm(*g, 32, 128, true, tun, 56);
  check_gated_norm(*g, 13, 7, false, {32, 8}, 57);
  check_qgate(*g, 2, 16, 256, tun, 58);
  CHECK(g->instance().validation_errors() == 0);
  CHECK(g->instance().validation_warnings() == 0);
}

}  // namespace
}  // namespace rotary::test

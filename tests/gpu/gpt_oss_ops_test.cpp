// The kernel features gpt-oss adds, against the CPU references at awkward shapes: YaRN RoPE,
// attention with sinks over sliding windows and ring caches, bias rows, and the router's softmax
// over the chosen experts. (The experts' biases and clamped SwiGLU: experts_*_test.cpp.)
#include <cmath>
#include <numeric>

#include "runtime/kv/kv_cache.h"
#include "runtime/ops/attention.h"
#include "runtime/ops/elementwise.h"
#include "runtime/ops/kv_store.h"
#include "runtime/ops/rope.h"
#include "runtime/ops/router.h"
#include "runtime/reference/activations.h"
#include "tests/gpu/act_util.h"

namespace rotary::test {
namespace {

// gpt-oss-20b's YaRN: x32 over an original context of 4096, base 150000, 64 rotated dims.
ops::RopeShape yarn_shape(uint32_t n_tokens, uint32_t n_heads, uint32_t head_dim, uint32_t n_rot) {
  ops::RopeShape s{n_tokens, n_heads, head_dim, n_rot, 150000.0f};
  s.freq_scale = 1.0f / 32.0f;
  s.ext_factor = 1.0f;
  s.attn_factor = 1.0f;
  s.n_ctx_orig = 4096;
  return s;
}

TEST_CASE_FIXTURE(ActTest, "rope yarn: the mixed angle and the magnitude factor of ggml's rope_yarn") {
  // x = (1, 0) in every pair: y = mscale (cos theta, sin theta), with theta computed here in
  // double from the YaRN formula (ramp over the correction dims of beta 32 and 1).
  const uint32_t n_rot = 64, n_tokens = 9;
  const std::vector<uint32_t> pos{0, 1, 2, 127, 128, 4095, 4096, 70001, 131071};
  const ops::RopeShape s = yarn_shape(n_tokens, 1, n_rot, n_rot);
  std::vector<float> x(size_t{n_tokens} * n_rot, 0.0f);
  for (uint32_t t = 0; t < n_tokens; ++t)
    for (uint32_t i = 0; i < n_rot / 2; ++i) x[t * n_rot + i] = 1.0f;
  vk::Buffer dx = upload_floats(ctx, x), dp = upload_uints(ctx, pos);
  ctx.compute().run_now([&](vk::Recorder& rec) { ops::rope_neox(rec, dx.view(), dp.view(), dx.view(), s); });
  const std::vector<float> got = download_floats(ctx, dx.view(), x.size());
  const auto corr = [&](double beta) { return n_rot * std::log(4096.0 / (beta * 2 * M_PI)) / (2 * std::log(150000.0)); };
  const double low = std::max(0.0, std::floor(corr(32))), high = std::min(n_rot - 1.0, std::ceil(corr(1)));
  CHECK(low == 8);  // the ramp lies inside the head: both ends of it are exercised
  CHECK(high == 18);
  const double mscale = 1 + 0.1 * std::log(32.0);
  const float ts = ops::rope_theta_scale(150000.0f, n_rot);
  double worst = 0;
  for (uint32_t t = 0; t < n_tokens; ++t) {
    float extrap = static_cast<float>(pos[t]);  // ggml's unscaled angle: repeated float products
    for (uint32_t i = 0; i < n_rot / 2; ++i, extrap *= ts) {
      const double ramp = 1 - std::min(1.0, std::max(0.0, (i - low) / std::max(0.001, high - low)));
      const double theta = static_cast<double>(extrap) / 32 * (1 - ramp) + static_cast<double>(extrap) * ramp;
      // The kernel mixes in float: a few roundings of theta (up to 131071 rad).
      const double slack = 4 * std::fabs(theta) * 0x1p-24 * mscale;
      worst = std::max(worst, (std::fabs(got[t * n_rot + i] - mscale * std::cos(theta)) - slack));
      worst = std::max(worst, (std::fabs(got[t * n_rot + i + n_rot / 2] - mscale * std::sin(theta)) - slack));
    }
  }
  INFO("worst |error| beyond the angle's rounding " << worst);
  CHECK(worst < 1e-6);
}

TEST_CASE_FIXTURE(ActTest, "rope yarn: against the reference, strided, in place, awkward shapes") {
  uint32_t seed = 9100;
  for (const OpConfig& c : two_configs(ctx, 128, 32)) {
    CAPTURE(c.name);
    for (auto [n_tokens, n_heads, head_dim, n_rot] : {std::array<uint32_t, 4>{7, 8, 64, 64}, {13, 3, 128, 96}, {1, 64, 64, 64}}) {
      std::vector<uint32_t> pos(n_tokens);
      for (uint32_t t = 0; t < n_tokens; ++t) pos[t] = 4093 + 977 * t * t;
      const ops::RopeShape s = yarn_shape(n_tokens, n_heads, head_dim, n_rot);
      const std::vector<float> x = random_floats(size_t{n_tokens} * n_heads * head_dim, seed++);
      std::vector<float> want(x);
      ref::rope_neox(x, pos, want, s);
      vk::Buffer dx = upload_floats(*c.g, x), dp = upload_uints(*c.g, pos);
      c.g->compute().run_now([&](vk::Recorder& rec) {
        ops::rope_neox(rec, dx.view(), dp.view(), dx.view(), s, {c.workgroup_size});
      });
      const ToleranceReport rep = compare_within(download_floats(*c.g, dx.view(), x.size()), want, 1e-6, 1e-6);
      INFO(rep.text());
      CHECK(rep.bad == 0);
    }
  }
}

struct SinkCase {
  ops::KvType type;
  uint32_t n_kv_heads, group, n_tokens, p0;
  uint32_t window;  // 0: full attention
  bool ring;
  bool sinks;
  uint32_t split_keys = 0;
};

// Keys and values of every position 0 .. p0 + n_tokens - 1; the cache holds them by position or,
// as a ring of window + n_tokens - 1 + 3 rows, the ones a ring would still hold. The reference
// reads the positions directly (no ring), so the ring's row mapping is checked too.
void run_sink_case(vk::GpuContext& g, const SinkCase& c, uint32_t seed) {
  CAPTURE(ops::to_string(c.type));
  CAPTURE(c.n_tokens);
  CAPTURE(c.p0);
  CAPTURE(c.window);
  CAPTURE(c.ring);
  CAPTURE(c.sinks);
  CAPTURE(c.split_keys);
  const uint32_t head_dim = 64, n_heads = c.n_kv_heads * c.group, kv_len = c.p0 + c.n_tokens;
  const size_t row = size_t{c.n_kv_heads} * head_dim;
  const uint32_t rows = c.ring ? c.window + c.n_tokens - 1 + 3 : kv_len + 2;
  const ops::KvGeometry geo{c.type, c.n_kv_heads, head_dim, rows};
  kv::KvCache cache = kv::KvCache::create(g.device(), &g.budget(), 1, geo);
  // Per position, rounded to the cache type as the store rounds them.
  std::vector<float> k = random_floats(kv_len * row, seed), v = random_floats(kv_len * row, seed + 1);
  const auto rounded = [&](const std::vector<float>& x, ops::KvType t) {
    std::vector<std::byte> host(ops::KvGeometry{t, c.n_kv_heads, head_dim, kv_len}.tensor_bytes(t));
    ref::kv_store(x, host, {t, c.n_kv_heads, head_dim, kv_len}, t, 0, kv_len);
    return ref::kv_values(host, {t, c.n_kv_heads, head_dim, kv_len}, t, kv_len);
  };
  k = rounded(k, c.type);
  v = rounded(v, c.type);
  // The cache's rows: position j at row j (or j % rows), the latest position winning.
  std::vector<float> ck(rows * row, 0.5f), cv(rows * row, -0.5f);
  for (uint32_t j = 0; j < kv_len; ++j) {
    const uint32_t r = c.ring ? j % rows : j;
    std::copy_n(k.begin() + j * row, row, ck.begin() + r * row);
    std::copy_n(v.begin() + j * row, row, cv.begin() + r * row);
  }
  vk::Buffer dk = upload_floats(g, ck), dv = upload_floats(g, cv);
  g.compute().run_now([&](vk::Recorder& rec) { ops::kv_store(rec, dk.view(), dv.view(), cache.layer(0), 0, rows); });

  const ops::AttentionShape shape{c.n_tokens, c.p0, n_heads, c.window, c.ring};
  const std::vector<float> q = random_floats(size_t{c.n_tokens} * n_heads * head_dim, seed + 2, -4.0f, 4.0f);
  const std::vector<float> sinks = random_floats(n_heads, seed + 3, -3.0f, 3.0f);
  std::vector<float> want(q.size());
  ops::AttentionShape by_position = shape;
  by_position.ring = false;
  ref::attention(q, k, v, want, by_position, c.n_kv_heads, head_dim, c.sinks ? std::span<const float>(sinks) : std::span<const float>{});

  const ops::AttentionTuning t{.split_keys = c.split_keys};
  const ops::AttentionPlan plan = ops::attention_plan(shape, geo, g.caps(), t);
  CAPTURE(plan.n_splits);
  vk::Buffer dq = upload_floats(g, q), ds = upload_floats(g, sinks), dout = device_buffer(g, q.size() * 4);
  vk::Buffer scratch = device_buffer(g, std::max<uint64_t>(plan.scratch_bytes, 4), "attention scratch");
  g.compute().run_now([&](vk::Recorder& rec) {
    ops::attention(rec, dq.view(), cache.layer(0), dout.view(), scratch.view(), shape, t,
                   c.sinks ? ds.view() : vk::BufferView{});
  });
  const ToleranceReport rep = compare_within(download_floats(g, dout.view(), q.size()), want, 1e-5, 1e-5);
  INFO(rep.text());
  CHECK(rep.bad == 0);
}

TEST_CASE_FIXTURE(ActTest, "attention with sinks: full layers, decode split across workgroups and prefill") {
  uint32_t seed = 9200;
  for (ops::KvType type : {ops::KvType::F32, ops::KvType::F16}) {
    run_sink_case(ctx, {type, 2, 8, 1, 0, 0, false, true}, seed += 4);     // the first token
    run_sink_case(ctx, {type, 2, 8, 1, 300, 0, false, true}, seed += 4);   // decode
    run_sink_case(ctx, {type, 2, 8, 1, 300, 0, false, true, 32}, seed += 4);  // split: the combine adds the sink
    run_sink_case(ctx, {type, 3, 4, 13, 17, 0, false, true}, seed += 4);   // prefill continuing
    run_sink_case(ctx, {type, 3, 4, 13, 17, 0, false, false}, seed += 4);  // and without sinks, the same kernel
  }
}

TEST_CASE_FIXTURE(ActTest, "attention over a sliding window: ring caches, positions before, at and past the window") {
  uint32_t seed = 9300;
  for (ops::KvType type : {ops::KvType::F32, ops::KvType::F16}) {
    for (uint32_t p0 : {0u, 5u, 15u, 16u, 17u, 40u, 1000u})
      run_sink_case(ctx, {type, 2, 4, 1, p0, 16, true, true}, seed += 4);  // decode, window 16
    for (uint32_t p0 : {0u, 10u, 33u, 301u})
      run_sink_case(ctx, {type, 2, 4, 7, p0, 16, true, true}, seed += 4);  // prefill chunks of 7
    run_sink_case(ctx, {type, 1, 8, 13, 50, 5, true, false}, seed += 4);   // a window shorter than the chunk
    run_sink_case(ctx, {type, 2, 4, 20, 0, 5, false, true}, seed += 4);    // a window over a whole cache
    run_sink_case(ctx, {type, 2, 4, 1, 1000, 128, true, true, 8}, seed += 4);  // split over the window
  }
}

TEST_CASE_FIXTURE(ActTest, "attention over a ring: a chunk longer than the ring allows is refused") {
  const ops::KvGeometry geo{ops::KvType::F32, 2, 64, 20};
  CHECK_NOTHROW(ops::attention_plan({5, 100, 8, 16, true}, geo, ctx.caps()));
  CHECK_THROWS_AS(ops::attention_plan({6, 100, 8, 16, true}, geo, ctx.caps()), Error);
  CHECK_THROWS_AS(ops::attention_plan({1, 100, 8, 0, true}, geo, ctx.caps()), Error);  // a ring needs a window
}

TEST_CASE_FIXTURE(ActTest, "add_bias: one bias row added to every row, strided, in place, exact") {
  uint32_t seed = 9400;
  for (const OpConfig& c : two_configs(ctx, 256, 64))
    for (auto [cols, rows, stride] : {std::array<uint32_t, 3>{4096, 7, 0}, {13, 127, 20}, {1, 3, 0}}) {
      CAPTURE(cols);
      CAPTURE(rows);
      const uint32_t s = stride ? stride : cols;
      const std::vector<float> x = random_floats(size_t{rows} * s, seed++), b = random_floats(cols, seed++);
      std::vector<float> want(x);
      ref::add_bias(x, s, b, want, s, cols, rows);
      vk::Buffer dx = upload_floats(*c.g, x), db = upload_floats(*c.g, b);
      c.g->compute().run_now([&](vk::Recorder& rec) {
        ops::add_bias(rec, {dx.view(), s}, db.view(), {dx.view(), s}, cols, rows, {c.workgroup_size});
      });
      CHECK(download_floats(*c.g, dx.view(), x.size()) == want);
    }
}

TEST_CASE_FIXTURE(ActTest, "router softmax_chosen: the k largest logits, softmax over them alone") {
  uint32_t seed = 9500;
  for (const OpConfig& c : two_configs(ctx, 64, 128))
    for (auto [n_experts, k] : {std::array<uint32_t, 2>{32, 4}, {7, 2}, {128, 16}, {8, 1}}) {
      CAPTURE(c.name);
      CAPTURE(n_experts);
      const uint32_t n_tokens = 13;
      ops::RouterShape s{n_tokens, n_experts, k, true};
      s.softmax_chosen = true;
      const std::vector<float> logits = random_floats(size_t{n_tokens} * n_experts, seed++, -8.0f, 8.0f);
      std::vector<uint32_t> want_ids(n_tokens * k);
      std::vector<float> want_w(n_tokens * k);
      ref::router_topk(logits, want_ids, want_w, s);
      // Independently: the ids are the k largest logits, the weights sum to 1 in their ratio.
      for (uint32_t t = 0; t < n_tokens; ++t) {
        std::vector<uint32_t> order(n_experts);
        std::iota(order.begin(), order.end(), 0u);
        std::stable_sort(order.begin(), order.end(),
                         [&](uint32_t a, uint32_t b) { return logits[t * n_experts + a] > logits[t * n_experts + b]; });
        double total = 0;
        for (uint32_t j = 0; j < k; ++j) {
          CHECK(want_ids[t * k + j] == order[j]);
          total += want_w[t * k + j];
        }
        CHECK(total == doctest::Approx(1.0).epsilon(1e-6));
        if (k > 1)
          CHECK(want_w[t * k] / want_w[t * k + 1] ==
                doctest::Approx(std::exp(logits[t * n_experts + order[0]] - logits[t * n_experts + order[1]])).epsilon(1e-5));
      }
      vk::Buffer dl = upload_floats(*c.g, logits), out = device_buffer(*c.g, 4096);
      const vk::BufferView ids = out.view(0, n_tokens * k * 4), w = out.view(2048, n_tokens * k * 4);
      c.g->compute().run_now([&](vk::Recorder& rec) { ops::router_topk(rec, dl.view(), ids, w, s, {c.workgroup_size}); });
      CHECK(download_uints(*c.g, ids, n_tokens * k) == want_ids);
      const ToleranceReport rep = compare_within(download_floats(*c.g, w, n_tokens * k), want_w, 1e-8, 5e-6);
      INFO(rep.text());
      CHECK(rep.bad == 0);
    }
}

}  // namespace
}  // namespace rotary::test

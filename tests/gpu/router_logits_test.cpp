// Router (softmax, top-k, renormalise) and logits argmax/top-k against the CPU references.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "runtime/ops/logits.h"
#include "runtime/ops/router.h"
#include "runtime/reference/activations.h"
#include "shaders/push.h"
#include "tests/gpu/act_util.h"

namespace rotary::test {
namespace {

// Router weights: exp over logits spanning [-4, 4] after the max is subtracted is within
// (3 + 2 * 8) ulps (Vulkan's bound), the sum over up to 512 experts in float (~10 ulps), the
// division and the renormalisation a few more: ~2e-6 relative; allowed 5e-6 relative.
constexpr double kRouterAbs = 1e-8, kRouterRel = 5e-6;

void check_router(const OpConfig& c, const ops::RouterShape& s, const std::vector<float>& logits) {
  CAPTURE(c.name);
  CAPTURE(s.n_tokens);
  CAPTURE(s.n_experts);
  CAPTURE(s.k);
  CAPTURE(s.normalize);
  vk::GpuContext& g = *c.g;
  const size_t n_out = size_t{s.n_tokens} * s.k;
  std::vector<uint32_t> ref_ids(n_out);
  std::vector<float> ref_w(n_out);
  ref::router_topk(logits, ref_ids, ref_w, s);
  vk::Buffer dl = upload_floats(g, logits);
  vk::Buffer out = device_buffer(g, 1024 + n_out * 8);  // ids, then weights at an unaligned offset
  const vk::BufferView ids = out.view(0, n_out * 4), w = out.view(n_out * 4 + 4, n_out * 4);
  g.compute().run_now(
      [&](vk::Recorder& rec) { ops::router_topk(rec, dl.view(), ids, w, s, {c.workgroup_size}); });
  CHECK(download_uints(g, ids, n_out) == ref_ids);
  const ToleranceReport rep =
      compare_within(download_floats(g, w, n_out), ref_w, kRouterAbs, kRouterRel);
  INFO(rep.text());
  CHECK(rep.bad == 0);
}

TEST_CASE_FIXTURE(ActTest, "router: softmax, top-k and renormalisation for 8..512 experts") {
  uint32_t seed = 7000;
  for (const OpConfig& c : two_configs(ctx, 64, 128))
    for (uint32_t n_experts : {7u, 128u, 256u, 512u})
      for (uint32_t k : {1u, 8u, 16u}) {
        if (k > n_experts) continue;
        for (uint32_t n_tokens : {1u, 13u}) {
          const ops::RouterShape s{n_tokens, n_experts, k, true};
          check_router(c, s, random_floats(size_t{n_tokens} * n_experts, seed++, -4.0f, 4.0f));
        }
      }
  // Without renormalisation the weights are the probabilities themselves.
  check_router({&ctx, 64, "subgroup"}, {7, 128, 8, false},
               random_floats(7 * 128, seed++, -4.0f, 4.0f));
}

TEST_CASE_FIXTURE(ActTest, "router: equal probabilities rank by lower expert id") {
  for (const OpConfig& c : two_configs(ctx, 64, 32)) {
    // All equal: ids 0..k-1, weights 1/k. Then pairs of equal logits at the top.
    check_router(c, {1, 64, 8, true}, std::vector<float>(64, 0.5f));
    std::vector<float> x = random_floats(128, 7100, -4.0f, 0.0f);
    x[100] = x[3] = 2.0f;
    x[77] = x[12] = 1.5f;
    check_router(c, {1, 128, 4, true}, x);
  }
}

TEST_CASE_FIXTURE(ActTest, "router: a token with a NaN or infinite logit is flagged, the others route") {
  const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
  for (const OpConfig& c : two_configs(ctx, 64, 32)) {
    const uint32_t n_experts = 37, k = 4, n_tokens = 5;
    std::vector<float> x = random_floats(size_t{n_tokens} * n_experts, 7200, -4.0f, 4.0f);
    x[1 * n_experts + 36] = nan;  // the last expert (a remainder lane)
    x[2 * n_experts + 0] = inf;
    x[3 * n_experts + 20] = -inf;
    check_router(c, {n_tokens, n_experts, k, true}, x);  // GPU and reference agree
    std::vector<uint32_t> ids(size_t{n_tokens} * k);
    std::vector<float> w(ids.size());
    ref::router_topk(x, ids, w, {n_tokens, n_experts, k, true});
    for (uint32_t t = 0; t < n_tokens; ++t) {
      CAPTURE(t);
      const bool flagged = t == 1 || t == 2 || t == 3;
      for (uint32_t r = 0; r < k; ++r) CHECK((ids[t * k + r] == ROUTER_NON_FINITE) == flagged);
    }
  }
}

void check_topk(const OpConfig& c, const std::vector<float>& logits, uint32_t k,
                ops::LogitsTuning t = {}) {
  CAPTURE(c.name);
  CAPTURE(logits.size());
  CAPTURE(k);
  vk::GpuContext& g = *c.g;
  const uint32_t n = static_cast<uint32_t>(logits.size());
  t.workgroup_size = t.workgroup_size ? t.workgroup_size : c.workgroup_size;
  std::vector<uint32_t> ref_ids(k);
  std::vector<float> ref_v(k);
  ref::logits_topk(logits, k, ref_ids, ref_v);
  vk::Buffer dl = upload_floats(g, logits);
  vk::Buffer scratch =
      device_buffer(g, ops::logits_topk_scratch_bytes(n, k, g.caps(), t), "top-k scratch");
  vk::Buffer out = device_buffer(g, 8 * k + 512);
  g.compute().run_now([&](vk::Recorder& rec) {
    ops::logits_topk(rec, dl.view(), n, k, out.view(0, 4 * k), out.view(256, 4 * k), scratch.view(),
                     t);
  });
  CHECK(download_uints(g, out.view(0, 4 * k), k) == ref_ids);
  const std::vector<float> got_v = download_floats(g, out.view(256, 4 * k), k);
  CHECK(std::memcmp(got_v.data(), ref_v.data(), 4 * k) == 0);  // copies of inputs: bit-exact

  // Argmax: one id, the first maximum.
  vk::Buffer s1 =
      device_buffer(g, ops::logits_topk_scratch_bytes(n, 1, g.caps(), t), "argmax scratch");
  vk::Buffer id = device_buffer(g, 4);
  g.compute().run_now(
      [&](vk::Recorder& rec) { ops::logits_argmax(rec, dl.view(), n, id.view(), s1.view(), t); });
  CHECK(download_uints(g, id.view(), 1)[0] == ref::logits_argmax(logits));
}

TEST_CASE_FIXTURE(
    ActTest, "logits: argmax and top-k over vocabularies up to 248320, ties to the lower index") {
  uint32_t seed = 8000;
  for (const OpConfig& c : two_configs(ctx, 256, 128)) {
    check_topk(c, {3.0f}, 1);
    check_topk(c, random_floats(13, seed++), 5);
    std::vector<float> x = random_floats(4097, seed++, -30.0f, 10.0f);
    x[4096] = x[17] = x[2000] = 12.0f;  // a three-way tie for the maximum
    x[5] = -std::numeric_limits<float>::infinity();
    check_topk(c, x, 40);
    std::vector<float> vocab = random_floats(151936, seed++, -20.0f, 20.0f);
    vocab[151935] = 25.0f;
    vocab[151000] = 25.0f;  // tie at the top, far apart
    check_topk(c, vocab, 64);
  }
  std::vector<float> big = random_floats(248320, seed++, -20.0f, 20.0f);
  check_topk({&ctx, 256, "subgroup"}, big, 1);
  check_topk({&ctx, 256, "subgroup"}, big, 50);
}

TEST_CASE_FIXTURE(ActTest, "logits: small blocks need several reduction passes") {
  // Blocks of 32 x 4 = 128 logits: 151936 -> 1187 blocks -> 47480 candidates -> ... -> 1 block.
  std::vector<float> x = random_floats(151936, 8100, -5.0f, 5.0f);
  for (size_t i = 0; i < x.size(); i += 1000) x[i] = 5.5f;  // 152 equal maxima
  for (const OpConfig& c : two_configs(ctx, 32, 32)) check_topk(c, x, 40, {.per_invocation = 4});
}

}  // namespace
}  // namespace rotary::test

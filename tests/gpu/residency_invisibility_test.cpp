// Residency is invisible to the numbers (DESIGN.md): the same greedy tokens and bit-identical
// logits (memcmp) with every expert resident and with expert pools of 50%, 25% and the minimum
// (one layer's top-k), under each policy (LRU, LFU, and Belady replaying the routing the resident
// run recorded), with prefetch on and off, and with prompt chunks that need more experts than the
// pool holds (the grouped prefill then runs in waves). Validation layer on (GpuTest).
#include <cstring>
#include <string>
#include <vector>

#include "loader/synth/preset.h"
#include "loader/synth/synth_model.h"
#include "runtime/models/model.h"
#include "tests/gpu/gpu_test.h"
#include "tests/gpu/model_util.h"

namespace rotary::test {
namespace {

// 4 layers of 16 experts, 4 used: 64 (layer, expert) pairs, so that 25% and the minimum (4 slots)
// evict constantly, and a prompt chunk touches most of a layer's experts (more than the smaller
// pools hold: waves). Q4_K_M: gate/up Q4_K, down Q6_K or Q4_K by layer, slots of both layouts.
constexpr uint32_t kLayers = 4, kExperts = 16, kUsed = 4;
constexpr uint32_t kPromptTokens = 20, kGenerated = 8;

// Per process (ctest runs the cases below as parallel processes): model_util's folder.
const std::string& model_path() {
  static const std::string path = [] {
    synth::SynthOverrides over;
    over.n_layer = kLayers;
    over.n_expert = kExperts;
    over.n_expert_used = kUsed;
    return test::synth_model_file("tiny-qwen3moe", *synth::synth_quant_from_name("Q4_K_M"), 11,
                                  over);
  }();
  return path;
}

struct Run {
  std::vector<int32_t> tokens;
  std::vector<float> logits;  // every prompt position, then every generated token's step
  ModelStats stats;
};

struct Config {
  uint32_t slots = 0;  // 0: every expert
  PolicyKind policy = PolicyKind::LRU;
  bool prefetch = true;
  uint32_t chunk = 256;
  bool zero_copy = true;               // false: every upload through the staging ring
  uint64_t staging = 64ull << 20;      // the ring's bytes (at least one slot)
};

std::vector<int32_t> prompt() {
  std::vector<int32_t> p;
  for (uint32_t i = 0; i < kPromptTokens; ++i)
    p.push_back(static_cast<int32_t>((53 * i * i + 17 * i + 3) % 990));
  return p;
}

// Greedy generation that keeps every logits row; `record` (resident run) or `future` (Belady).
Run generate(vk::GpuContext& gpu, const Config& c, RoutingTrace* record,
             const RoutingTrace* future) {
  const GgufFile file = GgufFile::open(model_path());
  ModelOptions o;
  o.ctx = 64;
  o.kv_type = ops::KvType::F32;
  o.residency = ResidencyMode::Copy;  // the slot pool (in-place has nothing to evict)
  o.expert_slots = c.slots ? c.slots : kLayers * kExperts;
  o.prefill_chunk = c.chunk;
  o.progress = false;
  o.cache.policy = c.policy;
  o.cache.zero_copy = c.zero_copy;
  o.cache.staging_bytes = c.staging;
  o.moe.prefetch = c.prefetch;
  o.moe.record = record;
  const std::vector<int32_t> p = prompt();
  if (future) o.cache.future = future->forward_accesses(p.size(), c.chunk);
  auto model = load_model(gpu, file, o);
  REQUIRE(model->plan().slots == o.expert_slots);

  Run run;
  StepResult r = model->eval(p, 0, {LogitsRequest::Kind::Full, 0, true});
  run.logits = r.logits;
  uint32_t pos = kPromptTokens;
  for (uint32_t i = 0; i < kGenerated; ++i) {
    const float* last = run.logits.data() + run.logits.size() - model->hparams().n_vocab;
    int32_t best = 0;
    for (uint32_t v = 1; v < model->hparams().n_vocab; ++v)
      if (last[v] > last[best]) best = static_cast<int32_t>(v);
    run.tokens.push_back(best);
    const int32_t one[1] = {best};
    r = model->eval(one, pos++, {LogitsRequest::Kind::Full});
    run.logits.insert(run.logits.end(), r.logits.begin(), r.logits.end());
  }
  run.stats = model->stats();
  return run;
}

void check_invisible(vk::GpuContext& gpu, uint32_t chunk) {
  RoutingTrace trace{kLayers, kExperts, kUsed, {}};
  const Run resident = generate(gpu, {0, PolicyKind::LRU, true, chunk}, &trace, nullptr);
  CHECK(resident.stats.residency.evictions == 0);
  REQUIRE(trace.tokens() == kPromptTokens + kGenerated);
  const uint32_t all = kLayers * kExperts;
  for (const uint32_t slots : {all / 2, all / 4, kUsed}) {
    for (const PolicyKind policy : {PolicyKind::LRU, PolicyKind::LFU, PolicyKind::Belady}) {
      for (const bool prefetch : {true, false}) {
        CAPTURE(chunk);
        CAPTURE(slots);
        CAPTURE(to_string(policy));
        CAPTURE(prefetch);
        const Run r = generate(gpu, {slots, policy, prefetch, chunk}, nullptr,
                               policy == PolicyKind::Belady ? &trace : nullptr);
        CHECK(r.tokens == resident.tokens);
        REQUIRE(r.logits.size() == resident.logits.size());
        CHECK(std::memcmp(r.logits.data(), resident.logits.data(),
                          r.logits.size() * sizeof(float)) == 0);
        // The pool really turned over: otherwise the comparison proves nothing.
        if (slots < all / 2) CHECK(r.stats.residency.evictions > 0);
        if (prefetch && slots >= kUsed * 2) CHECK(r.stats.residency.prefetch_uploads > 0);
      }
    }
  }
}

// One chunk of 20 tokens touches most of a layer's 16 experts: with 16, 8 or 4 slots the grouped
// prefill runs in waves (8 and 4 slots) or fills the pool. Chunks of 6 (6, 6, 6, 2 tokens) mix
// chunk sizes and carry residency from one chunk to the next.
TEST_CASE_FIXTURE(
    GpuTest,
    "residency is invisible: one prompt chunk, every budget, policy and prefetch setting") {
  check_invisible(ctx, 256);
}

TEST_CASE_FIXTURE(
    GpuTest,
    "residency is invisible: prompt chunks of 6, every budget, policy and prefetch setting") {
  check_invisible(ctx, 6);
}

// The path of a driver that will not import the file's pages: every miss is copied into a staging
// ring and from there into its slot. A ring of one slot wraps at every upload, so each memcpy
// waits for the copy that last used the space (lavapipe imports, so only this test runs it).
TEST_CASE_FIXTURE(GpuTest, "residency is invisible: staged uploads through a one-slot staging ring") {
  RoutingTrace trace{kLayers, kExperts, kUsed, {}};
  const Run resident = generate(ctx, {0, PolicyKind::LRU, true, 6}, &trace, nullptr);
  for (const uint32_t slots : {kLayers * kExperts / 4, kUsed}) {
    for (const bool prefetch : {true, false}) {
      CAPTURE(slots);
      CAPTURE(prefetch);
      const Run r = generate(ctx, {slots, PolicyKind::LRU, prefetch, 6, false, 1}, nullptr, nullptr);
      CHECK(r.stats.residency_mode == "copy (staged uploads)");
      CHECK(r.tokens == resident.tokens);
      REQUIRE(r.logits.size() == resident.logits.size());
      CHECK(std::memcmp(r.logits.data(), resident.logits.data(),
                        r.logits.size() * sizeof(float)) == 0);
      CHECK(r.stats.residency.evictions > 0);
    }
  }
}

}  // namespace
}  // namespace rotary::test

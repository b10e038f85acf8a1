// The decode step's schedule: the counters rotary keeps of its own submissions, host waits,
// command buffers, dispatches and barriers (runtime/vk/counters.h), the GPU routing op
// (expert_route) against its CPU reference, and the bound the GPU routes promise: with every
// expert resident, a decoded token is at most 2 submissions, 2 command buffers and 1 host wait.
// Validation layer on (GpuTest).
#include <cstring>
#include <random>

#include "runtime/models/model.h"
#include "runtime/ops/elementwise.h"
#include "runtime/ops/experts.h"
#include "runtime/reference/experts.h"
#include "tests/gpu/act_util.h"
#include "tests/gpu/gpu_test.h"
#include "tests/gpu/model_util.h"

namespace rotary::test {
namespace {

vk::ScheduleCounters since(const vk::ScheduleCounters& later, const vk::ScheduleCounters& earlier) {
  vk::ScheduleCounters d = later;
  d -= earlier;
  return d;
}

TEST_CASE_FIXTURE(GpuTest, "the schedule counters count each submission, wait, command buffer, dispatch, barrier") {
  const std::vector<float> a = random_floats(37, 1);
  vk::Buffer da = upload_floats(ctx, a), dy = device_buffer(ctx, a.size() * 4);
  const vk::ScheduleCounters before = ctx.device().counters();
  ctx.compute().run_now([&](vk::Recorder& rec) {
    ops::add(rec, da.view(), da.view(), dy.view(), 37);
    rec.compute_barrier();
    ops::add(rec, dy.view(), da.view(), dy.view(), 37);
    rec.compute_barrier();
  });
  const vk::ScheduleCounters d = since(ctx.device().counters(), before);
  CHECK(d.submits == 1);
  CHECK(d.host_waits == 1);
  CHECK(d.command_buffers == 1);
  CHECK(d.dispatches == 2);
  CHECK(d.barriers == 2);
}

// 13 experts per layer, 3 layers, k = 7 chosen in layer 2 (one of them out of range, as the
// router's non-finite mark is: it reads expert 0, valid memory), the ids at
// an odd element offset: every entry copied from the map, k_index = position.
TEST_CASE_FIXTURE(GpuTest, "expert_route turns the router's ids into the layer's slot table") {
  constexpr uint32_t kLayers = 3, kExperts = 13, k = 7, layer = 2, lead = 5;
  std::mt19937 rng(21);
  auto r = [&](uint32_t mod) { return static_cast<uint32_t>(rng() % mod); };
  std::vector<ops::ExpertSlot> map(kLayers * kExperts);
  for (auto& e : map) e = {r(1000), r(1000), r(1000), r(4), r(1u << 30), r(4), r(1u << 30), r(4), r(1u << 30)};
  std::vector<uint32_t> ids(lead, 0xDEADu);
  for (uint32_t id : {12u, 0u, 7u, 3u, 99u, 11u, 5u}) ids.push_back(id);
  vk::Buffer dmap = upload_words(ctx, map.data(), map.size() * sizeof(ops::ExpertSlot));
  vk::Buffer dids = upload_uints(ctx, ids);
  vk::Buffer dtable = device_buffer(ctx, k * sizeof(ops::ExpertSlot));
  ctx.compute().run_now([&](vk::Recorder& rec) {
    ops::expert_route(rec, dids.view(lead * 4ull, k * 4ull), k, dmap.view(), layer * kExperts, kExperts,
                      dtable.view());
  });
  std::vector<ops::ExpertSlot> want(k);
  ref::expert_route(std::span(ids).subspan(lead), map, layer * kExperts, kExperts, want);
  CHECK(want[1].gate_offset == map[layer * kExperts + 0].gate_offset);  // the reference reads the layer
  CHECK(want[4].down_offset == map[layer * kExperts + 0].down_offset);   // 99: not an expert: expert 0
  const std::vector<std::byte> got = download_bytes(ctx, dtable.view(), k * sizeof(ops::ExpertSlot));
  CHECK(std::memcmp(got.data(), want.data(), got.size()) == 0);
}

struct Scheduled {
  std::vector<int32_t> tokens;
  ModelStats stats;
};

Scheduled greedy_decode(const std::string& path, const ModelOptions& o, uint32_t n) {
  LoadedModel m = load_test_model(path, o);
  const std::vector<int32_t> prompt = {3, 14, 15, 92, 65};
  Scheduled s;
  StepResult r = m.model->eval(prompt, 0, {LogitsRequest::Kind::Argmax});
  uint32_t pos = static_cast<uint32_t>(prompt.size());
  for (uint32_t i = 0; i < n; ++i) {
    s.tokens.push_back(r.argmax);
    const int32_t one[1] = {r.argmax};
    r = m.model->eval(one, pos++, {LogitsRequest::Kind::Argmax});
  }
  s.stats = m.model->stats();
  return s;
}

void check_bound(const DecodeSchedule& d, uint32_t steps, uint32_t layers) {
  REQUIRE(d.steps == steps);
  CHECK(d.work.submits <= 2 * d.steps);
  CHECK(d.work.command_buffers <= 2 * d.steps);
  CHECK(d.work.host_waits <= d.steps);
  // The step really ran: the expert kernels of every layer were dispatched.
  CHECK(d.work.dispatches >= 4ull * layers * d.steps);
  CHECK(d.work.barriers >= 4ull * layers * d.steps);
}

ModelOptions decode_options(ResidencyMode mode, uint32_t slots) {
  ModelOptions o = exact_options(64);
  o.residency = mode;
  o.expert_slots = slots;
  return o;
}

TEST_CASE_FIXTURE(GpuTest, "every expert resident: a decoded token is <= 2 submissions and 1 host wait") {
  for (const char* preset : {"tiny-qwen3moe", "tiny-qwen35moe"}) {
    CAPTURE(preset);
    const std::string path = synth_model_file(preset, synth::SynthQuant::Q4_K_M, 3);
    const GgufFile file = GgufFile::open(path);
    const ModelHparams h = read_hparams(file.metadata());
    const uint32_t all = h.n_layer * h.n_expert;
    const Scheduled copy = greedy_decode(path, decode_options(ResidencyMode::Copy, all), 6);
    CHECK(copy.stats.residency.preloaded == all);
    CHECK(copy.stats.residency.uploads == 0);
    CHECK(copy.stats.decode.bytes_uploaded == 0);
    check_bound(copy.stats.decode, 6, h.n_layer);
    const Scheduled in_place = greedy_decode(path, decode_options(ResidencyMode::InPlace, 0), 6);
    CHECK(in_place.stats.residency_mode == "in-place");
    check_bound(in_place.stats.decode, 6, h.n_layer);
    CHECK(in_place.tokens == copy.tokens);
    // With fewer slots than experts the host still routes each layer (one wait per layer), and
    // the tokens do not change.
    const Scheduled partial = greedy_decode(path, decode_options(ResidencyMode::Copy, all / 2), 6);
    CHECK(partial.tokens == copy.tokens);
    CHECK(partial.stats.decode.work.host_waits >= uint64_t{h.n_layer} * 6);
    CHECK(partial.stats.residency.preloaded == 0);
    // Every decoded choice was counted as a use, all hits when resident.
    CHECK(copy.stats.residency.hits == copy.stats.residency.accesses);
  }
}

// --check-ops on the GPU-routed path: expert_route is checked against its reference with the
// rest, the numbers do not change, and a perturbed routing table is named.
TEST_CASE_FIXTURE(GpuTest, "check-ops covers the GPU routes") {
  const std::string path = synth_model_file("tiny-qwen3moe", synth::SynthQuant::Q4_K_M, 3);
  const GgufFile file = GgufFile::open(path);
  const ModelHparams h = read_hparams(file.metadata());
  ModelOptions o = decode_options(ResidencyMode::Copy, h.n_layer * h.n_expert);
  const Scheduled plain = greedy_decode(path, o, 2);
  o.check.enabled = true;
  const Scheduled checked = greedy_decode(path, o, 2);
  CHECK(checked.tokens == plain.tokens);
  CHECK(checked.stats.ops_checked > 0);
  o.check.perturb_op = "expert_route";
  o.check.perturb_label = "layer 1";
  try {
    (void)greedy_decode(path, o, 2);
    FAIL("a perturbed routing table went unnoticed");
  } catch (const Error& e) {
    const std::string msg = e.what();
    CAPTURE(msg);
    CHECK(e.kind() == ErrorKind::Internal);
    CHECK(msg.find("check-ops: expert_route") == 0);
    CHECK(msg.find(" in layer 1") != std::string::npos);
  }
}

}  // namespace
}  // namespace rotary::test

// Residency under pressure, on a real forward pass: the planner's accounting, a slot pool the
// driver only partly grants, and a GPU that never finishes. (Bit-identity across budgets,
// policies and prefetch is the model suite's; here the faults.)
#include <unistd.h>

#include <cstring>
#include <filesystem>

#include "loader/synth/preset.h"
#include "loader/synth/synth_model.h"
#include "loader/model_catalog.h"
#include "runtime/models/model.h"
#include "runtime/residency/slot_pool.h"
#include "runtime/session.h"
#include "runtime/vk/memory.h"
#include "runtime/vk/timestamps.h"
#include "tests/gpu/gpu_test.h"

namespace rotary::test {
namespace {

// A small qwen3moe written once per process (F32: exact arithmetic is not the point here). ctest
// runs test cases as parallel processes: each writes its own file and removes it at exit.
const std::string& model_path() {
  static const std::string path = [] {
    const std::string p = (std::filesystem::temp_directory_path() /
                           ("rotary-residency-test-" + std::to_string(::getpid()) + ".gguf"))
                              .string();
    at_teardown([p] { std::filesystem::remove(p); });
    synth::SynthOptions o;
    o.quant = *synth::synth_quant_from_name("F32");
    o.seed = 7;
    synth::write_synth_model(synth::plan_synth_model(synth::find_synth_preset("tiny-qwen3moe"), o), p);
    return p;
  }();
  return path;
}

struct Greedy {
  std::vector<int32_t> tokens;
  std::vector<float> last_logits;
};

Greedy greedy(Model& m, uint32_t n) {
  std::vector<int32_t> prompt = {3, 14, 15, 92, 65, 35, 89, 79};
  Greedy g;
  StepResult r = m.eval(prompt, 0, {LogitsRequest::Kind::Argmax});
  uint32_t pos = static_cast<uint32_t>(prompt.size());
  for (uint32_t i = 0; i < n; ++i) {
    g.tokens.push_back(r.argmax);
    const int32_t one[1] = {r.argmax};
    r = m.eval(one, pos++, {i + 1 == n ? LogitsRequest::Kind::Full : LogitsRequest::Kind::Argmax});
  }
  g.last_logits = r.logits;
  return g;
}

ModelOptions options(uint32_t slots) {
  ModelOptions o;
  o.ctx = 64;
  o.kv_type = ops::KvType::F32;
  o.expert_slots = slots;
  o.residency = ResidencyMode::Copy;
  o.progress = false;
  return o;
}

TEST_CASE_FIXTURE(GpuTest, "the planner accounts for every byte the model allocates, in every KV type") {
  const GgufFile file = GgufFile::open(model_path());
  vk::MemoryBudget& budget = ctx.budget();
  const uint64_t before = budget.used();
  for (const ops::KvTypes kv : {ops::KvTypes(ops::KvType::F32), ops::KvTypes(ops::KvType::Q8_0),
                                ops::KvTypes(ops::KvType::Q4_0, ops::KvType::F16)}) {
    CAPTURE(ops::to_string(kv));
    ModelOptions o = options(6);
    o.kv_type = kv;
    auto m = load_model(ctx, file, o);
    const MemoryPlan& p = m->plan();
    // tiny-qwen3moe: 4 layers x 2 KV heads x 64 values, K and V counted by block (q8_0: 34 bytes
    // per 32 values, q4_0: 18), 64 positions.
    auto row = [](ops::KvType t) { return 128 / ops::kv_block_elems(t) * ops::kv_block_bytes(t); };
    CHECK(p.kv_per_token == 4 * (row(kv.k) + row(kv.v)));
    CHECK(p.kv == 64 * p.kv_per_token);
    CHECK(p.slots == 6);
    const uint64_t used = budget.used() - before;
    CHECK(used <= p.total());
    CHECK(used + (1u << 20) >= p.total());  // the estimate is an upper bound, and a tight one
  }
  CHECK(budget.used() == before);  // everything released
}

TEST_CASE_FIXTURE(GpuTest, "GPU timestamps only when asked: no query pool by default, n/a in the statistics") {
  const GgufFile file = GgufFile::open(model_path());
  const uint64_t before = vk::TimestampPool::created();
  {
    auto m = load_model(ctx, file, options(3));  // 3 slots for 32 experts: uploads happen
    (void)greedy(*m, 4);
    const ModelStats s = m->stats();
    CHECK(s.residency.uploads > 0);
    CHECK_FALSE(s.residency.upload_timed);
    CHECK_FALSE(s.moe.wait_timed);
    RunStats run;
    run.model = s;
    run.generated_tokens = 4;
    CHECK(run.line().find("n/a without --timestamps") != std::string::npos);
  }
  CHECK(vk::TimestampPool::created() == before);
  // Asked for: the compute queue's and the upload queue's pools (lavapipe has timestamps).
  ModelOptions o = options(3);
  o.cache.timestamps = o.moe.timestamps = true;
  auto m = load_model(ctx, file, o);
  (void)greedy(*m, 4);
  CHECK(vk::TimestampPool::created() == before + 2);
  CHECK(m->stats().residency.upload_timed);
  CHECK(m->stats().moe.wait_timed);
}

TEST_CASE_FIXTURE(GpuTest, "a budget exactly at the plan's total loads and is never exceeded") {
  uint64_t total = 0;
  {
    const GgufFile file = GgufFile::open(model_path());
    auto m = load_model(ctx, file, options(5));
    total = m->plan().total();
  }
  auto tight = make_gpu({.vram_budget = total});
  const GgufFile file = GgufFile::open(model_path());
  auto m = load_model(*tight, file, options(0));  // 0: as many slots as fit
  CHECK(m->plan().slots >= 5);
  (void)greedy(*m, 4);
  CHECK(tight->budget().peak() <= total);
  m.reset();
  CHECK(tight->instance().validation_errors() == 0);
}

TEST_CASE_FIXTURE(GpuTest, "a slot pool the driver grants only in part shrinks, and the numbers do not change") {
  const GgufFile file = GgufFile::open(model_path());
  Greedy resident;
  {
    auto m = load_model(ctx, file, options(32));  // every expert of the model
    resident = greedy(*m, 6);
  }
  ModelOptions o = options(8);
  const SlotLayout layout = SlotLayout::for_source(ExpertSource(file, read_hparams(file.metadata())));
  o.max_expert_page_bytes = 2 * layout.slot_bytes;  // 4 pages of 2 slots
  vk::testing::fail_allocations(vk::MemoryUse::Experts, 2);  // the third page is refused
  auto m = load_model(ctx, file, o);
  vk::testing::clear_allocation_faults();
  CHECK(m->plan().slots == 4);
  const Greedy g = greedy(*m, 6);
  CHECK(g.tokens == resident.tokens);
  REQUIRE(g.last_logits.size() == resident.last_logits.size());
  CHECK(std::memcmp(g.last_logits.data(), resident.last_logits.data(), g.last_logits.size() * 4) == 0);
  CHECK(m->stats().residency.evictions > 0);
}

TEST_CASE_FIXTURE(GpuTest, "a slot pool smaller than one layer's experts is a clear out-of-memory error") {
  const GgufFile file = GgufFile::open(model_path());
  vk::testing::fail_allocations(vk::MemoryUse::Experts, 0);
  try {
    (void)load_model(ctx, file, options(8));
    FAIL("loading should have failed");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::OutOfMemory);
    CHECK(std::string(e.what()).find("fewer than one layer's") != std::string::npos);
  }
  vk::testing::clear_allocation_faults();
}

TEST_CASE_FIXTURE(GpuTest, "a GPU that never finishes is an error, not a hang") {
  // Work that waits on a semaphore nobody signals: the host's wait must time out with an error.
  vk::TimelineSemaphore never = vk::TimelineSemaphore::create(ctx.device().handle());
  vk::Recorder rec = ctx.compute().begin();
  const vk::SemaphoreWait wait{&never, 1, VK_PIPELINE_STAGE_2_ALL_COMMANDS_BIT};
  const uint64_t v = ctx.compute().submit(rec, {&wait, 1});
  try {
    ctx.compute().queue().wait(v, 200ull * 1000 * 1000);
    FAIL("the wait should have timed out");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::Vulkan);
    CHECK(std::string(e.what()).find("timed out") != std::string::npos);
  }
  never.signal(1);  // let the queue drain before the semaphore goes away
  ctx.compute().queue().wait(v);
}

}  // namespace
}  // namespace rotary::test

// `rotary bench` end to end on a synth tiny model: a sweep over two budgets and two policies, and
// a synthetic-trace replay under LRU and Belady. Checks what the harness promises (every
// configuration checked before timing, budgets resolved and kept, residency figures in range),
// never how fast anything ran.
#include <unistd.h>
#include <filesystem>

#include "bench/model/harness.h"
#include "loader/synth/synth_model.h"
#include "tests/gpu/gpu_test.h"

namespace rotary::bench {

namespace {

// The tiny model, written once per process (1 s), removed at the end.
const std::filesystem::path& tiny_model() {
  static const std::filesystem::path path = [] {
    const auto p = std::filesystem::temp_directory_path() /
                   ("rotary-bench-tiny-" + std::to_string(getpid()) + ".gguf");
    synth::SynthOptions o;
    o.quant = synth::SynthQuant::Q4_K_M;
    synth::write_synth_model(synth::plan_synth_model(synth::find_synth_preset("tiny-qwen3moe"), o),
                             p);
    test::at_teardown([p] { std::filesystem::remove(p); });
    return p;
  }();
  return path;
}

struct ValidatedEngine {
  GgufFile file = GgufFile::open(tiny_model());
  uint32_t errors = 0, warnings = 0, contexts = 0;
  RotaryEngine engine;

  explicit ValidatedEngine(uint32_t ctx)
      : engine(file, options(ctx), [](const vk::GpuOptions& o) { return test::make_gpu(o); }) {
    engine.set_release_hook([this](vk::GpuContext& c) {
      errors += c.instance().validation_errors();
      warnings += c.instance().validation_warnings();
      ++contexts;
    });
  }
  static RuntimeOptions options(uint32_t ctx) {
    RuntimeOptions o;
    o.model.ctx = ctx;
    return o;
  }
};

}  // namespace

TEST_CASE(
    "rotary bench: a sweep over budgets and policies checks every configuration, then times it") {
  test::GpuTest gpu;
  BenchReport report;
  ValidatedEngine v(64);
  {
    HarnessOptions h;
    h.tests = make_tests({8}, {4}, {});
    h.budgets = parse_budgets({"device,25%"});
    h.policies = {PolicyKind::LRU, PolicyKind::LFU};
    h.repetitions = 1;
    h.check_tokens = 4;
    h.check_prompt = 7;
    h.progress = false;
    run_benchmark(v.engine, nullptr, h, report);
  }
  CHECK(v.errors == 0);  // every context was released by then, its counts added
  CHECK(v.warnings == 0);
  CHECK(v.contexts == 4 + 1);  // one per configuration, and the probe that resolved the budgets
  REQUIRE(report.results.size() == 2 * 2 * 2);
  const uint32_t all = 4 * 8;  // tiny-qwen3moe: 4 layers x 8 experts
  for (const BenchResult& r : report.results) {
    CAPTURE(r.label());
    CAPTURE(r.budget);
    CAPTURE(r.test.name());
    CHECK(r.check == "ok");  // the same greedy tokens as the first configuration
    CHECK(r.tps.n == 1);
    CHECK(r.tps.mean > 0);
    CHECK(r.seconds.size() == 1);
    CHECK(r.all_experts == all);
    CHECK(r.hit_rate >= 0);
    CHECK(r.hit_rate <= 1);
    CHECK(r.vram > 0);
    CHECK(r.vram <= r.budget_bytes);  // the hard budget
    // 25% of 32 experts: 8 slots (the plan's fixed part + 8 slots is the budget).
    CHECK(r.slots == (r.budget == "25%" ? all / 4 : all));
  }
  CHECK(report.results[4].budget_bytes < report.results[0].budget_bytes);
  CHECK(report.results[0].upload_bytes_per_token ==
        0);  // every expert resident and warm: no uploads
}

TEST_CASE("rotary bench: a synthetic-trace replay gives the same tokens under LRU and Belady") {
  test::GpuTest gpu;
  SyntheticTraceParams p;
  p.layers = 4;
  p.experts = 8;
  p.k = 2;
  p.tokens = 16;
  const RoutingTrace trace = synthetic_trace(p);
  BenchReport report;
  ValidatedEngine v(32);
  {
    HarnessOptions h;
    h.tests = make_tests({}, {6}, {});
    h.budgets = parse_budgets({"25%"});
    h.policies = {PolicyKind::LRU, PolicyKind::Belady};
    h.repetitions = 2;
    h.check_tokens = 5;
    h.replay = &trace;
    h.progress = false;
    // Belady is told the exact access sequence: a check of 5 tokens, a warm-up and 2 repetitions
    // of 6; any other order would be an error ("Belady replay diverged").
    run_benchmark(v.engine, nullptr, h, report);
  }
  CHECK(v.errors == 0);
  CHECK(v.warnings == 0);
  REQUIRE(report.results.size() == 2);
  for (const BenchResult& r : report.results) {
    CAPTURE(r.label());
    CHECK(r.check == "ok");
    CHECK(r.tps.n == 2);
    CHECK(r.slots == 8);
    CHECK(r.hit_rate >= 0);
    CHECK(r.hit_rate < 1);  // 8 slots for 32 experts under a flat-enough trace: some misses
  }
}

}  // namespace rotary::bench

// The qwen35moe / qwen3next forward pass as a whole (tests/oracle/qwen35moe_test.cpp compares it
// with llama.cpp): prompt processing in chunks (the chunked Gated DeltaNet, matmul, tiled
// attention) against token-by-token decode (the recurrent form, matvec, flash decoding);
// residency invisible to the numbers; the MTP block neither run nor resident; the memory plan;
// the recurrent state's positions.
#include <cstring>
#include <numeric>

#include "runtime/models/qwen35moe.h"
#include "tests/gpu/gpu_test.h"
#include "tests/gpu/model_util.h"
#include "tests/support/check_error.h"

using namespace rotary;
using namespace rotary::test;

namespace {

// Fixed pseudo-random token ids below `vocab` (a multiplicative sequence; no near-ties by design:
// the synth output head gives logits of std 3).
std::vector<int32_t> prompt_tokens(uint32_t n, uint32_t vocab, uint32_t salt = 1) {
  std::vector<int32_t> p(n);
  for (uint32_t i = 0; i < n; ++i)
    p[i] = static_cast<int32_t>((i * 2654435761u + salt * 40503u) % vocab);
  return p;
}

TinyModel tiny_hybrid(Architecture arch, uint32_t nextn) {
  TinyModel m;
  m.arch = arch;
  m.n_layer = 4;  // GDN at 0 and 2, attention at 1 and 3 (interval 2)
  m.n_nextn = nextn;
  m.n_vocab = 64;
  m.weight_type = GgmlType::F32;
  return m;
}

}  // namespace

TEST_CASE_FIXTURE(
    GpuTest,
    "qwen35moe: prefill in chunks of 13, 64 and 70 tokens agrees with token-by-token decode") {
  const std::string path = synth_model_file("tiny-qwen35moe", synth::SynthQuant::F32, 5);
  const std::vector<int32_t> prompt = prompt_tokens(70, 1200);
  auto run = [&](uint32_t chunk) {
    ModelOptions o = exact_options();
    o.prefill_chunk = chunk;
    LoadedModel m = load_test_model(path, o);
    return run_greedy(*m.model, prompt, 4);
  };
  // Token by token: matvec, the recurrent delta rule, flash-decoding attention.
  const GreedyRun decode = run(1);
  REQUIRE(decode.rows == 74);
  // 13: several calls, none a multiple of the 64-token GDN chunk; 64: exactly one GDN chunk per
  // call; 70: one call of a full chunk and a partial one.
  for (uint32_t chunk : {13u, 64u, 70u}) {
    CAPTURE(chunk);
    const GreedyRun prefill = run(chunk);
    CHECK(prefill.tokens == decode.tokens);
    // Both paths are f32 with a different summation order (matmul tiles vs matvec rows, the WY
    // form vs the recurrence, tiled vs split-K attention): each op agrees to ~1e-6 relative
    // (docs/kernels.md) and logits have std ~3 after 4 layers; 1e-4 leaves room for growth over
    // 74 positions. Measured: ROTARY_REPORT_ERRORS=1 prints it.
    const double diff = max_abs_diff(prefill.logits, decode.logits);
    if (std::getenv("ROTARY_REPORT_ERRORS"))
      MESSAGE("chunk " << chunk << ": max |logit diff| " << diff);
    CHECK(diff <= 1e-4);
  }
}

TEST_CASE_FIXTURE(GpuTest,
                  "qwen35moe: same tokens and bit-identical logits at every expert-slot count, "
                  "prefetch on and off, and with experts read in place") {
  const std::string path = synth_model_file("tiny-qwen35moe", synth::SynthQuant::Q4_K_M, 7);
  const std::vector<int32_t> prompt = prompt_tokens(12, 1200, 3);
  auto run = [&](ModelOptions o) {
    LoadedModel m = load_test_model(path, o);
    if (o.residency == ResidencyMode::Copy) REQUIRE(m.model->plan().slots == o.expert_slots);
    GreedyRun r = run_greedy(*m.model, prompt, 16);
    // The small pools really did rotate.
    if (o.residency == ResidencyMode::Copy && o.expert_slots < 8)
      CHECK(m.model->stats().residency.evictions > 0);
    return r;
  };
  ModelOptions o = exact_options();
  o.residency = ResidencyMode::Copy;
  o.expert_slots = 32;  // 4 layers x 8 experts: everything resident
  const GreedyRun reference = run(o);
  auto same = [&](const GreedyRun& r) {
    CHECK(r.tokens == reference.tokens);
    REQUIRE(r.logits.size() == reference.logits.size());
    CHECK(std::memcmp(r.logits.data(), reference.logits.data(), r.logits.size() * 4) == 0);
  };
  // 2 slots (one layer's top-k), 25%, 50%, all.
  for (uint32_t slots : {2u, 8u, 16u, 32u}) {
    for (bool prefetch : {true, false}) {
      if (slots == 32 && prefetch) continue;  // the reference
      CAPTURE(slots);
      CAPTURE(prefetch);
      o.expert_slots = slots;
      o.moe.prefetch = prefetch;
      same(run(o));
    }
  }
  // Experts read from the file's pages where the device can import them (residency.md).
  o = exact_options();
  o.residency = ResidencyMode::InPlace;
  try {
    same(run(o));
  } catch (const Error& e) {
    REQUIRE(e.kind() == ErrorKind::Unsupported);
    MESSAGE("in-place experts not available on this device: " << e.what());
  }
}

TEST_CASE_FIXTURE(GpuTest, "qwen35moe: an MTP block in the file is not run and takes no VRAM") {
  const std::string plain = tiny_model_file("qwen35moe-4", tiny_hybrid(Architecture::Qwen35Moe, 0));
  const std::string mtp =
      tiny_model_file("qwen35moe-4-mtp", tiny_hybrid(Architecture::Qwen35Moe, 1));
  LoadedModel a = load_test_model(plain, exact_options());
  LoadedModel b = load_test_model(mtp, exact_options());
  // The file really carries an MTP block with experts and dense weights.
  uint64_t mtp_bytes = 0;
  for (const auto& t : b.file.tensors())
    if (t.name.starts_with("blk.4.")) mtp_bytes += t.n_bytes;
  CHECK(b.model->hparams().n_nextn == 1);
  CHECK(mtp_bytes > 0);
  CHECK(b.model->plan().dense == a.model->plan().dense);
  CHECK(b.model->plan().all_experts == 4 * 4);
  CHECK(b.model->plan().kv == a.model->plan().kv);
  CHECK(b.model->plan().recurrent == a.model->plan().recurrent);
  CHECK(b.model->plan().total() == a.model->plan().total());
  // Tensors are drawn in file order and the MTP block comes last: the other weights are equal.
  const std::vector<int32_t> prompt = prompt_tokens(5, 64);
  const GreedyRun ra = run_greedy(*a.model, prompt, 4), rb = run_greedy(*b.model, prompt, 4);
  CHECK(ra.tokens == rb.tokens);
  REQUIRE(ra.logits.size() == rb.logits.size());
  CHECK(std::memcmp(ra.logits.data(), rb.logits.data(), ra.logits.size() * 4) == 0);
}

TEST_CASE_FIXTURE(
    GpuTest,
    "qwen35moe: the plan holds KV only for the attention layers, and the recurrent state") {
  const std::string path = tiny_model_file("qwen35moe-4", tiny_hybrid(Architecture::Qwen35Moe, 0));
  const uint64_t before = ctx.budget().used();
  LoadedModel m = load_test_model(path, exact_options(200));
  const MemoryPlan& p = m.model->plan();
  // Layers 1 and 3 attend: K and V of 200 positions x 2 KV heads x head dim 8, f32.
  CHECK(p.kv == 2ull * 2 * 200 * 2 * 8 * 4);
  // Layers 0 and 2 are recurrent: conv state 3 x (q 2x8 + k 2x8 + v 4x8) and delta state
  // 4 heads x 8 x 8, f32, each part starting at the binding alignment.
  const uint64_t align = vk::binding_alignment(ctx.caps());
  const uint64_t conv = 3 * 64 * 4, delta = 4 * 8 * 8 * 4;
  CHECK(p.recurrent == 2 * vk::align_up(vk::align_up(conv, align) + delta, align));
  // What the model allocated (weights, caches, state, activations, slots) stays within the plan.
  CHECK(ctx.budget().used() - before <= p.total());
}

TEST_CASE_FIXTURE(GpuTest,
                  "qwen35moe: the plan is a tight upper bound, and a budget of exactly the plan's "
                  "total is never exceeded") {
  const std::string path = synth_model_file("tiny-qwen35moe", synth::SynthQuant::Q4_K_M, 7);
  ModelOptions o = exact_options();
  o.residency = ResidencyMode::Copy;
  o.expert_slots = 6;
  const uint64_t before = ctx.budget().used();
  uint64_t total = 0;
  {
    LoadedModel m = load_test_model(path, o);
    const uint64_t used = ctx.budget().used() - before;
    total = m.model->plan().total();
    CHECK(used <= total);
    CHECK(used + (1u << 20) >= total);
  }
  CHECK(ctx.budget().used() == before);  // everything released
  auto tight = make_gpu({.vram_budget = total});
  const GgufFile file = GgufFile::open(path);
  o.expert_slots = 0;  // as many as fit
  auto m = load_model(*tight, file, o);
  CHECK(m->plan().slots >= 6);
  (void)run_greedy(*m, prompt_tokens(20, 1200), 4);  // a prefill chunk and decode steps
  CHECK(tight->budget().peak() <= total);
  m.reset();
  CHECK(tight->instance().validation_errors() == 0);
}

TEST_CASE_FIXTURE(
    GpuTest,
    "qwen35moe: the recurrent state continues, restarts at position 0, and refuses to rewind") {
  const std::string path = tiny_model_file("qwen35moe-4", tiny_hybrid(Architecture::Qwen35Moe, 0));
  LoadedModel m = load_test_model(path, exact_options());
  const std::vector<int32_t> prompt = prompt_tokens(6, 64, 2);
  const LogitsRequest all{LogitsRequest::Kind::Full, 0, true};
  const StepResult first = m.model->eval(prompt, 0, all);
  // In two calls (3 + 3 tokens) the state carries over: the same rows as one call, to rounding.
  const StepResult head = m.model->eval(std::span(prompt).first(3), 0, all);
  const StepResult tail = m.model->eval(std::span(prompt).subspan(3), 3, all);
  std::vector<float> joined = head.logits;
  joined.insert(joined.end(), tail.logits.begin(), tail.logits.end());
  CHECK(max_abs_diff(joined, first.logits) <= 1e-4);
  // Position 0 starts a new sequence from a zero state: bit-identical to the first call.
  const StepResult again = m.model->eval(prompt, 0, all);
  CHECK(std::memcmp(again.logits.data(), first.logits.data(), first.logits.size() * 4) == 0);
  CHECK_ROTARY_ERROR(m.model->eval(prompt, 2, all), ErrorKind::InvalidArgument,
                     "continues at that position");
  // Past the context: refused, and the state still continues where it was.
  const std::vector<int32_t> long_prompt = prompt_tokens(300, 64);
  CHECK_ROTARY_ERROR(m.model->eval(long_prompt, 6, all), ErrorKind::ContextFull, "context");
  CHECK_NOTHROW(m.model->eval(std::span(prompt).first(1), 6, all));
  m.model->reset();
  const StepResult after_reset = m.model->eval(prompt, 0, all);
  CHECK(std::memcmp(after_reset.logits.data(), first.logits.data(), first.logits.size() * 4) == 0);
}

TEST_CASE_FIXTURE(
    GpuTest,
    "qwen3next: fused beta/alpha and grouped value heads run; prefill agrees with decode") {
  const std::string path = tiny_model_file("qwen3next-4", tiny_hybrid(Architecture::Qwen3Next, 0));
  const std::vector<int32_t> prompt = prompt_tokens(9, 64, 5);
  auto run = [&](uint32_t chunk) {
    ModelOptions o = exact_options();
    o.prefill_chunk = chunk;
    LoadedModel m = load_test_model(path, o);
    CHECK(m.model->hparams().arch == Architecture::Qwen3Next);
    return run_greedy(*m.model, prompt, 4);
  };
  const GreedyRun decode = run(1), prefill = run(9);
  CHECK(prefill.tokens == decode.tokens);
  CHECK(max_abs_diff(prefill.logits, decode.logits) <= 1e-4);
}

// qwen3moe generation against llama.cpp (docs/correctness.md). A small random model written by
// `rotary synth` in F32 is quantised by llama.cpp into each type rotary runs; rotary runs the
// quantised file on the exact path (F32 KV cache) and must match llama.cpp's CPU run of the file
// llama.cpp itself dequantised to F32 (shared/reference/oracle.md: the exact reference): the same
// 32 greedy tokens, and logits of every prompt and generated position within the type's
// tolerance. llama.cpp's own run of the quantised file rounds activations to 8 bits before each
// quantised product, so its difference is printed, not asserted.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "base/npy.h"
#include "loader/gguf_reader.h"
#include "loader/synth/synth_model.h"
#include "runtime/models/model.h"
#include "runtime/session.h"
#include "tests/oracle/oracle_gpu.h"
#include "tests/oracle/oracle_test.h"

using namespace rotary;
using rotary::test::join_ids;
using rotary::test::parse_ids;

namespace {

// The synth seed: picked (among 1..8, docs/correctness.md) so that no greedy step of the
// reference is a near-tie in any type; the test checks that this still holds.
constexpr uint64_t kSynthSeed = 7;
constexpr uint32_t kPromptTokens = 40;
constexpr uint32_t kGenerated = 32;
// A greedy step counts as decided when its top-2 gap is this many times the tolerance: a gap
// smaller than the allowed logit error could flip between two correct implementations.
constexpr double kGapFactor = 20;

// Deterministic prompt ids, spread over the vocabulary, clear of the special tokens at its end.
std::vector<int32_t> prompt_tokens(uint32_t n_vocab) {
  std::vector<int32_t> ids;
  for (uint32_t i = 0; i < kPromptTokens; ++i)
    ids.push_back(static_cast<int32_t>((37 * i * i + 101 * i + 7) % (n_vocab - 8)));
  return ids;
}

// The F32 master, written once per process (0.2 s).
struct Master {
  Master() {
    synth::SynthOptions options;
    options.quant = synth::SynthQuant::F32;
    options.seed = kSynthSeed;
    const auto model = synth::plan_synth_model(synth::find_synth_preset("tiny-qwen3moe"), options);
    synth::write_synth_model(model, path);
    n_vocab = model.preset.n_vocab;
  }
  test::TempDir dir{"generation"};
  std::string path = dir.file("master-f32.gguf");
  uint32_t n_vocab = 0;
};

const Master& master() {
  static const Master m;
  return m;
}

struct RotaryRun {
  std::vector<int32_t> tokens;
  NpyArray logits;  // [prompt + generated, vocab]
};

// rotary on `path` as `rotary run --exact --temp 0 --ignore-eos --logits-out` runs it, in this
// process on the suite's GPU.
// `expert_slots` > 0: that many slots of a VRAM slot pool (--residency copy --expert-slots N).
RotaryRun run_rotary(const std::string& path, const std::vector<int32_t>& prompt,
                     uint32_t prefill_chunk, const std::string& npy,
                     ops::KvTypes kv_type = ops::KvType::F32, uint32_t expert_slots = 0) {
  vk::GpuContext& gpu = test::oracle_gpu();
  const GgufFile file = GgufFile::open(path);
  ModelOptions options;
  options.ctx = 128;
  options.kv_type = kv_type;
  options.prefill_chunk = prefill_chunk;
  options.progress = false;
  if (expert_slots) {
    options.residency = ResidencyMode::Copy;
    options.expert_slots = expert_slots;
  }
  const std::unique_ptr<Model> model = load_model(gpu, file, options);
  SamplingParams greedy;
  greedy.temperature = 0;
  Session session(gpu, *model, nullptr, greedy);
  NpyWriter writer(npy, NpyWriter::kUnknownRows, model->hparams().n_vocab);
  GenerateOptions go;
  go.max_tokens = kGenerated;
  go.stop_at_end_of_generation = false;
  go.logits_out = &writer;
  RotaryRun run;
  run.tokens = session.generate(prompt, go);
  writer.close();
  run.logits = read_npy(npy);
  return run;
}

double max_abs_diff(const NpyArray& a, const NpyArray& b, uint64_t rows) {
  double m = 0;
  for (uint64_t i = 0; i < rows * a.cols; ++i)
    m = std::max(m, std::abs(static_cast<double>(a.data[i]) - b.data[i]));
  return m;
}

// The smallest gap between the best and the second-best logit over rows [first, last).
double min_top2_gap(const NpyArray& a, uint64_t first, uint64_t last) {
  double gap = INFINITY;
  for (uint64_t r = first; r < last; ++r) {
    const float* row = a.data.data() + r * a.cols;
    float best = -INFINITY, second = -INFINITY;
    for (uint64_t c = 0; c < a.cols; ++c) {
      if (row[c] > best) {
        second = best;
        best = row[c];
      } else if (row[c] > second) {
        second = row[c];
      }
    }
    gap = std::min(gap, static_cast<double>(best) - second);
  }
  return gap;
}

size_t common_prefix(const std::vector<int32_t>& a, const std::vector<int32_t>& b) {
  size_t n = 0;
  while (n < a.size() && n < b.size() && a[n] == b[n]) ++n;
  return n;
}

// Greedy steps, from the first, whose top-2 gap in `ref` exceeds `gap`: steps where any run
// whose logits are within gap / 2 of the reference must pick the reference's token.
uint32_t decided_steps(const NpyArray& ref, double gap) {
  uint32_t n = 0;
  while (n < kGenerated && min_top2_gap(ref, kPromptTokens - 1 + n, kPromptTokens + n) > gap) ++n;
  return n;
}

// Logits rows [0, rows) of a and b: max |difference|.
double max_abs_diff_rows(const NpyArray& a, const NpyArray& b, uint64_t rows) {
  return max_abs_diff(a, b, std::min<uint64_t>(rows, std::min(a.rows, b.rows)));
}

// `type`: a llama-quantize ftype name; F32 is the master itself.
// `quantize_args`: more rotary-oracle quantize flags (--imatrix-ones for the IQ1/IQ2 types,
// --tensor-type overrides).
// `report_quantised`: also run llama.cpp on the quantised file and print the difference.
// `check_misses`: also run with a slot pool of one layer's top-k (every other expert a miss):
// the same tokens and the same logits, bit for bit (residency is invisible).
// `want_types`: ggml type names the quantised file must hold (overrides that llama.cpp honoured).
void check_generation(const std::string& type, double tolerance, const std::vector<std::string>& quantize_args = {},
                      bool report_quantised = true, bool check_misses = false,
                      const std::set<std::string>& want_types = {}) {
  test::GpuClean clean;
  const Master& m = master();
  test::TempDir dir("generation-" + type);
  const std::vector<int32_t> prompt = prompt_tokens(m.n_vocab);
  const std::string tokens = join_ids(prompt), n = std::to_string(kGenerated);
  std::string quantised = m.path, reference = m.path;
  if (type != "F32") {
    quantised = dir.file(type + ".gguf");
    reference = dir.file(type + "-ref.gguf");
    std::vector<std::string> args = {"quantize", m.path, quantised, type};
    args.insert(args.end(), quantize_args.begin(), quantize_args.end());
    test::run_oracle(args);
    test::run_oracle({"quantize", quantised, reference, "F32", "--allow-requantize"});
  }
  const std::set<std::string> has = test::tensor_type_names(quantised);
  for (const std::string& t : want_types) CHECK_MESSAGE(has.count(t) == 1, "the quantised file has no " << t);
  // The exact reference: llama.cpp's CPU backend on llama.cpp's own dequantisation, F32 KV cache,
  // flash attention off (eval's defaults), one thread (two spin against each other on a busy
  // 2-core machine: 100x slower; the result does not depend on it).
  const std::string ref_npy = dir.file("ref.npy");
  const std::vector<int32_t> ref_tokens = parse_ids(test::run_oracle(
      {"eval", reference, "--tokens", tokens, "-n", n, "--threads", "1", "--out", ref_npy}));
  const NpyArray ref = read_npy(ref_npy);
  const uint64_t rows = kPromptTokens + kGenerated;
  REQUIRE(ref_tokens.size() == kGenerated);
  REQUIRE(ref.rows == rows);
  REQUIRE(ref.cols == m.n_vocab);

  // Greedy step k is decided by row prompt - 1 + k.
  const double gap = min_top2_gap(ref, kPromptTokens - 1, rows - 1);
  CAPTURE(gap);
  REQUIRE_MESSAGE(
      gap > kGapFactor * tolerance,
      "the reference has a near-tied greedy step: pick another synth seed (docs/correctness.md)");

  const RotaryRun one_chunk = run_rotary(quantised, prompt, 256, dir.file("rotary.npy"));
  REQUIRE(one_chunk.logits.rows == rows);
  REQUIRE(one_chunk.logits.cols == ref.cols);
  CHECK(one_chunk.tokens == ref_tokens);
  const double diff = max_abs_diff(one_chunk.logits, ref, rows);
  CAPTURE(diff);
  CHECK(diff <= tolerance);

  // The prompt token by token (prefill chunk 1: the decode kernels) against one chunk (the
  // prefill kernels): the same tokens, and logits within the same tolerance.
  const RotaryRun by_token = run_rotary(quantised, prompt, 1, dir.file("rotary-chunk1.npy"));
  REQUIRE(by_token.logits.rows == rows);
  CHECK(by_token.tokens == one_chunk.tokens);
  const double chunk_diff = max_abs_diff(by_token.logits, one_chunk.logits, rows);
  CAPTURE(chunk_diff);
  CHECK(chunk_diff <= tolerance);

  if (check_misses) {
    const RotaryRun misses = run_rotary(quantised, prompt, 256, dir.file("rotary-misses.npy"), ops::KvType::F32, 2);
    CHECK(misses.tokens == one_chunk.tokens);
    CHECK(misses.logits.data == one_chunk.logits.data);
  }

  // Reported only: llama.cpp's CPU run of the quantised file (8-bit activations).
  double quant_diff = 0, quant_prompt_diff = 0;
  size_t quant_agree = kGenerated;
  if (type != "F32" && report_quantised) {
    const std::string q_npy = dir.file("quantised.npy");
    const std::vector<int32_t> q_tokens = parse_ids(test::run_oracle(
        {"eval", quantised, "--tokens", tokens, "-n", n, "--threads", "1", "--out", q_npy}));
    const NpyArray q = read_npy(q_npy);
    quant_prompt_diff = max_abs_diff(one_chunk.logits, q, kPromptTokens);
    quant_diff = max_abs_diff(one_chunk.logits, q, std::min<uint64_t>(q.rows, rows));
    quant_agree = common_prefix(q_tokens, one_chunk.tokens);
  }
  std::printf(
      "generation %-9s tolerance %.0e | vs exact reference: max |dlogit| %.2e, tokens %s | chunk 1 "
      "vs one "
      "chunk %.2e | min top-2 gap %.3f",
      type.c_str(), tolerance, diff, one_chunk.tokens == ref_tokens ? "identical" : "DIFFER",
      chunk_diff, gap);
  if (type != "F32" && report_quantised)
    std::printf(" | vs llama.cpp on the quantised file: prompt %.3g, all %.3g, greedy agree %zu/%u",
                quant_prompt_diff, quant_diff, quant_agree, kGenerated);
  std::printf("\n");
}

}  // namespace

// Tolerances: rotary computes in F32 from the same weights as the reference (it decodes the
// quantised blocks bit-identically with llama.cpp, oracle/dequantize), so what is left is the
// order of F32 sums (GPU reductions vs ggml's) and of exp/sum in softmax and attention: about 1e-5
// on logits of standard deviation 3 (docs/correctness.md has the measured values). 1e-4 leaves a
// factor of ten for another device's reduction order; oracle.md's bar for an F32 path is 1e-4.
TEST_CASE("generation: F32 matches llama.cpp") {
  check_generation("F32", 1e-4);
}
TEST_CASE("generation: F16 matches llama.cpp's F32 dequantisation") {
  check_generation("F16", 1e-4);
}
TEST_CASE("generation: BF16 matches llama.cpp's F32 dequantisation") {
  check_generation("BF16", 1e-4);
}
TEST_CASE("generation: Q8_0 matches llama.cpp's F32 dequantisation") {
  check_generation("Q8_0", 1e-4);
}
TEST_CASE("generation: Q4_0 matches llama.cpp's F32 dequantisation") {
  check_generation("Q4_0", 1e-4);
}
TEST_CASE("generation: Q4_1 matches llama.cpp's F32 dequantisation") {
  check_generation("Q4_1", 1e-4, {}, false);
}
TEST_CASE("generation: Q5_0 matches llama.cpp's F32 dequantisation") {
  check_generation("Q5_0", 1e-4, {}, false);
}
TEST_CASE("generation: Q5_1 matches llama.cpp's F32 dequantisation") {
  check_generation("Q5_1", 1e-4, {}, false);
}
TEST_CASE("generation: IQ4_NL matches llama.cpp's F32 dequantisation") {
  check_generation("IQ4_NL", 1e-4, {}, false);
}
// Q2_K puts most matrices in Q2_K and some in Q3_K/Q4_K; Q3_K_M puts them in Q3_K, Q4_K, Q5_K.
TEST_CASE("generation: Q2_K matches llama.cpp's F32 dequantisation") {
  check_generation("Q2_K", 1e-4, {}, false);
}
TEST_CASE("generation: Q3_K_M matches llama.cpp's F32 dequantisation") {
  check_generation("Q3_K_M", 1e-4, {}, false);
}
// The grid-based IQ types, all seven in one file (llama.cpp's quantiser, an all-ones importance
// matrix, --tensor-type overrides: regexes searched in the name, the first match wins, so "^"
// keeps output.weight's off attn_output.weight), each in a dense role (matvec, the prefill matmul, get_rows)
// and as routed experts (the grouped kernels), with experts of different types in every layer;
// IQ1_M only as experts here (qwen35moe's mixed file has it in dense roles). Also run with two
// expert slots, so that most experts are misses: the same tokens and logits.
TEST_CASE("generation: the IQ1/IQ2/IQ3 types, mixed, match llama.cpp's F32 dequantisation") {
  const std::vector<std::string> overrides = {
      "token_embd.weight=iq2_s",          "^output\\.weight=iq3_xxs",
      "attn_q.weight=iq1_s",              "attn_k.weight=iq3_s",
      "attn_v.weight=iq2_xs",             "attn_output.weight=iq2_xxs",
      "blk.0.ffn_(gate|up)_exps=iq2_xxs", "blk.0.ffn_down_exps=iq3_xxs",
      "blk.1.ffn_(gate|up)_exps=iq2_xs",  "blk.1.ffn_down_exps=iq1_m",
      "blk.2.ffn_(gate|up)_exps=iq3_s",   "blk.2.ffn_down_exps=iq2_s",
      "blk.3.ffn_(gate|up)_exps=iq1_m",   "blk.3.ffn_down_exps=iq1_s"};
  std::vector<std::string> args = {"--imatrix-ones"};
  for (const std::string& o : overrides) {
    args.push_back("--tensor-type");
    args.push_back(o);
  }
  check_generation("IQ2_XXS", 1e-4, args, false, true,
                   {"iq2_xxs", "iq2_xs", "iq2_s", "iq3_xxs", "iq3_s", "iq1_s", "iq1_m"});
}
TEST_CASE("generation: Q4_K_M matches llama.cpp's F32 dequantisation") {
  check_generation("Q4_K_M", 1e-4);
}
TEST_CASE("generation: Q5_K_M matches llama.cpp's F32 dequantisation") {
  check_generation("Q5_K_M", 1e-4);
}
TEST_CASE("generation: Q6_K matches llama.cpp's F32 dequantisation") {
  check_generation("Q6_K", 1e-4);
}
TEST_CASE("generation: IQ4_XS matches llama.cpp's F32 dequantisation") {
  check_generation("IQ4_XS", 1e-4);
}
TEST_CASE("generation: MXFP4_MOE matches llama.cpp's F32 dequantisation") {
  check_generation("MXFP4_MOE", 1e-4);
}

// KV cache types (-ctk/-ctv), judged against llama.cpp's run with an F32 cache on the F32
// master, over the prompt rows and the greedy steps the reference decides by more than twice the
// tolerance: there the logits must be within the tolerance and the tokens the reference's, both
// with the prompt in one chunk (tiled prefill attention) and token by token (split-K decode).
// Tolerance: issue 17's 0.05 for f16; 0.1 for q8_0 (measured 0.054 on this random model, whose
// logits are more sensitive than a trained model's; llama.cpp's own q8_0 cache, which also rounds
// q to 8 bits, is 1.9 off); for q4_0 twice what llama.cpp's own q4_0 cache differs from its F32
// cache over the prompt (0.05 is out of reach for 4-bit values here). Both caches hold the same
// bytes (kv_quant_test.cpp) but llama.cpp also rounds q and the probabilities, so its error is a
// different draw of the same size, not a bound: measured rotary / llama.cpp 2.9 / 3.3 here, 0.22 /
// 0.18 on tiny-qwen35moe, 0.21 / 0.32 on tiny-qwen3next.
void check_kv_type(ops::KvType type, double tolerance) {
  test::GpuClean clean;
  const Master& m = master();
  const std::string name = ops::to_string(type);
  test::TempDir dir("generation-kv-" + name);
  const std::vector<int32_t> prompt = prompt_tokens(m.n_vocab);
  auto llama = [&](const char* kv, const std::string& npy) {
    return parse_ids(test::run_oracle({"eval", m.path, "--tokens", join_ids(prompt), "-n",
                                       std::to_string(kGenerated), "--threads", "1", "--kv-type",
                                       kv, "--out", npy}));
  };
  const std::vector<int32_t> ref_tokens = llama("f32", dir.file("ref.npy"));
  const NpyArray ref = read_npy(dir.file("ref.npy"));
  REQUIRE(ref_tokens.size() == kGenerated);
  // llama.cpp's own cache of this type, over the prompt (its later rows follow its own tokens).
  llama(name.c_str(), dir.file("llama.npy"));
  const double llama_diff = max_abs_diff_rows(read_npy(dir.file("llama.npy")), ref, kPromptTokens);
  if (tolerance <= 0) tolerance = 2 * llama_diff;
  const uint32_t decided = decided_steps(ref, 2 * tolerance);
  CAPTURE(decided);
  CAPTURE(llama_diff);
  for (uint32_t chunk : {256u, 1u}) {
    CAPTURE(chunk);
    const RotaryRun run = run_rotary(m.path, prompt, chunk, dir.file("rotary.npy"), type);
    const std::vector<int32_t> first(run.tokens.begin(), run.tokens.begin() + decided),
        want(ref_tokens.begin(), ref_tokens.begin() + decided);
    CHECK(first == want);
    const double diff = max_abs_diff_rows(run.logits, ref, kPromptTokens + decided);
    CAPTURE(diff);
    CHECK(diff <= tolerance);
    std::printf("generation KV %-5s prefill chunk %3u | vs F32-KV reference: max |dlogit| %.3g "
                "(tolerance %.3g) over the prompt and %u decided steps, tokens %s, all %u %s | "
                "llama.cpp's own %s cache over the prompt: %.3g\n",
                name.c_str(), chunk, diff, tolerance, decided,
                first == want ? "identical" : "DIFFER", kGenerated,
                run.tokens == ref_tokens ? "identical" : "differ", name.c_str(), llama_diff);
  }
}

TEST_CASE("generation: F16 KV cache within 0.05 of llama.cpp's F32-KV run") {
  check_kv_type(ops::KvType::F16, 0.05);
}
TEST_CASE("generation: Q8_0 KV cache within 0.1 of llama.cpp's F32-KV run") {
  check_kv_type(ops::KvType::Q8_0, 0.1);
}
TEST_CASE("generation: Q4_0 KV cache within twice llama.cpp's own Q4_0 cache's difference") {
  check_kv_type(ops::KvType::Q4_0, 0);
}

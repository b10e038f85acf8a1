// The qwen35moe forward pass against llama.cpp: `rotary run --exact --temp 0` on the synth
// tiny-qwen35moe preset in F32 and in types llama.cpp quantised (Q8_0, Q4_K_M, Q6_K,
// MXFP4_MOE), each compared with llama.cpp's CPU run of the all-F32 file llama.cpp dequantised
// from it (the exact reference, shared/reference/oracle.md): the same 32 greedy tokens and every
// position's logits within a stated tolerance. The prompt (70 tokens) spans two of the chunked
// Gated DeltaNet's 64-token chunks in both implementations; --prefill-chunk 1 checks the
// token-by-token path against the same reference. qwen3next (tiny-qwen3next: fused ssm_ba,
// grouped value heads, plain RoPE) the same way, in F32 and Q4_K_M. Measured values:
// docs/correctness.md.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "base/npy.h"
#include "loader/gguf_reader.h"
#include "loader/gguf_writer.h"
#include "loader/quant/half.h"
#include "loader/synth/synth_model.h"
#include "tests/oracle/oracle_test.h"
#include "tests/support/tiny_models.h"

using namespace rotary;
using namespace rotary::test;

namespace {

constexpr uint32_t kGenerated = 32;

// Byte tokens, merges and specials of the synth vocabulary, in a fixed mixed order.
std::vector<int32_t> prompt_tokens(uint32_t n, uint32_t vocab) {
  std::vector<int32_t> p(n);
  for (uint32_t i = 0; i < n; ++i) p[i] = static_cast<int32_t>((i * 7919u + 13u) % vocab);
  return p;
}

struct Run {
  std::vector<int32_t> tokens;
  NpyArray logits;
};

Run oracle_run(const std::string& model, const std::string& prompt, const std::string& out) {
  const std::string text = run_oracle(
      {"eval", model, "--tokens", prompt, "-n", std::to_string(kGenerated), "--out", out});
  return {parse_ids(text.substr(0, text.find_last_not_of("\n ") + 1)), read_npy(out)};
}

// With `extra` naming a KV cache type (-ctk/-ctv), without --exact (which means f32).
Run rotary_run(const std::string& model, const std::string& prompt, const std::string& out,
               std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {"run",
                                   "-m",
                                   model,
                                   "--tokens",
                                   prompt,
                                   "-n",
                                   std::to_string(kGenerated),
                                   "--temp",
                                   "0",
                                   "--exact",
                                   "--ignore-eos",
                                   "--no-progress",
                                   "--json",
                                   "--logits-out",
                                   out};
  if (std::find(extra.begin(), extra.end(), "-ctk") != extra.end())
    args.erase(std::find(args.begin(), args.end(), "--exact"));
  args.insert(args.end(), extra.begin(), extra.end());
  const ProcessResult r = run_process(ROTARY_CLI_EXE, args);
  INFO("rotary run: " << r.err);
  REQUIRE(r.exit_code == 0);
  const std::string key = "\"tokens\":[";
  const size_t at = r.out.find(key);
  REQUIRE(at != std::string::npos);
  const size_t end = r.out.find(']', at);
  return {parse_ids(r.out.substr(at + key.size(), end - at - key.size())), read_npy(out)};
}

bool report() {
  return std::getenv("ROTARY_REPORT_ERRORS") != nullptr;
}

// KV cache types (-ctk/-ctv) of the gated-attention layers against the F32-KV reference `ref`,
// over the prompt rows and the greedy steps the reference decides by more than twice the
// tolerance: logits within it and the reference's tokens. Tolerances as the qwen3moe generation
// test (generation_test.cpp): 0.05 for f16, 0.1 for q8_0, and for q4_0 no more than llama.cpp's
// own q4_0 cache differs from its F32 cache over the prompt, twice over.
void check_kv_types(const std::string& file, const std::string& prompt, size_t prompt_tokens,
                    const Run& ref, const TempDir& dir) {
  auto rows = [&](const NpyArray& a, uint64_t n) {
    NpyArray r = a;
    r.rows = std::min<uint64_t>(n, a.rows);
    r.data.resize(r.rows * r.cols);
    return r;
  };
  for (const auto& [type_name, bar] :
       {std::pair{"f16", 0.05}, std::pair{"q8_0", 0.1}, std::pair{"q4_0", 0.0}}) {
    const std::string type = type_name;
    CAPTURE(type);
    double tolerance = bar;
    if (tolerance <= 0) {
      const std::string npy = dir.file(std::string("llama-kv-") + type + ".npy");
      run_oracle({"eval", file, "--tokens", prompt, "-n", std::to_string(kGenerated), "--kv-type",
                  type, "--out", npy});
      tolerance =
          2 * max_abs_diff(rows(read_npy(npy), prompt_tokens), rows(ref.logits, prompt_tokens));
    }
    uint32_t decided = 0;
    while (decided < kGenerated &&
           min_top2_gap(rows(ref.logits, prompt_tokens + decided), prompt_tokens - 1 + decided) >
               2 * tolerance)
      ++decided;
    const Run got = rotary_run(file, prompt, dir.file(std::string("kv-") + type + ".npy"),
                               {"-ctk", type, "-ctv", type});
    CHECK(std::equal(ref.tokens.begin(), ref.tokens.begin() + decided, got.tokens.begin()));
    const double diff = max_abs_diff(rows(got.logits, prompt_tokens + decided),
                                     rows(ref.logits, prompt_tokens + decided));
    CAPTURE(diff);
    CHECK(diff <= tolerance);
    MESSAGE("KV " << type << ": max |logit diff| vs the F32-KV reference " << diff << " (tolerance "
                  << tolerance << ") over the prompt and " << decided << " decided steps");
  }
}

// `in` written again to `out` with every tensor whose name ends in `suffix` converted to `type`,
// F32 to BF16 (round to nearest even) or BF16 to F32 (exact).
void retype(const std::string& in, const std::string& out, std::string_view suffix, GgmlType type) {
  const GgufFile f = GgufFile::open(in);
  GgufWriter w;
  for (const GgufKeyValue& kv : f.metadata().entries()) w.set(kv.key, kv.value);
  for (const GgufTensorInfo& t : f.tensors()) {
    if (!t.name.ends_with(suffix) || t.type == type) {
      w.add_tensor(t.name, t.type, t.shape, t.data);
      continue;
    }
    REQUIRE(((t.type == GgmlType::F32 && type == GgmlType::BF16) || (t.type == GgmlType::BF16 && type == GgmlType::F32)));
    std::vector<std::byte> bytes(t.n_elements * (type == GgmlType::F32 ? 4 : 2));
    for (uint64_t i = 0; i < t.n_elements; ++i) {
      if (type == GgmlType::BF16) {
        float v;
        std::memcpy(&v, t.data.data() + 4 * i, 4);
        const uint16_t h = quant::f32_to_bf16(v);
        std::memcpy(bytes.data() + 2 * i, &h, 2);
      } else {
        uint16_t h;
        std::memcpy(&h, t.data.data() + 2 * i, 2);
        const float v = quant::bf16_to_f32(h);
        std::memcpy(bytes.data() + 4 * i, &v, 4);
      }
    }
    w.add_tensor(t.name, type, t.shape, bytes);
  }
  w.write_file(out);
}

struct CompareOptions {
  std::vector<std::string> quantize_args;  // more rotary-oracle quantize flags
  // The routers (ffn_gate_inp) in BF16, as in files converted from BF16 checkpoints: llama.cpp's
  // quantiser keeps a router's type, so the master has them in BF16; the exact reference gets
  // them back in F32 (llama.cpp's CPU would round activations to BF16 for a BF16 weight).
  bool bf16_router = false;
  // Also run with two expert slots (one layer's top-k: most experts are misses): the same tokens
  // and logits, bit for bit.
  bool check_misses = false;
  // ggml type names every quantised file must hold (overrides that llama.cpp honoured).
  std::set<std::string> want_types;
};

// Writes `preset` in F32 (synth), has llama.cpp quantise it to each of `types` ("F32": none)
// and compares `rotary run` on each file with llama.cpp's run of the exact reference.
void compare_with_llama(const std::string& preset, uint64_t seed,
                        const std::vector<std::string>& types, const CompareOptions& co = {}) {
  TempDir dir(preset);
  synth::SynthOptions options;
  options.quant = synth::SynthQuant::F32;
  options.seed = seed;
  const auto model = synth::plan_synth_model(synth::find_synth_preset(preset), options);
  std::string f32 = dir.file("f32.gguf");
  synth::write_synth_model(model, f32);
  constexpr std::string_view kRouter = "ffn_gate_inp.weight";
  if (co.bf16_router) {
    retype(f32, dir.file("master.gguf"), kRouter, GgmlType::BF16);
    f32 = dir.file("master.gguf");
  }
  const std::vector<int32_t> ids = prompt_tokens(70, model.preset.n_vocab);
  const std::string prompt = join_ids(ids);

  // Tolerance (max |logit difference| over all 102 positions, logits of std ~3): rotary and
  // llama.cpp both compute in f32 from the same weights, summing in different orders (tiled
  // matmuls, the chunked delta rule's WY form, online softmax); each op agrees to ~1e-6
  // relative (docs/kernels.md). oracle.md's 1e-4 for f32 models holds with room (measured
  // 1.1e-5 to 1.4e-5: docs/correctness.md).
  constexpr double kTolerance = 1e-4;
  for (const std::string& t : types) {
    CAPTURE(t);
    std::string file = f32, reference = f32;
    if (t != "F32") {
      file = dir.file(t + ".gguf");
      reference = dir.file(t + "-ref.gguf");
      std::vector<std::string> args = {"quantize", f32, file, t};
      args.insert(args.end(), co.quantize_args.begin(), co.quantize_args.end());
      run_oracle(args);
      run_oracle(
          {"quantize", file, reference, "F32", "--allow-requantize"});  // llama.cpp dequantises
    }
    const std::set<std::string> has = tensor_type_names(file);
    for (const std::string& w : co.want_types) CHECK_MESSAGE(has.count(w) == 1, "the quantised file has no " << w);
    if (co.bf16_router) {
      CHECK(tensor_type_name(file, "blk.0.ffn_gate_inp.weight") == "bf16");
      const std::string exact = dir.file(t + "-ref-f32.gguf");
      retype(reference, exact, kRouter, GgmlType::F32);
      reference = exact;
    }
    const Run ref = oracle_run(reference, prompt, dir.file(t + "-ref.npy"));
    REQUIRE(ref.logits.rows == ids.size() + kGenerated);
    const double gap = min_top2_gap(ref.logits, ids.size() - 1);
    CHECK(gap > 10 * kTolerance);  // the test model has no near-ties in its greedy steps

    const Run got = rotary_run(file, prompt, dir.file(t + ".npy"));
    CHECK(got.tokens == ref.tokens);
    const double diff = max_abs_diff(got.logits, ref.logits);
    CHECK(diff <= kTolerance);
    if (report())
      MESSAGE(t << ": max |logit diff| vs the exact reference " << diff << ", smallest top-2 gap "
                << gap);

    if (co.check_misses) {
      const Run misses =
          rotary_run(file, prompt, dir.file(t + "-misses.npy"), {"--residency", "copy", "--expert-slots", "2"});
      CHECK(misses.tokens == got.tokens);
      CHECK(misses.logits.data == got.logits.data);
    }

    if (t == "F32") {
      // Token by token: the recurrent delta rule, matvec and flash-decoding attention only.
      const Run decode = rotary_run(file, prompt, dir.file("decode.npy"), {"--prefill-chunk", "1"});
      CHECK(decode.tokens == ref.tokens);
      const double d = max_abs_diff(decode.logits, ref.logits);
      CHECK(d <= kTolerance);
      if (report()) MESSAGE("F32 --prefill-chunk 1: max |logit diff| " << d);
      check_kv_types(file, prompt, ids.size(), ref, dir);
    } else if (report()) {
      // llama.cpp's own run of the quantised file rounds activations to 8 bits: reported only,
      // over the prompt (later rows follow its own greedy tokens once they differ).
      const Run quant = oracle_run(file, prompt, dir.file(t + "-llama.npy"));
      uint32_t same = 0;
      while (same < kGenerated && quant.tokens[same] == ref.tokens[same]) ++same;
      NpyArray a = quant.logits, b = ref.logits;
      a.rows = b.rows = ids.size();
      a.data.resize(a.rows * a.cols);
      b.data.resize(b.rows * b.cols);
      MESSAGE(t << ": llama.cpp's quantised CPU run differs from the exact reference by "
                << max_abs_diff(a, b) << " over the prompt; first " << same
                << " greedy tokens equal");
    }
  }
}

}  // namespace

TEST_CASE(
    "qwen35moe: rotary matches llama.cpp on tiny-qwen35moe in F32 and llama.cpp's Q8_0, Q4_K_M, "
    "Q6_K, MXFP4_MOE") {
  compare_with_llama("tiny-qwen35moe", 11, {"F32", "Q8_0", "Q4_K_M", "Q6_K", "MXFP4_MOE"});
}

TEST_CASE("qwen3next: rotary matches llama.cpp on tiny-qwen3next in F32 and llama.cpp's Q4_K_M") {
  compare_with_llama("tiny-qwen3next", 13, {"F32", "Q4_K_M"});
}

// A file like unsloth's "Dynamic" mixes, every role in a type of its own: routed experts of
// different types in different layers (gate/up Q4_1, Q5_0, IQ4_NL, Q2_K; down Q3_K, Q5_1, Q2_K,
// IQ4_NL), the Gated DeltaNet projections, attention, shared expert, embedding and output head in
// the other types rotary runs. llama.cpp's quantiser writes it (--tensor-type overrides); the
// router stays F32, as llama.cpp keeps it.
TEST_CASE("qwen35moe: rotary matches llama.cpp on a mixed file of the Q4_1..Q3_K types") {
  const std::vector<std::string> overrides = {
      "token_embd.weight=q5_1",         "^output\\.weight=q3_K",
      "blk.0.ffn_(gate|up)_exps=q4_1",  "blk.0.ffn_down_exps=q3_K",
      "blk.1.ffn_(gate|up)_exps=q5_0",  "blk.1.ffn_down_exps=q5_1",
      "blk.2.ffn_(gate|up)_exps=iq4_nl", "blk.2.ffn_down_exps=q2_K",
      "blk.3.ffn_(gate|up)_exps=q2_K",  "blk.3.ffn_down_exps=iq4_nl",
      "attn_qkv=q3_K",                  "attn_gate=iq4_nl",
      "ssm_out=q5_0",                   "ssm_(alpha|beta)=q4_1",
      "attn_q.weight=iq4_xs",           "attn_k.weight=q2_K",
      "attn_v.weight=q3_K",             "attn_output=q5_1",
      "ffn_(gate|up)_shexp=q4_1",       "ffn_down_shexp=iq4_nl"};
  CompareOptions co;
  for (const std::string& o : overrides) {
    co.quantize_args.push_back("--tensor-type");
    co.quantize_args.push_back(o);
  }
  compare_with_llama("tiny-qwen35moe", 11, {"Q4_K_M"}, co);
}

// A file like unsloth's UD-Q2_K_XL / UD-IQ1_S: routed experts IQ2_XS, IQ3_XXS, IQ4_XS in different
// layers (and IQ1_S, IQ3_S), routers BF16, the head Q6_K, and the grid IQ types in the dense
// roles: the Gated DeltaNet projections, attention, the shared expert, the embedding. llama.cpp
// quantises it (an all-ones importance matrix, --tensor-type overrides: the first matching regex
// wins, so "^output" spares attn_output). Run again with two expert slots: residency is
// invisible.
TEST_CASE("qwen35moe: rotary matches llama.cpp on a UD-like mixed file of the IQ types, BF16 routers") {
  const std::vector<std::string> overrides = {
      "token_embd.weight=iq1_m",          "^output\\.weight=q6_K",
      "blk.0.ffn_(gate|up)_exps=iq2_xs",  "blk.0.ffn_down_exps=iq3_xxs",
      "blk.1.ffn_(gate|up)_exps=iq3_xxs", "blk.1.ffn_down_exps=iq4_xs",
      "blk.2.ffn_(gate|up)_exps=iq4_xs",  "blk.2.ffn_down_exps=iq2_xs",
      "blk.3.ffn_(gate|up)_exps=iq1_s",   "blk.3.ffn_down_exps=iq3_s",
      "attn_qkv=iq1_m",                   "attn_gate=iq2_xxs",
      "ssm_out=iq3_s",                    "ssm_(alpha|beta)=iq2_s",
      "attn_q.weight=iq3_xxs",            "attn_k.weight=iq2_xs",
      "attn_v.weight=iq1_s",              "attn_output=iq1_m",
      "ffn_(gate|up)_shexp=iq2_s",        "ffn_down_shexp=iq1_m"};
  CompareOptions co;
  co.quantize_args = {"--imatrix-ones"};
  for (const std::string& o : overrides) {
    co.quantize_args.push_back("--tensor-type");
    co.quantize_args.push_back(o);
  }
  co.bf16_router = true;
  co.check_misses = true;
  co.want_types = {"iq1_s", "iq1_m", "iq2_xxs", "iq2_xs", "iq2_s", "iq3_xxs", "iq3_s", "iq4_xs", "q6_K", "bf16"};
  compare_with_llama("tiny-qwen35moe", 11, {"IQ2_XXS"}, co);
}

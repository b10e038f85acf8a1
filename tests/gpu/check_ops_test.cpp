// The op-by-op debug mode (ModelOptions::check, `rotary run --check-ops`): on a healthy model every
// op matches its CPU reference and the numbers are those of an unchecked run; with one op's output
// perturbed, or a weight in VRAM that differs from the model file, the run stops at that op and
// names it. Validation layer on (GpuTest): the checker's extra submissions and copies must be
// correctly synchronised too.
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <unistd.h>

#include "loader/synth/preset.h"
#include "loader/synth/synth_model.h"
#include "runtime/models/model.h"
#include "tests/gpu/gpu_test.h"

namespace rotary::test {
namespace {

// Q4_K_M: gate/up Q4_K and down Q6_K or Q4_K by layer, attention Q4_K/Q6_K, output Q6_K, F32 norms
// and routers: most kernel variants the models use.
// Per process: ctest runs test cases in parallel processes, and other checkouts share /tmp.
std::string synth_model(const std::string& name) {
  const std::string p =
      (std::filesystem::temp_directory_path() / (std::to_string(getpid()) + "-" + name)).string();
  synth::SynthOptions o;
  o.quant = *synth::synth_quant_from_name("Q4_K_M");
  o.seed = 5;
  synth::write_synth_model(synth::plan_synth_model(synth::find_synth_preset("tiny-qwen3moe"), o),
                           p);
  return p;
}

const std::string& model_path() {
  static const std::string path = [] {
    std::string p = synth_model("rotary-check-ops-test.gguf");
    at_teardown([p] { std::filesystem::remove(p); });
    return p;
  }();
  return path;
}

ModelOptions options(bool check) {
  ModelOptions o;
  o.ctx = 64;
  o.kv_type = ops::KvType::F16;  // kv_store's f16 rounding is checked too
  o.prefill_chunk = 5;           // chunks of 5 and a last one of 2: matmul, batched experts
  o.expert_slots = 3;            // fewer than a chunk's experts: waves, evictions
  o.residency = ResidencyMode::Copy;
  o.progress = false;
  o.check.enabled = check;
  return o;
}

struct Result {
  std::vector<int32_t> tokens;
  std::vector<float> logits;  // the last step's
  uint64_t checked = 0;
};

// 12 prompt tokens, then 5 greedy steps.
Result generate(vk::GpuContext& gpu, const std::string& path, const ModelOptions& o) {
  const GgufFile file = GgufFile::open(path);
  auto m = load_model(gpu, file, o);
  const std::vector<int32_t> prompt = {11, 300, 42, 7, 999, 512, 64, 128, 3, 77, 600, 250};
  Result r;
  StepResult s = m->eval(prompt, 0, {LogitsRequest::Kind::Argmax});
  uint32_t pos = static_cast<uint32_t>(prompt.size());
  for (uint32_t i = 0; i < 5; ++i) {
    r.tokens.push_back(s.argmax);
    const int32_t one[1] = {s.argmax};
    s = m->eval(one, pos++, {i == 4 ? LogitsRequest::Kind::Full : LogitsRequest::Kind::Argmax});
  }
  r.logits = s.logits;
  r.checked = m->stats().ops_checked;
  return r;
}

// The run's error message; empty when it did not fail.
std::string failure(vk::GpuContext& gpu, const std::string& path, const ModelOptions& o) {
  try {
    (void)generate(gpu, path, o);
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::Internal);
    return e.what();
  }
  return {};
}

TEST_CASE_FIXTURE(GpuTest,
                  "check-ops: a healthy model passes every op and its numbers do not change") {
  const Result plain = generate(ctx, model_path(), options(false));
  const Result checked = generate(ctx, model_path(), options(true));
  CHECK(plain.checked == 0);
  // Per layer and chunk at least: 2 norms, 3 projections, 2 head norms, 2 ropes, kv_store,
  // attention, output projection, add, FFN norm, router, top-k, the experts, combine.
  CHECK(checked.checked > 17 * 4 * 8);
  CHECK(checked.tokens == plain.tokens);
  REQUIRE(checked.logits.size() == plain.logits.size());
  CHECK(std::memcmp(checked.logits.data(), plain.logits.data(), plain.logits.size() * 4) == 0);
}

TEST_CASE_FIXTURE(GpuTest, "check-ops: quantised KV caches (K q8_0, V q4_0) pass kv_store and attention") {
  // kv_store's quantised bytes against ref::kv_store, attention against the reference on the
  // dequantised cache, in a real forward pass (prefill chunks and decode steps).
  ModelOptions o = options(false);
  o.kv_type = {ops::KvType::Q8_0, ops::KvType::Q4_0};
  const Result plain = generate(ctx, model_path(), o);
  o.check.enabled = true;
  const Result checked = generate(ctx, model_path(), o);
  CHECK(checked.checked > 17 * 4 * 8);
  CHECK(checked.tokens == plain.tokens);
}

TEST_CASE_FIXTURE(
    GpuTest, "check-ops: a perturbed op is named, with its layer, shape, error and tolerance") {
  struct Case {
    const char* op;
    const char* label;
    const char* shape;  // a piece of the op's shape in the report
    const char* value;  // how the perturbed element reads (1000.0f, or its bits as an id)
  };
  // Prompt chunks of 5 run the prefill kernels, decode steps the single-token ones.
  const Case cases[] = {
      {"rms_norm", "layer 2",
       "rms_norm of blk.2.attn_norm.weight (the 1st rms_norm in layer 2, positions 0-4; 5 x 256)",
       "is 1e+03"},
      {"matmul", "layer 1", "tokens", "is 1e+03"},
      {"rope_neox", "layer 3", "64 rotated", "is 1e+03"},
      {"kv_store", "layer 0", "f16", nullptr},
      {"attention", "layer 1", "queries from position 0", "is 1e+03"},
      {"router_topk", "layer 2", "top 2 of 8", "is 1.15e+09"},
      {"expert_gate_up_batched", "layer 3", "gate/up", "is 1e+03"},
      {"expert_down_batched", "layer 0", "down", "is 1e+03"},
      {"expert_combine", "layer 1", "experts x 256", "is 1e+03"},
      {"add", "layer 2", "floats", "is 1e+03"},
      {"get_rows", "the embedding", "rows of", "is 1e+03"},
      {"logits_topk", "the output head", "top 1 of 1000", "is 1.15e+09"},
      {"matvec", "layer 3, position 13", "256 -> ", "is 1e+03"},
      {"expert_gate_up", "layer 0, position 12", "1 token", "is 1e+03"},
      {"expert_down", "layer 2, position 14", "1 token", "is 1e+03"},
  };
  for (const Case& c : cases) {
    const std::string op = c.op;
    CAPTURE(op);
    ModelOptions o = options(true);
    o.check.perturb_op = c.op;
    o.check.perturb_label = c.label;
    const std::string msg = failure(ctx, model_path(), o);
    CAPTURE(msg);
    if (std::getenv("ROTARY_SHOW_CHECK_REPORTS")) MESSAGE(msg);
    CHECK(msg.find(std::string("check-ops: ") + c.op) == 0);
    CHECK(msg.find(std::string(" in ") + c.label) != std::string::npos);
    CHECK(msg.find(c.shape) != std::string::npos);
    // The perturbed element (f16 cache rows hold it as two halves: its value is not 1000 there).
    if (c.value) CHECK(msg.find(std::string(c.value) + ", the reference") != std::string::npos);
    CHECK(msg.find("tolerance") != std::string::npos);
    CHECK(msg.find("max |error|") != std::string::npos);
    CHECK(msg.find("the first op that diverged") != std::string::npos);
  }
}

TEST_CASE_FIXTURE(
    GpuTest,
    "check-ops: a weight in VRAM that differs from the model file is caught at its first use") {
  // Dense weights are checked against the file: change one tensor's bytes in the file after the
  // model uploaded it (the file is mapped, so the reference sees the change) and the first op
  // that reads it must name it.
  const std::string path = synth_model("rotary-check-ops-corrupt.gguf");
  const GgufFile file = GgufFile::open(path);
  const GgufTensorInfo* t = file.find_tensor("blk.1.attn_k.weight");
  REQUIRE(t != nullptr);
  const uint64_t at = file.data_offset() + t->offset + t->n_bytes / 2;
  auto m = load_model(ctx, file, options(true));
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(at));
    const char garbage[16] = {0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x08,
                              0x19, 0x2a, 0x3b, 0x4c, 0x5d, 0x6e, 0x7f, 0x01};
    f.write(garbage, sizeof garbage);
  }
  REQUIRE(std::memcmp(t->data.data() + t->n_bytes / 2, "\x11\x22\x33\x44", 4) ==
          0);  // the mapping sees it
  const std::vector<int32_t> prompt = {11, 300, 42, 7, 999, 512, 64, 128};
  try {
    (void)m->eval(prompt, 0, {LogitsRequest::Kind::Argmax});
    FAIL("the run should have stopped at the corrupted weight");
  } catch (const Error& e) {
    const std::string msg = e.what();
    CAPTURE(msg);
    CHECK(e.kind() == ErrorKind::Internal);
    CHECK(
        msg.find(
            "check-ops: matmul of blk.1.attn_k.weight (the 2nd matmul in layer 1, positions 0-4") ==
        0);
  }
  m.reset();
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace rotary::test

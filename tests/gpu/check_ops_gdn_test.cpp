// --check-ops on the hybrid models (qwen35moe, qwen3next): the Gated DeltaNet ops are checked
// against their CPU references (runtime/check/gdn_checks.cpp) in prompt chunks (gdn_chunked) and
// decode steps (gdn_recurrent), from the state the earlier chunks and steps left; a perturbed
// output of each is named. attn_qgate_split, which no model records yet, is checked on its own.
#include <cstdlib>
#include <string>
#include <vector>

#include "runtime/check/op_checker.h"
#include "runtime/ops/attn_qgate.h"
#include "tests/gpu/gdn_test_util.h"
#include "tests/gpu/model_util.h"

namespace rotary::test {
namespace {

ModelOptions options() {
  ModelOptions o = exact_options(64);
  o.prefill_chunk = 5;  // chunks of 5, 5 and 2: the chunked delta rule continues from a state
  o.expert_slots = 3;
  o.residency = ResidencyMode::Copy;
  o.check.enabled = true;
  return o;
}

// 12 prompt tokens, then 3 decode steps; returns the ops checked.
uint64_t generate(const std::string& path, const ModelOptions& o) {
  LoadedModel lm = load_test_model(path, o);
  const std::vector<int32_t> prompt = {11, 300, 42, 7, 999, 512, 64, 128, 3, 77, 600, 250};
  StepResult s = lm.model->eval(prompt, 0, {LogitsRequest::Kind::Argmax});
  uint32_t pos = static_cast<uint32_t>(prompt.size());
  for (int i = 0; i < 3; ++i) {
    const int32_t one[1] = {s.argmax};
    s = lm.model->eval(one, pos++, {LogitsRequest::Kind::Argmax});
  }
  return lm.model->stats().ops_checked;
}

TEST_CASE_FIXTURE(GpuTest, "check-ops: qwen35moe and qwen3next pass with their GDN ops checked") {
  for (const char* preset : {"tiny-qwen35moe", "tiny-qwen3next"}) {
    CAPTURE(preset);
    const std::string path = synth_model_file(preset, synth::SynthQuant::Q4_K_M, 7);
    // Per recurrent layer and call: 6 GDN ops; 3 recurrent layers, 3 chunks + 3 steps.
    uint64_t checked = 0;
    CHECK_NOTHROW(checked = generate(path, options()));
    CHECK(checked >= 6 * 3 * 6);
  }
}

TEST_CASE_FIXTURE(GpuTest, "check-ops: a perturbed GDN or gate op is named with its layer and positions") {
  const std::string path = synth_model_file("tiny-qwen35moe", synth::SynthQuant::Q4_K_M, 7);
  struct Case {
    const char* op;
    const char* label;
  };
  const Case cases[] = {
      {"gdn_gates", "layer 0, positions 0-4"},   {"gdn_conv", "layer 1, positions 5-9"},
      {"gdn_l2_norm", "layer 2, positions 0-4"}, {"gdn_chunked", "layer 1, positions 10-11"},
      {"gdn_gated_norm", "layer 0, positions 5-9"}, {"gdn_recurrent", "layer 2, position 13"},
      {"gdn_conv", "layer 0, position 12"},
      // The elementwise ops of gated attention (layer 3) and of the shared expert (every layer).
      {"mul_sigmoid", "layer 3, positions 5-9"}, {"swiglu", "layer 1, position 13"},
      {"mul_sigmoid_row", "layer 2, positions 0-4"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.op);
    CAPTURE(c.label);
    ModelOptions o = options();
    o.check.perturb_op = c.op;
    o.check.perturb_label = c.label;
    std::string msg;
    try {
      (void)generate(path, o);
    } catch (const Error& e) {
      CHECK(e.kind() == ErrorKind::Internal);
      msg = e.what();
    }
    CAPTURE(msg);
    if (std::getenv("ROTARY_SHOW_CHECK_REPORTS")) MESSAGE(msg);
    CHECK(msg.find(std::string("check-ops: ") + c.op) == 0);
    CHECK(msg.find(std::string(" in ") + c.label + ";") != std::string::npos);
    CHECK(msg.find("is 1e+03, the reference") != std::string::npos);
  }
}

void run_qgate(vk::GpuContext& gpu, const check::CheckOptions& options) {
  std::mt19937 rng(61);
  const uint32_t tokens = 3, heads = 5, dim = 13;
  const auto qg = uniform(rng, uint64_t{tokens} * heads * dim * 2, -1.0f, 1.0f);
  vk::Buffer dqg = upload_floats(gpu, qg), dq = device_buffer(gpu, qg.size() * 2),
             dgate = device_buffer(gpu, qg.size() * 2);
  check::OpChecker checker(gpu, options);
  gpu.compute().set_checker(&checker);
  try {
    gpu.compute().run_now([&](vk::Recorder& rec) {
      ops::attn_qgate_split(rec, dqg.view(), dq.view(), dgate.view(), tokens, heads, dim);
    });
  } catch (...) {
    gpu.compute().set_checker(nullptr);
    throw;
  }
  gpu.compute().set_checker(nullptr);
  CHECK(checker.ops_checked() == 1);
}

TEST_CASE_FIXTURE(GpuTest, "check-ops: attn_qgate_split is checked bit for bit") {
  check::CheckOptions o;
  o.enabled = true;
  run_qgate(ctx, o);
  o.perturb_op = "attn_qgate_split";
  try {
    run_qgate(ctx, o);
    FAIL("the perturbed split should have been caught");
  } catch (const Error& e) {
    const std::string msg = e.what();
    CAPTURE(msg);
    CHECK(msg.find("check-ops: attn_qgate_split") == 0);
    CHECK(msg.find("q[0] is 1e+03") != std::string::npos);
  }
}

}  // namespace
}  // namespace rotary::test

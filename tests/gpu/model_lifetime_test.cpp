// A model destroyed while the GPU still runs its last submission (an eval that asked for no
// logits returns without waiting) must wait before any of its buffers go: the validation layer
// reports a buffer destroyed while a command buffer in flight uses it. Every architecture.
#include "tests/gpu/gpu_test.h"
#include "tests/gpu/model_util.h"

using namespace rotary;
using namespace rotary::test;

TEST_CASE_FIXTURE(
    GpuTest,
    "models: each architecture is destroyed with work in flight without a validation error") {
  for (Architecture arch :
       {Architecture::Qwen3Moe, Architecture::Qwen35Moe, Architecture::Qwen3Next}) {
    CAPTURE(architecture_name(arch));
    TinyModel m;
    m.arch = arch;
    const std::string path = tiny_model_file("lifetime-" + std::string(architecture_name(arch)), m);
    LoadedModel loaded = load_test_model(path, exact_options(64));
    const std::vector<int32_t> prompt = {1, 2, 3, 4, 5, 6, 7};
    loaded.model->eval(prompt, 0, LogitsRequest{LogitsRequest::Kind::None});
    // The last layer's experts, the head and (qwen35moe, qwen3next) the shared expert are queued,
    // not waited for: the model goes now.
    loaded.model.reset();
    CHECK(ctx.instance().validation_errors() == errors_before);
  }
}

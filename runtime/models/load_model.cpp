#include "loader/model_check.h"
#include "runtime/models/gpt_oss.h"
#include "runtime/models/model.h"
#include "runtime/models/qwen35moe.h"
#include "runtime/models/qwen3moe.h"
#include "runtime/ops/kernel_limits.h"

namespace rotary {

std::unique_ptr<Model> load_model(vk::GpuContext& gpu, const GgufFile& file, const ModelOptions& options) {
  // The same check as rotary info's: hyperparameters, tensors, and what the kernels can run,
  // before anything is planned or loaded (a large model's dense weights take a while).
  const ModelHparams h = validate_model(file, ops::kernel_limits());
  PlanRequest req;
  req.budget = gpu.budget().limit() - gpu.budget().used();
  req.ctx = options.ctx;
  req.kv_type = options.kv_type;
  req.prefill_chunk = options.prefill_chunk;
  req.expert_slots = options.expert_slots;
  const MemoryPlan plan = plan_memory(file, h, gpu.caps(), req);
  switch (h.arch) {
    case Architecture::Qwen3Moe: return std::make_unique<Drained<Qwen3Moe>>(gpu, file, h, options, plan);
    case Architecture::Qwen35Moe:
    case Architecture::Qwen3Next: return std::make_unique<Drained<Qwen35Moe>>(gpu, file, h, options, plan);
    case Architecture::GptOss: return std::make_unique<Drained<GptOss>>(gpu, file, h, options, plan);
  }
  throw Error(ErrorKind::Unsupported, "no forward pass for " + std::string(architecture_name(h.arch)));
}

}  // namespace rotary

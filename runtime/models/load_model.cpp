#include "loader/model_catalog.h"
#include "runtime/models/model.h"
#include "runtime/models/qwen35moe.h"
#include "runtime/models/qwen3moe.h"
#include "runtime/ops/weight_types.h"

namespace rotary {

namespace {
// Before anything is planned or loaded (a large model's dense weights take a while): every tensor
// must be in a type the kernels read. The message names the types rotary runs and the fix.
void check_tensor_types(const GgufFile& file) {
  const GgufTensorInfo* first = nullptr;
  uint32_t count = 0;
  for (const GgufTensorInfo& t : file.tensors())
    if (!ops::has_weight_kernels(t.type)) {
      if (!first) first = &t;
      ++count;
    }
  if (!first) return;
  std::string types;
  for (GgmlType t : ops::weight_kernel_types()) types += (types.empty() ? "" : ", ") + std::string(ggml_type_name(t));
  throw Error(ErrorKind::Unsupported,
              first->name + " is " + std::string(ggml_type_name(first->type)) +
                  (count > 1 ? " (and " + std::to_string(count - 1) + " more tensors are in types" : " (a type") +
                  " rotary has no kernels for); rotary runs " + types +
                  ": requantise the model to one of them, e.g. llama-quantize --allow-requantize IN.gguf OUT.gguf Q4_K_M");
}
}  // namespace

std::unique_ptr<Model> load_model(vk::GpuContext& gpu, const GgufFile& file, const ModelOptions& options) {
  const ModelHparams h = read_hparams(file.metadata());
  validate_tensors(h, file);
  check_tensor_types(file);
  PlanRequest req;
  req.budget = gpu.budget().limit() - gpu.budget().used();
  req.ctx = options.ctx;
  req.kv_type = options.kv_type;
  req.prefill_chunk = options.prefill_chunk;
  req.expert_slots = options.expert_slots;
  const MemoryPlan plan = plan_memory(file, h, gpu.caps(), req);
  switch (h.arch) {
    case Architecture::Qwen3Moe: return std::make_unique<Qwen3Moe>(gpu, file, h, options, plan);
    case Architecture::Qwen35Moe:
    case Architecture::Qwen3Next: return std::make_unique<Qwen35Moe>(gpu, file, h, options, plan);
  }
  throw Error(ErrorKind::Unsupported, "no forward pass for " + std::string(architecture_name(h.arch)));
}

}  // namespace rotary

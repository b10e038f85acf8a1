#include "cli/info_plan.h"

#include "base/units.h"
#include "cli/model_flags.h"
#include "runtime/models/model.h"
#include "runtime/vk/context.h"
#include "runtime/vk/device.h"

namespace rotary::cli {

void add_plan_flags(CLI::App* cmd, PlanArgs& a) {
  cmd->add_flag("--plan", a.plan, "Show the VRAM plan for a budget on a device (needs a Vulkan device)");
  RuntimeOptions env;  // ROTARY_DEVICE and ROTARY_VRAM_BUDGET, as for the commands that load a model
  apply_env_overrides(env);
  a.device = env.device;
  a.vram_budget = env.vram_budget;
  add_vram_budget_flag(cmd, a.vram_budget, "With --plan: the budget (6.3G, 6300M, ...); default: the device's");
  add_device_flag(cmd, a.device, "With --plan: the Vulkan device index");
  cmd->add_option("--ctx", a.ctx, "With --plan: context length")->capture_default_str();
  cmd->add_option("--prefill-chunk", a.prefill_chunk, "With --plan: prompt tokens per chunk")->capture_default_str();
  cmd->add_option("--expert-slots", a.expert_slots, "With --plan: a fixed number of expert slots");
  cmd->add_flag("--exact", a.exact, "With --plan: F32 KV cache");
  add_cache_type_flags(cmd, a.cache_type_k, a.cache_type_v);
  cmd->add_option("--residency", a.residency, "With --plan: auto, copy or in-place (as rotary run)")->capture_default_str();
}

PlannedDevice make_plan(const GgufFile& file, const ModelHparams& h, const PlanArgs& a) {
  const int device = parse_device_index(a.device);
  const uint64_t budget = parse_vram_budget(a.vram_budget);
  auto instance = vk::Instance::create({});
  const auto physicals = instance->physical_devices();
  std::vector<vk::DeviceCaps> all;
  for (uint32_t i = 0; i < physicals.size(); ++i) all.push_back(vk::query_caps(physicals[i], i, instance->api_version()));
  const vk::DeviceCaps& caps = all[vk::pick_device(all, device)];
  PlanRequest req;
  req.budget = budget ? budget : vk::default_vram_budget(caps);
  req.ctx = a.ctx;
  req.kv_type = resolve_kv_types(a.cache_type_k, a.cache_type_v, a.exact);
  req.prefill_chunk = a.prefill_chunk;
  req.expert_slots = a.expert_slots;
  const ResidencyMode mode = parse_residency_mode(a.residency);
  MemoryPlan plan = plan_memory(file, h, caps, req);
  // As rotary run decides it, assuming the driver imports the file's pages (auto falls back to
  // the slot pool where it does not).
  if (wants_in_place(mode, caps)) plan.set_in_place();
  return {plan, caps.name + " (" + caps.driver_info + ")"};
}

}  // namespace rotary::cli

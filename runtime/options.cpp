#include "runtime/options.h"

#include <cstdlib>

#include "base/units.h"

namespace rotary {

void apply_env_overrides(RuntimeOptions& o) {
  if (const char* d = std::getenv("ROTARY_DEVICE")) o.gpu.device_index = std::atoi(d);
  if (const char* b = std::getenv("ROTARY_VRAM_BUDGET")) o.vram_budget = b;
  if (const char* v = std::getenv("ROTARY_VALIDATION")) o.gpu.validation = std::string(v) == "1";
}

void RuntimeOptions::resolve() {
  if (!vram_budget.empty()) gpu.vram_budget = parse_size(vram_budget);
  model.cache.policy = parse_policy(policy);
  model.residency = parse_residency_mode(residency);
  if (exact) model.kv_type = ops::KvType::F32;
  require(model.ctx >= 1, ErrorKind::InvalidArgument, "--ctx must be at least 1");
}

}  // namespace rotary

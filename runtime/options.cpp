#include "runtime/options.h"

#include <charconv>
#include <cstdlib>

#include "base/units.h"

namespace rotary {

namespace {

void from_env(const char* name, GivenValue& v) {
  const char* text = std::getenv(name);
  if (text && *text) v = {text, name};
}

}  // namespace

std::string GivenValue::describe() const {
  return from.starts_with("--") ? from + " '" + text + "'" : from + "=" + text;
}

int parse_device_index(const GivenValue& v) {
  if (!v.given()) return -1;
  int index = -1;
  const char* end = v.text.data() + v.text.size();
  const auto [ptr, ec] = std::from_chars(v.text.data(), end, index);
  require(ec == std::errc() && ptr == end && index >= 0 && !v.text.empty(), ErrorKind::InvalidArgument,
          v.describe() + ": not a device index; give 0, 1, ... as 'rotary devices' lists them");
  return index;
}

uint64_t parse_vram_budget(const GivenValue& v) {
  if (!v.given()) return 0;
  uint64_t bytes = 0;
  try {
    bytes = parse_size(v.text);
  } catch (const Error& e) {
    throw Error(ErrorKind::InvalidArgument, v.describe() + ": " + e.what());
  }
  require(bytes > 0, ErrorKind::InvalidArgument,
          v.describe() + ": a budget must be above 0 bytes (leave it out to use the driver's budget)");
  return bytes;
}

void apply_env_overrides(RuntimeOptions& o) {
  from_env("ROTARY_DEVICE", o.device);
  from_env("ROTARY_VRAM_BUDGET", o.vram_budget);
  from_env("ROTARY_VALIDATION", o.validation);
  from_env("ROTARY_MATVEC_PATH", o.matvec_path);
  from_env("ROTARY_MATMUL_PATH", o.matmul_path);
}

ops::KvTypes resolve_kv_types(const std::string& k, const std::string& v, bool exact) {
  require(!exact || (k.empty() && v.empty()), ErrorKind::InvalidArgument,
          "--exact means an f32 KV cache; leave out -ctk/-ctv with it (or give -ctk f32 -ctv f32)");
  if (exact) return ops::KvType::F32;
  return {k.empty() ? ops::KvType::F16 : ops::parse_kv_type(k, "-ctk/--cache-type-k"),
          v.empty() ? ops::KvType::F16 : ops::parse_kv_type(v, "-ctv/--cache-type-v")};
}

void RuntimeOptions::resolve() {
  if (device.given()) gpu.device_index = parse_device_index(device);
  if (vram_budget.given()) gpu.vram_budget = parse_vram_budget(vram_budget);
  if (validation.given()) {
    require(validation.text == "0" || validation.text == "1", ErrorKind::InvalidArgument,
            validation.describe() + ": give 1 (validation on) or 0 (off)");
    gpu.validation = gpu.validation || validation.text == "1";
  }
  if (matvec_path.given()) gpu.matvec_path = vk::parse_matvec_path(matvec_path.text, matvec_path.describe());
  if (matmul_path.given()) gpu.matmul_path = vk::parse_matmul_path(matmul_path.text, matmul_path.describe());
  model.cache.policy = parse_policy(policy);
  model.residency = parse_residency_mode(residency);
  model.kv_type = resolve_kv_types(cache_type_k, cache_type_v, exact);
  model.cache.timestamps = model.moe.timestamps = timestamps;
  require(model.ctx >= 1, ErrorKind::InvalidArgument, "--ctx must be at least 1");
  require(model.prefill_chunk >= 1, ErrorKind::InvalidArgument, "--prefill-chunk must be at least 1");
}

}  // namespace rotary

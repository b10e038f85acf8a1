#pragma once
// Everything that configures a run, in one struct that the CLI fills. Environment variables are
// read in exactly one place, apply_env_overrides(), before the command line (which wins).
//   ROTARY_DEVICE=I          --device I
//   ROTARY_VRAM_BUDGET=SIZE  --vram-budget SIZE
//   ROTARY_VALIDATION=0|1    --validation (Khronos validation + synchronization validation)
//   ROTARY_MATVEC_PATH=P     --matvec-path P (auto, u32, u16, dot: runtime/vk/matvec_path.h)
//   ROTARY_MATMUL_PATH=P     --matmul-path P (auto, scalar, coopmat)
//
// One rule for every value (docs/cli.md, "Values"): it is checked before anything is loaded, an
// environment variable exactly as the flag it stands for (an empty one counts as unset), and a
// value that is malformed, not finite or outside the flag's range is bad input
// (Error(InvalidArgument), exit 2) whose message names the flag or variable and the value.
#include <string>

#include "runtime/models/model.h"
#include "runtime/vk/context.h"

namespace rotary {

// A value as given and where it came from ("--device" or "ROTARY_DEVICE"), for messages.
struct GivenValue {
  std::string text;
  std::string from;  // empty: not given
  bool given() const { return !from.empty(); }
  // "--device zz" or "ROTARY_DEVICE=zz".
  std::string describe() const;
};

// --device: a device index (0, 1, ...); -1 when not given (the best device).
int parse_device_index(const GivenValue& v);
// --vram-budget: a size above 0 (base/units.h); 0 when not given (the driver's budget).
uint64_t parse_vram_budget(const GivenValue& v);

struct RuntimeOptions {
  vk::GpuOptions gpu;
  ModelOptions model;
  GivenValue device;       // parsed into gpu.device_index by resolve()
  GivenValue vram_budget;  // parsed into gpu.vram_budget by resolve()
  GivenValue validation;   // ROTARY_VALIDATION: 0 or 1 (the --validation flag sets gpu.validation)
  GivenValue matvec_path;  // parsed into gpu.matvec_path by resolve()
  GivenValue matmul_path;  // parsed into gpu.matmul_path by resolve()
  std::string policy = "lru";
  std::string residency = "auto";
  bool exact = false;       // F32 KV cache: the path that matches llama.cpp to ~1e-4
  // KV cache types as given (-ctk/-ctv: f16, q8_0, q4_0, f32); empty: f16, or f32 with --exact.
  std::string cache_type_k, cache_type_v;
  bool timestamps = false;  // GPU timestamps for upload rate and wait statistics (--timestamps)

  // Checks every value and parses the string options into their typed fields; throws
  // Error(InvalidArgument).
  void resolve();
};

void apply_env_overrides(RuntimeOptions& options);

// The KV cache types from -ctk/-ctv as given (empty: not given) and --exact (f32; refused beside
// -ctk/-ctv). Throws Error(InvalidArgument) naming the flag and the accepted values.
ops::KvTypes resolve_kv_types(const std::string& cache_type_k, const std::string& cache_type_v,
                              bool exact);

}  // namespace rotary

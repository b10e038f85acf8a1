#pragma once
// Everything that configures a run, in one struct that the CLI fills. Environment variables are
// read in exactly one place, apply_env_overrides(), before the command line (which wins).
//   ROTARY_DEVICE=I          --device I
//   ROTARY_VRAM_BUDGET=SIZE  --vram-budget SIZE
//   ROTARY_VALIDATION=1      --validation (Khronos validation + synchronization validation)
#include <string>

#include "runtime/models/model.h"
#include "runtime/vk/context.h"

namespace rotary {

struct RuntimeOptions {
  vk::GpuOptions gpu;
  ModelOptions model;
  std::string vram_budget;  // as given; parsed into gpu.vram_budget by resolve()
  std::string policy = "lru";
  std::string residency = "auto";
  bool exact = false;       // F32 KV cache: the path that matches llama.cpp to ~1e-4

  // Parses the string options into their typed fields; throws Error(InvalidArgument).
  void resolve();
};

void apply_env_overrides(RuntimeOptions& options);

}  // namespace rotary

#pragma once
// `rotary info MODEL --plan --vram-budget SIZE`: how rotary would lay the model out in VRAM on a
// device, without loading it.
#include <CLI/CLI.hpp>
#include <string>

#include "loader/gguf_reader.h"
#include "loader/hparams.h"
#include "runtime/models/plan.h"
#include "runtime/options.h"

namespace rotary::cli {

struct PlanArgs {
  bool plan = false;
  GivenValue vram_budget;  // as --vram-budget or ROTARY_VRAM_BUDGET gave it
  GivenValue device;       // as --device or ROTARY_DEVICE gave it
  uint32_t ctx = 4096;
  uint32_t prefill_chunk = 256;
  uint32_t expert_slots = 0;
  bool exact = false;
  std::string cache_type_k, cache_type_v;  // -ctk/-ctv as given
  std::string residency = "auto";
};

void add_plan_flags(CLI::App* cmd, PlanArgs& a);
// The plan and the device it was made for (throws Error(Budget) with the breakdown when the
// fixed part does not fit).
struct PlannedDevice {
  MemoryPlan plan;
  std::string device;
};
PlannedDevice make_plan(const GgufFile& file, const ModelHparams& h, const PlanArgs& a);

}  // namespace rotary::cli

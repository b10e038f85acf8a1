#pragma once
// What a session sees of a model: run tokens at positions, get back what it asked for about the
// logits (the argmax, the top candidates, or whole rows), and statistics. One implementation per
// architecture family, all built from the same ops and the same residency layer.
#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <span>
#include <vector>

#include "loader/gguf_reader.h"
#include "loader/hparams.h"
#include "runtime/check/op_checker.h"
#include "runtime/models/plan.h"
#include "runtime/models/routed_moe.h"
#include "runtime/residency/expert_cache.h"
#include "runtime/ops/kv_view.h"
#include "runtime/sampling/sampler.h"
#include "runtime/vk/context.h"

namespace rotary {

// Where routed experts are read from. copy: a VRAM slot pool fed over the transfer queue.
// in-place: the file's pages, imported (unified memory: copying there is pure overhead).
// auto: in-place on integrated GPUs that can import the file, copy everywhere else.
enum class ResidencyMode { Auto, Copy, InPlace };
ResidencyMode parse_residency_mode(const std::string& name);  // "auto", "copy", "in-place"
// Whether `mode` asks for experts read in place on this device (auto: an integrated GPU with
// unified memory). The driver must still import the file's pages; without, auto falls back to copy.
bool wants_in_place(ResidencyMode mode, const vk::DeviceCaps& caps);

struct ModelOptions {
  ResidencyMode residency = ResidencyMode::Auto;
  uint32_t ctx = 4096;                      // KV cache capacity in tokens
  ops::KvTypes kv_type = ops::KvType::F16;  // K and V types; F32: the exact path the oracle tests use
  uint32_t prefill_chunk = 256;             // tokens per prompt-processing chunk
  uint32_t expert_slots = 0;                // 0: as many as the VRAM budget allows
  CacheOptions cache;                       // policy (and the future, for Belady)
  RoutedMoeOptions moe;                     // prefetch, routing trace replay/record
  bool progress = true;                     // progress bar while loading
  uint64_t max_expert_page_bytes = 0;       // tests: smaller slot-pool pages (0: the device's limit)
  check::CheckOptions check;                // --check-ops: every op against its CPU reference (slow)
};

struct LogitsRequest {
  enum class Kind { None, Argmax, TopK, Full };
  Kind kind = Kind::Argmax;
  uint32_t k = 0;              // TopK: how many candidates
  bool all_positions = false;  // Full: one row per token of the call, else the last token only
};

struct StepResult {
  int32_t argmax = -1;
  std::vector<Candidate> candidates;  // TopK, best first
  std::vector<float> logits;          // Full: rows x n_vocab
  uint32_t rows = 0;
};

// The scheduling work of decode steps (evaluations of one token), from the device's counters
// (runtime/vk/counters.h): what the statistics report per decoded token.
struct DecodeSchedule {
  uint64_t steps = 0;           // single-token evaluations
  vk::ScheduleCounters work;    // their submissions, host waits, command buffers, dispatches, barriers
  uint64_t bytes_uploaded = 0;  // expert bytes uploaded during them
  double per_step(uint64_t counter) const { return steps ? static_cast<double>(counter) / static_cast<double>(steps) : 0; }
};

struct ModelStats {
  ResidencyStats residency;
  RoutedMoeStats moe;
  DecodeSchedule decode;
  std::string residency_mode;  // "copy", "copy (zero-copy uploads)", "in-place"
  uint64_t ops_checked = 0;    // --check-ops: ops that matched their CPU references
};
// The counters of `later` minus those of `earlier` (one run's share of a model's running totals);
// the flags, the mode and ops_checked are `later`'s.
ModelStats stats_since(const ModelStats& later, const ModelStats& earlier);
// Adds `more`'s counters to `total`; the flags and the mode become `more`'s.
void add_stats(ModelStats& total, const ModelStats& more);

class Model {
 public:
  virtual ~Model() = default;
  virtual const ModelHparams& hparams() const = 0;
  virtual const MemoryPlan& plan() const = 0;
  virtual uint32_t context() const = 0;
  // Runs `tokens` at positions [pos, pos + n): the KV cache (and recurrent state) then holds them.
  // Throws Error(ContextFull) past the context.
  virtual StepResult eval(std::span<const int32_t> tokens, uint32_t pos, const LogitsRequest& request) = 0;
  // Forgets the sequence (recurrent state zeroed; the KV cache is overwritten by position).
  virtual void reset() = 0;
  // Whether eval may go back to an earlier position (a shorter prefix of what it holds): not with
  // recurrent state, nor with a sliding window's ring (gpt-oss), which forgets the past.
  virtual bool can_rewind() const {
    const auto& r = hparams().recurrent;
    return std::none_of(r.begin(), r.end(), [](bool b) { return b; });
  }
  virtual ModelStats stats() const = 0;
};

// Reads, validates and plans; loads the dense weights (progress bar) and sets up residency.
std::unique_ptr<Model> load_model(vk::GpuContext& gpu, const GgufFile& file, const ModelOptions& options);

}  // namespace rotary

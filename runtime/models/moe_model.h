#pragma once
// What the MoE architectures share: token embedding, the layer loop (mixer, FFN norm, routed
// experts), the output head and the logits readback, chunked prompt processing. An architecture
// adds its mixer (attention, Gated DeltaNet) and any FFN-side extra (a shared expert).
#include <memory>
#include <string>
#include <utility>

#include "runtime/models/model.h"
#include "runtime/residency/expert_source.h"

namespace rotary {

// GPU lifetime, by construction rather than by a rule each architecture must remember: a model's
// buffers may still be in use by submitted work (an eval that asked for no logits returns without
// waiting), so the GPU must be drained before the first of them is destroyed. Members of the most
// derived class are destroyed first, so the drain belongs in the most derived destructor: every
// model object is a Drained<Arch>, whose destructor drains before any member of Arch or MoeModel
// goes. The constructors of MoeModel (and so of every architecture) take a DrainKey, which only
// Drained can make: an architecture cannot be instantiated any other way.
class DrainKey {
  DrainKey() = default;
  template <class Arch>
  friend class Drained;
};

class MoeModel : public Model {
 public:
  ~MoeModel() override;
  const ModelHparams& hparams() const override { return h_; }
  const MemoryPlan& plan() const override { return plan_; }
  uint32_t context() const override { return plan_.ctx; }
  StepResult eval(std::span<const int32_t> tokens, uint32_t pos, const LogitsRequest& request) override;
  ModelStats stats() const override;  // collects pending GPU timestamps first

  // Creates the expert slot pool (last: it takes what the budget has left, up to the plan) and
  // the routed-MoE step. Every architecture's constructor calls it at its end.
  void setup_residency(const ModelOptions& options);

  // Scratch the shared part allocates (the planner adds the architecture's own).
  static uint64_t scratch_bytes(const ModelHparams& h, uint32_t chunk, const vk::DeviceCaps& caps);
  static constexpr uint32_t kMaxTopK = 256;     // largest GPU top-k; beyond it, whole rows
  static constexpr uint32_t kLogitRows = 8;     // rows of logits computed at once for whole rows

 protected:
  MoeModel(DrainKey key, vk::GpuContext& gpu, const GgufFile& file, const ModelHparams& h,
           const ModelOptions& options, const MemoryPlan& plan, std::string ffn_norm);

  // x += Mixer(RMSNorm(x)) for n tokens at positions [pos, pos + n) (positions_ holds them).
  virtual void record_mixer(vk::Recorder& rec, uint32_t layer, uint32_t pos, uint32_t n) = 0;
  // FFN-side work after the routed experts, reading xn_ and adding into x_ (a shared expert).
  virtual void record_ffn_extra(vk::Recorder& /*rec*/, uint32_t /*layer*/, uint32_t /*n*/) {}

  vk::Buffer scratch(uint64_t bytes, const char* what);
  // Waits until the GPU no longer uses this model's buffers (submitted compute work, expert
  // uploads in flight). ~Drained calls it, before any buffer is destroyed.
  void drain() noexcept;

  vk::GpuContext& gpu_;
  ModelHparams h_;
  MemoryPlan plan_;
  uint32_t chunk_;
  DenseWeights weights_;
  vk::Buffer x_, xn_;              // chunk x n_embd floats: the residual stream and its norm
  vk::Buffer tokens_, positions_;  // host-written uint32 per token of the chunk

 private:
  void record_layers(vk::Recorder& rec, uint32_t pos, uint32_t n);
  StepResult finish(vk::Recorder& rec, uint32_t n, const LogitsRequest& request, StepResult& partial);
  void record_head(vk::Recorder& rec, uint32_t first_row, uint32_t rows);
  void read_rows(vk::Recorder& rec, uint32_t n, StepResult& out);
  Error non_finite_logits() const;

  void attach_checker(const GgufFile& file, const check::CheckOptions& options);

  std::unique_ptr<check::OpChecker> checker_;  // --check-ops, on the compute stream while it lives
  std::string ffn_norm_;
  ExpertSource source_;
  std::unique_ptr<ExpertProvider> cache_;  // mutable state behind const stats(): timing is folded in lazily
  std::string mode_;
  std::unique_ptr<RoutedMoe> moe_;
  DecodeSchedule decode_;  // the scheduling work of single-token evaluations
  ops::WeightView head_;
  vk::Buffer logits_;      // kLogitRows x n_vocab floats
  vk::Buffer logits_scratch_;
  vk::Buffer readback_;    // host: kLogitRows x n_vocab floats, or top-k ids + values, or the argmax
};

// The only way to make a model (load_model): see DrainKey above.
template <class Arch>
class Drained final : public Arch {
 public:
  template <class... Args>
  explicit Drained(Args&&... args) : Arch(DrainKey{}, std::forward<Args>(args)...) {}
  ~Drained() override { this->drain(); }
  Drained(const Drained&) = delete;
  Drained& operator=(const Drained&) = delete;
};

}  // namespace rotary

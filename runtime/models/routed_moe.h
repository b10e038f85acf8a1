#pragma once
// The routed mixture-of-experts step, shared by every architecture: router GEMV and top-k on the
// GPU, the chosen ids read back (a few bytes), residency turns them into slots (hits ready, misses
// queued on the transfer queue, each landing at its own timeline value), then the grouped expert
// kernels run over the ready experts at once and over each miss as it lands, and a fixed-order
// combine adds the weighted outputs into the residual. The combine order and the per-expert
// arithmetic never depend on which experts hit, so no budget, policy or prefetch setting can
// change a single bit of the result. gpt-oss's routing (a router bias, weights from a softmax
// over the chosen logits) and experts (per-expert biases, the clamped SwiGLU) go the same way.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "runtime/models/dense_weights.h"
#include "runtime/ops/experts.h"
#include "runtime/ops/router.h"
#include "runtime/residency/expert_provider.h"
#include "runtime/residency/routing_trace.h"
#include "runtime/residency/stamp_log.h"

namespace rotary {

struct RoutedMoeStats {
  uint64_t layer_steps = 0;
  double upload_wait_seconds = 0;   // compute queue idle, waiting for expert uploads (GPU timestamps)
  bool wait_timed = false;
  uint64_t dispatch_groups = 0;     // expert submissions (1 when everything hit)
  uint64_t predictions = 0;         // layer steps with a prefetch prediction
  uint64_t predicted_correct = 0;   // predicted experts that the router then chose
  uint64_t predicted_total = 0;
};

struct RoutedMoeOptions {
  bool prefetch = true;                  // predict layer L+1's experts from layer L's hidden state
  const RoutingTrace* replay = nullptr;  // replace the router's choices by a trace's
  RoutingTrace* record = nullptr;        // append the router's choices
  bool timestamps = false;               // GPU timestamps of upload waits; off: reported as n/a
};

class RoutedMoe {
 public:
  // `ffn_norm` names the per-layer norm in front of the experts ("ffn_norm" in qwen3moe,
  // "post_attention_norm" in qwen35moe); prediction applies layer L+1's to layer L's state.
  RoutedMoe(vk::GpuContext& gpu, const DenseWeights& weights, const ModelHparams& h, uint32_t max_tokens,
            const RoutedMoeOptions& options, std::string ffn_norm);
  // The residency the step runs through (created after this object's buffers, so that the slot
  // pool takes what the budget has left).
  // When the provider holds every expert for good (in place, or a pool preloaded with them all)
  // and no routing trace replaces the router, decode steps route on the GPU (run()).
  void attach(ExpertProvider& experts);
  bool gpu_routes() const { return gpu_routes_; }
  static uint64_t scratch_bytes(const ModelHparams& h, uint32_t max_tokens, const vk::DeviceCaps& caps);

  // `xn` holds the FFN input (normed) of `n` tokens at positions [pos, pos + n); the weighted
  // expert outputs are added to `x` (n x n_embd). Records into `rec`; submits and waits once (for
  // the router's choices) and submits the expert work; on return `rec` is a fresh recorder that
  // ends with the combine, for the caller to continue.
  // `predict_input` is the residual stream after this layer's attention (n = 1 only): with
  // prefetch on, layer+1's router applied to it predicts layer+1's experts, whose uploads start
  // while this layer's experts compute. An empty view means no prediction.
  //
  // With gpu_routes() a decode step (n = 1) stays on the GPU instead: top-k, expert_route (ids to
  // slots through the device-resident slot map), the expert kernels and the combine are recorded
  // into `rec` with nothing submitted; the ids are read back by read_routes() once the step ran.
  void run(vk::Recorder& rec, uint32_t layer, uint32_t pos, uint32_t n, const vk::BufferView& xn,
           const vk::BufferView& x, const vk::BufferView& predict_input);
  // Reads back the choices of a GPU-routed step for the statistics and a recorded trace (waits
  // for the compute queue only if the step has not finished: a call that asked for no logits).
  // Throws the router's non-finite error (InvalidModel) as the host-routed path does.
  void read_routes();

  const RoutedMoeStats& stats() const { return stats_; }
  // Folds the GPU timestamps of finished steps into stats() (waits for stamped work).
  void collect_timing();
  // Appends the recorded choices of finished tokens to the trace (prefill buffers a chunk).
  void flush_record();

 private:
  struct Group {
    uint32_t first, count;
    uint64_t ready;  // the upload value to wait for (the largest of the group's entries)
  };
  void record_router(vk::Recorder& rec, uint32_t layer, uint32_t n, const vk::BufferView& xn);
  // gpt-oss: the router's bias added to its logits (nothing for the others), and the shape of
  // its top-k (softmax over the chosen logits for gpt-oss).
  void add_router_bias(vk::Recorder& rec, uint32_t layer, const vk::BufferView& logits, uint32_t n);
  ops::RouterShape router_shape(uint32_t n) const;
  // The layer's experts as the kernels see them: the residency's view, plus gpt-oss's biases and
  // activation.
  ops::ExpertLayer expert_layer(uint32_t layer) const;
  void record_prediction(vk::Recorder& rec, uint32_t layer, const vk::BufferView& predict_input);
  std::vector<uint32_t> chosen_ids(uint32_t layer, uint32_t pos, uint32_t n);
  Error non_finite(uint32_t layer, uint32_t pos) const;
  // Returns the compute timeline value after which the entries' slots are no longer read.
  uint64_t dispatch_groups(vk::Recorder& rec, uint32_t layer, std::vector<ExpertProvider::Acquired>& entries,
                           uint32_t table_first, uint32_t n, const vk::BufferView& xn, bool batched,
                           uint32_t max_pairs);
  uint64_t run_decode(vk::Recorder& rec, uint32_t layer, const vk::BufferView& xn, std::span<const uint32_t> ids);
  void run_prefill(vk::Recorder& rec, uint32_t layer, uint32_t n, const vk::BufferView& xn,
                   std::span<const uint32_t> ids);
  void run_routed(vk::Recorder& rec, uint32_t layer, uint32_t pos, const vk::BufferView& xn, const vk::BufferView& x);
  void record_choices(uint32_t layer, std::span<const uint32_t> ids, uint32_t n);

  vk::GpuContext& gpu_;
  const DenseWeights& weights_;
  const ModelHparams& h_;
  bool gpt_oss_;  // router and expert biases, softmax over the chosen, clamped SwiGLU
  ExpertProvider* cache_ = nullptr;
  RoutedMoeOptions options_;
  std::string ffn_norm_;
  uint32_t max_tokens_;
  uint64_t table_stride_, pairs_stride_;

  vk::Buffer router_logits_;  // max_tokens x n_expert
  vk::Buffer routing_;        // host-visible: ids (max_tokens x k u32), then weights (floats)
  vk::Buffer prediction_;     // host-visible: predicted ids (k u32) and weights
  vk::Buffer predict_tmp_;    // n_embd normed floats, then n_expert router logits
  vk::Buffer tables_;         // host-visible: per layer, ExpertSlot entries
  vk::Buffer pairs_;          // host-visible: per layer, token*k+j slots grouped by expert
  vk::Buffer h_buf_, y_buf_;  // max_tokens * k x n_ff, max_tokens * k x n_embd
  uint64_t weights_offset_ = 0;
  // The GPU routes (decode with every expert resident):
  bool gpu_routes_ = false;
  bool routes_pending_ = false;  // a routed step's choices not read back yet
  uint32_t routes_pos_ = 0;      // its position
  vk::Buffer slot_map_;          // device: the ExpertSlot of every (layer, expert), layer-major
  vk::Buffer routes_;            // host-visible: per layer, k ids then (at route_weights_) k weights
  vk::Buffer route_table_;       // device: the slot table expert_route writes (k entries)
  uint64_t route_stride_ = 0, route_weights_ = 0;

  std::vector<std::vector<uint32_t>> predicted_;  // per layer: the last prediction
  std::vector<std::vector<uint32_t>> record_buffer_;  // per layer: ids of the current chunk
  uint32_t record_tokens_ = 0;
  RoutedMoeStats stats_;
  StampLog stamps_;  // on the compute queue
  // Stamp pairs whose gap is time spent waiting for an upload: (end of the previous dispatch
  // group, start of the group that waited).
  std::vector<std::pair<int32_t, int32_t>> waits_;
};

}  // namespace rotary

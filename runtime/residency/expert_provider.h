#pragma once
// What the model asks of residency: "the slot of (layer, expert), ready at timeline value T".
// Two implementations: ExpertCache copies experts into a VRAM slot pool (discrete GPUs, and any
// device when asked), InPlaceExperts reads them where they lie in the memory-mapped file
// (unified-memory devices, where copying is pure overhead).
#include <cstdint>
#include <span>
#include <vector>

#include "runtime/ops/experts.h"
#include "runtime/vk/queue.h"

namespace rotary {

struct ResidencyStats {
  uint64_t accesses = 0;        // expert uses by the router's choices
  uint64_t hits = 0;            // already resident (or in flight from a prefetch)
  uint64_t prefetch_hits = 0;   // hits on experts a prefetch brought in
  uint64_t uploads = 0;         // experts copied into slots (misses and prefetches)
  uint64_t prefetch_uploads = 0;
  uint64_t prefetch_used = 0;   // prefetched experts used before being evicted
  uint64_t bytes_uploaded = 0;
  uint64_t evictions = 0;
  double upload_gpu_seconds = 0;  // transfer-queue time spent copying (GPU timestamps; 0: not measured)
  uint64_t preloaded = 0;         // experts loaded before the first step (the pool holds them all)
  bool upload_timed = false;
  double hit_rate() const { return accesses ? static_cast<double>(hits) / static_cast<double>(accesses) : 0; }
  double upload_gbps() const { return upload_gpu_seconds > 0 ? bytes_uploaded / upload_gpu_seconds / 1e9 : 0; }
};

class ExpertProvider {
 public:
  virtual ~ExpertProvider() = default;

  struct Acquired {
    ops::ExpertSlot slot;  // pages and byte offsets filled; k_index/first_pair/pair_count are the caller's
    uint64_t ready;        // upload-queue timeline value at which the weights are in place (0: now)
    bool hit;
  };

  // The pages and types of `layer`, as the grouped kernels bind them.
  virtual ops::ExpertLayer layer_view(uint32_t layer) const = 0;
  // Makes `experts` of `layer` available and pins them until release(); entries in input order.
  virtual std::vector<Acquired> acquire(uint32_t layer, std::span<const uint32_t> experts) = 0;
  // The compute work reading the pinned experts completes at `compute_value`.
  virtual void release(uint64_t compute_value) = 0;
  // Starts bringing in predicted experts of `layer`; returns how many uploads it started.
  virtual uint32_t prefetch(uint32_t layer, std::span<const uint32_t> experts) = 0;
  // How many distinct experts one acquire() may ask for (a prefill wave).
  virtual uint32_t capacity() const = 0;
  // The queue whose timeline `ready` values refer to.
  virtual const vk::Queue& upload_queue() const = 0;
  virtual ResidencyStats stats() const = 0;
  // "copy" or "in-place".
  virtual const char* mode() const = 0;
  // Whether prefetch() can do anything (predictions are not computed otherwise).
  virtual bool uses_prefetch() const { return true; }
  // Folds GPU timestamps of finished work into stats() (waits for stamped work).
  virtual void collect_timing() {}

  // The GPU routes (RoutedMoe): when every expert of the model is resident for good, nothing is
  // left for the host to decide per step, and the GPU turns the router's ids into slots itself
  // from slot_map(), the entry of every (layer, expert), layer-major (pages as layer_view(layer)
  // binds them; k_index and the pair fields 0).
  virtual bool all_resident() const { return false; }
  virtual std::vector<ops::ExpertSlot> slot_map() const { return {}; }
  // Counts the uses of a step the GPU routed (read back after it ran): all hits.
  virtual void note_routed(uint32_t layer, std::span<const uint32_t> experts) = 0;
};

}  // namespace rotary

#pragma once
// Expert residency: which (layer, expert) lives in which slot of the pool, and getting the ones
// the router picks into VRAM. A miss is uploaded from the memory-mapped file into a slot on the
// transfer queue (through a host-visible staging ring), one submission per expert so that each
// lands at its own timeline value and the compute queue waits for exactly the experts it needs.
// A slot is overwritten only after the compute work that last read it has finished (the upload
// waits on the compute timeline), and the experts of the current layer are pinned: never evicted.
#include <cstdint>
#include <memory>
#include <span>
#include <unordered_map>
#include <vector>

#include "runtime/ops/experts.h"
#include "runtime/residency/cache_policy.h"
#include "runtime/residency/slot_pool.h"
#include "runtime/vk/staging.h"

namespace rotary {

struct CacheOptions {
  PolicyKind policy = PolicyKind::LRU;
  std::vector<ExpertKey> future;      // Belady only: every access of the run, in order
  uint64_t staging_bytes = 64ull << 20;
};

struct ResidencyStats {
  uint64_t accesses = 0;        // expert uses by the router's choices
  uint64_t hits = 0;            // already resident (or in flight from a prefetch)
  uint64_t prefetch_hits = 0;   // hits on experts a prefetch brought in
  uint64_t uploads = 0;         // experts copied into slots (misses and prefetches)
  uint64_t prefetch_uploads = 0;
  uint64_t prefetch_used = 0;   // prefetched experts used before being evicted
  uint64_t bytes_uploaded = 0;
  uint64_t evictions = 0;
  double hit_rate() const { return accesses ? static_cast<double>(hits) / static_cast<double>(accesses) : 0; }
};

class ExpertCache {
 public:
  ExpertCache(vk::GpuContext& gpu, const ExpertSource& source, ExpertSlotPool pool, const CacheOptions& options);

  // The slot pool's pages and `layer`'s types, as the grouped kernels take them.
  ops::ExpertLayer layer_view(uint32_t layer) const;

  struct Acquired {
    ops::ExpertSlot slot;  // page and byte offsets filled; k_index/first_pair/pair_count are the caller's
    uint64_t ready;        // transfer timeline value at which the weights are in the slot
    bool hit;
  };
  // Makes `experts` of `layer` resident, pins them, and starts uploads for those that are not.
  // Entries are in the order of `experts`. Throws Error(Internal) if the pool cannot hold them.
  std::vector<Acquired> acquire(uint32_t layer, std::span<const uint32_t> experts);
  // The compute work that reads the pinned experts completes at `compute_value`: unpins them;
  // their slots are reused only after that value.
  void release(uint64_t compute_value);
  // Starts uploads of predicted experts of `layer` that are not resident, evicting only unpinned
  // experts, never more than there are unpinned slots. Returns how many uploads it started.
  uint32_t prefetch(uint32_t layer, std::span<const uint32_t> experts);

  // Queue the uploads run on; compute submissions wait on its timeline.
  const vk::Queue& upload_queue() const { return upload_->queue(); }
  const ResidencyStats& stats() const { return stats_; }
  const ExpertSlotPool& pool() const { return pool_; }
  uint32_t pinned() const { return static_cast<uint32_t>(pinned_.size()); }

 private:
  struct Slot {
    bool used = false;
    ExpertKey key;
    uint64_t ready = 0;     // upload value
    uint64_t last_use = 0;  // compute value of the last work that read it
    bool pinned = false;
    bool prefetched = false;  // brought in by a prefetch and not used yet
  };
  // A free slot, else the policy's victim among unpinned slots; nullopt when every slot is pinned.
  std::optional<uint32_t> take_slot();
  uint64_t upload(uint32_t slot, ExpertKey key);
  ops::ExpertSlot address(uint32_t slot) const;

  vk::GpuContext& gpu_;
  const ExpertSource& source_;
  ExpertSlotPool pool_;
  std::unique_ptr<CachePolicy> policy_;
  vk::CommandStream* upload_;
  vk::StagingRing ring_;
  std::vector<Slot> slots_;
  std::vector<uint32_t> free_;
  std::unordered_map<ExpertKey, uint32_t, ExpertKeyHash> where_;
  std::vector<uint32_t> pinned_;
  ResidencyStats stats_;
};

}  // namespace rotary

#pragma once
// Expert residency: which (layer, expert) lives in which slot of the pool, and getting the ones
// the router picks into VRAM. A miss is uploaded from the memory-mapped file into a slot on the
// transfer queue (through a host-visible staging ring), one submission per expert so that each
// lands at its own timeline value and the compute queue waits for exactly the experts it needs.
// A slot is overwritten only after the compute work that last read it has finished (the upload
// waits on the compute timeline), and the experts of the current layer are pinned: never evicted.
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <unordered_map>
#include <vector>

#include "runtime/ops/experts.h"
#include "runtime/residency/expert_provider.h"
#include "runtime/residency/cache_policy.h"
#include "runtime/residency/file_windows.h"
#include "runtime/residency/slot_pool.h"
#include "runtime/residency/stamp_log.h"
#include "runtime/vk/staging.h"

namespace rotary {

struct CacheOptions {
  PolicyKind policy = PolicyKind::LRU;
  std::vector<ExpertKey> future;      // Belady only: every access of the run, in order
  uint64_t staging_bytes = 64ull << 20;
  // Copy misses straight from the file's pages imported into Vulkan when the driver allows
  // (VK_EXT_external_memory_host), instead of through a staging memcpy.
  bool zero_copy = true;
  bool timestamps = false;  // GPU timestamps of uploads (upload GB/s); off: reported as n/a
};

class ExpertCache final : public ExpertProvider {
 public:
  ExpertCache(vk::GpuContext& gpu, const ExpertSource& source, ExpertSlotPool pool, const CacheOptions& options);

  // The slot pool's pages and `layer`'s types.
  ops::ExpertLayer layer_view(uint32_t layer) const override;
  // Misses are uploaded into slots (evicting unpinned experts); throws Error(Internal) if the pool
  // cannot hold them all at once.
  std::vector<Acquired> acquire(uint32_t layer, std::span<const uint32_t> experts) override;
  // Unpins; the slots are overwritten only after `compute_value` (uploads wait for it).
  void release(uint64_t compute_value) override;
  // Evicts only unpinned experts, never more than there are unpinned slots.
  uint32_t prefetch(uint32_t layer, std::span<const uint32_t> experts) override;
  uint32_t capacity() const override { return pool_.slots(); }
  const vk::Queue& upload_queue() const override { return upload_->queue(); }
  ResidencyStats stats() const override { return stats_; }
  const char* mode() const override { return "copy"; }
  void collect_timing() override;
  // Uploads every expert of the model when the pool has a slot for each (and waits for them):
  // then nothing is ever evicted and the GPU may route by itself (all_resident()). Counted as
  // `preloaded`, not as uploads. Returns whether it did.
  bool preload_all();
  bool all_resident() const override { return all_resident_; }
  std::vector<ops::ExpertSlot> slot_map() const override;
  void note_routed(uint32_t layer, std::span<const uint32_t> experts) override;
  const ExpertSlotPool& pool() const { return pool_; }
  bool zero_copy() const { return windows_.has_value(); }
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
  void record_staged_copies(vk::Recorder& rec, const ExpertMatrices& m, const vk::BufferView& dst);
  void record_direct_copies(vk::Recorder& rec, const ExpertMatrices& m, const vk::BufferView& dst);
  ops::ExpertSlot address(uint32_t slot) const;

  vk::GpuContext& gpu_;
  const ExpertSource& source_;
  ExpertSlotPool pool_;
  std::unique_ptr<CachePolicy> policy_;
  vk::CommandStream* upload_;
  std::optional<FileWindows> windows_;  // the file's expert tensors, imported (zero-copy)
  std::optional<vk::StagingRing> ring_;  // otherwise a staging ring
  std::vector<Slot> slots_;
  std::vector<uint32_t> free_;
  std::unordered_map<ExpertKey, uint32_t, ExpertKeyHash> where_;
  std::vector<uint32_t> pinned_;
  ResidencyStats stats_;
  bool all_resident_ = false;
  StampLog stamps_;                                  // on the upload queue
  std::vector<std::pair<int32_t, int32_t>> timed_;  // (start, end) stamps of uploads not yet read
};

}  // namespace rotary

#pragma once
// Experts read where they lie: on unified-memory devices (integrated GPUs, the Steam Deck) the
// memory-mapped model file is imported into Vulkan and the grouped kernels read each expert from
// the file's pages. Nothing is copied, no VRAM slot is used, every access is a hit.
#include <memory>
#include <vector>

#include "runtime/residency/expert_provider.h"
#include "runtime/residency/expert_source.h"
#include "runtime/residency/file_windows.h"
#include "runtime/vk/context.h"

namespace rotary {

class InPlaceExperts final : public ExpertProvider {
 public:
  // nullptr when the driver cannot import the file's pages.
  static std::unique_ptr<InPlaceExperts> create(vk::GpuContext& gpu, const ExpertSource& source);

  ops::ExpertLayer layer_view(uint32_t layer) const override;
  std::vector<Acquired> acquire(uint32_t layer, std::span<const uint32_t> experts) override;
  void release(uint64_t) override {}
  uint32_t prefetch(uint32_t, std::span<const uint32_t>) override { return 0; }
  uint32_t capacity() const override { return source_.experts(); }
  const vk::Queue& upload_queue() const override { return queue_; }
  ResidencyStats stats() const override { return stats_; }
  const char* mode() const override { return "in-place"; }
  bool uses_prefetch() const override { return false; }
  bool all_resident() const override { return true; }
  std::vector<ops::ExpertSlot> slot_map() const override;
  void note_routed(uint32_t, std::span<const uint32_t> experts) override {
    stats_.accesses += experts.size();
    stats_.hits += experts.size();
  }
  uint64_t imported_bytes() const;

 private:
  InPlaceExperts(const ExpertSource& source, const vk::Queue& queue) : source_(source), queue_(queue) {}
  const ExpertSource& source_;
  const vk::Queue& queue_;
  std::vector<FileWindows> layers_;              // per layer: windows over its three tensors
  std::vector<std::vector<vk::BufferView>> pages_;  // per layer: the windows as kernel pages
  ops::ExpertSlot entry(uint32_t layer, uint32_t expert) const;
  ResidencyStats stats_;
};

}  // namespace rotary

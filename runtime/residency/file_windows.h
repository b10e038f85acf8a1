#pragma once
// Windows of the memory-mapped model file imported into Vulkan (vk::ImportedHostBuffer), laid
// over the expert tensors so that any span of up to `max_span` bytes (one expert matrix) lies
// wholly inside one window: consecutive windows overlap by max_span. Copies then read expert
// bytes straight from the file's pages, and on unified memory kernels read them in place.
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "runtime/vk/host_import.h"

namespace rotary {

class FileWindows {
 public:
  // Imports windows of at most `window_bytes` over each of `ranges` (spans of `file`). nullopt
  // when the device or driver cannot import the file's pages (callers then copy via staging).
  static std::optional<FileWindows> import(vk::Device& device, std::span<const std::byte> file,
                                           const std::vector<std::span<const std::byte>>& ranges,
                                           uint64_t max_span, uint64_t window_bytes);

  struct Location {
    uint32_t window;
    uint64_t offset;  // of the span's first byte in the window
  };
  // The window holding all of `span`; throws Error(Internal) if none does.
  Location locate(std::span<const std::byte> span) const;
  size_t size() const { return windows_.size(); }
  vk::BufferView view(uint32_t window) const { return windows_[window].view(0, windows_[window].size()); }
  uint64_t imported_bytes() const;

 private:
  std::vector<vk::ImportedHostBuffer> windows_;  // sorted by host address
};

}  // namespace rotary

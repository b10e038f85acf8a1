#pragma once
// Host memory the GPU reads directly (VK_EXT_external_memory_host): pages of the memory-mapped
// model file imported as a Vulkan buffer. Uploads then copy straight from the file's pages (no
// staging memcpy), and on unified-memory devices kernels can read experts where they lie.
// Imported memory is host memory: it is not counted against the VRAM budget.
#include <cstdint>

#include "runtime/vk/memory.h"

namespace rotary::vk {

class ImportedHostBuffer {
 public:
  // `ptr` and `bytes` must be multiples of minImportedHostPointerAlignment. Throws
  // Error(Unsupported) when the device lacks the extension or the driver refuses these pages
  // (some refuse file-backed mappings); callers fall back to staging copies.
  static ImportedHostBuffer import(Device& device, const void* ptr, uint64_t bytes);
  static uint64_t alignment(const DeviceCaps& caps) {
    return caps.min_imported_host_pointer_alignment ? caps.min_imported_host_pointer_alignment : 4096;
  }

  ImportedHostBuffer() = default;
  VkBuffer handle() const { return buffer_.get(); }
  uint64_t size() const { return size_; }
  const std::byte* host() const { return host_; }
  BufferView view(uint64_t off, uint64_t len) const { return {buffer_.get(), off, len, nullptr}; }

 private:
  Handle<VkBuffer> buffer_;
  Handle<VkDeviceMemory> memory_;
  uint64_t size_ = 0;
  const std::byte* host_ = nullptr;
};

}  // namespace rotary::vk

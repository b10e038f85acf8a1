#pragma once
// Device memory under a hard budget. Every buffer is created through Buffer::create, which
// reserves its bytes in the MemoryBudget first; the budget refuses, with a clear error, any
// allocation that would exceed it. Staging and readback buffers are host memory by intent and
// are reported but not counted (on unified-memory devices they share the one heap).
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

#include "runtime/vk/device.h"

namespace rotary::vk {

enum class MemoryUse { Weights, Experts, KvCache, Scratch, Staging, Readback, Other, kCount };
const char* to_string(MemoryUse use);
inline bool counts_against_budget(MemoryUse u) { return u != MemoryUse::Staging && u != MemoryUse::Readback; }

class MemoryBudget {
 public:
  explicit MemoryBudget(uint64_t limit_bytes) : limit_(limit_bytes) {}

  // Throws Error(Budget) naming `what`, its size, the limit and what is in use, by use.
  void reserve(uint64_t bytes, MemoryUse use, std::string_view what);
  void release(uint64_t bytes, MemoryUse use);

  uint64_t limit() const { return limit_; }
  uint64_t used() const;
  uint64_t peak() const;
  uint64_t used(MemoryUse use) const;
  uint64_t peak(MemoryUse use) const;  // counts uncounted uses (staging, readback) too
  uint64_t available() const;
  std::string breakdown() const;  // "weights 1.2 GiB, experts ..., staging (host) ..."

 private:
  uint64_t limit_;
  mutable std::mutex mutex_;
  uint64_t used_ = 0;
  uint64_t peak_ = 0;
  uint64_t by_use_[static_cast<size_t>(MemoryUse::kCount)] = {};
  uint64_t peak_by_use_[static_cast<size_t>(MemoryUse::kCount)] = {};
};

enum class MemoryKind {
  DeviceLocal,  // VRAM on a discrete GPU; the one heap on unified memory
  Upload,       // host-visible, host-coherent, preferably not device-local (staging)
  Readback,     // host-visible, preferably host-cached (results read by the CPU)
  Constant,     // host-visible, preferably device-local: small data the host writes once and
                // shaders read (vk::ShaderTables)
};

// A range of a buffer as a shader binding or a copy sees it.
struct BufferView {
  VkBuffer buffer = VK_NULL_HANDLE;
  uint64_t offset = 0;
  uint64_t size = 0;
  std::byte* mapped = nullptr;  // host address of `offset` when the memory is host-visible

  BufferView sub(uint64_t off, uint64_t len) const {
    return {buffer, offset + off, len, mapped ? mapped + off : nullptr};
  }
  explicit operator bool() const { return buffer != VK_NULL_HANDLE; }
};

class Buffer {
 public:
  // `budget` may be null for buffers outside any budget (tests, benchmarks of raw copies).
  static Buffer create(Device& device, MemoryBudget* budget, uint64_t size, MemoryKind kind,
                       MemoryUse use, std::string_view what);
  Buffer() = default;
  ~Buffer();
  Buffer(Buffer&& o) noexcept;
  Buffer& operator=(Buffer&& o) noexcept;
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;

  VkBuffer handle() const { return buffer_.get(); }
  uint64_t size() const { return size_; }
  std::byte* mapped() const { return mapped_; }
  bool host_coherent() const { return coherent_; }
  MemoryUse use() const { return use_; }
  BufferView view() const { return {buffer_.get(), 0, size_, mapped_}; }
  BufferView view(uint64_t off, uint64_t len) const { return view().sub(off, len); }

  // For host-visible memory that is not coherent; no-ops otherwise.
  void flush(uint64_t off, uint64_t len) const;
  void invalidate(uint64_t off, uint64_t len) const;

 private:
  void release();
  VkDevice device_ = VK_NULL_HANDLE;
  MemoryBudget* budget_ = nullptr;
  MemoryUse use_ = MemoryUse::Other;
  uint64_t size_ = 0;
  uint64_t atom_ = 1;
  bool coherent_ = true;
  std::byte* mapped_ = nullptr;
  Handle<VkBuffer> buffer_;
  Handle<VkDeviceMemory> memory_;
};

// Fault injection for tests: after `after` more successful allocations of `use`, the driver's
// answer becomes VK_ERROR_OUT_OF_DEVICE_MEMORY, until cleared. Never used outside tests.
namespace testing {
void fail_allocations(MemoryUse use, uint32_t after);
void clear_allocation_faults();
}  // namespace testing

// The memory type index for `kind` among `type_bits`; throws Error(OutOfMemory) when none fits.
uint32_t find_memory_type(VkPhysicalDevice pd, uint32_t type_bits, MemoryKind kind);

// lcm(minStorageBufferOffsetAlignment, nonCoherentAtomSize): where sub-allocations start.
uint64_t binding_alignment(const DeviceCaps& caps);

inline uint64_t align_up(uint64_t v, uint64_t a) { return (v + a - 1) / a * a; }
inline uint64_t align_down(uint64_t v, uint64_t a) { return v / a * a; }

}  // namespace rotary::vk

#include "runtime/vk/memory.h"

#include <cstring>

#include <numeric>
#include <span>

#include "base/units.h"
#include "runtime/vk/descriptors.h"

namespace rotary::vk {

const char* to_string(MemoryUse use) {
  switch (use) {
    case MemoryUse::Weights: return "weights";
    case MemoryUse::Experts: return "expert slots";
    case MemoryUse::KvCache: return "KV cache";
    case MemoryUse::Scratch: return "scratch";
    case MemoryUse::Staging: return "staging (host)";
    case MemoryUse::Readback: return "readback (host)";
    case MemoryUse::Other: return "other";
    case MemoryUse::kCount: break;
  }
  return "?";
}

void MemoryBudget::reserve(uint64_t bytes, MemoryUse use, std::string_view what) {
  std::lock_guard lock(mutex_);
  const size_t u = static_cast<size_t>(use);
  if (counts_against_budget(use)) {
    if (used_ + bytes > limit_) {
      std::string in_use;
      for (size_t i = 0; i < static_cast<size_t>(MemoryUse::kCount); ++i)
        if (by_use_[i] && counts_against_budget(static_cast<MemoryUse>(i)))
          in_use += std::string(in_use.empty() ? "" : ", ") + to_string(static_cast<MemoryUse>(i)) + " " +
                    format_bytes(by_use_[i]);
      throw Error(ErrorKind::Budget, "allocating " + format_bytes(bytes) + " for " + std::string(what) +
                                         " would exceed the VRAM budget of " + format_bytes(limit_) + " (in use: " +
                                         (in_use.empty() ? "nothing" : in_use) + ")");
    }
    used_ += bytes;
    peak_ = std::max(peak_, used_);
  }
  by_use_[u] += bytes;
  peak_by_use_[u] = std::max(peak_by_use_[u], by_use_[u]);
}

void MemoryBudget::release(uint64_t bytes, MemoryUse use) {
  std::lock_guard lock(mutex_);
  if (counts_against_budget(use)) used_ -= bytes;
  by_use_[static_cast<size_t>(use)] -= bytes;
}

uint64_t MemoryBudget::used() const {
  std::lock_guard lock(mutex_);
  return used_;
}
uint64_t MemoryBudget::peak() const {
  std::lock_guard lock(mutex_);
  return peak_;
}
uint64_t MemoryBudget::used(MemoryUse use) const {
  std::lock_guard lock(mutex_);
  return by_use_[static_cast<size_t>(use)];
}
uint64_t MemoryBudget::peak(MemoryUse use) const {
  std::lock_guard lock(mutex_);
  return peak_by_use_[static_cast<size_t>(use)];
}
uint64_t MemoryBudget::available() const {
  std::lock_guard lock(mutex_);
  return limit_ > used_ ? limit_ - used_ : 0;
}

std::string MemoryBudget::breakdown() const {
  std::lock_guard lock(mutex_);
  std::string s;
  for (size_t i = 0; i < static_cast<size_t>(MemoryUse::kCount); ++i)
    if (peak_by_use_[i])
      s += std::string(s.empty() ? "" : ", ") + to_string(static_cast<MemoryUse>(i)) + " " + format_bytes(by_use_[i]);
  return s.empty() ? "nothing" : s;
}

namespace {
struct AllocationFault {
  bool armed = false;
  MemoryUse use = MemoryUse::Other;
  uint32_t remaining = 0;
};
AllocationFault g_fault;  // tests only; see testing::fail_allocations

bool injected_failure(MemoryUse use) {
  if (!g_fault.armed || g_fault.use != use) return false;
  if (g_fault.remaining == 0) return true;
  --g_fault.remaining;
  return false;
}
}  // namespace

namespace testing {
void fail_allocations(MemoryUse use, uint32_t after) { g_fault = {true, use, after}; }
void clear_allocation_faults() { g_fault = {}; }
}  // namespace testing

uint32_t find_memory_type(VkPhysicalDevice pd, uint32_t type_bits, MemoryKind kind) {
  VkPhysicalDeviceMemoryProperties mp;
  vkGetPhysicalDeviceMemoryProperties(pd, &mp);
  constexpr VkMemoryPropertyFlags kDev = VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT;
  constexpr VkMemoryPropertyFlags kVis = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT;
  constexpr VkMemoryPropertyFlags kCoh = VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
  constexpr VkMemoryPropertyFlags kCached = VK_MEMORY_PROPERTY_HOST_CACHED_BIT;
  struct Pref {
    VkMemoryPropertyFlags want;
    VkMemoryPropertyFlags avoid;
  };
  // Preferences in order; the first type that has `want` and none of `avoid` wins.
  static constexpr Pref kDeviceLocal[] = {{kDev, kVis}, {kDev, 0}, {0, 0}};
  static constexpr Pref kUpload[] = {{kVis | kCoh, kDev}, {kVis | kCoh, 0}, {kVis, 0}};
  static constexpr Pref kReadback[] = {{kVis | kCoh | kCached, 0}, {kVis | kCached, 0}, {kVis | kCoh, 0}, {kVis, 0}};
  static constexpr Pref kConstant[] = {{kDev | kVis | kCoh, 0}, {kDev | kVis, 0}, {kVis | kCoh, 0}, {kVis, 0}};
  std::span<const Pref> prefs = kind == MemoryKind::DeviceLocal ? std::span<const Pref>(kDeviceLocal)
                                : kind == MemoryKind::Upload    ? std::span<const Pref>(kUpload)
                                : kind == MemoryKind::Constant  ? std::span<const Pref>(kConstant)
                                                                : std::span<const Pref>(kReadback);
  for (const Pref& p : prefs)
    for (uint32_t i = 0; i < mp.memoryTypeCount; ++i) {
      const VkMemoryPropertyFlags f = mp.memoryTypes[i].propertyFlags;
      if ((type_bits & (1u << i)) && (f & p.want) == p.want && !(f & p.avoid)) return i;
    }
  throw Error(ErrorKind::OutOfMemory, "no suitable Vulkan memory type for this buffer");
}

uint64_t binding_alignment(const DeviceCaps& caps) {
  return std::lcm(std::max<uint64_t>(caps.min_storage_offset_alignment, 4),
                  std::max<uint64_t>(caps.non_coherent_atom_size, 1));
}

Buffer Buffer::create(Device& device, MemoryBudget* budget, uint64_t size, MemoryKind kind, MemoryUse use,
                      std::string_view what) {
  require(size > 0, ErrorKind::Internal, "zero-sized buffer for " + std::string(what));
  if (budget) budget->reserve(size, use, what);
  Buffer b;
  b.device_ = device.handle();
  b.budget_ = budget;
  b.use_ = use;
  b.size_ = size;
  b.atom_ = std::max<uint64_t>(device.caps().non_coherent_atom_size, 1);

  VkBufferCreateInfo bi{VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO};
  bi.size = size;
  bi.usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT;
  const auto& fams = device.queue_families();
  bi.sharingMode = fams.size() > 1 ? VK_SHARING_MODE_CONCURRENT : VK_SHARING_MODE_EXCLUSIVE;
  bi.queueFamilyIndexCount = fams.size() > 1 ? static_cast<uint32_t>(fams.size()) : 0;
  bi.pQueueFamilyIndices = fams.size() > 1 ? fams.data() : nullptr;
  VkBuffer vb = VK_NULL_HANDLE;
  ROTARY_VK(vkCreateBuffer(b.device_, &bi, nullptr, &vb));
  b.buffer_ = Handle<VkBuffer>(b.device_, vb);

  VkMemoryRequirements req;
  vkGetBufferMemoryRequirements(b.device_, vb, &req);
  const uint32_t type = find_memory_type(device.physical(), req.memoryTypeBits, kind);
  VkMemoryAllocateInfo ai{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO};
  ai.allocationSize = req.size;
  ai.memoryTypeIndex = type;
  VkDeviceMemory mem = VK_NULL_HANDLE;
  const VkResult r = injected_failure(use) ? VK_ERROR_OUT_OF_DEVICE_MEMORY : vkAllocateMemory(b.device_, &ai, nullptr, &mem);
  if (r == VK_ERROR_OUT_OF_DEVICE_MEMORY || r == VK_ERROR_OUT_OF_HOST_MEMORY)
    throw Error(ErrorKind::OutOfMemory, "the driver could not allocate " + format_bytes(size) + " for " +
                                            std::string(what) + " (" + result_name(r) +
                                            "): lower --vram-budget or --ctx, or close other GPU programs");
  ROTARY_VK(r);
  b.memory_ = Handle<VkDeviceMemory>(b.device_, mem);
  ROTARY_VK(vkBindBufferMemory(b.device_, vb, mem, 0));

  VkPhysicalDeviceMemoryProperties mp;
  vkGetPhysicalDeviceMemoryProperties(device.physical(), &mp);
  const VkMemoryPropertyFlags flags = mp.memoryTypes[type].propertyFlags;
  b.coherent_ = flags & VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
  if (kind != MemoryKind::DeviceLocal || (flags & VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT)) {
    if (flags & VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT) {
      void* p = nullptr;
      ROTARY_VK(vkMapMemory(b.device_, mem, 0, VK_WHOLE_SIZE, 0, &p));
      b.mapped_ = static_cast<std::byte*>(p);
      // Recording a schedule, nothing writes results: the host reads zeros (a valid token, valid
      // expert ids), never whatever the allocation held.
      if (device.record_only() && kind == MemoryKind::Readback) std::memset(p, 0, size);
    }
  }
  return b;
}

Buffer::~Buffer() { release(); }

void Buffer::release() {
  if (buffer_) DescriptorCache::forget_everywhere(device_, buffer_.get());  // its handle may be reused
  if (budget_ && buffer_) budget_->release(size_, use_);
  budget_ = nullptr;
  buffer_.reset();
  memory_.reset();  // freeing the memory unmaps it
  mapped_ = nullptr;
}

Buffer::Buffer(Buffer&& o) noexcept { *this = std::move(o); }

Buffer& Buffer::operator=(Buffer&& o) noexcept {
  if (this == &o) return *this;
  release();
  device_ = o.device_;
  budget_ = std::exchange(o.budget_, nullptr);
  use_ = o.use_;
  size_ = std::exchange(o.size_, 0);
  atom_ = o.atom_;
  coherent_ = o.coherent_;
  mapped_ = std::exchange(o.mapped_, nullptr);
  buffer_ = std::move(o.buffer_);
  memory_ = std::move(o.memory_);
  return *this;
}

void Buffer::flush(uint64_t off, uint64_t len) const {
  if (coherent_ || !mapped_) return;
  VkMappedMemoryRange r{VK_STRUCTURE_TYPE_MAPPED_MEMORY_RANGE};
  r.memory = memory_.get();
  r.offset = align_down(off, atom_);
  const uint64_t end = align_up(off + len, atom_);
  r.size = end >= size_ ? VK_WHOLE_SIZE : end - r.offset;
  ROTARY_VK(vkFlushMappedMemoryRanges(device_, 1, &r));
}

void Buffer::invalidate(uint64_t off, uint64_t len) const {
  if (coherent_ || !mapped_) return;
  VkMappedMemoryRange r{VK_STRUCTURE_TYPE_MAPPED_MEMORY_RANGE};
  r.memory = memory_.get();
  r.offset = align_down(off, atom_);
  const uint64_t end = align_up(off + len, atom_);
  r.size = end >= size_ ? VK_WHOLE_SIZE : end - r.offset;
  ROTARY_VK(vkInvalidateMappedMemoryRanges(device_, 1, &r));
}

}  // namespace rotary::vk

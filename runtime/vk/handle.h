#pragma once
// Move-only ownership of device-level Vulkan handles: the destructor releases, so an early
// return or a throw never leaks a buffer, a semaphore or a fence.
#include <utility>

#include "runtime/vk/vk.h"

namespace rotary::vk {

template <typename T>
struct Destroy;
#define ROTARY_VK_DESTROY(Type, fn) \
  template <>                       \
  struct Destroy<Type> {            \
    static void run(VkDevice d, Type h) { fn(d, h, nullptr); } \
  }
ROTARY_VK_DESTROY(VkBuffer, vkDestroyBuffer);
ROTARY_VK_DESTROY(VkDeviceMemory, vkFreeMemory);
ROTARY_VK_DESTROY(VkSemaphore, vkDestroySemaphore);
ROTARY_VK_DESTROY(VkFence, vkDestroyFence);
ROTARY_VK_DESTROY(VkCommandPool, vkDestroyCommandPool);
ROTARY_VK_DESTROY(VkDescriptorPool, vkDestroyDescriptorPool);
ROTARY_VK_DESTROY(VkDescriptorSetLayout, vkDestroyDescriptorSetLayout);
ROTARY_VK_DESTROY(VkPipelineLayout, vkDestroyPipelineLayout);
ROTARY_VK_DESTROY(VkPipeline, vkDestroyPipeline);
ROTARY_VK_DESTROY(VkPipelineCache, vkDestroyPipelineCache);
ROTARY_VK_DESTROY(VkShaderModule, vkDestroyShaderModule);
ROTARY_VK_DESTROY(VkQueryPool, vkDestroyQueryPool);
#undef ROTARY_VK_DESTROY

template <typename T>
class Handle {
 public:
  Handle() = default;
  Handle(VkDevice device, T handle) : device_(device), handle_(handle) {}
  ~Handle() { reset(); }
  Handle(Handle&& o) noexcept
      : device_(o.device_), handle_(std::exchange(o.handle_, static_cast<T>(VK_NULL_HANDLE))) {}
  Handle& operator=(Handle&& o) noexcept {
    if (this != &o) {
      reset();
      device_ = o.device_;
      handle_ = std::exchange(o.handle_, static_cast<T>(VK_NULL_HANDLE));
    }
    return *this;
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;

  T get() const { return handle_; }
  explicit operator bool() const { return handle_ != VK_NULL_HANDLE; }
  void reset() {
    if (handle_ != VK_NULL_HANDLE) Destroy<T>::run(device_, handle_);
    handle_ = VK_NULL_HANDLE;
  }

 private:
  VkDevice device_ = VK_NULL_HANDLE;
  T handle_ = VK_NULL_HANDLE;
};

}  // namespace rotary::vk

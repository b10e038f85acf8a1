#include "runtime/vk/timeline.h"

#include <string>

namespace rotary::vk {

TimelineSemaphore TimelineSemaphore::create(VkDevice device, uint64_t initial) {
  VkSemaphoreTypeCreateInfo type{VK_STRUCTURE_TYPE_SEMAPHORE_TYPE_CREATE_INFO};
  type.semaphoreType = VK_SEMAPHORE_TYPE_TIMELINE;
  type.initialValue = initial;
  VkSemaphoreCreateInfo info{VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO};
  info.pNext = &type;
  VkSemaphore s = VK_NULL_HANDLE;
  ROTARY_VK(vkCreateSemaphore(device, &info, nullptr, &s));
  TimelineSemaphore t;
  t.device_ = device;
  t.sem_ = Handle<VkSemaphore>(device, s);
  return t;
}

uint64_t TimelineSemaphore::value() const {
  uint64_t v = 0;
  ROTARY_VK(vkGetSemaphoreCounterValue(device_, sem_.get(), &v));
  return v;
}

bool TimelineSemaphore::wait(uint64_t value, uint64_t timeout_ns) const {
  VkSemaphore s = sem_.get();
  VkSemaphoreWaitInfo info{VK_STRUCTURE_TYPE_SEMAPHORE_WAIT_INFO};
  info.semaphoreCount = 1;
  info.pSemaphores = &s;
  info.pValues = &value;
  const VkResult r = vkWaitSemaphores(device_, &info, timeout_ns);
  if (r == VK_TIMEOUT) return false;
  ROTARY_VK(r);
  return true;
}

void TimelineSemaphore::wait_or_throw(uint64_t value, uint64_t timeout_ns, const char* what) const {
  if (!wait(value, timeout_ns))
    throw Error(ErrorKind::Vulkan, std::string("timed out after ") + std::to_string(timeout_ns / 1000000) +
                                       " ms waiting for " + what + " (timeline value " +
                                       std::to_string(value) + ", reached " + std::to_string(this->value()) + ")");
}

void TimelineSemaphore::signal(uint64_t value) {
  VkSemaphoreSignalInfo info{VK_STRUCTURE_TYPE_SEMAPHORE_SIGNAL_INFO};
  info.semaphore = sem_.get();
  info.value = value;
  ROTARY_VK(vkSignalSemaphore(device_, &info));
}

}  // namespace rotary::vk

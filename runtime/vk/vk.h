#pragma once
// The one include for Vulkan in rotary: volk (VK_NO_PROTOTYPES, no link against libvulkan) and
// the checked-call macro. ROTARY_VK throws rotary::Error carrying the VkResult, the call text
// and file:line, in every build type.
#include <volk.h>

#include "base/error.h"

#define ROTARY_VK(call)                                                  \
  do {                                                                   \
    const VkResult rotary_vk_result_ = (call);                           \
    if (rotary_vk_result_ != VK_SUCCESS)                                 \
      throw ::rotary::Error::vulkan(static_cast<int32_t>(rotary_vk_result_), #call); \
  } while (0)

namespace rotary::vk {

const char* result_name(VkResult r);

}  // namespace rotary::vk

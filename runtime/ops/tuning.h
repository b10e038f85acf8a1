#pragma once
// Checks and defaults shared by the tuning structs of the weight kernels.
#include <algorithm>
#include <cstdint>
#include <string>

#include "base/error.h"
#include "runtime/vk/caps.h"

namespace rotary::ops {

// The smallest subgroup size the device may run a shader with: the size of the shared arrays that
// hold one partial sum per subgroup (spec constant 1 of every weight kernel).
inline uint32_t min_subgroup_size(const vk::DeviceCaps& caps) {
  return std::max<uint32_t>(caps.min_subgroup_size ? caps.min_subgroup_size : caps.subgroup_size,
                            1);
}

// A workgroup size every variant can use: a power of two (the _nosg reductions are trees) within
// the device's limits.
inline void check_workgroup_size(const vk::DeviceCaps& caps, uint32_t wg, const char* op) {
  if (wg == 0 || (wg & (wg - 1)) != 0 || wg > caps.max_workgroup_invocations ||
      wg > caps.max_workgroup_size_x)
    throw Error(
        ErrorKind::InvalidArgument,
        std::string(op) + ": workgroup size " + std::to_string(wg) +
            " (needs a power of two up to " +
            std::to_string(std::min(caps.max_workgroup_invocations, caps.max_workgroup_size_x)) +
            ")");
}

// The workgroup size an op runs with: `requested` when not 0 (checked), else `fallback` halved
// until the device allows it.
inline uint32_t resolve_workgroup_size(const vk::DeviceCaps& caps, uint32_t requested, uint32_t fallback,
                                       const char* op) {
  uint32_t wg = requested;
  if (!wg) {
    wg = fallback;
    while (wg > 1 && (wg > caps.max_workgroup_invocations || wg > caps.max_workgroup_size_x)) wg /= 2;
  }
  check_workgroup_size(caps, wg, op);
  return wg;
}

inline bool is_cpu_device(const vk::DeviceCaps& caps) {
  return caps.type == VK_PHYSICAL_DEVICE_TYPE_CPU;
}

}  // namespace rotary::ops

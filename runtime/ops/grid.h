#pragma once
// Workgroup grids for 1-D work larger than maxComputeWorkGroupCount[0] (65535 on many devices):
// the count is folded into (x, y); shaders rebuild the index as x + y * gl_NumWorkGroups.x * WG.
#include <algorithm>
#include <cstdint>

#include "runtime/vk/caps.h"

namespace rotary::ops {

struct Grid {
  uint32_t x = 1, y = 1;
};

inline Grid grid_for(const vk::DeviceCaps& caps, uint64_t items, uint32_t per_group) {
  const uint64_t groups = (items + per_group - 1) / per_group;
  const uint64_t max_x = std::max<uint32_t>(caps.max_workgroup_count[0], 1);
  if (groups <= max_x) return {static_cast<uint32_t>(std::max<uint64_t>(groups, 1)), 1};
  const uint64_t y = (groups + max_x - 1) / max_x;
  return {static_cast<uint32_t>((groups + y - 1) / y), static_cast<uint32_t>(y)};
}

}  // namespace rotary::ops

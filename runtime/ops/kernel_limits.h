#pragma once
// What the compute kernels can run, in one place: the ops check their arguments against these
// constants, and kernel_limits() hands them to the loader's model check (loader/model_check.h)
// as data, so that `rotary info` refuses what `rotary run` could not run, in the model's terms.
#include <cstdint>

#include "loader/model_check.h"

namespace rotary::ops {

inline constexpr uint32_t kRouterMaxExperts = 512;  // router.comp: one workgroup holds a row
inline constexpr uint32_t kRouterMaxTopK = 16;
inline constexpr uint32_t kRopeMaxDims = 512;
// attention.comp: head_dim / 4 lanes per query row must divide evenly into the workgroup's
// rows (powers of two do at every tile size); the combine pass holds 4 floats per invocation of
// its 64-wide workgroup.
inline constexpr uint32_t kAttentionMinHeadDim = 4, kAttentionMaxHeadDim = 256;
inline constexpr uint32_t kGdnMaxStateSize = 256;  // gdn_recurrent: a key head in registers
inline constexpr uint32_t kGdnMinConvKernel = 2, kGdnMaxConvKernel = 8;

KernelLimits kernel_limits();

}  // namespace rotary::ops

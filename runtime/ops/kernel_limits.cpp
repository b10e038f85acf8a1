#include "runtime/ops/kernel_limits.h"

#include "runtime/ops/weight_types.h"

namespace rotary::ops {

KernelLimits kernel_limits() {
  KernelLimits l;
  l.min_head_dim = kAttentionMinHeadDim;
  l.max_head_dim = kAttentionMaxHeadDim;
  l.max_rope_dims = kRopeMaxDims;
  l.max_experts = kRouterMaxExperts;
  l.max_experts_used = kRouterMaxTopK;
  l.max_ssm_state = kGdnMaxStateSize;
  l.min_conv_kernel = kGdnMinConvKernel;
  l.max_conv_kernel = kGdnMaxConvKernel;
  const auto types = weight_kernel_types();
  l.weight_types.assign(types.begin(), types.end());
  return l;
}

}  // namespace rotary::ops

#pragma once
// The shape of a Gated DeltaNet layer (qwen35moe, qwen3next) as the GDN ops and the recurrent
// state see it. Defaults are Qwen3.5/3.6-35B-A3B's.
#include <cstdint>
#include <string>

#include "base/error.h"
#include "runtime/ops/kernel_limits.h"
#include "runtime/vk/caps.h"

namespace rotary::ops {

// Which key/query head a value head reads. The qwen35moe converter stores value heads tiled
// (head h reads key head h % Hk); qwen3next keeps them grouped (h / (Hv / Hk)).
enum class VHeadOrder : uint32_t { Tiled = 0, Grouped = 1 };

struct GdnShape {
  uint32_t k_heads = 16;     // ssm.group_count
  uint32_t v_heads = 32;     // ssm.time_step_rank
  uint32_t dim_k = 128;      // ssm.state_size
  uint32_t dim_v = 128;      // ssm.inner_size / v_heads
  uint32_t conv_kernel = 4;  // ssm.conv_kernel
  VHeadOrder order = VHeadOrder::Tiled;

  uint32_t key_dim() const { return k_heads * dim_k; }
  uint32_t value_dim() const { return v_heads * dim_v; }
  // One conv output row: [q key_dim | k key_dim | v value_dim].
  uint32_t conv_channels() const { return 2 * key_dim() + value_dim(); }
  uint64_t conv_state_floats() const { return uint64_t{conv_kernel - 1} * conv_channels(); }
  uint64_t delta_state_floats() const { return uint64_t{v_heads} * dim_v * dim_k; }

  uint32_t k_head_of(uint32_t v_head) const {
    return order == VHeadOrder::Tiled ? v_head % k_heads : v_head / (v_heads / k_heads);
  }

  // Throws Error(InvalidModel) for shapes the kernels cannot run.
  void validate() const {
    require(k_heads > 0 && v_heads > 0 && dim_k > 0 && dim_v > 0, ErrorKind::InvalidModel,
            "Gated DeltaNet: head counts and head dims must be positive");
    require(v_heads % k_heads == 0, ErrorKind::InvalidModel,
            "Gated DeltaNet: " + std::to_string(v_heads) + " value heads are not a multiple of " +
                std::to_string(k_heads) + " key heads");
    require(conv_kernel >= kGdnMinConvKernel && conv_kernel <= kGdnMaxConvKernel, ErrorKind::InvalidModel,
            "Gated DeltaNet: conv kernel " + std::to_string(conv_kernel) + " is outside 2..8");
    require(dim_k <= kGdnMaxStateSize, ErrorKind::InvalidModel,
            "Gated DeltaNet: key head dim " + std::to_string(dim_k) + " is larger than 256");
  }
};

// Tuning shared by the GDN ops: 0 picks the op's default (workgroup) or the device's subgroup
// size. The subgroup size is a hint: every kernel is correct whatever size the device uses.
struct GdnTuning {
  uint32_t workgroup_size = 0;
  uint32_t subgroup_size = 0;
  uint32_t rows_per_invocation = 0;  // gdn_recurrent: state rows each invocation holds

  uint32_t workgroup_or(uint32_t fallback) const {
    return workgroup_size ? workgroup_size : fallback;
  }
  uint32_t subgroup(const vk::DeviceCaps& caps) const {
    return subgroup_size ? subgroup_size : caps.subgroup_size;
  }
};

}  // namespace rotary::ops

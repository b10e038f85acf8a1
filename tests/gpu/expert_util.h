#pragma once
// A layer of routed experts in a slot pool for the grouped-expert tests: each expert's gate, up
// and down matrices placed in different pages (separate VkBuffers), at byte offsets that are not
// binding-aligned, with the host copies the CPU references read.
#include <vector>

#include "runtime/ops/experts.h"
#include "runtime/reference/experts.h"
#include "tests/gpu/weight_util.h"

namespace rotary::test {

struct ExpertPool {
  GgmlType gate_up_type, down_type;
  uint32_t n_embd, n_ff;
  std::vector<std::vector<std::byte>> gate, up, down;  // per expert, host bytes
  std::vector<ops::ExpertSlot> where;  // per expert: pages and offsets (routing fields 0)
  std::vector<vk::Buffer> page_buffers;
  std::vector<vk::BufferView> pages;
  // gpt-oss (add_gpt_oss_biases): [expert][rows] biases and the clamped SwiGLU.
  std::vector<float> gate_bias, up_bias, down_bias;
  vk::Buffer bias_buffers[3];
  bool swiglu_oai = false;

  ops::ExpertLayer layer() const;
  ref::HostExpert host(uint32_t e) const;
};

// Gives every expert of the pool gpt-oss's biases, large enough that the clamps of its SwiGLU
// (gate above 7, up outside +-7) are reached, and its activation.
void add_gpt_oss_biases(vk::GpuContext& g, ExpertPool& pool, uint64_t seed);

// `experts` experts spread over `page_count` pages.
ExpertPool make_pool(vk::GpuContext& g, GgmlType gate_up_type, GgmlType down_type, uint32_t n_embd,
                     uint32_t n_ff, uint32_t experts, uint32_t page_count, uint64_t seed);

// Expected values of silu(gate . x) * (up . x) for expert e, and the tolerance of each element:
// the gate and up sums may each be off by (K + 8) u sum|w x| (weight_util.h); silu has slope in
// [-0.1, 1.1]; exp and the final products add a few ulp (64 u |h| covers them).
void gate_up_expectation(const ExpertPool& pool, uint32_t e, std::span<const float> x,
                         std::span<float> want, std::span<float> tol);
// weight * (down . h) for expert e and its tolerance |weight| (K + 8) u sum|w h| + 2 u |y|.
void down_expectation(const ExpertPool& pool, uint32_t e, std::span<const float> h, float weight,
                      std::span<float> want, std::span<float> tol);

// Counts elements with |got - want| > tol.
size_t count_outside(std::span<const float> got, std::span<const float> want,
                     std::span<const float> tol);

}  // namespace rotary::test

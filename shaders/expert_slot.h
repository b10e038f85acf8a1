// One entry of the slot table that the grouped expert kernels read (a storage buffer the host
// writes per layer), shared by C++ and GLSL like push.h: uint members only, 40 bytes, no padding
// in either language (std430 aligns a uint-only struct to 4).
//
// The expert's three matrices lie in pages of the slot pool (a descriptor array of storage
// buffers, each at most maxStorageBufferRange): page index + byte offset of the matrix's first
// row, each matrix wholly inside its page.
//
// Decode (expert_gate_up / expert_down, one token): k_index is the expert's position in the
// router's top-k order; h and y rows are [k_index]. first_pair and pair_count are unused.
// Prefill (expert_gate_up_mm / expert_down_mm): the expert's tokens are pairs[first_pair ..
// first_pair + pair_count), each pair the slot token * top_k + k of the routing choice it
// serves; h and y rows are [slot]. k_index is unused.
//
// expert: the entry's expert index within its layer, set by the caller like k_index; the kernels
// read a layer's per-expert biases (gpt-oss) at it.
#ifndef ROTARY_SHADERS_EXPERT_SLOT_H
#define ROTARY_SHADERS_EXPERT_SLOT_H

#ifdef __cplusplus
#include <cstdint>
namespace rotary::ops {
#endif

struct ExpertSlot {
#ifdef __cplusplus
  using uint = uint32_t;
#endif
  uint k_index;
  uint first_pair;
  uint pair_count;
  uint gate_page;
  uint gate_offset;
  uint up_page;
  uint up_offset;
  uint down_page;
  uint down_offset;
  uint expert;
};

#ifdef __cplusplus
static_assert(sizeof(ExpertSlot) == 40);
}  // namespace rotary::ops
#endif
#endif

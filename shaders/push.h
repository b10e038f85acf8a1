// Push-constant structs, written once for both C++ and GLSL.
// Rules that keep the two layouts identical: members are uint, int or float only (4 bytes each,
// no vectors, no arrays), and every struct stays within the 128 bytes Vulkan guarantees.
// A shader uses one with: layout(push_constant) uniform PushBlock { AddPush p; };
#ifndef ROTARY_SHADERS_PUSH_H
#define ROTARY_SHADERS_PUSH_H

#ifdef __cplusplus
#include <cstdint>
namespace rotary::push {
using uint = uint32_t;
#define ROTARY_PUSH_CHECK(T) static_assert(sizeof(T) <= 128 && sizeof(T) % 4 == 0, #T);
#else
#define ROTARY_PUSH_CHECK(T)
#endif

// Offsets are in elements of the bound range, so that a tensor bound in ranges (row chunks
// smaller than maxStorageBufferRange) needs no other change.

// y[i] = a[i] + b[i], i < n (elementwise.comp, ADD)
struct BinaryPush {
  uint n;
  uint a_offset;
  uint b_offset;
  uint y_offset;
};
ROTARY_PUSH_CHECK(BinaryPush)

// ---- weight kernels: get_rows, matvec, matmul, grouped experts (add below) ----

// ---- activation kernels: norms, rope, attention, router, elementwise, logits (add below) ----

// ---- Gated DeltaNet and qwen35moe kernels (add below) ----

// ---- residency (add below) ----

#ifdef __cplusplus
}  // namespace rotary::push
#undef ROTARY_PUSH_CHECK
#endif
#endif  // ROTARY_SHADERS_PUSH_H

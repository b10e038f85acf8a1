#pragma once
// Matrix-matrix product for prompt processing: Y[t][r] = sum_c W[r][c] * X[t][c] for n tokens, a
// tiled kernel that dequantises weight tiles into shared memory (within 32 KiB by default) so a
// prompt of n tokens reads each weight block once per tile of tokens, not n times.
// Records, never submits.
#include <cstdint>

#include "runtime/ops/tensor.h"
#include "runtime/vk/matvec_path.h"
#include "runtime/vk/recorder.h"

namespace rotary::ops {

struct MatmulTuning {
  uint32_t tile_rows = 0;      // BM: weight rows per workgroup tile; 0: 64
  uint32_t tile_tokens = 0;    // BN: tokens per workgroup tile; 0: 16, 32 or 64 by the batch size
  uint32_t thread_rows = 0;    // TM: rows per invocation; 0: 8
  uint32_t thread_tokens = 0;  // TN: tokens per invocation; 0: BN / 8 (so 64 invocations)
  uint32_t subgroup_min = 0;   // spec constant 1; 0: the device's smallest subgroup size
  uint64_t max_range = 0;  // largest binding (weights and activations); 0: maxStorageBufferRange
  // scalar tiles or cooperative matrices (runtime/vk/matvec_path.h); automatic: the device's
  // forced path (vk::Device::matmul_path), else scalar. The coopmat path ignores the tile fields
  // (64 x 64 tiles, 4 subgroups of the device's subgroup size).
  vk::MatmulPath path = vk::MatmulPath::automatic;

  // Invocations per workgroup: (BM / TM) * (BN / TN).
  uint32_t workgroup_size() const {
    return (tile_rows / thread_rows) * (tile_tokens / thread_tokens);
  }
};

// Zero fields replaced by defaults for a batch of `n` tokens; throws Error(InvalidArgument) for
// tiles that do not divide or do not fit the device (workgroup size, shared memory for `nmat`
// weight tiles at once: 2 for the fused expert gate/up).
MatmulTuning resolve(const MatmulTuning& tuning, const vk::DeviceCaps& caps, uint32_t n,
                     uint32_t nmat = 1);
// Shared memory of one workgroup: nmat weight tiles of BM x 32 and an activation tile of BN x 32.
uint32_t matmul_shared_bytes(const MatmulTuning& tuning, uint32_t nmat);

// The shader variant and path matmul takes for `type` on this device (Error(Unsupported) for a
// forced coopmat the device or the build lacks).
vk::MatmulPath matmul_path(const vk::Device& device, vk::MatmulPath tuning_path, GgmlType type);
std::string matmul_coopmat_shader(GgmlType type);

// x holds n rows of w.cols floats, y n rows of w.rows floats. Work over the binding limit is split
// by weight rows and by tokens, one dispatch per piece.
void matmul(vk::Recorder& rec, const WeightView& w, const vk::BufferView& x,
            const vk::BufferView& y, uint32_t n, const MatmulTuning& tuning = {});

}  // namespace rotary::ops

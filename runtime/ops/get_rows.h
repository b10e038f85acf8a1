#pragma once
// Embedding lookup: rows of a weight, dequantised to f32 (bit-identical with the CPU reference).
// Records, never submits.
#include <cstdint>

#include "runtime/ops/tensor.h"
#include "runtime/vk/recorder.h"

namespace rotary::ops {

struct GetRowsTuning {
  uint32_t workgroup_size = 0;  // invocations per workgroup, a power of two; 0: 64
  uint32_t subgroup_min = 0;    // spec constant 1; 0: the device's smallest subgroup size
  uint64_t max_range = 0;  // largest weight binding; 0: maxStorageBufferRange (tests pass less)
};

GetRowsTuning resolve(const GetRowsTuning& tuning, const vk::DeviceCaps& caps);

// out[i][c] = W[ids[i]][c] for i < count: ids holds count uint32 row indices (each < w.rows; an
// id out of range leaves its output row unwritten), out count rows of w.cols floats. A weight
// over the binding limit is bound in row chunks, one dispatch each over all ids.
void get_rows(vk::Recorder& rec, const WeightView& w, const vk::BufferView& ids, uint32_t count,
              const vk::BufferView& out, const GetRowsTuning& tuning = {});

}  // namespace rotary::ops

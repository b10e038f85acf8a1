#pragma once
// Matrix-vector product with a weight read in its quantised blocks (batch 1: the decode path).
// Records, never submits; barriers around it are the caller's.
#include <cstdint>

#include "runtime/ops/tensor.h"
#include "runtime/vk/recorder.h"

namespace rotary::ops {

struct MatvecTuning {
  uint32_t workgroup_size = 0;      // invocations per workgroup, a power of two; 0: device default
  uint32_t rows_per_workgroup = 0;  // rows one workgroup computes; 0: device default
  uint32_t subgroup_min = 0;        // spec constant 1; 0: the device's smallest subgroup size
  uint64_t max_range = 0;  // largest weight binding; 0: maxStorageBufferRange (tests pass less)
};

// Zero fields replaced by the device defaults for rows of `units` units (weight_types.h): on GPUs,
// 64 invocations x 2 rows when a row has at least 64 units, else 32 (at least a subgroup) x 4 rows,
// so short rows (expert down projections: 24 Q4_K units) do not leave most invocations idle; on
// CPU devices one subgroup and 1 row (lavapipe runs a subgroup as one SIMD loop; larger
// workgroups and row loops measured 1.4-4x slower there, docs/kernels.md).
MatvecTuning resolve(const MatvecTuning& tuning, const vk::DeviceCaps& caps, uint32_t units = 64);

// y[r] = sum_c W[r][c] * x[c] for r < w.rows: x holds w.cols floats, y w.rows floats. A weight
// larger than the binding limit is computed in row chunks, one dispatch each.
void matvec(vk::Recorder& rec, const WeightView& w, const vk::BufferView& x,
            const vk::BufferView& y, const MatvecTuning& tuning = {});

}  // namespace rotary::ops

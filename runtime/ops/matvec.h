#pragma once
// Matrix-vector product with a weight read in its quantised blocks (batch 1: the decode path).
// Records, never submits; barriers around it are the caller's.
#include <cstdint>

#include "loader/ggml_types.h"
#include "runtime/ops/tensor.h"
#include "runtime/vk/matvec_path.h"
#include "runtime/vk/recorder.h"

namespace rotary::ops {

struct MatvecTuning {
  uint32_t workgroup_size = 0;      // invocations per workgroup, a power of two; 0: device default
  uint32_t rows_per_workgroup = 0;  // rows one workgroup computes; 0: device default
  // Invocations per row group (spec constant: a power of two up to the workgroup size); a
  // workgroup of W invocations computes W / lanes rows at once. 0: chosen from the row length.
  uint32_t lanes = 0;
  // The load/arithmetic path (runtime/vk/matvec_path.h); automatic: the device's forced path if
  // any (vk::Device::matvec_path), else chosen from its capabilities.
  vk::MatvecPath path = vk::MatvecPath::automatic;
  uint32_t subgroup_min = 0;        // spec constant 1; 0: the device's smallest subgroup size
  uint64_t max_range = 0;  // largest weight binding; 0: maxStorageBufferRange (tests pass less)
};

// Zero fields replaced by the device defaults for rows of `units` units (weight_types.h): on GPUs,
// 64 invocations (at least a subgroup); on CPU devices one subgroup (lavapipe runs a subgroup as
// one SIMD loop; larger workgroups and row loops measured 1.4-4x slower there, docs/kernels.md).
// Lanes: the power of two up to the workgroup size that leaves the fewest invocations idle
// (pick_lanes), so short rows (expert down projections: 24 Q4_K units) keep every lane busy with
// several rows per subgroup. Rows: one per row group, two per group on GPUs for rows of at least
// 64 units. `path` is left as given.
MatvecTuning resolve(const MatvecTuning& tuning, const vk::DeviceCaps& caps, uint32_t units = 64);

// The power of two L in [min(4, workgroup), workgroup] whose ceil(units / L) * L wastes the
// smallest fraction of invocations; the largest such L on ties.
uint32_t pick_lanes(uint32_t workgroup_size, uint32_t units);

// The path a kernel with f32 activations (matvec, the grouped expert kernels) takes: tuning_path,
// else the device's forced path, else the capabilities' choice (vk::resolve_matvec_path); dot,
// which needs Q8_1 activations (matvec_q8_1), falls back to u16 or u32. Throws
// Error(Unsupported) when forced to a path the device lacks.
vk::MatvecPath matvec_path(const vk::Device& device, vk::MatvecPath tuning_path);
// The shader variant of `family` ("matvec", "expert_gate_up", "expert_down") for `type` on `path`.
std::string matvec_shader(const char* family, GgmlType type, vk::MatvecPath path);

// y[r] = sum_c W[r][c] * x[c] for r < w.rows: x holds w.cols floats, y w.rows floats. A weight
// larger than the binding limit is computed in row chunks, one dispatch each. Takes the u32 or
// u16 path (the dot path needs the activations as Q8_1: a forced dot falls back here).
void matvec(vk::Recorder& rec, const WeightView& w, const vk::BufferView& x,
            const vk::BufferView& y, const MatvecTuning& tuning = {});

// The dot path. Q8_1 blocks of 32 activations, 40 bytes each (shaders/quant/dot_q8.glsl).
inline uint64_t q8_1_bytes(uint64_t n) { return n / 32 * 40; }
// xq = Q8_1(x[0, n)), n a positive multiple of 32: d = max|x| / 127, q = round(x / d).
void quantize_q8_1(vk::Recorder& rec, const vk::BufferView& x, uint32_t n, const vk::BufferView& xq);
// y = W dequant(xq) by integer dot products (VK_KHR_shader_integer_dot_product), for the weight
// types with dot kernels (has_dot_kernels: Q4_0, Q8_0, Q4_K, Q5_K, Q6_K); xq holds w.cols activations
// as quantize_q8_1 writes them. Throws Error(Unsupported) on other types or devices without
// integer dot products. Same row chunking and tuning as matvec (tuning.path is ignored).
void matvec_q8_1(vk::Recorder& rec, const WeightView& w, const vk::BufferView& xq,
                 const vk::BufferView& y, const MatvecTuning& tuning = {});

}  // namespace rotary::ops

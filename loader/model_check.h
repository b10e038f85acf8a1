#pragma once
// The one check of a model file, run by `rotary info` and by loading (rotary run, chat, bench)
// alike, so that a file info accepts is one rotary runs: the hyperparameters (read_hparams: every
// key's type and range), the tensors against the architecture (validate_tensors), and what
// rotary's compute kernels can run. The kernels' limits come in as data (runtime/ops fills
// KernelLimits: ops::kernel_limits()), so that loader/ stays free of Vulkan; each refusal names
// the GGUF key, its value, and the values rotary supports.
#include <cstdint>
#include <vector>

#include "loader/ggml_types.h"
#include "loader/gguf_reader.h"
#include "loader/hparams.h"

namespace rotary {

struct KernelLimits {
  // Attention: key and value head sizes equal, a power of two in [min_head_dim, max_head_dim].
  uint32_t min_head_dim = 4, max_head_dim = 256;
  uint32_t max_rope_dims = 512;                       // rope.dimension_count
  uint32_t max_experts = 512, max_experts_used = 16;  // the GPU router's top-k
  uint32_t max_ssm_state = 256;                       // Gated DeltaNet key head size
  uint32_t min_conv_kernel = 2, max_conv_kernel = 8;
  std::vector<GgmlType> weight_types;  // types the weight kernels read; empty: not checked
};

// Throws Error(Unsupported) for a model the kernels cannot run (after read_hparams and
// validate_tensors accepted it).
void check_kernel_limits(const ModelHparams& h, const GgufFile& file, const KernelLimits& limits);

// read_hparams, validate_tensors and check_kernel_limits: InvalidModel or Unsupported.
ModelHparams validate_model(const GgufFile& file, const KernelLimits& limits);

}  // namespace rotary

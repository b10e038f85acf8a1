#pragma once
// Where routed experts come from: the expert tensors of the memory-mapped GGUF. One expert's
// gate, up and down matrices are contiguous slices of the 3-D tensors (expert index outermost).
// Types may differ by layer (Q4_K_M quantises ffn_down_exps more finely in some layers).
#include <algorithm>
#include <cstdint>
#include <span>
#include <vector>

#include "loader/gguf_reader.h"
#include "loader/hparams.h"

namespace rotary {

struct ExpertMatrices {
  std::span<const std::byte> gate, up, down;
  uint64_t bytes() const { return gate.size() + up.size() + down.size(); }
};

class ExpertSource {
 public:
  // Throws Error(Unsupported) when gate and up differ in type in some layer (the grouped kernels
  // read them with one decoder) or a type has no kernel.
  ExpertSource(const GgufFile& file, const ModelHparams& h);

  uint32_t layers() const { return static_cast<uint32_t>(layers_.size()); }
  uint32_t experts() const { return n_expert_; }
  uint32_t n_embd() const { return n_embd_; }
  uint32_t n_ff() const { return n_ff_; }
  GgmlType gate_up_type(uint32_t layer) const { return layers_[layer].gate_up_type; }
  GgmlType down_type(uint32_t layer) const { return layers_[layer].down_type; }
  ExpertMatrices matrices(uint32_t layer, uint32_t expert) const;

  // The largest gate, up and down slice over all layers: a slot that holds these holds any expert.
  uint64_t max_gate_bytes() const { return max_gate_; }
  uint64_t max_up_bytes() const { return max_up_; }
  uint64_t max_down_bytes() const { return max_down_; }
  uint64_t total_bytes() const { return total_; }
  uint64_t max_matrix_bytes() const { return std::max({max_gate_, max_up_, max_down_}); }
  // The whole memory-mapped file, and the bytes of layer `layer`'s three expert tensors.
  std::span<const std::byte> file_bytes() const { return file_; }
  std::vector<std::span<const std::byte>> tensor_spans(uint32_t layer) const;
  std::vector<std::span<const std::byte>> all_tensor_spans() const;

 private:
  struct Layer {
    const GgufTensorInfo* gate;
    const GgufTensorInfo* up;
    const GgufTensorInfo* down;
    GgmlType gate_up_type, down_type;
  };
  std::span<const std::byte> file_;
  std::vector<Layer> layers_;
  uint32_t n_expert_ = 0, n_embd_ = 0, n_ff_ = 0;
  uint64_t max_gate_ = 0, max_up_ = 0, max_down_ = 0, total_ = 0;
};

}  // namespace rotary

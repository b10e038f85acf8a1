#pragma once
// The dense weights (attention, norms, routers, shared experts, embeddings, output head):
// everything but the routed experts, resident in VRAM for the life of a model. Loaded once from
// the memory-mapped GGUF into one exactly-sized weight arena, through a staging ring.
#include <map>
#include <string>
#include <string_view>

#include "loader/gguf_reader.h"
#include "loader/hparams.h"
#include "runtime/ops/tensor.h"
#include "runtime/vk/context.h"

namespace rotary {

class DenseWeights {
 public:
  // Which tensors are dense and used: not routed experts, not the MTP blocks (plain generation
  // never runs them; they must not take VRAM).
  static bool wanted(const GgufTensorInfo& t, const ModelHparams& h);
  // VRAM the dense weights take on `caps`'s device, alignment included (for the planner).
  static uint64_t planned_bytes(const GgufFile& file, const ModelHparams& h, const vk::DeviceCaps& caps);
  // VRAM of the kernels' lookup tables (vk::ShaderTables) when a tensor of the file, dense or
  // expert, is of a type whose kernels read them; else 0. The plan counts it with the dense
  // weights, and load() creates the tables, before the slot pool takes what is left.
  static uint64_t lookup_table_bytes(const GgufFile& file);

  // Uploads on the compute queue (one-time work; ordering by submission order and a barrier).
  // Shows a progress bar on stderr when `progress` and stderr is a terminal.
  static DenseWeights load(vk::GpuContext& gpu, const GgufFile& file, const ModelHparams& h, bool progress);

  bool has(std::string_view name) const { return tensors_.find(name) != tensors_.end(); }
  // A weight matrix: cols = shape[0] (the contiguous input dimension), rows = the product of the
  // other dimensions. Throws Error(InvalidModel) when the tensor is missing.
  ops::WeightView matrix(std::string_view name) const;
  // A 1-D F32 tensor (norm weights, biases, gates). Throws when missing or not F32.
  vk::BufferView vector(std::string_view name) const;
  uint64_t bytes() const { return arena_.allocated_bytes(); }
  // Every weight with its VRAM view, in name order.
  template <typename Fn>
  void for_each(Fn&& fn) const {
    for (const auto& [name, e] : tensors_) fn(name, e.view);
  }

 private:
  struct Entry {
    vk::BufferView view;
    GgmlType type;
    std::vector<uint64_t> shape;
  };
  explicit DenseWeights(vk::WeightArena arena) : arena_(std::move(arena)) {}
  const Entry& entry(std::string_view name) const;

  vk::WeightArena arena_;
  std::map<std::string, Entry, std::less<>> tensors_;
};

}  // namespace rotary

#pragma once
// The tensors each architecture's GGUF holds: names, shapes (ggml ne order) and which are routed
// experts. `blk.N.ffn_{gate,up,down}_exps.weight` are the routed experts (3-D, the expert index
// outermost, so one expert's slice is contiguous); everything else is dense.
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "loader/gguf_reader.h"
#include "loader/hparams.h"

namespace rotary {

struct TensorSpec {
  std::string name;             // "blk.3.attn_q.weight"
  std::vector<uint64_t> shape;  // ne order: {n_in, n_out} for a weight
  int32_t layer = -1;           // block index; -1 outside the blocks (token_embd, output, ...)
  bool required = true;         // optional: output (tied to token_embd), the MTP blocks' tensors
  bool routed_expert = false;
};

// N of "blk.<N>.<anything>"; nullopt for names outside the blocks.
std::optional<uint32_t> tensor_block_index(std::string_view name);
// True exactly for "blk.<N>.ffn_gate_exps.weight", "...ffn_up_exps..." and "...ffn_down_exps...".
bool is_routed_expert_tensor(std::string_view name);

// Every tensor the architecture expects: the global ones, then block 0, 1, ...
std::vector<TensorSpec> model_tensors(const ModelHparams& h);
// The tensors of block `layer` (0 <= layer < n_layer_all); none for a qwen3moe MTP block.
std::vector<TensorSpec> block_tensors(const ModelHparams& h, uint32_t layer);
std::vector<TensorSpec> global_tensors(const ModelHparams& h);

// Checks that the file holds every required tensor with the expected shape (trailing 1s
// ignored, as ggml does) and nothing else. Throws InvalidModel naming the first mismatch.
void validate_tensors(const ModelHparams& h, const GgufFile& file);

// What a tensor does, for reports: "embedding", "attention", "gated deltanet", "router",
// "experts", "shared expert", "dense ffn", "mtp", "norms and small" (norms, conv, GDN scalars), "output".
std::string_view tensor_role(std::string_view name);

// The types of the tensors of one role, in ggml id order.
struct RoleTypes {
  std::string role;
  std::map<GgmlType, uint32_t> tensors_by_type;
};

struct WeightSummary {
  uint64_t total_bytes = 0;
  uint64_t dense_bytes = 0;
  uint64_t expert_bytes = 0;  // every routed-expert tensor
  std::map<GgmlType, uint32_t> tensors_by_type;
  std::map<GgmlType, uint64_t> bytes_by_type;
  // Bytes of one routed expert (gate + up + down) per block, n_layer_all entries. Q4_K_M files
  // quantise ffn_down_exps differently in some blocks, so the values differ between blocks.
  std::vector<uint64_t> expert_bytes_per_layer;
  std::vector<RoleTypes> roles;  // in the order of first appearance in the file
  // Tensors in types rotary cannot compute with (GgmlTypeInfo::supported_by_rotary false).
  std::vector<const GgufTensorInfo*> unsupported;
};

// Needs a file that passed validate_tensors.
WeightSummary summarize_weights(const ModelHparams& h, const GgufFile& file);

// The bytes of expert `expert` inside a routed-expert tensor {n_in, n_out, n_expert}.
std::span<const std::byte> expert_slice(const GgufTensorInfo& tensor, uint32_t expert);

}  // namespace rotary

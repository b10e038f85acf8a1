#pragma once
// Tiny, complete GGUF models of each architecture (a few KB), built with GgufWriter for tests and
// for the fuzz seed corpus. Tensor bytes are a seeded pattern; shapes follow the catalogue's
// layout as models.md describes it, written out here independently of loader/model_catalog.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "loader/ggml_types.h"
#include "loader/gguf_writer.h"
#include "loader/hparams.h"

namespace rotary::test {

struct TinyModel {
  Architecture arch = Architecture::Qwen3Moe;
  uint32_t n_layer = 2;  // blocks used for generation
  uint32_t n_nextn = 0;  // extra MTP blocks at the end
  uint32_t n_embd = 32;
  uint32_t n_head = 4, n_head_kv = 2, head_dim = 8;
  uint32_t n_expert = 4, n_expert_used = 2, n_ff_exp = 32, n_ff_shexp = 32;
  uint32_t n_vocab = 8;
  // GDN (qwen35moe, qwen3next)
  uint32_t ssm_conv = 4, ssm_state = 8, ssm_groups = 2, ssm_v_heads = 4,
           full_attention_interval = 2;
  bool tied_output = false;              // leave out output.weight
  GgmlType weight_type = GgmlType::F16;  // 2-D weights; norms and routers are F32
  // Per block, the type of ffn_down_exps (Q4_K_M files vary it by block); weight_type if empty.
  std::vector<GgmlType> down_exps_types;
  uint32_t alignment = 32;  // general.alignment is written when it differs from 32
  uint64_t seed = 1;
  // Malformed files for tests: these keys get this value instead of the one add_tiny_metadata
  // would write (or are added); keys in `drop` are left out; no MTP tensors when false.
  std::vector<std::pair<std::string, GgufValue>> metadata;
  std::vector<std::string> drop;
  bool mtp_tensors = true;
};

// Bytes of a seeded pattern (splitmix64), reproducible across machines.
std::vector<std::byte> pattern_bytes(uint64_t n, uint64_t seed);

// Metadata for the model and a tiny byte-level vocabulary ("a", "b", ...) with merges.
void add_tiny_metadata(GgufWriter& w, const TinyModel& m);
// Every tensor of the model, with its bytes.
void add_tiny_tensors(GgufWriter& w, const TinyModel& m);

// The whole file in memory.
std::vector<std::byte> tiny_model_bytes(const TinyModel& m);

}  // namespace rotary::test

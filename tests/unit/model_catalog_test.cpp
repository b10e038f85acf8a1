// The tensor catalogue: counts and shapes of the real models (from shared/reference/models.md),
// validation of tiny files of each architecture, the first-mismatch errors, and the byte
// accounting (dense / routed experts / one expert per block).
#include <doctest/doctest.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "loader/gguf_reader.h"
#include "loader/gguf_writer.h"
#include "loader/model_catalog.h"
#include "tests/support/check_error.h"
#include "tests/support/tiny_models.h"

namespace rotary {
namespace {

using test::TinyModel;

// Qwen3-30B-A3B as models.md section 1 gives it.
ModelHparams qwen3_30b() {
  ModelHparams h;
  h.arch = Architecture::Qwen3Moe;
  h.n_layer_all = h.n_layer = 48;
  h.n_embd = 2048;
  h.n_vocab = 151936;
  h.n_head = 32;
  h.n_head_kv = 4;
  h.head_dim_k = h.head_dim_v = h.n_rot = 128;
  h.n_expert = 128;
  h.n_expert_used = 8;
  h.n_ff_exp = 768;
  h.recurrent.assign(48, false);
  return h;
}

// Qwen3.5/3.6-35B-A3B (models.md section 2), without the MTP block.
ModelHparams qwen35_35b() {
  ModelHparams h;
  h.arch = Architecture::Qwen35Moe;
  h.n_layer_all = h.n_layer = 40;
  h.n_embd = 2048;
  h.n_vocab = 248320;
  h.n_head = 16;
  h.n_head_kv = 2;
  h.head_dim_k = h.head_dim_v = 256;
  h.n_rot = 64;
  h.n_expert = 256;
  h.n_expert_used = 8;
  h.n_ff_exp = 512;
  h.n_ff_shexp = 512;
  h.ssm = {4, 128, 16, 32, 4096};
  h.full_attention_interval = 4;
  for (uint32_t i = 0; i < 40; ++i) h.recurrent.push_back((i + 1) % 4 != 0);
  return h;
}

const TensorSpec& spec(const std::vector<TensorSpec>& specs, std::string_view name) {
  for (const auto& s : specs)
    if (s.name == name) return s;
  FAIL("no spec ", name);
  throw std::logic_error("unreachable");
}

TEST_CASE("catalogue: Qwen3-30B-A3B has 579 tensors with the shapes of models.md") {
  const auto specs = model_tensors(qwen3_30b());
  CHECK(specs.size() == 579);  // 3 global + 12 per block
  CHECK(spec(specs, "token_embd.weight").shape == std::vector<uint64_t>{2048, 151936});
  CHECK(spec(specs, "blk.0.attn_q.weight").shape == std::vector<uint64_t>{2048, 4096});
  CHECK(spec(specs, "blk.0.attn_k.weight").shape == std::vector<uint64_t>{2048, 512});
  CHECK(spec(specs, "blk.0.attn_output.weight").shape == std::vector<uint64_t>{4096, 2048});
  CHECK(spec(specs, "blk.47.attn_q_norm.weight").shape == std::vector<uint64_t>{128});
  CHECK(spec(specs, "blk.47.ffn_gate_inp.weight").shape == std::vector<uint64_t>{2048, 128});
  CHECK(spec(specs, "blk.47.ffn_up_exps.weight").shape == std::vector<uint64_t>{2048, 768, 128});
  CHECK(spec(specs, "blk.47.ffn_down_exps.weight").shape == std::vector<uint64_t>{768, 2048, 128});
  CHECK(!spec(specs, "output.weight").required);  // may be tied to token_embd
  int experts = 0;
  for (const auto& s : specs) experts += s.routed_expert ? 1 : 0;
  CHECK(experts == 48 * 3);
  // llama.cpp's qwen3moe has no MTP head: a declared MTP block holds no tensors.
  auto mtp = qwen3_30b();
  mtp.n_layer_all = 49;
  mtp.n_nextn = 1;
  mtp.recurrent.push_back(false);
  CHECK(model_tensors(mtp).size() == 579);
  CHECK(block_tensors(mtp, 48).empty());
}

TEST_CASE("catalogue: Qwen3.5-35B-A3B, 30 Gated DeltaNet blocks and 10 attention blocks") {
  const auto h = qwen35_35b();
  const auto specs = model_tensors(h);
  CHECK(specs.size() == 3 + 40 * 10 + 30 * 9 + 10 * 6);  // shared / GDN / attention tensors
  CHECK(spec(specs, "blk.0.attn_qkv.weight").shape == std::vector<uint64_t>{2048, 8192});
  CHECK(spec(specs, "blk.0.attn_gate.weight").shape == std::vector<uint64_t>{2048, 4096});
  CHECK(spec(specs, "blk.0.ssm_conv1d.weight").shape == std::vector<uint64_t>{4, 8192});
  CHECK(spec(specs, "blk.0.ssm_beta.weight").shape == std::vector<uint64_t>{2048, 32});
  CHECK(spec(specs, "blk.0.ssm_a").shape == std::vector<uint64_t>{32});
  CHECK(spec(specs, "blk.0.ssm_norm.weight").shape == std::vector<uint64_t>{128});
  CHECK(spec(specs, "blk.0.ssm_out.weight").shape == std::vector<uint64_t>{4096, 2048});
  CHECK(spec(specs, "blk.3.attn_q.weight").shape == std::vector<uint64_t>{2048, 8192});
  CHECK(spec(specs, "blk.3.attn_k.weight").shape == std::vector<uint64_t>{2048, 512});
  CHECK(spec(specs, "blk.3.attn_output.weight").shape == std::vector<uint64_t>{4096, 2048});
  CHECK(spec(specs, "blk.39.ffn_gate_inp_shexp.weight").shape == std::vector<uint64_t>{2048});
  CHECK(spec(specs, "blk.39.ffn_down_shexp.weight").shape == std::vector<uint64_t>{512, 2048});
  CHECK(spec(specs, "blk.39.ffn_gate_exps.weight").shape == std::vector<uint64_t>{2048, 512, 256});
  CHECK(block_tensors(h, 3).size() == 16);
  CHECK_ROTARY_ERROR(block_tensors(h, 40), ErrorKind::InvalidArgument,
                     "block 40 of a model with 40 blocks");
}

TEST_CASE("catalogue: routed experts are exactly blk.N.ffn_{gate,up,down}_exps.weight") {
  CHECK(is_routed_expert_tensor("blk.0.ffn_gate_exps.weight"));
  CHECK(is_routed_expert_tensor("blk.47.ffn_up_exps.weight"));
  CHECK(is_routed_expert_tensor("blk.123.ffn_down_exps.weight"));
  CHECK(!is_routed_expert_tensor("blk.0.ffn_gate_shexp.weight"));
  CHECK(!is_routed_expert_tensor("blk.0.ffn_gate_inp.weight"));
  CHECK(!is_routed_expert_tensor("ffn_gate_exps.weight"));
  CHECK(!is_routed_expert_tensor("blk.x.ffn_up_exps.weight"));
  CHECK(!is_routed_expert_tensor("blk..ffn_up_exps.weight"));
  CHECK(!is_routed_expert_tensor("blk.1.ffn_down_exps.bias"));
  CHECK(!is_routed_expert_tensor("blk.99999999999.ffn_down_exps.weight"));
  CHECK(tensor_block_index("blk.17.attn_q.weight") == 17u);
  CHECK(!tensor_block_index("output.weight").has_value());
}

ModelHparams hparams_of(const GgufFile& f) {
  return read_hparams(f.metadata());
}

TEST_CASE("catalogue: tiny files of every architecture validate") {
  for (auto arch : {Architecture::Qwen3Moe, Architecture::Qwen35Moe, Architecture::Qwen3Next}) {
    for (bool mtp : {false, true}) {
      for (bool tied : {false, true}) {
        CAPTURE(architecture_name(arch));
        CAPTURE(mtp);
        CAPTURE(tied);
        TinyModel m;
        m.arch = arch;
        m.n_layer = 4;
        m.n_nextn = mtp ? 1 : 0;
        m.tied_output = tied;
        m.weight_type = GgmlType::Q8_0;
        const auto bytes = test::tiny_model_bytes(m);
        const auto file = GgufFile::parse(bytes);
        const auto h = hparams_of(file);
        CHECK_NOTHROW(validate_tensors(h, file));
      }
    }
  }
}

// A tiny qwen3moe file with one tensor replaced by an F32 one of `shape` (or dropped), and
// optionally an extra tensor.
std::vector<std::byte> tiny_with(const std::string& replace, std::vector<uint64_t> shape,
                                 bool drop = false, bool extra = false) {
  const TinyModel m;
  GgufWriter source;
  test::add_tiny_tensors(source, m);
  const auto source_bytes = source.to_bytes();
  const auto parsed = GgufFile::parse(source_bytes);
  GgufWriter w;
  test::add_tiny_metadata(w, m);
  for (const auto& t : parsed.tensors()) {
    if (t.name != replace) {
      w.add_tensor(t.name, t.type, t.shape, t.data);
    } else if (!drop) {
      uint64_t n = 1;
      for (auto d : shape) n *= d;
      w.add_tensor(t.name, GgmlType::F32, shape, test::pattern_bytes(n * 4, 9));
    }
  }
  if (extra) w.add_tensor("blk.0.attn_qkv.weight", GgmlType::F32, {4}, test::pattern_bytes(16, 3));
  return w.to_bytes();
}

TEST_CASE("catalogue: validation names the first mismatch") {
  {
    const auto bytes = tiny_with("blk.1.attn_k.weight", {32, 17});
    const auto f = GgufFile::parse(bytes, "tiny.gguf");
    CHECK_ROTARY_ERROR(validate_tensors(hparams_of(f), f), ErrorKind::InvalidModel,
                       "has shape {32, 17}, qwen3moe with these hyperparameters expects {32, 16}");
    CHECK_ROTARY_ERROR(validate_tensors(hparams_of(f), f), ErrorKind::InvalidModel,
                       "tiny.gguf: tensor 'blk.1.attn_k.weight' (info at byte");
  }
  {
    const auto bytes =
        tiny_with("blk.0.ffn_gate_exps.weight", {32, 32, 4, 1});  // trailing 1s are fine
    const auto f = GgufFile::parse(bytes);
    CHECK_NOTHROW(validate_tensors(hparams_of(f), f));
  }
  {
    const auto bytes = tiny_with("blk.1.ffn_norm.weight", {}, true);
    const auto f = GgufFile::parse(bytes);
    CHECK_ROTARY_ERROR(validate_tensors(hparams_of(f), f), ErrorKind::InvalidModel,
                       "missing tensor 'blk.1.ffn_norm.weight' (qwen3moe expects shape {32})");
  }
  {
    const auto bytes = tiny_with("", {}, false, true);
    const auto f = GgufFile::parse(bytes);
    CHECK_ROTARY_ERROR(validate_tensors(hparams_of(f), f), ErrorKind::InvalidModel,
                       "unexpected tensor 'blk.0.attn_qkv.weight'");
  }
  {
    TinyModel m;
    m.arch = Architecture::Qwen3Next;
    auto bytes = test::tiny_model_bytes(m);
    // Rename blk.0.attn_qkv.weight in place (same length) so that the recurrent block lacks it.
    const std::string from = "blk.0.attn_qkv.weight", to = "blk.0.attn_qkx.weight";
    auto it =
        std::search(bytes.begin(), bytes.end(), reinterpret_cast<const std::byte*>(from.data()),
                    reinterpret_cast<const std::byte*>(from.data() + from.size()));
    REQUIRE(it != bytes.end());
    std::memcpy(&*it, to.data(), to.size());
    const auto f = GgufFile::parse(bytes);
    CHECK_ROTARY_ERROR(validate_tensors(hparams_of(f), f), ErrorKind::InvalidModel,
                       "missing tensor 'blk.0.attn_qkv.weight' and 'blk.0.attn_gate.weight'");
  }
}

TEST_CASE("catalogue: bytes of dense weights, routed experts, and one expert per block") {
  TinyModel m;  // gate/up F16; down Q8_0 in block 0, F16 in block 1
  m.down_exps_types = {GgmlType::Q8_0, GgmlType::F16};
  const auto bytes = test::tiny_model_bytes(m);
  const auto file = GgufFile::parse(bytes);
  const auto h = hparams_of(file);
  validate_tensors(h, file);
  const auto s = summarize_weights(h, file);
  // gate + up: 2 x 32x32 F16 = 4096 B per expert; down: 32x32 as Q8_0 (32 blocks of 34 B) or F16.
  CHECK(s.expert_bytes_per_layer == std::vector<uint64_t>{4096 + 32 * 34, 4096 + 2048});
  CHECK(s.expert_bytes == 4 * (4096 + 1088 + 4096 + 2048));
  uint64_t total = 0;
  for (const auto& t : file.tensors()) total += t.n_bytes;
  CHECK(s.total_bytes == total);
  CHECK(s.dense_bytes == total - s.expert_bytes);
  CHECK(s.tensors_by_type.at(GgmlType::Q8_0) == 1);
  CHECK(s.bytes_by_type.at(GgmlType::Q8_0) == 4 * 1088);

  const auto* gate = file.find_tensor("blk.1.ffn_gate_exps.weight");
  REQUIRE(gate);
  const auto slice = expert_slice(*gate, 3);
  CHECK(slice.size() == 2048);
  CHECK(slice.data() == gate->data.data() + 3 * 2048);
  CHECK_ROTARY_ERROR(expert_slice(*gate, 4), ErrorKind::InvalidArgument, "expert 4 of tensor");
}

}  // namespace
}  // namespace rotary

// Hyperparameters from metadata: the values a tiny model declares, llama.cpp's defaults for the
// optional keys, per-block arrays, and the errors for unsupported or broken metadata.
#include <doctest/doctest.h>

#include "loader/gguf_writer.h"
#include "loader/hparams.h"
#include "tests/support/check_error.h"
#include "tests/support/tiny_models.h"

namespace rotary {
namespace {

using test::TinyModel;

GgufMetadata metadata_of(const TinyModel& m, const std::vector<std::string>& remove = {},
                         const std::vector<std::pair<std::string, GgufValue>>& set = {}) {
  GgufWriter w;
  test::add_tiny_metadata(w, m);
  GgufMetadata out("tiny.gguf");
  for (const auto& e : w.metadata().entries()) {
    if (std::find(remove.begin(), remove.end(), e.key) != remove.end()) continue;
    bool replaced = false;
    for (const auto& [k, v] : set) replaced = replaced || k == e.key;
    if (!replaced) out.insert(e.key, e.value);
  }
  for (const auto& [k, v] : set) out.insert(k, v);
  return out;
}

TEST_CASE("hparams: a tiny qwen3moe reads back what it declares") {
  const TinyModel m;
  const auto h = read_hparams(metadata_of(m));
  CHECK(h.arch == Architecture::Qwen3Moe);
  CHECK(h.n_layer_all == 2);
  CHECK(h.n_layer == 2);
  CHECK(h.n_nextn == 0);
  CHECK(h.n_embd == 32);
  CHECK(h.n_ctx_train == 256);
  CHECK(h.n_vocab == 8);
  CHECK(h.n_head == 4);
  CHECK(h.n_head_kv == 2);
  CHECK(h.head_dim_k == 8);
  CHECK(h.head_dim_v == 8);
  CHECK(h.n_rot == 8);  // no rope.dimension_count: the head dimension
  CHECK(h.rope_freq_base == 1e6f);
  CHECK(h.rms_eps == 1e-6f);
  CHECK(h.n_expert == 4);
  CHECK(h.n_expert_used == 2);
  CHECK(h.n_ff_exp == 32);
  CHECK(h.n_ff_shexp == 0);
  CHECK(!h.has_shared_expert());
  CHECK(h.recurrent == std::vector<bool>{false, false});
}

TEST_CASE("hparams: defaults of the optional keys") {
  const TinyModel m;
  const auto h =
      read_hparams(metadata_of(m,
                               {"qwen3moe.attention.head_count_kv", "qwen3moe.attention.key_length",
                                "qwen3moe.attention.value_length", "qwen3moe.rope.freq_base",
                                "qwen3moe.expert_feed_forward_length"},
                               {{"qwen3moe.feed_forward_length", GgufValue(uint32_t{96})}}));
  CHECK(h.n_head_kv == h.n_head);  // head_count_kv defaults to head_count
  CHECK(h.head_dim_k == 32 / 4);   // key_length defaults to embedding_length / head_count
  CHECK(h.head_dim_v == 32 / 4);
  CHECK(h.n_rot == h.head_dim_k);
  CHECK(h.rope_freq_base == 10000.0f);
  CHECK(h.n_ff_exp == 96 / 2);  // feed_forward_length / expert_used_count
  CHECK(h.n_nextn == 0);
}

TEST_CASE(
    "hparams: qwen35moe interval rule, recurrent_layers priority, MTP blocks, shared expert") {
  TinyModel m;
  m.arch = Architecture::Qwen35Moe;
  m.n_layer = 8;
  m.n_nextn = 1;
  const auto k = [](const char* name) { return std::string("qwen35moe.") + name; };
  SUBCASE("full_attention_interval defaults to 4; the MTP block is attention") {
    const auto h = read_hparams(metadata_of(m, {k("full_attention_interval")}));
    CHECK(h.full_attention_interval == 4);
    CHECK(h.n_layer_all == 9);
    CHECK(h.n_layer == 8);
    CHECK(h.is_mtp(8));
    CHECK(!h.is_mtp(7));
    CHECK(h.recurrent ==
          std::vector<bool>{true, true, true, false, true, true, true, false, false});
    CHECK(h.rope_sections == std::vector<int32_t>{2, 2, 0, 0});
    CHECK(h.n_rot == 4);
    CHECK(h.n_ff_shexp == 32);
    CHECK(h.ssm.conv_kernel == 4);
    CHECK(h.ssm.state_size == 8);
    CHECK(h.ssm.group_count == 2);
    CHECK(h.ssm.time_step_rank == 4);
    CHECK(h.ssm.inner_size == 32);
    CHECK(h.ssm.conv_channels() == 2 * 16 + 32);
  }
  SUBCASE("attention.recurrent_layers takes priority over the interval") {
    const std::vector<bool> flags{false, true, false, true, true, true, true, true, false};
    const auto h = read_hparams(
        metadata_of(m, {}, {{k("attention.recurrent_layers"), GgufValue(GgufArray(flags))}}));
    CHECK(h.recurrent == flags);
  }
  SUBCASE("recurrent_layers of the wrong length") {
    const std::vector<bool> flags{true, false};
    CHECK_ROTARY_ERROR(
        read_hparams(
            metadata_of(m, {}, {{k("attention.recurrent_layers"), GgufValue(GgufArray(flags))}})),
        ErrorKind::InvalidModel,
        "'qwen35moe.attention.recurrent_layers': has 2 entries, expected 9");
  }
  SUBCASE("expert_shared_feed_forward_length defaults to feed_forward_length") {
    const auto h = read_hparams(metadata_of(m, {k("expert_shared_feed_forward_length")},
                                            {{k("feed_forward_length"), GgufValue(uint32_t{64})}}));
    CHECK(h.n_ff_shexp == 64);
  }
  SUBCASE("rope.dimension_sections is required") {
    CHECK_ROTARY_ERROR(read_hparams(metadata_of(m, {k("rope.dimension_sections")})),
                       ErrorKind::InvalidModel,
                       "tiny.gguf: metadata key 'qwen35moe.rope.dimension_sections': is missing");
  }
  SUBCASE("ssm keys are required") {
    CHECK_ROTARY_ERROR(read_hparams(metadata_of(m, {k("ssm.state_size")})), ErrorKind::InvalidModel,
                       "'qwen35moe.ssm.state_size': is missing");
  }
}

TEST_CASE("hparams: per-block arrays") {
  const TinyModel m;
  const std::vector<int32_t> kv{2, 2};
  auto h = read_hparams(
      metadata_of(m, {}, {{"qwen3moe.attention.head_count_kv", GgufValue(GgufArray(kv))}}));
  CHECK(h.n_head_kv == 2);
  const std::vector<uint32_t> mixed{2, 4};
  CHECK_ROTARY_ERROR(
      read_hparams(
          metadata_of(m, {}, {{"qwen3moe.attention.head_count_kv", GgufValue(GgufArray(mixed))}})),
      ErrorKind::Unsupported, "'qwen3moe.attention.head_count_kv' differs between blocks");
}

TEST_CASE("hparams: unsupported architecture lists the supported ones") {
  const TinyModel m;
  CHECK_ROTARY_ERROR(
      read_hparams(metadata_of(m, {}, {{"general.architecture", GgufValue(std::string("llama"))}})),
      ErrorKind::Unsupported,
      "tiny.gguf: model architecture 'llama' is not supported; rotary runs qwen3moe, qwen35moe, "
      "qwen3next, gpt-oss");
  CHECK(supported_architectures() == "qwen3moe, qwen35moe, qwen3next, gpt-oss");
  CHECK(architecture_from_name("qwen3next") == Architecture::Qwen3Next);
  CHECK(architecture_from_name("gpt-oss") == Architecture::GptOss);
  CHECK(!architecture_from_name("qwen3").has_value());
}

TEST_CASE("hparams: missing or mistyped keys are InvalidModel naming the key") {
  const TinyModel m;
  CHECK_ROTARY_ERROR(read_hparams(metadata_of(m, {"general.architecture"})),
                     ErrorKind::InvalidModel, "'general.architecture': is missing");
  CHECK_ROTARY_ERROR(read_hparams(metadata_of(m, {"qwen3moe.block_count"})),
                     ErrorKind::InvalidModel, "'qwen3moe.block_count': is missing");
  CHECK_ROTARY_ERROR(
      read_hparams(metadata_of(m, {}, {{"qwen3moe.block_count", GgufValue(std::string("48"))}})),
      ErrorKind::InvalidModel, "'qwen3moe.block_count': is a str, expected an integer");
  CHECK_ROTARY_ERROR(
      read_hparams(metadata_of(m, {}, {{"qwen3moe.block_count", GgufValue(int32_t{-1})}})),
      ErrorKind::InvalidModel, "is negative");
  CHECK_ROTARY_ERROR(
      read_hparams(metadata_of(m, {}, {{"qwen3moe.block_count", GgufValue(uint64_t{1} << 40)}})),
      ErrorKind::InvalidModel, "does not fit in 32 bits");
  CHECK_ROTARY_ERROR(
      read_hparams(metadata_of(m, {}, {{"qwen3moe.block_count", GgufValue(uint32_t{100000})}})),
      ErrorKind::InvalidModel, "100000 blocks, expected 1..512");
  CHECK_ROTARY_ERROR(
      read_hparams(metadata_of(m, {}, {{"qwen3moe.expert_used_count", GgufValue(uint32_t{5})}})),
      ErrorKind::InvalidModel,
      "'qwen3moe.expert_used_count': is missing or not in 1..expert_count");
  CHECK_ROTARY_ERROR(read_hparams(metadata_of(
                         m, {}, {{"qwen3moe.attention.head_count_kv", GgufValue(uint32_t{3})}})),
                     ErrorKind::InvalidModel, "3 does not divide head_count 4");
  CHECK_ROTARY_ERROR(
      read_hparams(metadata_of(
          m, {}, {{"qwen3moe.attention.layer_norm_rms_epsilon", GgufValue(uint32_t{1})}})),
      ErrorKind::InvalidModel, "is a u32, expected f32 or f64");
  CHECK_ROTARY_ERROR(read_hparams(metadata_of(m, {"tokenizer.ggml.tokens"})),
                     ErrorKind::InvalidModel, "'tokenizer.ggml.tokens': is missing");
  CHECK_ROTARY_ERROR(
      read_hparams(metadata_of(m, {"qwen3moe.expert_feed_forward_length"})),
      ErrorKind::InvalidModel,
      "'qwen3moe.expert_feed_forward_length': is missing (and feed_forward_length too)");
}

}  // namespace
}  // namespace rotary

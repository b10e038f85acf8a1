// Tokenizer metadata as plain data: what a tiny model declares, optional keys, and errors.
#include <doctest/doctest.h>

#include "loader/gguf_reader.h"
#include "loader/gguf_writer.h"
#include "loader/tokenizer_data.h"
#include "tests/support/check_error.h"
#include "tests/support/tiny_models.h"

namespace rotary {
namespace {

GgufMetadata tokenizer_metadata(const std::vector<std::pair<std::string, GgufValue>>& kv) {
  GgufMetadata m("tok.gguf");
  for (const auto& [k, v] : kv) m.insert(k, v);
  return m;
}

TEST_CASE("tokenizer data: the fields of a tiny model, read through a file") {
  test::TinyModel model;
  model.n_vocab = 5;
  const auto bytes = test::tiny_model_bytes(model);
  const auto file = GgufFile::parse(bytes);
  const auto t = read_tokenizer_data(file.metadata());
  CHECK(t.model == "gpt2");
  CHECK(t.pre == "qwen2");
  CHECK(t.tokens == std::vector<std::string>{"a", "b", "c", "d", "<|endoftext|>"});
  CHECK(t.token_types == std::vector<int32_t>{1, 1, 1, 1, 3});
  CHECK(t.scores.empty());
  CHECK(t.merges == std::vector<std::string>{"a b"});
  CHECK(t.bos_id == 4u);
  CHECK(t.eos_id == 4u);
  CHECK(!t.eot_id.has_value());
  CHECK(!t.padding_id.has_value());
  CHECK(t.add_bos_token == false);
  CHECK(!t.add_eos_token.has_value());
  REQUIRE(t.chat_template.has_value());
  CHECK(t.chat_template->starts_with("{% for m in messages %}"));
}

TEST_CASE("tokenizer data: optional keys and accepted widths") {
  const std::vector<std::string> tokens{"x", "y"};
  const auto t = read_tokenizer_data(tokenizer_metadata({
      {"tokenizer.ggml.model", GgufValue(std::string("gpt2"))},
      {"tokenizer.ggml.tokens", GgufValue(GgufArray(tokens))},
      {"tokenizer.ggml.token_type", GgufValue(GgufArray(std::vector<uint8_t>{1, 6}))},
      {"tokenizer.ggml.scores", GgufValue(GgufArray(std::vector<float>{-1.5f, 0.f}))},
      {"tokenizer.ggml.padding_token_id", GgufValue(uint64_t{1})},
      {"tokenizer.ggml.seperator_token_id", GgufValue(int32_t{0})},
  }));
  CHECK(t.pre.empty());
  CHECK(t.merges.empty());
  CHECK(t.token_types == std::vector<int32_t>{1, 6});
  CHECK(t.scores == std::vector<float>{-1.5f, 0.f});
  CHECK(t.padding_id == 1u);
  CHECK(t.separator_id == 0u);
  CHECK(!t.bos_id.has_value());
  CHECK(!t.chat_template.has_value());
}

TEST_CASE("tokenizer data: errors name the key") {
  const std::vector<std::string> tokens{"x", "y"};
  const GgufValue model(std::string("gpt2"));
  CHECK_ROTARY_ERROR(
      read_tokenizer_data(
          tokenizer_metadata({{"tokenizer.ggml.tokens", GgufValue(GgufArray(tokens))}})),
      ErrorKind::InvalidModel, "tok.gguf: metadata key 'tokenizer.ggml.model': is missing");
  CHECK_ROTARY_ERROR(read_tokenizer_data(tokenizer_metadata({{"tokenizer.ggml.model", model}})),
                     ErrorKind::InvalidModel, "'tokenizer.ggml.tokens': is missing or empty");
  CHECK_ROTARY_ERROR(
      read_tokenizer_data(tokenizer_metadata(
          {{"tokenizer.ggml.model", model},
           {"tokenizer.ggml.tokens", GgufValue(GgufArray(std::vector<uint32_t>{1, 2}))}})),
      ErrorKind::InvalidModel, "'tokenizer.ggml.tokens': is an array of u32, expected str");
  CHECK_ROTARY_ERROR(
      read_tokenizer_data(tokenizer_metadata(
          {{"tokenizer.ggml.model", model},
           {"tokenizer.ggml.tokens", GgufValue(GgufArray(tokens))},
           {"tokenizer.ggml.token_type", GgufValue(GgufArray(std::vector<int32_t>{1}))}})),
      ErrorKind::InvalidModel, "'tokenizer.ggml.token_type': has 1 entries for 2 tokens");
  CHECK_ROTARY_ERROR(
      read_tokenizer_data(
          tokenizer_metadata({{"tokenizer.ggml.model", model},
                              {"tokenizer.ggml.tokens", GgufValue(GgufArray(tokens))},
                              {"tokenizer.ggml.merges", GgufValue(std::string("a b"))}})),
      ErrorKind::InvalidModel, "'tokenizer.ggml.merges': is a str, expected an array");
  CHECK_ROTARY_ERROR(
      read_tokenizer_data(
          tokenizer_metadata({{"tokenizer.ggml.model", model},
                              {"tokenizer.ggml.tokens", GgufValue(GgufArray(tokens))},
                              {"tokenizer.ggml.bos_token_id", GgufValue(-1.0f)}})),
      ErrorKind::InvalidModel, "'tokenizer.ggml.bos_token_id': is a f32, expected an integer");
}

}  // namespace
}  // namespace rotary

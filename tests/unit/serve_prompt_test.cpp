// `rotary serve`'s chat prompt: OpenAI messages through the model's template, and the tokens
// fed for it (what `rotary chat` feeds for the same conversation).
#include <doctest/doctest.h>

#include "cli/serve/api_error.h"
#include "cli/serve/chat_prompt.h"
#include "loader/synth/vocab.h"

namespace rotary::serve {
namespace {

using Json = nlohmann::ordered_json;

TEST_CASE("serve: messages render through the template; text parts join; kwargs reach it") {
  const ChatTemplate t(synth::kSynthChatTemplate, "<|endoftext|>", "<|im_end|>");
  const Json messages = Json::parse(R"([{"role": "system", "content": "Be brief."},
      {"role": "user", "content": [{"type": "text", "text": "Hello "}, {"type": "text", "text": "there"}]}])");
  CHECK(render_chat_prompt(t, messages, Json::array(), Json::object()) ==
        "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHello "
        "there<|im_end|>\n<|im_start|>assistant\n");
  CHECK(render_chat_prompt(t, messages, Json::array(), Json{{"enable_thinking", false}})
            .ends_with("<|im_start|>assistant\n<think>\n\n</think>\n\n"));
}

TEST_CASE("serve: the prompt's tokens parse special tokens, with a BOS only when the model asks") {
  const synth::SynthVocab v = synth::make_synth_vocab(600);
  TokenizerData d;
  d.model = "gpt2";
  d.pre = "qwen2";
  d.tokens = v.tokens;
  d.token_types = v.token_types;
  d.merges = v.merges;
  d.bos_id = v.bos_id;
  d.eos_id = v.eos_id;
  const std::string text = "<|im_start|>user\nhi<|im_end|>\n";
  d.add_bos_token = false;
  const Tokenizer plain(d);
  const std::vector<int32_t> tokens = tokenize_chat_prompt(plain, text);
  REQUIRE(tokens.size() > 2);
  CHECK(tokens.front() == static_cast<int32_t>(*plain.find_token("<|im_start|>")));
  CHECK(plain.decode(tokens, true) == text);
  d.add_bos_token = true;
  const Tokenizer with_bos(d);
  const std::vector<int32_t> b = tokenize_chat_prompt(with_bos, text);
  CHECK(b.front() == static_cast<int32_t>(v.bos_id));
  CHECK(std::vector<int32_t>(b.begin() + 1, b.end()) == tokens);
}

}  // namespace
}  // namespace rotary::serve

#include "loader/synth/vocab.h"

#include <deque>

#include "base/error.h"
#include "loader/synth/preset.h"

namespace rotary::synth {

namespace {

std::string utf8(uint32_t cp) {
  std::string s;
  if (cp < 0x80) {
    s += static_cast<char>(cp);
  } else if (cp < 0x800) {
    s += static_cast<char>(0xC0 | (cp >> 6));
    s += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    s += static_cast<char>(0xE0 | (cp >> 12));
    s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    s += static_cast<char>(0x80 | (cp & 0x3F));
  }
  return s;
}

bool printable_in_gpt2(uint32_t b) {
  return (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
}

constexpr std::string_view kLetters = "etaoinsrhldcumfpgwybvkxjqz";  // by English frequency

}  // namespace

const std::string_view kSynthChatTemplate =
    "{%- for message in messages -%}"
    "{{- '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' -}}"
    "{%- endfor -%}"
    "{%- if add_generation_prompt -%}"
    "{{- '<|im_start|>assistant\\n' -}}"
    "{%- if enable_thinking is defined and enable_thinking is false -%}"
    "{{- '<think>\\n\\n</think>\\n\\n' -}}"
    "{%- endif -%}"
    "{%- endif -%}";

const std::string_view kSynthHarmonyTemplate =
    "{%- for message in messages -%}"
    "{{- '<|start|>' + message['role'] + '<|message|>' + message['content'] + '<|end|>' -}}"
    "{%- endfor -%}"
    "{%- if add_generation_prompt -%}"
    "{{- '<|start|>assistant' -}}"
    "{%- endif -%}";

std::string gpt2_byte_token(uint8_t byte) {
  // GPT-2 maps the 188 printable bytes to themselves and the other 68, in order, to U+0100 on.
  if (printable_in_gpt2(byte)) return utf8(byte);
  uint32_t n = 0;
  for (uint32_t b = 0; b < byte; ++b)
    if (!printable_in_gpt2(b)) ++n;
  return utf8(256 + n);
}

SynthVocab make_synth_vocab(uint32_t n_vocab, SynthSpecials specials) {
  const uint32_t n_special = specials == SynthSpecials::Harmony ? kSynthHarmonyTokens : kSynthSpecialTokens;
  require(n_vocab >= 256 + n_special, ErrorKind::InvalidArgument,
          "a synth vocabulary needs at least " + std::to_string(256 + n_special) + " tokens");
  SynthVocab v;
  v.tokens.reserve(n_vocab);
  for (uint32_t b = 0; b < 256; ++b) v.tokens.push_back(gpt2_byte_token(static_cast<uint8_t>(b)));
  const uint32_t n_regular = n_vocab - n_special;
  std::deque<std::string> frontier;
  frontier.push_back(gpt2_byte_token(' '));
  for (const char c : kLetters) frontier.emplace_back(1, c);
  while (v.tokens.size() < n_regular) {
    const std::string left = frontier.front();
    frontier.pop_front();
    for (const char c : kLetters) {
      if (v.tokens.size() == n_regular) break;
      v.merges.push_back(left + " " + c);
      v.tokens.push_back(left + c);
      frontier.push_back(left + c);
    }
  }
  v.token_types.assign(n_regular, static_cast<int32_t>(TokenType::Normal));
  const auto add_special = [&v](const char* text, TokenType type) {
    v.tokens.emplace_back(text);
    v.token_types.push_back(static_cast<int32_t>(type));
    return static_cast<uint32_t>(v.tokens.size() - 1);
  };
  if (specials == SynthSpecials::Harmony) {
    v.bos_id = add_special("<|startoftext|>", TokenType::Control);
    v.pad_id = add_special("<|endoftext|>", TokenType::Control);
    v.eos_id = add_special("<|return|>", TokenType::Control);
    for (const char* t : {"<|constrain|>", "<|channel|>", "<|start|>", "<|end|>", "<|message|>", "<|call|>"})
      add_special(t, TokenType::Control);
    return v;
  }
  v.bos_id = v.pad_id = add_special("<|endoftext|>", TokenType::Control);
  add_special("<|im_start|>", TokenType::Control);
  v.eos_id = add_special("<|im_end|>", TokenType::Control);
  add_special("<think>", TokenType::UserDefined);
  add_special("</think>", TokenType::UserDefined);
  return v;
}

}  // namespace rotary::synth

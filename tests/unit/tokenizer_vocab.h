#pragma once
// Small hand-made byte-level vocabularies for tokenizer tests: token id b (0..255) is the single
// byte b, spelled in the GPT-2 byte alphabet; tests append merged and special tokens after them.
#include <string>
#include <string_view>

#include "loader/tokenizer/byte_alphabet.h"
#include "loader/tokenizer/tokenizer.h"
#include "loader/tokenizer_data.h"

namespace rotary::test {

inline std::string spell(std::string_view bytes) {
  std::string s;
  byte_alphabet::append_spelling(bytes, s);
  return s;
}

inline TokenizerData byte_vocabulary(std::string pre = "qwen2") {
  TokenizerData d;
  d.model = "gpt2";
  d.pre = std::move(pre);
  for (int b = 0; b < 256; ++b) {
    const char c = static_cast<char>(b);
    d.tokens.push_back(spell(std::string_view(&c, 1)));
    d.token_types.push_back(static_cast<int32_t>(TokenType::Normal));
  }
  return d;
}

// Appends a token (its text as stored in the vocabulary) and returns its id.
inline int32_t add_token(TokenizerData& d, std::string text, TokenType type = TokenType::Normal) {
  d.tokens.push_back(std::move(text));
  d.token_types.push_back(static_cast<int32_t>(type));
  return static_cast<int32_t>(d.tokens.size() - 1);
}

// Appends the merge "left right" (raw bytes, spelled here) and the token it makes.
inline int32_t add_merge(TokenizerData& d, std::string_view left, std::string_view right) {
  d.merges.push_back(spell(left) + " " + spell(right));
  return add_token(d, spell(std::string(left) + std::string(right)));
}

}  // namespace rotary::test

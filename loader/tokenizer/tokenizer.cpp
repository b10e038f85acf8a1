#include "loader/tokenizer/tokenizer.h"

#include <algorithm>

#include "base/printable.h"
#include "base/error.h"
#include "loader/tokenizer/bpe.h"
#include "loader/tokenizer/byte_alphabet.h"
#include "loader/tokenizer/token_attributes.h"
#include "loader/tokenizer/unicode.h"

namespace rotary {
namespace {

// A special token id outside the vocabulary is ignored, as llama.cpp ignores it (with a warning).
std::optional<int32_t> in_vocabulary(std::optional<uint32_t> id, size_t n) {
  if (!id || *id >= n) return std::nullopt;
  return static_cast<int32_t>(*id);
}

}  // namespace

Tokenizer::Tokenizer(const TokenizerData& data) : pre_{} {
  if (data.model != "gpt2") {
    throw Error(ErrorKind::Unsupported,
                "tokenizer.ggml.model '" + printable(data.model) +
                    "' is not supported: rotary implements byte-level BPE ('gpt2') only");
  }
  pre_ = pre_tokenizer_for(data.pre);
  const size_t n = data.tokens.size();
  require(n > 0, ErrorKind::InvalidModel, "tokenizer.ggml.tokens is empty");
  require(data.token_types.empty() || data.token_types.size() >= n, ErrorKind::InvalidModel,
          "tokenizer.ggml.token_type has " + std::to_string(data.token_types.size()) +
              " entries for " + std::to_string(n) + " tokens");

  std::vector<std::string> texts;
  texts.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    // llama.cpp renames empty texts so that the vocabulary stays unique.
    texts.push_back(data.tokens[i].empty() ? "[EMPTY_" + std::to_string(i) + "]" : data.tokens[i]);
  }
  bpe_ = std::make_unique<BpeModel>(std::move(texts), data.merges, pre_.ignore_merges);
  TokenAttributes attributes =
      derive_token_attributes(data, [&](std::string_view text) { return bpe_->find(text); });
  attrs_ = std::move(attributes.attrs);
  end_of_generation_ = std::move(attributes.end_of_generation);

  bos_ = in_vocabulary(data.bos_id, n);
  eos_ = in_vocabulary(data.eos_id, n);
  add_bos_ = data.add_bos_token.value_or(pre_.add_bos_by_default);
  add_eos_ = data.add_eos_token.value_or(false);
  require(!add_bos_ || bos_.has_value(), ErrorKind::InvalidModel,
          "the model asks for a BOS token (tokenizer.ggml.add_bos_token) but has no valid "
          "tokenizer.ggml.bos_token_id");
  require(!add_eos_ || eos_.has_value(), ErrorKind::InvalidModel,
          "the model asks for an EOS token (tokenizer.ggml.add_eos_token) but has no valid "
          "tokenizer.ggml.eos_token_id");

  for (size_t i = 0; i < n; ++i) {
    if (attrs_[i] & (kAttrControl | kAttrUserDefined | kAttrUnknown)) {
      special_tokens_.push_back(static_cast<int32_t>(i));
    }
  }
  std::stable_sort(special_tokens_.begin(), special_tokens_.end(), [&](int32_t a, int32_t b) {
    return bpe_->text(a).size() > bpe_->text(b).size();
  });
}

Tokenizer::~Tokenizer() = default;
Tokenizer::Tokenizer(Tokenizer&&) noexcept = default;
Tokenizer& Tokenizer::operator=(Tokenizer&&) noexcept = default;

size_t Tokenizer::vocab_size() const {
  return bpe_->vocab_size();
}

void Tokenizer::check_id(int32_t id) const {
  if (id < 0 || static_cast<size_t>(id) >= vocab_size()) {
    throw Error(ErrorKind::InvalidArgument, "token id " + std::to_string(id) +
                                                " is outside the vocabulary of " +
                                                std::to_string(vocab_size()) + " tokens");
  }
}

const std::string& Tokenizer::token_text(int32_t id) const {
  check_id(id);
  return bpe_->text(id);
}

TokenType Tokenizer::token_type(int32_t id) const {
  check_id(id);
  const uint8_t a = attrs_[id];
  if (a & kAttrControl) return TokenType::Control;
  if (a & kAttrUserDefined) return TokenType::UserDefined;
  if (a & kAttrUnknown) return TokenType::Unknown;
  if (a & kAttrUnused) return TokenType::Unused;
  if (a & kAttrByte) return TokenType::Byte;
  if (a & kAttrNormal) return TokenType::Normal;
  return TokenType::Undefined;
}

std::optional<int32_t> Tokenizer::find_token(std::string_view text) const {
  const int32_t id = bpe_->find(text);
  if (id >= 0) return id;
  return std::nullopt;
}

bool Tokenizer::is_end_of_generation(int32_t id) const {
  return std::binary_search(end_of_generation_.begin(), end_of_generation_.end(), id);
}

// Every special token in turn, longest first, cuts every text fragment at each of its
// occurrences: the order llama.cpp's tokenizer_st_partition uses, so overlaps resolve the same way.
std::vector<Tokenizer::Fragment> Tokenizer::split_special(std::string_view text,
                                                          bool parse_special) const {
  std::vector<Fragment> fragments{{0, text.size(), -1}};
  std::vector<Fragment> next;
  for (int32_t id : special_tokens_) {
    if (!parse_special && (attrs_[id] & (kAttrControl | kAttrUnknown))) continue;
    const std::string& special = bpe_->text(id);
    next.clear();
    for (const Fragment& f : fragments) {
      if (f.token >= 0) {
        next.push_back(f);
        continue;
      }
      const std::string_view body = text.substr(f.begin, f.size);
      size_t pos = 0;
      for (size_t m; (m = body.find(special, pos)) != std::string_view::npos;
           pos = m + special.size()) {
        if (m > pos) next.push_back({f.begin + pos, m - pos, -1});
        next.push_back({f.begin + m, special.size(), id});
      }
      if (pos < body.size()) next.push_back({f.begin + pos, body.size() - pos, -1});
    }
    fragments.swap(next);
  }
  return fragments;
}

void Tokenizer::encode_fragment(std::string_view text, std::vector<int32_t>& out) const {
  std::vector<char32_t> cps;
  unicode::decode_utf8(text, cps);
  std::vector<uint32_t> lengths;
  split_words(pre_.kind, cps, lengths);
  std::string word;
  size_t at = 0;
  for (uint32_t len : lengths) {
    // Rebuilt from code points so that malformed bytes become U+FFFD, as in llama.cpp.
    word.clear();
    for (uint32_t k = 0; k < len; ++k) unicode::append_utf8(cps[at + k], word);
    at += len;
    bpe_->encode_word(word, out);
  }
}

std::vector<int32_t> Tokenizer::encode(std::string_view text, EncodeOptions options) const {
  std::vector<int32_t> out;
  out.reserve(text.size() / 3 + 2);
  if (options.add_special && add_bos_) out.push_back(*bos_);
  if (!text.empty()) {
    for (const Fragment& f : split_special(text, options.parse_special)) {
      if (f.token >= 0) {
        out.push_back(f.token);
      } else {
        encode_fragment(text.substr(f.begin, f.size), out);
      }
    }
  }
  if (options.add_special && add_eos_) out.push_back(*eos_);
  return out;
}

std::vector<std::string> Tokenizer::unencodable_characters(std::string_view text, bool parse_special) const {
  std::vector<std::string> lost;
  for (const Fragment& f : split_special(text, parse_special)) {
    if (f.token >= 0) continue;
    const std::string_view body = text.substr(f.begin, f.size);
    // What the tokens give back, against the fragment as encode_fragment reads it (malformed
    // bytes as U+FFFD): equal unless bytes were dropped.
    std::vector<int32_t> ids;
    encode_fragment(body, ids);
    std::string got, want;
    for (int32_t id : ids) append_piece(id, false, got);
    std::vector<char32_t> cps;
    unicode::decode_utf8(body, cps);
    for (char32_t cp : cps) unicode::append_utf8(cp, want);
    if (got == want) continue;
    // Something was dropped: the characters that do not survive encoding on their own.
    for (char32_t cp : cps) {
      std::string ch, back;
      unicode::append_utf8(cp, ch);
      if (std::find(lost.begin(), lost.end(), ch) != lost.end()) continue;
      ids.clear();
      bpe_->encode_word(ch, ids);
      for (int32_t id : ids) append_piece(id, false, back);
      if (back != ch) lost.push_back(ch);
    }
  }
  return lost;
}

void Tokenizer::append_piece(int32_t id, bool render_special, std::string& out) const {
  check_id(id);
  const uint8_t a = attrs_[id];
  const std::string& text = bpe_->text(id);
  if (a & (kAttrControl | kAttrUnknown)) {
    if (render_special) out += text;
  } else if (a & kAttrUserDefined) {
    out += text;
  } else if (a & kAttrNormal) {
    byte_alphabet::append_bytes(text, out);
  } else if (a & kAttrByte) {
    // "<0xXX>" byte tokens, as SentencePiece-style vocabularies spell them.
    auto hex = [](char c) {
      return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    };
    if (text.size() == 6 && text.starts_with("<0x") && text.back() == '>' && hex(text[3]) >= 0 &&
        hex(text[4]) >= 0) {
      out.push_back(static_cast<char>(hex(text[3]) * 16 + hex(text[4])));
    }
  }
}

std::string Tokenizer::piece(int32_t id, bool render_special) const {
  std::string out;
  append_piece(id, render_special, out);
  return out;
}

std::string Tokenizer::decode(std::span<const int32_t> ids, bool render_special) const {
  std::string out;
  for (int32_t id : ids) append_piece(id, render_special, out);
  return out;
}

}  // namespace rotary

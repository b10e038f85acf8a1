#pragma once
// Text <-> token ids for byte-level BPE vocabularies (tokenizer.ggml.model "gpt2"), matching
// llama.cpp's llama_tokenize and llama_token_to_piece (v0.5.0) id for id and byte for byte.
//
// encode: the text is cut at special tokens first (CONTROL and UNKNOWN tokens only when
// parse_special is on; USER_DEFINED tokens always, as llama.cpp does), longest token text first;
// each remaining fragment is pre-tokenised (pre_tokenizer.h) and each word is BPE-merged (bpe.h).
// The text is not normalised (no NFC): llama.cpp does not normalise either.
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "loader/tokenizer/pre_tokenizer.h"
#include "loader/tokenizer_data.h"

namespace rotary {

class BpeModel;

// tokenizer.ggml.token_type values.
enum class TokenType : int32_t {
  Undefined = 0,
  Normal = 1,
  Unknown = 2,
  Control = 3,
  UserDefined = 4,
  Unused = 5,
  Byte = 6,
};

struct EncodeOptions {
  bool add_special = true;  // BOS / EOS around the text when the model asks for them
                            // (tokenizer.ggml.add_bos_token / add_eos_token)
  bool parse_special =
      true;  // turn CONTROL token texts in the text ("<|im_start|>") into their ids
};

class Tokenizer {
 public:
  // Throws Error(Unsupported) for another tokenizer model or pre-tokenizer, Error(InvalidModel)
  // for inconsistent data (duplicate tokens, bad merges, BOS/EOS asked for but missing). Special
  // token ids outside the vocabulary are ignored, as llama.cpp ignores them.
  explicit Tokenizer(const TokenizerData& data);
  ~Tokenizer();
  Tokenizer(Tokenizer&&) noexcept;
  Tokenizer& operator=(Tokenizer&&) noexcept;

  std::vector<int32_t> encode(std::string_view text, EncodeOptions options = {}) const;
  // The characters of `text` that encode() drops because a vocabulary without byte tokens has no
  // token for one of their bytes (as llama.cpp, encode() drops them silently), each once, in
  // order of appearance; empty when encode() keeps every character.
  std::vector<std::string> unencodable_characters(std::string_view text, bool parse_special = true) const;

  // The bytes a token stands for. CONTROL and UNKNOWN tokens give their text only when
  // `render_special`; USER_DEFINED tokens always give their text; UNUSED and UNDEFINED give
  // nothing. A piece may end inside a UTF-8 character: see StreamDecoder.
  void append_piece(int32_t id, bool render_special, std::string& out) const;
  std::string piece(int32_t id, bool render_special = false) const;
  // The pieces of `ids`, concatenated.
  std::string decode(std::span<const int32_t> ids, bool render_special = false) const;

  size_t vocab_size() const;
  const std::string& token_text(int32_t id) const;  // the vocabulary text, as stored
  TokenType token_type(int32_t id) const;
  std::optional<int32_t> find_token(std::string_view text) const;  // exact vocabulary text
  std::optional<int32_t> bos() const { return bos_; }
  std::optional<int32_t> eos() const { return eos_; }
  bool adds_bos() const { return add_bos_; }
  // End of generation: the EOS, EOT and EOM tokens and the turn-ending tokens llama.cpp
  // recognises by text ("<|im_end|>", "<|endoftext|>", "<|eot_id|>", ...).
  bool is_end_of_generation(int32_t id) const;
  const PreTokenizer& pre_tokenizer() const { return pre_; }

 private:
  struct Fragment {
    size_t begin, size;  // bytes of the text
    int32_t token;       // a special token, or -1 for text still to tokenise
  };

  void check_id(int32_t id) const;
  std::vector<Fragment> split_special(std::string_view text, bool parse_special) const;
  void encode_fragment(std::string_view text, std::vector<int32_t>& out) const;

  PreTokenizer pre_;
  std::vector<uint8_t> attrs_;           // attribute bits per token (tokenizer.cpp)
  std::vector<int32_t> special_tokens_;  // split out of text, longest text first
  std::vector<int32_t> end_of_generation_;
  std::unique_ptr<BpeModel> bpe_;
  std::optional<int32_t> bos_, eos_;
  bool add_bos_ = false;
  bool add_eos_ = false;
};

}  // namespace rotary

#pragma once
// Pre-tokenisation: text is cut into words before BPE runs inside each word. A GGUF names its
// splitter in tokenizer.ggml.pre; each kind here is a hand-written matcher that cuts exactly where
// llama.cpp (v0.5.0, src/unicode.cpp) cuts for that name, quirks included:
//
//   Gpt2    's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
//   Llama3  (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}
//           | ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
//   Qwen2   as Llama3 with \p{N} (one digit per word) instead of \p{N}{1,3}
//   Qwen35  as Qwen2 with [\p{L}\p{M}]+ for letters and \p{M} added to the punctuation exclusion
//   Gpt4o   [^\r\n\p{L}\p{N}]?Upper*Lower+(contraction)?|[^\r\n\p{L}\p{N}]?Upper+Lower*(contraction)?
//           |\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+ (case only for ASCII
//           letters: llama.cpp's std::regex sees every other letter as both; pre_tokenizer.cpp)
//
// The quirks that differ from a true regex engine: a digit or letter run is never split by a
// look-ahead, and the optional prefix of a letter word may be any code point but \r, \n or a
// digit (so "\t" or a mark starts a word).
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace rotary {

enum class PreTokenizerKind { Gpt2, Llama3, Qwen2, Qwen35, Gpt4o };

struct PreTokenizer {
  PreTokenizerKind kind;
  bool ignore_merges;       // a word that is itself a token is emitted whole (llama-bpe)
  bool add_bos_by_default;  // when the GGUF has no tokenizer.ggml.add_bos_token
};

// The splitter llama.cpp uses for a tokenizer.ggml.pre value ("qwen2", "llama-bpe", "gpt-2", ...).
// Throws Error(Unsupported) naming the supported values.
PreTokenizer pre_tokenizer_for(std::string_view pre);

std::string_view to_string(PreTokenizerKind kind);

// Cuts `text` (code points of one fragment between special tokens) into words; appends the length
// of each word, in code points, to `word_lengths`. The lengths sum to text.size().
void split_words(PreTokenizerKind kind, std::span<const char32_t> text,
                 std::vector<uint32_t>& word_lengths);

}  // namespace rotary

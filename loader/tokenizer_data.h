#pragma once
// The tokenizer's metadata as plain data, so the tokenizer (loader/tokenizer/) is built from it
// without knowing GGUF. Keys are tokenizer.ggml.* and tokenizer.chat_template; values are as
// stored (special token ids are not checked against the vocabulary: llama.cpp warns and falls
// back in that case, and that policy belongs to the tokenizer).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "loader/gguf_metadata.h"

namespace rotary {

struct TokenizerData {
  std::string model;                 // tokenizer.ggml.model: "gpt2" (byte-level BPE), "llama", ...
  std::string pre;                   // tokenizer.ggml.pre: "qwen2", "qwen35", ... ("" if absent)
  std::vector<std::string> tokens;   // tokenizer.ggml.tokens: the vocabulary, by id
  std::vector<int32_t> token_types;  // tokenizer.ggml.token_type: 1 normal, 3 control, 4 user
                                     // defined, 6 byte, ...; empty if absent, else tokens.size()
  std::vector<float> scores;         // tokenizer.ggml.scores; empty if absent, else tokens.size()
  std::vector<std::string> merges;   // tokenizer.ggml.merges: "a b" pairs, by rank
  std::optional<uint32_t> bos_id;    // tokenizer.ggml.bos_token_id
  std::optional<uint32_t> eos_id;    // tokenizer.ggml.eos_token_id
  std::optional<uint32_t> eot_id;    // tokenizer.ggml.eot_token_id
  std::optional<uint32_t> eom_id;    // tokenizer.ggml.eom_token_id
  std::optional<uint32_t> unknown_id;        // tokenizer.ggml.unknown_token_id
  std::optional<uint32_t> separator_id;      // tokenizer.ggml.seperator_token_id (sic)
  std::optional<uint32_t> padding_id;        // tokenizer.ggml.padding_token_id
  std::optional<uint32_t> mask_id;           // tokenizer.ggml.mask_token_id
  std::optional<bool> add_bos_token;         // tokenizer.ggml.add_bos_token
  std::optional<bool> add_eos_token;         // tokenizer.ggml.add_eos_token
  std::optional<std::string> chat_template;  // tokenizer.chat_template
};

// Requires tokenizer.ggml.model and tokenizer.ggml.tokens; InvalidModel names the key otherwise
// (and when an array has the wrong element type or length).
TokenizerData read_tokenizer_data(const GgufMetadata& metadata);

}  // namespace rotary

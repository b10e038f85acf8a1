#pragma once
// The byte-level BPE vocabulary of synth models, in the GPT-2 form that Qwen's GGUF files use
// (tokenizer.ggml.model "gpt2"): ids 0-255 are the 256 bytes (byte b is id b, written with GPT-2's
// byte-to-unicode map, so a space is "Ġ"), then tokens made by merges, then the special tokens
// <|endoftext|>, <|im_start|>, <|im_end|>, <think>, </think> at the end (gpt-oss: its harmony
// set <|startoftext|>, <|endoftext|>, <|return|>, <|constrain|>, <|channel|>, <|start|>, <|end|>,
// <|message|>, <|call|>).
//
// The merges extend a token by one common letter at a time, breadth first ("Ġ" + "t", "t" + "h",
// ..., "Ġt" + "h", ...), so any vocabulary size is reachable and English text tokenises into
// multi-byte tokens. Every merge joins two existing tokens into the token that follows them.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace rotary::synth {

// tokenizer.ggml.token_type values (llama.cpp's llama_token_type).
enum class TokenType : int32_t { Normal = 1, Control = 3, UserDefined = 4 };

struct SynthVocab {
  std::vector<std::string> tokens;
  std::vector<int32_t> token_types;
  std::vector<std::string> merges;  // "left right", highest priority first
  uint32_t bos_id = 0;              // <|endoftext|> (Qwen files carry it; add_bos_token is false); harmony: <|startoftext|>
  uint32_t eos_id = 0;              // <|im_end|>; harmony: <|return|>
  uint32_t pad_id = 0;              // <|endoftext|>
};

enum class SynthSpecials { ChatMl, Harmony };

// n_vocab >= 256 + the specials' count (kSynthSpecialTokens, kSynthHarmonyTokens).
SynthVocab make_synth_vocab(uint32_t n_vocab, SynthSpecials specials = SynthSpecials::ChatMl);

// GPT-2's printable form of a byte ("Ġ" for a space, "a" for 'a'), UTF-8 encoded.
std::string gpt2_byte_token(uint8_t byte);

// A Qwen3-style ChatML template (tokenizer.chat_template); llama.cpp recognises it as chatml.
extern const std::string_view kSynthChatTemplate;
// A minimal harmony template (gpt-oss's message framing, without its tools and channels): the
// default of gpt-oss synth models; tests give them the real one.
extern const std::string_view kSynthHarmonyTemplate;

}  // namespace rotary::synth

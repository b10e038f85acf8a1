#pragma once
// Streams generated tokens as text. A token's piece may end inside a UTF-8 character (byte-level
// BPE splits emoji and CJK characters across tokens), so the decoder holds back an incomplete
// sequence at the end and releases it when the following bytes complete it. Bytes that can never
// complete (a stray continuation byte, a lead byte followed by a non-continuation byte) are
// released as they are: the decoder delays, it never drops or alters bytes.
#include <cstdint>
#include <string>

namespace rotary {

class Tokenizer;

class StreamDecoder {
 public:
  // `tokenizer` must outlive the decoder.
  explicit StreamDecoder(const Tokenizer& tokenizer, bool render_special = false)
      : tokenizer_(&tokenizer), render_special_(render_special) {}

  // Adds one token; returns the text that is now complete (possibly empty).
  std::string push(int32_t token);
  // Returns whatever is still held back (an incomplete character at the end of the stream).
  std::string flush();

  // The longest prefix of `bytes` that does not end inside an incomplete UTF-8 sequence.
  static size_t complete_prefix(const std::string& bytes);

 private:
  const Tokenizer* tokenizer_;
  bool render_special_;
  std::string pending_;
};

}  // namespace rotary

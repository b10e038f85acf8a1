#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "loader/tokenizer/stream_decoder.h"
#include "loader/tokenizer/tokenizer.h"
#include "tokenizer_vocab.h"

namespace rotary {
namespace {

// Pushes tokens one by one; returns what each push released.
std::vector<std::string> stream(StreamDecoder& decoder, std::initializer_list<int32_t> ids) {
  std::vector<std::string> out;
  for (int32_t id : ids) out.push_back(decoder.push(id));
  return out;
}

using Texts = std::vector<std::string>;

TEST_CASE("stream decoder: characters split across tokens come out whole") {
  const Tokenizer t(test::byte_vocabulary());
  StreamDecoder d(t);
  // "é" (C3 A9), then "🚀" (F0 9F 9A 80), one byte per token.
  CHECK(stream(d, {'h', 0xC3, 0xA9, 0xF0, 0x9F, 0x9A, 0x80, '!'}) ==
        Texts{"h", "", "\xC3\xA9", "", "", "", "\xF0\x9F\x9A\x80", "!"});
  CHECK(d.flush().empty());
}

TEST_CASE("stream decoder: a token that completes one character and starts the next") {
  TokenizerData data = test::byte_vocabulary();
  // One token holding the end of "你" (E4 BD A0) and the start of "好" (E5 A5 BD).
  const int32_t tail_head = test::add_token(data, test::spell("\xBD\xA0\xE5"));
  const Tokenizer t(data);
  StreamDecoder d(t);
  CHECK(stream(d, {0xE4, tail_head, 0xA5, 0xBD}) == Texts{"", "\xE4\xBD\xA0", "", "\xE5\xA5\xBD"});
}

TEST_CASE("stream decoder: flush releases an unfinished character as it is") {
  const Tokenizer t(test::byte_vocabulary());
  StreamDecoder d(t);
  CHECK(stream(d, {'a', 0xE4, 0xBD}) == Texts{"a", "", ""});
  CHECK(d.flush() == "\xE4\xBD");
  CHECK(d.flush().empty());
}

TEST_CASE("stream decoder: bytes that can never complete are not held") {
  const Tokenizer t(test::byte_vocabulary());
  StreamDecoder d(t);
  CHECK(d.push(0x80) == "\x80");  // a stray continuation byte
  CHECK(d.push(0xC3) == "");
  CHECK(d.push('a') ==
        "\xC3"
        "a");                     // a lead byte broken off by ASCII
  CHECK(d.push(0xFF) == "\xFF");  // never a lead byte
}

TEST_CASE("stream decoder: special tokens by flag") {
  TokenizerData data = test::byte_vocabulary();
  const int32_t end = test::add_token(data, "<|im_end|>", TokenType::Control);
  const Tokenizer t(data);
  StreamDecoder hidden(t);
  StreamDecoder shown(t, /*render_special=*/true);
  CHECK(hidden.push(end).empty());
  CHECK(shown.push(end) == "<|im_end|>");
}

TEST_CASE("stream decoder: complete prefixes") {
  CHECK(StreamDecoder::complete_prefix("") == 0);
  CHECK(StreamDecoder::complete_prefix("abc") == 3);
  CHECK(StreamDecoder::complete_prefix("ab\xC3") == 2);
  CHECK(StreamDecoder::complete_prefix("\xC3\xA9") == 2);
  CHECK(StreamDecoder::complete_prefix("a\xF0\x9F\x9A") == 1);
  CHECK(StreamDecoder::complete_prefix("\xF0\x9F\x9A\x80") == 4);
  CHECK(StreamDecoder::complete_prefix("\x80\x80\x80") == 3);
  CHECK(StreamDecoder::complete_prefix("\xE4\xBD\xA0\xE5\xA5") == 3);
}

}  // namespace
}  // namespace rotary

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "loader/tokenizer/byte_alphabet.h"
#include "loader/tokenizer/unicode.h"

namespace rotary {
namespace {

using unicode::CodepointClass;

std::vector<char32_t> decode(std::string_view s) {
  std::vector<char32_t> out;
  unicode::decode_utf8(s, out);
  return out;
}

TEST_CASE("unicode: decoding valid UTF-8 of every length") {
  CHECK(decode("a\xC3\xA9\xE4\xBD\xA0\xF0\x9F\x9A\x80") ==
        std::vector<char32_t>{U'a', U'\u00E9', U'\u4F60', U'\U0001F680'});
  CHECK(decode("").empty());
}

TEST_CASE("unicode: malformed bytes become U+FFFD one byte at a time, as in llama.cpp") {
  // A stray continuation byte, a truncated 3-byte sequence (two replacements: the lead, then the
  // continuation byte on its own), a lead byte followed by ASCII, and 0xFF.
  CHECK(decode("\x80") == std::vector<char32_t>{0xFFFD});
  CHECK(decode("\xE4\xBD") == std::vector<char32_t>{0xFFFD, 0xFFFD});
  CHECK(decode("\xC3x") == std::vector<char32_t>{0xFFFD, U'x'});
  CHECK(decode("a\xFF"
               "b") == std::vector<char32_t>{U'a', 0xFFFD, U'b'});
  // Overlong forms are decoded, not rejected (llama.cpp checks only the bit patterns).
  CHECK(decode("\xC1\x81") == std::vector<char32_t>{U'A'});
  // Above U+10FFFF: malformed here.
  CHECK(decode("\xF5\x80\x80\x80").front() == 0xFFFD);
}

TEST_CASE("unicode: encoding round-trips through decoding") {
  for (char32_t cp :
       {U'\0', U'~', U'\u0080', U'\u07FF', U'\u0800', U'\uFFFD', U'\U00010000', U'\U0010FFFF'}) {
    std::string s;
    unicode::append_utf8(cp, s);
    CHECK(decode(s) == std::vector<char32_t>{cp});
  }
}

TEST_CASE("unicode: general category classes") {
  CHECK(unicode::codepoint_class(U'a') == CodepointClass::Letter);
  CHECK(unicode::codepoint_class(U'Z') == CodepointClass::Letter);
  CHECK(unicode::codepoint_class(U'\u00E9') == CodepointClass::Letter);  // é
  CHECK(unicode::codepoint_class(U'\u4E00') == CodepointClass::Letter);  // CJK
  CHECK(unicode::codepoint_class(U'\uAC00') == CodepointClass::Letter);  // Hangul
  CHECK(unicode::codepoint_class(U'\u02B0') == CodepointClass::Letter);  // Lm
  CHECK(unicode::codepoint_class(U'7') == CodepointClass::Number);
  CHECK(unicode::codepoint_class(U'\u00BD') == CodepointClass::Number);  // ½ (No)
  CHECK(unicode::codepoint_class(U'\u2160') == CodepointClass::Number);  // Ⅰ (Nl)
  CHECK(unicode::codepoint_class(U'\u0661') == CodepointClass::Number);  // Arabic-Indic 1
  CHECK(unicode::codepoint_class(U'\u0301') == CodepointClass::Mark);    // combining acute
  CHECK(unicode::codepoint_class(U'\u093E') == CodepointClass::Mark);    // Devanagari Mc
  CHECK(unicode::codepoint_class(U'.') == CodepointClass::Other);
  CHECK(unicode::codepoint_class(U' ') == CodepointClass::Other);
  CHECK(unicode::codepoint_class(U'\U0001F680') == CodepointClass::Other);  // 🚀 (So)
  CHECK(unicode::codepoint_class(U'\u200D') == CodepointClass::Other);      // ZWJ (Cf)
  CHECK(unicode::codepoint_class(U'\u0378') == CodepointClass::Other);      // unassigned
  CHECK(unicode::codepoint_class(U'\uE000') == CodepointClass::Other);      // private use
  CHECK(unicode::codepoint_class(0x110000) == CodepointClass::Other);
  // First and last code point of the table, and the Unicode 15.1 additions patched onto 15.0.
  CHECK(unicode::codepoint_class(U'\0') == CodepointClass::Other);
  CHECK(unicode::codepoint_class(U'\U0010FFFF') == CodepointClass::Other);
  CHECK(unicode::codepoint_class(U'\U0002EBF0') == CodepointClass::Letter);  // CJK Ext. I
  CHECK(unicode::codepoint_class(U'\U0002EE5D') == CodepointClass::Letter);
  CHECK(unicode::codepoint_class(U'\U0002EE5E') == CodepointClass::Other);
  CHECK(unicode::codepoint_class(U'\u31EF') == CodepointClass::Other);  // So
}

TEST_CASE("unicode: White_Space") {
  for (char32_t cp :
       {U'\t', U'\n', U'\v', U'\f', U'\r', U' ', U'\u0085', U'\u00A0', U'\u1680', U'\u2000',
        U'\u200A', U'\u2028', U'\u2029', U'\u202F', U'\u205F', U'\u3000'}) {
    CAPTURE(static_cast<uint32_t>(cp));
    CHECK(unicode::is_whitespace(cp));
  }
  // Not White_Space: information separators (Python's \s has them), ZWSP, ZWJ, BOM.
  for (char32_t cp : {U'\x1C', U'\x1F', U'\u200B', U'\u200D', U'\uFEFF', U'a', U'\0'}) {
    CAPTURE(static_cast<uint32_t>(cp));
    CHECK(!unicode::is_whitespace(cp));
  }
}

TEST_CASE("unicode: UTF-8 sequence lengths") {
  CHECK(unicode::utf8_sequence_length(0x41) == 1);
  CHECK(unicode::utf8_sequence_length(0x80) == 0);
  CHECK(unicode::utf8_sequence_length(0xBF) == 0);
  CHECK(unicode::utf8_sequence_length(0xC3) == 2);
  CHECK(unicode::utf8_sequence_length(0xE4) == 3);
  CHECK(unicode::utf8_sequence_length(0xF0) == 4);
  CHECK(unicode::utf8_sequence_length(0xF8) == 0);
}

TEST_CASE("byte alphabet: GPT-2's mapping") {
  using namespace byte_alphabet;
  CHECK(codepoint_of_byte('A') == U'A');
  CHECK(codepoint_of_byte('!') == U'!');
  CHECK(codepoint_of_byte(0xE9) == U'\u00E9');  // printable Latin-1 stands for itself
  CHECK(codepoint_of_byte(0x00) == U'\u0100');  // the 68 others count up from U+0100
  CHECK(codepoint_of_byte('\n') == U'\u010A');  // Ċ
  CHECK(codepoint_of_byte(' ') == U'\u0120');   // Ġ
  CHECK(codepoint_of_byte(0x7F) == U'\u0121');
  CHECK(codepoint_of_byte(0xA0) == U'\u0142');
  CHECK(codepoint_of_byte(0xAD) == U'\u0143');  // the soft hyphen is the last one
  for (int b = 0; b < 256; ++b) {
    CAPTURE(b);
    CHECK(byte_of_codepoint(codepoint_of_byte(static_cast<uint8_t>(b))) == b);
  }
  CHECK(!byte_of_codepoint(U' ').has_value());
  CHECK(!byte_of_codepoint(U'\u0144').has_value());
}

TEST_CASE("byte alphabet: spelling and reading back bytes") {
  std::string spelled;
  byte_alphabet::append_spelling("a b\n\xC3\xA9", spelled);
  CHECK(spelled ==
        "a\xC4\xA0"
        "b\xC4\x8A\xC3\x83\xC2\xA9");  // aĠbĊÃ©
  std::string bytes;
  CHECK(byte_alphabet::append_bytes(spelled, bytes));
  CHECK(bytes == "a b\n\xC3\xA9");
  // Outside the alphabet: copied unchanged and reported.
  bytes.clear();
  CHECK(!byte_alphabet::append_bytes("x\xE4\xBD\xA0 ", bytes));
  CHECK(bytes == "x\xE4\xBD\xA0 ");
}

}  // namespace
}  // namespace rotary

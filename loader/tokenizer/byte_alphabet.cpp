#include "loader/tokenizer/byte_alphabet.h"

#include <algorithm>
#include <array>

#include "loader/tokenizer/unicode.h"

namespace rotary::byte_alphabet {
namespace {

bool stands_for_itself(uint32_t b) {
  return (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
}

struct Alphabet {
  std::array<char32_t, 256> codepoint{};
  std::array<int16_t, 0x144> byte{};  // code point -> byte, -1 when not in the alphabet
  std::array<std::string, 256> spelling;

  Alphabet() {
    byte.fill(-1);
    char32_t next = 0x100;
    for (uint32_t b = 0; b < 256; ++b) {
      codepoint[b] = stands_for_itself(b) ? static_cast<char32_t>(b) : next++;
      byte[codepoint[b]] = static_cast<int16_t>(b);
      unicode::append_utf8(codepoint[b], spelling[b]);
    }
  }
};

const Alphabet& alphabet() {
  static const Alphabet a;
  return a;
}

}  // namespace

char32_t codepoint_of_byte(uint8_t byte) {
  return alphabet().codepoint[byte];
}

std::optional<uint8_t> byte_of_codepoint(char32_t cp) {
  const Alphabet& a = alphabet();
  if (cp >= a.byte.size() || a.byte[cp] < 0) return std::nullopt;
  return static_cast<uint8_t>(a.byte[cp]);
}

void append_spelling(std::string_view bytes, std::string& out) {
  const Alphabet& a = alphabet();
  for (char c : bytes) out += a.spelling[static_cast<uint8_t>(c)];
}

bool append_bytes(std::string_view spelling, std::string& out) {
  const auto* s = reinterpret_cast<const uint8_t*>(spelling.data());
  bool all_in_alphabet = true;
  size_t i = 0;
  while (i < spelling.size()) {
    // Fast path: the alphabet's code points are all below U+0144, so at most 2 bytes long.
    char32_t cp = 0;
    size_t len = 1;
    if (s[i] < 0x80) {
      cp = s[i];
    } else if ((s[i] & 0xE0) == 0xC0 && i + 1 < spelling.size() && (s[i + 1] & 0xC0) == 0x80) {
      cp = (static_cast<char32_t>(s[i] & 0x1F) << 6) | (s[i + 1] & 0x3F);
      len = 2;
    } else {
      cp = 0x110000;  // anything else is not in the alphabet
      len = static_cast<size_t>(std::max(unicode::utf8_sequence_length(s[i]), 1));
      len = std::min(len, spelling.size() - i);
    }
    if (auto b = byte_of_codepoint(cp)) {
      out.push_back(static_cast<char>(*b));
    } else {
      out.append(spelling.substr(i, len));
      all_in_alphabet = false;
    }
    i += len;
  }
  return all_in_alphabet;
}

}  // namespace rotary::byte_alphabet

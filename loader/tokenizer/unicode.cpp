#include "loader/tokenizer/unicode.h"

#include <algorithm>
#include <array>
#include <iterator>

namespace rotary::unicode {
namespace {

// (first code point << 2) | class, sorted; a range lasts until the next entry starts.
constexpr uint32_t kClassRanges[] = {
#include "loader/tokenizer/unicode_classes.inc"
};

constexpr char32_t kReplacement = 0xFFFD;

bool is_continuation(uint8_t b) {
  return (b & 0xC0) == 0x80;
}

}  // namespace

CodepointClass codepoint_class(char32_t cp) {
  if (cp > 0x10FFFF) return CodepointClass::Other;
  // First entry whose start is above cp, then step back one.
  const uint32_t key = (static_cast<uint32_t>(cp) << 2) | 3u;
  const auto* it = std::upper_bound(std::begin(kClassRanges), std::end(kClassRanges), key);
  return static_cast<CodepointClass>(*(it - 1) & 3u);
}

bool is_whitespace(char32_t cp) {
  if (cp <= 0x20) return cp == 0x20 || (cp >= 0x09 && cp <= 0x0D);
  if (cp < 0x85) return false;
  switch (cp) {
    case 0x85:
    case 0xA0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202F:
    case 0x205F:
    case 0x3000:
      return true;
    default:
      return cp >= 0x2000 && cp <= 0x200A;
  }
}

int utf8_sequence_length(uint8_t lead) {
  if (lead < 0x80) return 1;
  if (lead < 0xC0) return 0;
  if (lead < 0xE0) return 2;
  if (lead < 0xF0) return 3;
  if (lead < 0xF8) return 4;
  return 0;
}

void decode_utf8(std::string_view text, std::vector<char32_t>& out) {
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  const size_t n = text.size();
  out.reserve(out.size() + n);
  size_t i = 0;
  while (i < n) {
    const uint8_t b0 = s[i];
    if (b0 < 0x80) {
      out.push_back(b0);
      ++i;
      continue;
    }
    const int len = utf8_sequence_length(b0);
    bool ok = len > 1 && i + len <= n;
    for (int k = 1; ok && k < len; ++k) ok = is_continuation(s[i + k]);
    char32_t cp = 0;
    if (ok) {
      cp = b0 & (0x7F >> len);
      for (int k = 1; k < len; ++k) cp = (cp << 6) | (s[i + k] & 0x3F);
      ok = cp <= 0x10FFFF;
    }
    if (ok) {
      out.push_back(cp);
      i += len;
    } else {
      out.push_back(kReplacement);
      ++i;
    }
  }
}

void append_utf8(char32_t cp, std::string& out) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

}  // namespace rotary::unicode

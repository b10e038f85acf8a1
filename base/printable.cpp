#include "base/printable.h"

#include "base/utf8.h"

#include <cstdint>
#include <cstdio>

namespace rotary {

namespace {

// Code points a terminal does not show as themselves: C0 and C1 controls, DEL, and the format
// characters that reorder or hide text (bidi embeddings, overrides and isolates, line and
// paragraph separators, zero-width characters, the BOM).
bool hidden(uint32_t cp) {
  return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || (cp >= 0x200B && cp <= 0x200F) ||
         (cp >= 0x2028 && cp <= 0x202E) || (cp >= 0x2060 && cp <= 0x2069) || cp == 0xFEFF;
}

void append_escaped(std::string& out, std::string_view s, size_t& i, bool keep_newlines) {
  char buf[16];
  uint32_t cp = 0;
  const size_t len = utf8_sequence_at(s, i, &cp);
  if (len == 0) {
    std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned char>(s[i]));
    out += buf;
    ++i;
    return;
  }
  if (keep_newlines && (cp == '\n' || cp == '\t')) {
    out += static_cast<char>(cp);
  } else if (cp == '\\' && !keep_newlines) {
    out += "\\\\";
  } else if (hidden(cp)) {
    std::snprintf(buf, sizeof buf, cp < 0x80 ? "\\x%02x" : "\\u{%04x}", static_cast<unsigned>(cp));
    out += buf;
  } else {
    out.append(s.substr(i, len));
  }
  i += len;
}

}  // namespace

std::string printable(std::string_view s, size_t max_bytes) {
  std::string out;
  size_t i = 0;
  while (i < s.size() && i < max_bytes) append_escaped(out, s, i, false);
  if (i < s.size()) out += "... (" + std::to_string(s.size()) + " bytes in all)";
  return out;
}

std::string printable_message(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size();) append_escaped(out, s, i, true);
  return out;
}

}  // namespace rotary

#pragma once
// Strings that come from a model file (architecture, names, tokenizer fields, metadata keys, chat
// templates) shown on a terminal or in an error message. A file may hold any bytes: an ESC that
// rewrites the terminal, a BEL, a NUL that would cut a C string short, invalid UTF-8, a
// right-to-left override, or 100 kB where a word is expected. `printable` makes one safe line of
// it: valid UTF-8 text is kept, everything else is escaped (\x1b, \x00, \xff for a byte that is not
// UTF-8, \u{202e} for an invisible or direction-changing code point, \\ for a backslash), and a
// long string is cut at a character boundary with a note of its full length.
//
// JSON output (dump_json, base/json.h) does not use this: a JSON string carries the whole value,
// escaped by JSON's own rules (\u001b), so that a consumer reads exactly what the file holds.
#include <cstddef>
#include <string>
#include <string_view>

namespace rotary {

inline constexpr size_t kPrintableMaxBytes = 200;  // of the input shown before the cut

std::string printable(std::string_view s, size_t max_bytes = kPrintableMaxBytes);

// A whole message (several lines) for a terminal: control characters other than newline and tab
// are escaped as printable() does; nothing is cut. cli/main.cpp passes every error through it, a
// backstop for file strings that reach a message without printable().
std::string printable_message(std::string_view s);

}  // namespace rotary

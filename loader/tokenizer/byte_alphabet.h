#pragma once
// GPT-2's byte-level alphabet: byte-level BPE vocabularies spell every byte as one printable code
// point, so that token texts are valid UTF-8 without spaces or control characters. Bytes that are
// printable in Latin-1 ('!'..'~', U+00A1..U+00AC, U+00AE..U+00FF) stand for themselves; the other
// 68 bytes, in increasing order, take U+0100, U+0101, ... (space is U+0120 'Ġ', '\n' is U+010A
// 'Ċ').
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace rotary::byte_alphabet {

char32_t codepoint_of_byte(uint8_t byte);
std::optional<uint8_t> byte_of_codepoint(char32_t cp);

// Appends the alphabet spelling (UTF-8) of raw bytes.
void append_spelling(std::string_view bytes, std::string& out);

// Appends the raw bytes a token text spells. A code point outside the alphabet is copied as its
// UTF-8 unchanged; returns false when that happened.
bool append_bytes(std::string_view spelling, std::string& out);

}  // namespace rotary::byte_alphabet

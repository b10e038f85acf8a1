#pragma once
// The Unicode facts the pre-tokenizers need: UTF-8 decoding that never fails, the general
// category class of a code point (\p{L}, \p{N}, \p{M}, other) and White_Space. Categories come
// from unicode_classes.inc (Unicode 15.1, the version llama.cpp v0.5.0 uses; see
// scripts/gen-unicode-classes.py).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace rotary::unicode {

enum class CodepointClass : uint8_t { Other = 0, Letter = 1, Number = 2, Mark = 3 };

// Code points above U+10FFFF are Other.
CodepointClass codepoint_class(char32_t cp);

// The White_Space property (PropList.txt): \t..\r, space, U+0085, U+00A0, U+1680, U+2000..U+200A,
// U+2028, U+2029, U+202F, U+205F, U+3000.
bool is_whitespace(char32_t cp);

// Decodes UTF-8 the way llama.cpp does before pre-tokenising: a lead byte whose sequence is
// malformed or truncated becomes U+FFFD and decoding resumes at the next byte; overlong forms and
// surrogates are accepted as they come. A 4-byte form above U+10FFFF is malformed here (llama.cpp
// throws on it).
void decode_utf8(std::string_view text, std::vector<char32_t>& out);

// Appends the UTF-8 form of `cp` (at most U+10FFFF).
void append_utf8(char32_t cp, std::string& out);

// Length of the UTF-8 sequence that `lead` starts: 1 for ASCII, 2..4 for lead bytes, 0 for a
// continuation byte or a byte that never starts a sequence (0xF8..0xFF).
int utf8_sequence_length(uint8_t lead);

}  // namespace rotary::unicode

#pragma once
// Text that is valid UTF-8 whatever the model produced: JSON output and terminals need it, and a
// model (random weights above all) can emit any bytes.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace rotary {

// Valid sequences are kept; every byte of an invalid one (a stray continuation byte, a cut or
// overlong sequence, a surrogate, a code point past U+10FFFF) becomes U+FFFD.
std::string valid_utf8(std::string_view s);

// The length of the valid UTF-8 sequence at s[i] (its code point in *cp), or 0 when the bytes
// there are not one (stray continuation, cut or overlong form, surrogate, past U+10FFFF).
size_t utf8_sequence_at(std::string_view s, size_t i, uint32_t* cp);

}  // namespace rotary

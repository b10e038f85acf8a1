#pragma once
// Text that is valid UTF-8 whatever the model produced: JSON output and terminals need it, and a
// model (random weights above all) can emit any bytes.
#include <string>
#include <string_view>

namespace rotary {

// Valid sequences are kept; every byte of an invalid one (a stray continuation byte, a cut or
// overlong sequence, a surrogate, a code point past U+10FFFF) becomes U+FFFD.
std::string valid_utf8(std::string_view s);

}  // namespace rotary

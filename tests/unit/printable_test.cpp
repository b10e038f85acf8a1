// Strings from a model file on a terminal (base/printable.h): control characters, NUL, invalid
// UTF-8 and direction overrides escaped; long strings cut with their full length; valid text and
// JSON output untouched.
#include <doctest/doctest.h>

#include <string>

#include "base/json.h"
#include "base/printable.h"

namespace rotary {
namespace {

using namespace std::string_literals;

TEST_CASE("printable escapes what a terminal would act on") {
  CHECK(printable("qwen3moe") == "qwen3moe");
  CHECK(printable("caf\xc3\xa9 \xe6\xa8\xa1\xe5\x9e\x8b") ==
        "caf\xc3\xa9 \xe6\xa8\xa1\xe5\x9e\x8b");  // UTF-8 kept
  CHECK(printable("a\x1b[31mred\x07") == "a\\x1b[31mred\\x07");
  CHECK(printable("cut\0here"s) == "cut\\x00here");  // a NUL no longer ends the string early
  CHECK(printable("tab\tnew\nline\x7f") == "tab\\x09new\\x0aline\\x7f");
  CHECK(printable("back\\slash") == "back\\\\slash");  // an escape in the file cannot pass for ours
  CHECK(printable("\xff\xc3(") == "\\xff\\xc3(");      // not UTF-8: the bytes
  CHECK(printable("\xc2\x9b"
                  "2J") == "\\u{009b}2J");  // C1 control (CSI)
  CHECK(printable("abc\xe2\x80\xae"
                  "cba") == "abc\\u{202e}cba");  // right-to-left override
}

TEST_CASE("printable cuts a long string at a character boundary and says how long it was") {
  const std::string big(100000, 'x');
  CHECK(printable(big) == std::string(kPrintableMaxBytes, 'x') + "... (100000 bytes in all)");
  CHECK(printable(std::string(kPrintableMaxBytes, 'y')) ==
        std::string(kPrintableMaxBytes, 'y'));  // no cut
  // A 2-byte character across the limit is shown whole or not at all, never split.
  const std::string s = std::string(9, 'a') + "\xc3\xa9" + "zz";
  CHECK(printable(s, 10) == std::string(9, 'a') + "\xc3\xa9... (13 bytes in all)");
}

TEST_CASE("printable_message keeps lines and escapes the rest, without cutting") {
  CHECK(printable_message("line one\n\tline two\x1b]0;x\x07") ==
        "line one\n\tline two\\x1b]0;x\\x07");
  const std::string big(5000, 'z');
  CHECK(printable_message(big) == big);
}

TEST_CASE("JSON keeps the whole string, escaped by JSON's rules") {
  const Json j = {{"name", "a\x1b[31m\0b"s + std::string(300, 'x')}};
  CHECK(dump_json(j) == "{\"name\":\"a\\u001b[31m\\u0000b" + std::string(300, 'x') + "\"}");
}

}  // namespace
}  // namespace rotary

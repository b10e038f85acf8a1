#include <doctest/doctest.h>

#include "base/error.h"
#include "base/json.h"
#include "base/units.h"

namespace rotary {
namespace {

TEST_CASE("parse_size reads bytes, binary and decimal suffixes") {
  CHECK(parse_size("6442450944") == 6442450944ull);
  CHECK(parse_size("6.3G") == 6764573491ull);  // 6.3 * 2^30, rounded
  CHECK(parse_size("6.3GiB") == parse_size("6.3G"));
  CHECK(parse_size("6300M") == 6300ull << 20);
  CHECK(parse_size("6.3GB") == 6300000000ull);
  CHECK(parse_size("512k") == 512ull << 10);
  CHECK(parse_size("1T") == 1ull << 40);
  CHECK(parse_size("17B") == 17);
}

TEST_CASE("parse_size rejects what it cannot read, saying why") {
  for (const char* bad : {"", "G", "6.3X", "six", "1.2.3G", "-5G", "1e30G"}) {
    CAPTURE(bad);
    try {
      parse_size(bad);
      FAIL("accepted");
    } catch (const Error& e) {
      CHECK(e.kind() == ErrorKind::InvalidArgument);
      CHECK(std::string(e.what()).find("6.3G") != std::string::npos);  // shows examples
    }
  }
}

TEST_CASE("format_bytes") {
  CHECK(format_bytes(17) == "17 B");
  CHECK(format_bytes(1536) == "1.50 KiB");
  CHECK(format_bytes(6764573491ull) == "6.30 GiB");
  CHECK(format_bytes(300ull << 20) == "300.0 MiB");
}

TEST_CASE("JsonWriter nests, separates and escapes") {
  JsonWriter w;
  w.begin_object().field("a", 1).key("b").begin_array().value("x\"y\n").value(true).null().end_array();
  w.field("c", 0.5).key("d").begin_object().end_object().end_object();
  CHECK(w.str() == R"({"a":1,"b":["x\"y\n",true,null],"c":0.5,"d":{}})");
}

TEST_CASE("errors carry a kind, a place and an exit code") {
  const Error e(ErrorKind::Budget, "too big");
  CHECK(e.kind() == ErrorKind::Budget);
  CHECK(std::string(e.file()) == "base_test.cpp");
  CHECK(e.line() > 0);
  CHECK(exit_code(ErrorKind::InvalidModel) == 2);
  CHECK(exit_code(ErrorKind::Unsupported) == 3);
  CHECK(exit_code(ErrorKind::Budget) == 4);
  const Error v = Error::vulkan(-2, "vkAllocateMemory(...)");
  CHECK(v.kind() == ErrorKind::OutOfMemory);
  CHECK(v.vk_result() == -2);
  CHECK(std::string(v.what()).find("vkAllocateMemory") != std::string::npos);
}

}  // namespace
}  // namespace rotary

#include <doctest/doctest.h>

#include "base/error.h"
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

#include <cstdio>
#include <fstream>

#include "base/npy.h"

namespace rotary {
namespace {

TEST_CASE("npy: header is the format's, data round-trips") {
  const std::string path = "/tmp/rotary-npy-test.npy";
  NpyArray a{2, 3, {1, 2, 3, -4, 5.5f, 1e-30f}};
  write_npy(path, a);
  std::ifstream in(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), {});
  REQUIRE(bytes.size() == 128 + 6 * 4);  // header padded to a multiple of 64
  CHECK(bytes.compare(0, 6, "\x93NUMPY") == 0);
  CHECK(bytes.find("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }") == 10);
  CHECK(bytes[127] == '\n');
  const NpyArray b = read_npy(path);
  CHECK(b.rows == 2);
  CHECK(b.cols == 3);
  CHECK(b.data == a.data);
  NpyWriter w(path, 2, 3);
  w.write_row(a.data.data());
  CHECK_THROWS_AS(w.close(), Error);  // one row missing
  {
    NpyWriter u(path, NpyWriter::kUnknownRows, 3);
    for (int r = 0; r < 2; ++r) u.write_row(a.data.data() + r * 3);
    u.close();
  }
  const NpyArray c = read_npy(path);
  CHECK(c.rows == 2);
  CHECK(c.data == a.data);
  std::remove(path.c_str());
}

}  // namespace
}  // namespace rotary

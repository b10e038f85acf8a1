// Malformed GGUF input: one test per check the reader makes, each asserting the error kind and a
// substring of the message (the file, the field and the byte offset), and a truncation sweep.
#include <doctest/doctest.h>

#include <unistd.h>
#include <filesystem>

#include "loader/gguf_reader.h"
#include "loader/gguf_writer.h"
#include "tests/support/check_error.h"
#include "tests/support/tiny_models.h"

namespace rotary {
namespace {

// Raw GGUF bytes, field by field, so that any field can be wrong.
struct Raw {
  std::vector<std::byte> b;
  Raw& u8(uint8_t v) {
    b.push_back(static_cast<std::byte>(v));
    return *this;
  }
  Raw& u32(uint32_t v) {
    for (int i = 0; i < 4; ++i) u8(static_cast<uint8_t>(v >> (8 * i)));
    return *this;
  }
  Raw& u64(uint64_t v) {
    for (int i = 0; i < 8; ++i) u8(static_cast<uint8_t>(v >> (8 * i)));
    return *this;
  }
  Raw& str(std::string_view s) {
    u64(s.size());
    for (char c : s) u8(static_cast<uint8_t>(c));
    return *this;
  }
  Raw& header(uint64_t n_tensors, uint64_t n_kv, uint32_t version = 3) {
    b.clear();
    for (char c : std::string_view("GGUF")) u8(static_cast<uint8_t>(c));
    return u32(version).u64(n_tensors).u64(n_kv);
  }
  // A tensor info record.
  Raw& tensor(std::string_view name, std::vector<uint64_t> shape, uint32_t type, uint64_t offset) {
    str(name).u32(static_cast<uint32_t>(shape.size()));
    for (uint64_t d : shape) u64(d);
    return u32(type).u64(offset);
  }
  Raw& pad_to(size_t alignment) {
    while (b.size() % alignment) u8(0);
    return *this;
  }
  Raw& zeros(size_t n) {
    for (size_t i = 0; i < n; ++i) u8(0);
    return *this;
  }
};

GgufFile parse(const Raw& r) {
  return GgufFile::parse(r.b, "bad.gguf");
}

constexpr uint32_t kF32 = 0, kQ4K = 12, kF64 = 28;

TEST_CASE("gguf malformed: too short, bad magic") {
  CHECK_ROTARY_ERROR(GgufFile::parse({}, "bad.gguf"), ErrorKind::InvalidModel,
                     "bad.gguf: GGUF header at byte 0: file is 0 bytes");
  Raw r;
  r.u8('G').u8('G').u8('U');
  CHECK_ROTARY_ERROR(parse(r), ErrorKind::InvalidModel, "too short");
  r.header(0, 0);
  r.b[3] = std::byte{'L'};
  CHECK_ROTARY_ERROR(parse(r), ErrorKind::InvalidModel, "bad magic 'GGUL'");
  r.b[0] = std::byte{0};
  CHECK_ROTARY_ERROR(parse(r), ErrorKind::InvalidModel, "bad magic '\\x00GUL'");
}

TEST_CASE("gguf malformed: versions (v1, newer, big-endian, garbage)") {
  Raw r;
  CHECK_ROTARY_ERROR(parse(r.header(0, 0, 1)), ErrorKind::Unsupported,
                     "unsupported GGUF version 1");
  CHECK_ROTARY_ERROR(parse(r.header(0, 0, 4)), ErrorKind::Unsupported,
                     "unsupported GGUF version 4");
  CHECK_ROTARY_ERROR(parse(r.header(0, 0, 0)), ErrorKind::InvalidModel,
                     "at byte 4: bad GGUF version 0");
  CHECK_ROTARY_ERROR(parse(r.header(0, 0, 0x12345678)), ErrorKind::InvalidModel,
                     "bad GGUF version");
  // A big-endian v3 file: the version field holds 00 00 00 03.
  CHECK_ROTARY_ERROR(parse(r.header(0, 0, 0x03000000)), ErrorKind::Unsupported, "big-endian");
  CHECK_NOTHROW(parse(r.header(0, 0, 2)));
  CHECK_NOTHROW(parse(r.header(0, 0, 3)));
}

TEST_CASE("gguf malformed: counts past the end") {
  Raw r;
  CHECK_ROTARY_ERROR(parse(r.header(1ull << 60, 0)), ErrorKind::InvalidModel,
                     "at byte 8: tensor count 1152921504606846976");
  CHECK_ROTARY_ERROR(parse(r.header(0, ~0ull)), ErrorKind::InvalidModel,
                     "at byte 16: metadata key count");
  r.header(0, 2).str("a").u32(4).u32(1);  // one key of the two promised
  CHECK_ROTARY_ERROR(parse(r), ErrorKind::InvalidModel,
                     "metadata key count 2 cannot fit in the 17 bytes left");
  r.zeros(12);  // enough bytes for the count check, not for the second key
  CHECK_ROTARY_ERROR(parse(r), ErrorKind::InvalidModel,
                     "metadata key 1 of 2 at byte 41: empty key name");
  r.header(2, 0)
      .tensor("t", {8}, kF32, 0)
      .str("u")
      .zeros(12);  // one tensor info of the two promised
  CHECK_ROTARY_ERROR(
      parse(r), ErrorKind::InvalidModel,
      "tensor 1 of 2 ('u') at byte 74: data offset needs 8 bytes but the file ends after 4");
  r.header(0, 1).str("arr").u32(9).u32(4).u64(1ull << 40);  // 2^40 u32 in a few bytes
  r.zeros(16);
  CHECK_ROTARY_ERROR(parse(r), ErrorKind::InvalidModel,
                     "array of 1099511627776 u32 runs past the end");
  r.header(0, 1).str("arr").u32(9).u32(8).u64(3).str("x");  // 3 strings promised, 1 given
  CHECK_ROTARY_ERROR(parse(r), ErrorKind::InvalidModel, "runs past the end");
}

TEST_CASE("gguf malformed: string lengths past the end") {
  Raw r;
  r.header(0, 1).u64(1000).zeros(16);
  CHECK_ROTARY_ERROR(parse(r), ErrorKind::InvalidModel,
                     "metadata key 0 of 1 at byte 24: key name length 1000 runs past the end");
  r.header(0, 1).str("name").u32(8).u64(~0ull);
  CHECK_ROTARY_ERROR(parse(r), ErrorKind::InvalidModel,
                     "('name') at byte 40: string value length 18446744073709551615");
  r.header(1, 0).u64(99).zeros(24);
  CHECK_ROTARY_ERROR(parse(r), ErrorKind::InvalidModel,
                     "tensor 0 of 1 at byte 24: tensor name length 99");
}

TEST_CASE("gguf malformed: metadata values") {
  Raw r;
  r.header(0, 1).str("").u32(4).u32(0);
  CHECK_ROTARY_ERROR(parse(r), ErrorKind::InvalidModel, "empty key name");
  r.header(0, 1).str("k").u32(13).u32(0);
  CHECK_ROTARY_ERROR(parse(r), ErrorKind::InvalidModel,
                     "('k') at byte 33: unknown GGUF value type 13");
  r.header(0, 1).str("k").u32(9).u32(77).u64(0);
  CHECK_ROTARY_ERROR(parse(r), ErrorKind::InvalidModel, "unknown GGUF value type 77");
  r.header(0, 1).str("k").u32(7).u8(2);
  CHECK_ROTARY_ERROR(parse(r), ErrorKind::InvalidModel, "bool value 2 is neither 0 nor 1");
  r.header(0, 2).str("k").u32(4).u32(1).str("k").u32(8).str("again");
  CHECK_ROTARY_ERROR(parse(r), ErrorKind::InvalidModel,
                     "('k') at byte 41: duplicate key (first defined at byte 24)");
  // Arrays nested 9 deep (the limit is 8): each level is arr-of-arr with one element.
  r.header(0, 1).str("deep").u32(9);
  for (int i = 0; i < 9; ++i) r.u32(9).u64(1);
  r.u32(4).u64(0);
  CHECK_ROTARY_ERROR(parse(r), ErrorKind::InvalidModel, "arrays nested more than 8 deep");
}

TEST_CASE("gguf malformed: general.alignment") {
  Raw r;
  r.header(0, 1).str("general.alignment").u32(10).u64(32);
  CHECK_ROTARY_ERROR(parse(r), ErrorKind::InvalidModel,
                     "'general.alignment' at byte 24: must be a u32, found u64");
  r.header(0, 1).str("general.alignment").u32(4).u32(0);
  CHECK_ROTARY_ERROR(parse(r), ErrorKind::InvalidModel, "alignment 0 is not a power of two");
  r.header(0, 1).str("general.alignment").u32(4).u32(48);
  CHECK_ROTARY_ERROR(parse(r), ErrorKind::InvalidModel, "alignment 48 is not a power of two");
}

TEST_CASE("gguf malformed: tensor infos") {
  Raw r;
  r.header(1, 0).tensor("t", {1, 2, 3, 4, 5}, kF32, 0).zeros(64);
  CHECK_ROTARY_ERROR(parse(r), ErrorKind::InvalidModel,
                     "tensor 0 of 1 ('t') at byte 33: 5 dimensions");
  r.header(1, 0).tensor("t", {1ull << 63}, kF32, 0).zeros(64);
  CHECK_ROTARY_ERROR(parse(r), ErrorKind::InvalidModel,
                     "dimension 0 is 9223372036854775808 (negative as int64)");
  r.header(1, 0).tensor("t", {1ull << 32, 1ull << 31}, kF32, 0).zeros(64);
  CHECK_ROTARY_ERROR(parse(r), ErrorKind::InvalidModel,
                     "element count of shape {4294967296, 2147483648} overflows int64");
  r.header(1, 0).tensor("t", {1ull << 62}, kF64, 0).zeros(64);
  CHECK_ROTARY_ERROR(parse(r), ErrorKind::InvalidModel,
                     "byte size of shape {4611686018427387904} overflows 64 bits");
  r.header(1, 0).tensor("t", {8}, 31, 0).zeros(64);
  CHECK_ROTARY_ERROR(parse(r), ErrorKind::InvalidModel, "unknown ggml type id 31");
  r.header(1, 0).tensor("t", {100, 2}, kQ4K, 0).zeros(64);
  CHECK_ROTARY_ERROR(parse(r), ErrorKind::InvalidModel,
                     "rows of 100 elements are not a whole number of q4_K blocks (256)");
  r.header(1, 0).tensor("", {8}, kF32, 0).zeros(64);
  CHECK_ROTARY_ERROR(parse(r), ErrorKind::InvalidModel,
                     "tensor 0 of 1 at byte 24: empty tensor name");
  r.header(1, 0).tensor(std::string(64, 'n'), {8}, kF32, 0).zeros(64);
  CHECK_ROTARY_ERROR(parse(r), ErrorKind::InvalidModel, "name is 64 bytes, longer than ggml's 63");
  r.header(2, 0).tensor("t", {8}, kF32, 0).tensor("t", {8}, kF32, 32).pad_to(32).zeros(64);
  CHECK_ROTARY_ERROR(
      parse(r), ErrorKind::InvalidModel,
      "tensor 1 ('t') at byte 57: duplicate tensor name (first defined by tensor 0 at byte 24)");
}

TEST_CASE("gguf malformed: tensor data offsets") {
  Raw r;
  r.header(1, 0).tensor("t", {8}, kF32, 4).pad_to(32).zeros(64);
  CHECK_ROTARY_ERROR(parse(r), ErrorKind::InvalidModel,
                     "tensor 't' at byte 24: data offset 4 is not a multiple of the alignment 32");
  r.header(1, 0).tensor("t", {8}, kF32, 64).pad_to(32).zeros(64);
  CHECK_ROTARY_ERROR(
      parse(r), ErrorKind::InvalidModel,
      "32 bytes at data offset 64 (file byte 128) run past the end of the 128-byte file");
  r.header(1, 0).tensor("t", {8}, kF32, ~0ull << 5).pad_to(32).zeros(64);
  CHECK_ROTARY_ERROR(parse(r), ErrorKind::InvalidModel, "run past the end");
  r.header(2, 0).tensor("a", {16}, kF32, 0).tensor("b", {8}, kF32, 32).pad_to(32).zeros(96);
  CHECK_ROTARY_ERROR(
      parse(r), ErrorKind::InvalidModel,
      "tensor 'b' at byte 57: data at offset 32 overlaps tensor 'a' (64 bytes at offset 0)");
  // The data section (aligned) starts past the end even though the tensor is empty.
  r.header(1, 0).tensor("e", {0}, kF32, 0);
  CHECK_ROTARY_ERROR(parse(r), ErrorKind::InvalidModel,
                     "data section at byte 57: starts at byte 64");
  r.pad_to(32);
  const auto ok = parse(r);
  CHECK(ok.tensors()[0].n_bytes == 0);
  CHECK(ok.data_offset() == 64);
}

TEST_CASE("gguf malformed: truncation at every byte of a small valid file throws InvalidModel") {
  GgufWriter w;
  w.set("general.architecture", GgufValue(std::string("qwen3moe")));
  w.set("a",
        GgufValue(GgufArray(std::vector<GgufArray>{GgufArray(std::vector<std::string>{"x", ""}),
                                                   GgufArray(std::vector<float>{1.f})})));
  w.set("b", GgufValue(true));
  w.add_tensor("t0", GgmlType::Q8_0, {64, 3}, test::pattern_bytes(6 * 34, 1));
  w.add_tensor("t1", GgmlType::F32, {7}, test::pattern_bytes(28, 2));
  const auto bytes = w.to_bytes();
  const auto whole = GgufFile::parse(bytes);
  const auto& last = whole.tensors().back();
  const uint64_t end_of_data = whole.data_offset() + last.offset + last.n_bytes;
  for (uint64_t n = 0; n < end_of_data; ++n) {
    CAPTURE(n);
    CHECK_ROTARY_ERROR(GgufFile::parse(std::span(bytes).first(n), "cut.gguf"),
                       ErrorKind::InvalidModel, "cut.gguf: ");
  }
  // The padding after the last tensor is not needed (llama.cpp's mmap loader agrees).
  CHECK_NOTHROW(GgufFile::parse(std::span(bytes).first(end_of_data)));
}

TEST_CASE("gguf malformed: truncation of a tiny model at every byte up to its last tensor") {
  const auto bytes = test::tiny_model_bytes({});
  const auto whole = GgufFile::parse(bytes);
  uint64_t end_of_data = 0;
  for (const auto& t : whole.tensors())
    end_of_data = std::max(end_of_data, whole.data_offset() + t.offset + t.n_bytes);
  for (uint64_t n = 0; n < end_of_data; ++n) {
    bool invalid = false;
    try {
      GgufFile::parse(std::span(bytes).first(n));
    } catch (const Error& e) {
      invalid = e.kind() == ErrorKind::InvalidModel;
    }
    if (!invalid) FAIL("a file cut to ", n, " bytes was not rejected as InvalidModel");
  }
}

TEST_CASE("gguf open: I/O errors name the path") {
  CHECK_ROTARY_ERROR(GgufFile::open("/nonexistent/model.gguf"), ErrorKind::Io,
                     "/nonexistent/model.gguf: cannot open");
  CHECK_ROTARY_ERROR(GgufFile::open(std::filesystem::temp_directory_path()), ErrorKind::Io,
                     "not a regular file");
  const auto path = std::filesystem::temp_directory_path() /
                    ("rotary_empty_" + std::to_string(::getpid()) + ".gguf");
  {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    REQUIRE(f);
    std::fclose(f);
  }
  CHECK_ROTARY_ERROR(GgufFile::open(path), ErrorKind::InvalidModel, "file is 0 bytes");
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace rotary

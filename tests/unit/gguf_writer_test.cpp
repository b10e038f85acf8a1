// The streaming writer: tensors supplied chunk by chunk (in odd chunk sizes), mixed with
// in-memory tensors; every misuse is an InvalidArgument that says what went wrong.
#include <doctest/doctest.h>

#include <unistd.h>
#include <cstring>
#include <filesystem>

#include "loader/gguf_reader.h"
#include "loader/gguf_writer.h"
#include "tests/support/check_error.h"
#include "tests/support/tiny_models.h"

namespace rotary {
namespace {

using test::pattern_bytes;

std::filesystem::path temp_path(const char* name) {
  return std::filesystem::temp_directory_path() /
         ("rotary_" + std::string(name) + "_" + std::to_string(::getpid()) + ".gguf");
}

TEST_CASE("gguf writer: streams tensors chunk by chunk to a file") {
  const auto path = temp_path("stream");
  // Sizes chosen so that no tensor is a multiple of the alignment: 13*7*4, 127*34/32*... etc.
  const auto a = pattern_bytes(13 * 7 * 4, 11);
  const auto b = pattern_bytes(127 * 2 * 2, 12);
  const auto c = pattern_bytes(4 * 34 * 3, 13);
  {
    GgufWriter w;
    w.set("general.architecture", GgufValue(std::string("test")));
    w.add_tensor_info("a", GgmlType::F32, {13, 7});
    w.add_tensor("b", GgmlType::F16, {127, 2}, b);  // in memory: written when the stream reaches it
    w.add_tensor_info("c", GgmlType::Q8_0, {128, 3});
    CHECK(w.tensor_bytes("a") == a.size());
    CHECK(w.tensor_bytes("c") == c.size());
    w.open(path);
    w.begin_tensor("a");
    w.write_bytes(std::span(a).first(1));
    w.write_bytes(std::span(a).subspan(1, 7));
    w.write_bytes({});
    w.write_bytes(std::span(a).subspan(8));
    w.end_tensor();
    uint64_t calls = 0;
    w.write_tensor(
        "c",
        [&](std::span<std::byte> chunk, uint64_t offset) {
          ++calls;
          std::memcpy(chunk.data(), c.data() + offset, chunk.size());
        },
        13);
    CHECK(calls == (c.size() + 12) / 13);
    const uint64_t expected_size = w.file_size();
    w.finish();
    CHECK(std::filesystem::file_size(path) == expected_size);
  }
  const auto file = GgufFile::open(path);
  REQUIRE(file.tensors().size() == 3);
  const std::vector<std::byte>* want[] = {&a, &b, &c};
  for (size_t i = 0; i < 3; ++i) {
    const auto& t = file.tensors()[i];
    CAPTURE(t.name);
    REQUIRE(t.data.size() == want[i]->size());
    CHECK(std::memcmp(t.data.data(), want[i]->data(), t.data.size()) == 0);
  }
  std::filesystem::remove(path);
}

TEST_CASE("gguf writer: a writer dropped before finish() removes its partial file") {
  const auto path = temp_path("abandoned");
  {
    GgufWriter w;
    w.add_tensor_info("a", GgmlType::F32, {4});
    w.open(path);
    CHECK(std::filesystem::exists(path));
  }
  CHECK(!std::filesystem::exists(path));
}

TEST_CASE("gguf writer: byte counts and order are checked") {
  const auto path = temp_path("misuse");
  GgufWriter w;
  w.add_tensor_info("a", GgmlType::F32, {4});
  w.add_tensor_info("b", GgmlType::F32, {2});
  CHECK_ROTARY_ERROR(w.begin_tensor("a"), ErrorKind::InvalidArgument, "before open()");
  w.open(path);
  CHECK_ROTARY_ERROR(w.set("late", GgufValue(true)), ErrorKind::InvalidArgument,
                     "set after open()");
  CHECK_ROTARY_ERROR(w.add_tensor_info("late", GgmlType::F32, {1}), ErrorKind::InvalidArgument,
                     "after open()");
  CHECK_ROTARY_ERROR(w.write_bytes(pattern_bytes(4, 1)), ErrorKind::InvalidArgument,
                     "outside begin_tensor");
  CHECK_ROTARY_ERROR(w.begin_tensor("b"), ErrorKind::InvalidArgument,
                     "the next tensor to write is 'a'");
  w.begin_tensor("a");
  CHECK_ROTARY_ERROR(w.begin_tensor("b"), ErrorKind::InvalidArgument, "while tensor 'a' is open");
  w.write_bytes(pattern_bytes(12, 1));
  CHECK_ROTARY_ERROR(w.write_bytes(pattern_bytes(8, 1)), ErrorKind::InvalidArgument,
                     "tensor 'a': 20 bytes written, more than its 16");
  CHECK_ROTARY_ERROR(w.end_tensor(), ErrorKind::InvalidArgument,
                     "tensor 'a': 12 bytes written, it needs 16");
  CHECK_ROTARY_ERROR(w.finish(), ErrorKind::InvalidArgument, "while tensor 'a' is open");
  w.write_bytes(pattern_bytes(4, 1));
  w.end_tensor();
  CHECK_ROTARY_ERROR(w.finish(), ErrorKind::InvalidArgument,
                     "tensor 'b' and 0 more were never written");
  w.write_tensor("b", [](std::span<std::byte> chunk, uint64_t) {
    std::memset(chunk.data(), 0, chunk.size());
  });
  CHECK_ROTARY_ERROR(w.begin_tensor("b"), ErrorKind::InvalidArgument, "every tensor is written");
  w.finish();
  CHECK(GgufFile::open(path).tensors().size() == 2);
  std::filesystem::remove(path);
}

TEST_CASE("gguf writer: declarations are checked") {
  GgufWriter w;
  w.set("k", GgufValue(uint32_t{1}));
  CHECK_ROTARY_ERROR(w.set("k", GgufValue(uint32_t{2})), ErrorKind::InvalidArgument,
                     "duplicate metadata key 'k'");
  CHECK_ROTARY_ERROR(w.set("", GgufValue(uint32_t{2})), ErrorKind::InvalidArgument,
                     "empty metadata key");
  CHECK_ROTARY_ERROR(w.set("general.alignment", GgufValue(uint64_t{32})),
                     ErrorKind::InvalidArgument, "general.alignment must be a u32 power of two");
  CHECK_ROTARY_ERROR(w.set("general.alignment", GgufValue(uint32_t{24})),
                     ErrorKind::InvalidArgument, "power of two, got 24");
  CHECK_ROTARY_ERROR(w.set_version(1), ErrorKind::InvalidArgument, "version 1");
  GgufArray deep(std::vector<uint32_t>{1});
  for (int i = 0; i < 8; ++i) deep = GgufArray(std::vector<GgufArray>{deep});  // 9 levels
  CHECK_ROTARY_ERROR(w.set("deep", GgufValue(deep)), ErrorKind::InvalidArgument,
                     "nested deeper than 8");
  w.add_tensor_info("t", GgmlType::Q4_K, {256, 2});
  CHECK_ROTARY_ERROR(w.add_tensor_info("t", GgmlType::F32, {1}), ErrorKind::InvalidArgument,
                     "duplicate tensor name 't'");
  CHECK_ROTARY_ERROR(w.add_tensor_info("u", GgmlType::Q4_K, {100}), ErrorKind::InvalidArgument,
                     "rows of 100 are not whole q4_K blocks of 256");
  CHECK_ROTARY_ERROR(w.add_tensor_info("u", GgmlType::F32, {1, 1, 1, 1, 1}),
                     ErrorKind::InvalidArgument, "more than 4 dimensions");
  CHECK_ROTARY_ERROR(w.add_tensor_info("u", GgmlType::F32, {1ull << 40, 1ull << 40}),
                     ErrorKind::InvalidArgument, "overflows int64");
  CHECK_ROTARY_ERROR(w.add_tensor_info("u", static_cast<GgmlType>(31), {1}),
                     ErrorKind::InvalidArgument, "unknown ggml type 31");
  CHECK_ROTARY_ERROR(w.add_tensor_info(std::string(64, 'x'), GgmlType::F32, {1}),
                     ErrorKind::InvalidArgument, "must be 1..63 bytes");
  CHECK_ROTARY_ERROR(w.add_tensor("u", GgmlType::F32, {4}, pattern_bytes(15, 1)),
                     ErrorKind::InvalidArgument, "tensor 'u': 15 bytes given, its shape needs 16");
  CHECK(w.tensor_count() == 1);  // the rejected declarations left nothing behind
  CHECK_ROTARY_ERROR(w.set("general.alignment", GgufValue(uint32_t{64})),
                     ErrorKind::InvalidArgument, "before declaring tensors");
  CHECK_ROTARY_ERROR(w.to_bytes(), ErrorKind::InvalidArgument, "tensor 't' has no bytes");
}

TEST_CASE("gguf writer: an unwritable path is an Io error naming it") {
  GgufWriter w;
  CHECK_ROTARY_ERROR(w.open("/nonexistent/dir/out.gguf"), ErrorKind::Io,
                     "/nonexistent/dir/out.gguf: cannot create");
}

}  // namespace
}  // namespace rotary

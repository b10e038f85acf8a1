// Writer -> reader round trips: every metadata value type (nested and empty arrays, empty
// strings), tensors of every ggml type, v2 and v3, several alignments; plus the exact bytes of a
// small file written out by hand from the GGUF specification.
#include <doctest/doctest.h>

#include <unistd.h>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>

#include "loader/gguf_reader.h"
#include "loader/gguf_writer.h"
#include "tests/support/tiny_models.h"

namespace rotary {
namespace {

using test::pattern_bytes;

std::vector<std::pair<std::string, GgufValue>> every_value_type() {
  std::vector<std::pair<std::string, GgufValue>> kv;
  kv.emplace_back("u8", GgufValue(uint8_t{255}));
  kv.emplace_back("i8", GgufValue(int8_t{-128}));
  kv.emplace_back("u16", GgufValue(uint16_t{65535}));
  kv.emplace_back("i16", GgufValue(int16_t{-32768}));
  kv.emplace_back("u32", GgufValue(uint32_t{4294967295u}));
  kv.emplace_back("i32", GgufValue(int32_t{std::numeric_limits<int32_t>::min()}));
  kv.emplace_back("f32", GgufValue(-1.5e-7f));
  kv.emplace_back("bool.true", GgufValue(true));
  kv.emplace_back("bool.false", GgufValue(false));
  kv.emplace_back("str", GgufValue(std::string("h\xc3\xa9llo, \xe4\xb8\x96\xe7\x95\x8c")));
  kv.emplace_back("str.empty", GgufValue(std::string()));
  kv.emplace_back("str.nul", GgufValue(std::string("a\0b", 3)));
  kv.emplace_back("u64", GgufValue(std::numeric_limits<uint64_t>::max()));
  kv.emplace_back("i64", GgufValue(std::numeric_limits<int64_t>::min()));
  kv.emplace_back("f64", GgufValue(6.02214076e23));
  kv.emplace_back("f32.inf", GgufValue(std::numeric_limits<float>::infinity()));
  // Arrays of every element type.
  kv.emplace_back("arr.u8", GgufValue(GgufArray(std::vector<uint8_t>{0, 1, 255})));
  kv.emplace_back("arr.i8", GgufValue(GgufArray(std::vector<int8_t>{-1, 7})));
  kv.emplace_back("arr.u16", GgufValue(GgufArray(std::vector<uint16_t>{1, 65535})));
  kv.emplace_back("arr.i16", GgufValue(GgufArray(std::vector<int16_t>{-300, 300})));
  kv.emplace_back("arr.u32", GgufValue(GgufArray(std::vector<uint32_t>{7, 13, 127})));
  kv.emplace_back("arr.i32", GgufValue(GgufArray(std::vector<int32_t>{-5, 0, 5})));
  kv.emplace_back("arr.f32", GgufValue(GgufArray(std::vector<float>{0.25f, -0.0f, 1e30f})));
  kv.emplace_back("arr.bool", GgufValue(GgufArray(std::vector<bool>{true, false, true})));
  kv.emplace_back("arr.str", GgufValue(GgufArray(std::vector<std::string>{"a", "", "Ġthe"})));
  kv.emplace_back("arr.u64", GgufValue(GgufArray(std::vector<uint64_t>{1ull << 63})));
  kv.emplace_back("arr.i64", GgufValue(GgufArray(std::vector<int64_t>{-(1ll << 62)})));
  kv.emplace_back("arr.f64", GgufValue(GgufArray(std::vector<double>{-2.5, 1e-300})));
  // Empty arrays, and arrays of arrays (with an empty one inside, and three levels deep).
  kv.emplace_back("arr.empty.u32", GgufValue(GgufArray(std::vector<uint32_t>{})));
  kv.emplace_back("arr.empty.str", GgufValue(GgufArray(std::vector<std::string>{})));
  kv.emplace_back("arr.empty.arr", GgufValue(GgufArray(std::vector<GgufArray>{})));
  kv.emplace_back("arr.nested",
                  GgufValue(GgufArray(std::vector<GgufArray>{
                      GgufArray(std::vector<std::string>{"x", "yz"}),
                      GgufArray(std::vector<uint32_t>{}), GgufArray(std::vector<int16_t>{-1})})));
  kv.emplace_back("arr.nested3",
                  GgufValue(GgufArray(std::vector<GgufArray>{GgufArray(std::vector<GgufArray>{
                      GgufArray(std::vector<double>{3.5}), GgufArray(std::vector<bool>{})})})));
  return kv;
}

TEST_CASE("gguf round trip: every metadata value type, v2 and v3") {
  for (uint32_t version : {2u, 3u}) {
    CAPTURE(version);
    GgufWriter w;
    w.set_version(version);
    const auto kv = every_value_type();
    for (const auto& [k, v] : kv) w.set(k, v);
    const auto bytes = w.to_bytes();
    CHECK(bytes.size() == w.file_size());
    const auto file = GgufFile::parse(bytes, "roundtrip.gguf");
    CHECK(file.version() == version);
    CHECK(file.tensors().empty());
    REQUIRE(file.metadata().size() == kv.size());
    for (size_t i = 0; i < kv.size(); ++i) {
      const auto& e = file.metadata().entries()[i];
      CAPTURE(kv[i].first);
      CHECK(e.key == kv[i].first);  // file order is kept
      CHECK(e.value.type() == kv[i].second.type());
      CHECK(e.value == kv[i].second);
      CHECK(e.offset > 0);
    }
    // Bits, not just ==: -0.0f == 0.0f.
    const float neg_zero = (*file.metadata().find("arr.f32")->as_array()->get_if<float>())[1];
    CHECK(std::signbit(neg_zero));
    CHECK(file.metadata().find("str.nul")->as_string()->size() == 3);
  }
}

TEST_CASE("gguf round trip: tensors of every ggml type, seeded bytes, several alignments") {
  for (uint32_t alignment : {32u, 1u, 64u, 4096u}) {
    CAPTURE(alignment);
    GgufWriter w;
    if (alignment != kGgufDefaultAlignment) w.set("general.alignment", GgufValue(alignment));
    struct Want {
      std::string name;
      GgmlType type;
      std::vector<uint64_t> shape;
      uint64_t bytes;
    };
    std::vector<Want> wants;
    for (uint32_t id = 0; id < 64; ++id) {
      const auto info = ggml_type_info(id);
      if (!info) continue;
      // Awkward shapes: 3 blocks per row, 7 rows (and 5 planes for every other type).
      std::vector<uint64_t> shape{3ull * info->block_size, 7};
      if (id % 2) shape.push_back(5);
      const uint64_t rows = id % 2 ? 35 : 7;
      wants.push_back(
          {"t." + std::string(info->name), info->type, shape, rows * 3 * info->type_size});
    }
    for (size_t i = 0; i < wants.size(); ++i)
      w.add_tensor(wants[i].name, wants[i].type, wants[i].shape, pattern_bytes(wants[i].bytes, i));
    const auto bytes = w.to_bytes();
    const auto file = GgufFile::parse(bytes);
    CHECK(file.alignment() == alignment);
    CHECK(file.data_offset() % alignment == 0);
    REQUIRE(file.tensors().size() == wants.size());
    for (size_t i = 0; i < wants.size(); ++i) {
      const auto& t = file.tensors()[i];
      CAPTURE(wants[i].name);
      CHECK(t.name == wants[i].name);
      CHECK(t.type == wants[i].type);
      CHECK(t.shape == wants[i].shape);
      CHECK(t.n_bytes == wants[i].bytes);
      CHECK(t.offset % alignment == 0);
      // Zero copy: the span points into the input bytes, where offsets say.
      CHECK(t.data.data() == bytes.data() + file.data_offset() + t.offset);
      const auto expect = pattern_bytes(wants[i].bytes, i);
      CHECK(std::memcmp(t.data.data(), expect.data(), expect.size()) == 0);
      CHECK(file.find_tensor(t.name) == &t);
    }
    CHECK(file.find_tensor("t.missing") == nullptr);
  }
}

TEST_CASE("gguf round trip: empty and 0-d tensors") {
  // A zero dimension makes an empty tensor whatever the others are (as ggml counts); reader and
  // writer agree on it (the fuzzer found them disagreeing once).
  GgufWriter w;
  w.add_tensor("empty", GgmlType::F32, {1ull << 40, 1ull << 40, 0}, {});
  w.add_tensor("scalar", GgmlType::F32, {}, pattern_bytes(4, 5));
  const auto bytes = w.to_bytes();
  const auto file = GgufFile::parse(bytes);
  REQUIRE(file.tensors().size() == 2);
  CHECK(file.tensors()[0].n_elements == 0);
  CHECK(file.tensors()[0].n_bytes == 0);
  CHECK(file.tensors()[0].shape == std::vector<uint64_t>{1ull << 40, 1ull << 40, 0});
  CHECK(file.tensors()[1].shape.empty());
  CHECK(file.tensors()[1].n_elements == 1);
  CHECK(file.tensors()[1].n_bytes == 4);
}

void put_u32(std::vector<uint8_t>& b, uint32_t v) {
  for (int i = 0; i < 4; ++i) b.push_back(static_cast<uint8_t>(v >> (8 * i)));
}
void put_u64(std::vector<uint8_t>& b, uint64_t v) {
  for (int i = 0; i < 8; ++i) b.push_back(static_cast<uint8_t>(v >> (8 * i)));
}
void put_str(std::vector<uint8_t>& b, std::string_view s) {
  put_u64(b, s.size());
  b.insert(b.end(), s.begin(), s.end());
}

TEST_CASE("gguf writer: the bytes of a small file, as the specification lays them out") {
  GgufWriter w;
  w.set("k", GgufValue(uint32_t{5}));
  w.set("s", GgufValue(GgufArray(std::vector<std::string>{"ab"})));
  const std::vector<std::byte> data{std::byte{1}, std::byte{2}, std::byte{3},
                                    std::byte{4}, std::byte{5}, std::byte{6}};
  w.add_tensor("t", GgmlType::F16, {3}, data);
  std::vector<uint8_t> want;
  want.insert(want.end(), {'G', 'G', 'U', 'F'});
  put_u32(want, 3);  // version
  put_u64(want, 1);  // tensors
  put_u64(want, 2);  // keys
  put_str(want, "k");
  put_u32(want, 4);  // u32
  put_u32(want, 5);
  put_str(want, "s");
  put_u32(want, 9);  // array
  put_u32(want, 8);  // of str
  put_u64(want, 1);
  put_str(want, "ab");
  put_str(want, "t");
  put_u32(want, 1);  // n_dims
  put_u64(want, 3);
  put_u32(want, 1);  // F16
  put_u64(want, 0);  // offset
  while (want.size() % 32) want.push_back(0);
  for (int i = 1; i <= 6; ++i) want.push_back(static_cast<uint8_t>(i));
  while (want.size() % 32) want.push_back(0);  // the last tensor is padded too, as llama.cpp does
  const auto got = w.to_bytes();
  REQUIRE(got.size() == want.size());
  CHECK(std::memcmp(got.data(), want.data(), want.size()) == 0);
}

TEST_CASE("gguf reader: open() maps a file and tensor data points into the mapping") {
  const auto path = std::filesystem::temp_directory_path() /
                    ("rotary_roundtrip_" + std::to_string(::getpid()) + ".gguf");
  const test::TinyModel m;
  const auto bytes = test::tiny_model_bytes(m);
  {
    GgufWriter w;
    test::add_tiny_metadata(w, m);
    test::add_tiny_tensors(w, m);
    w.write_file(path);
  }
  {
    auto file = GgufFile::open(path);
    CHECK(file.source() == path.string());
    REQUIRE(file.file_size() == bytes.size());
    CHECK(std::memcmp(file.bytes().data(), bytes.data(), bytes.size()) == 0);
    const auto* t = file.find_tensor("blk.1.ffn_down_exps.weight");
    REQUIRE(t != nullptr);
    const std::byte* data = t->data.data();
    CHECK(data == file.bytes().data() + file.data_offset() + t->offset);
    const GgufFile moved = std::move(file);  // moves ownership of the mapping, not the bytes
    CHECK(moved.find_tensor("blk.1.ffn_down_exps.weight")->data.data() == data);
  }
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace rotary

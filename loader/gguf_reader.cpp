#include "loader/gguf_reader.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <limits>

#include "base/error.h"
#include "base/printable.h"
#include "loader/tensor_shape.h"

namespace rotary {

static_assert(std::endian::native == std::endian::little,
              "the GGUF reader copies little-endian fields as they lie");

namespace {

// Smallest encodings, used to bound counts by the bytes left before anything is allocated.
constexpr uint64_t kMinKeyValueBytes = 8 + 4 + 1;        // empty-key length, type, one byte
constexpr uint64_t kMinTensorInfoBytes = 8 + 4 + 4 + 8;  // name length, n_dims, type, offset
constexpr uint64_t kMinStringBytes = 8;                  // the length
constexpr uint64_t kMinArrayBytes = 4 + 8;               // element type, count
constexpr uint64_t kMaxTensorNameBytes = 63;             // ggml's GGML_MAX_NAME is 64 with the NUL

// File bytes in a message: escaped and cut (base/printable.h).
std::string printable(std::span<const std::byte> b) {
  return rotary::printable({reinterpret_cast<const char*>(b.data()), b.size()});
}

uint64_t align_up(uint64_t x, uint64_t alignment) {
  return x + (alignment - x % alignment) % alignment;
}

}  // namespace

// Reads the file front to back. Every read is bounds-checked against the bytes left; every
// failure names what was being read and where.
class GgufParser {
 public:
  GgufParser(GgufFile& file, std::span<const std::byte> bytes) : file_(file), bytes_(bytes) {}

  void parse() {
    read_header();
    for (uint64_t i = 0; i < n_kv_; ++i) read_key_value(i);
    read_alignment();
    file_.tensors_.reserve(n_tensors_);  // bounded by the bytes left (read_header)
    for (uint64_t i = 0; i < n_tensors_; ++i) read_tensor_info(i);
    place_tensor_data();
    index_tensor_names();
  }

 private:
  // --- low level --------------------------------------------------------------------------
  [[noreturn]] void fail(uint64_t at, const std::string& problem) const {
    throw Error(ErrorKind::InvalidModel,
                file_.source() + ": " + what_ + " at byte " + std::to_string(at) + ": " + problem);
  }
  uint64_t left() const { return bytes_.size() - pos_; }

  void need(uint64_t n, const char* field) const {
    if (n > left())
      fail(pos_, std::string(field) + " needs " + std::to_string(n) +
                     " bytes but the file ends after " + std::to_string(left()) + " (file is " +
                     std::to_string(bytes_.size()) + " bytes: truncated?)");
  }

  template <typename T>
  T read(const char* field) {
    need(sizeof(T), field);
    T v;
    std::memcpy(&v, bytes_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return v;
  }

  std::string read_string(const char* field) {
    const uint64_t at = pos_;
    const auto n = read<uint64_t>(field);
    if (n > left())
      fail(at, std::string(field) + " length " + std::to_string(n) +
                   " runs past the end of the file (" + std::to_string(left()) + " bytes left)");
    std::string s(reinterpret_cast<const char*>(bytes_.data() + pos_), n);
    pos_ += n;
    return s;
  }

  GgufType read_type(const char* field) {
    const uint64_t at = pos_;
    const auto id = read<uint32_t>(field);
    if (id >= kGgufTypeCount)
      fail(at, "unknown GGUF value type " + std::to_string(id) + " (valid: 0..12)");
    return static_cast<GgufType>(id);
  }

  // --- header -------------------------------------------------------------------------------
  void read_header() {
    what_ = "GGUF header";
    if (bytes_.size() < 4)
      fail(0, "file is " + std::to_string(bytes_.size()) + " bytes, too short to be a GGUF file");
    const auto magic = read<uint32_t>("magic");
    if (magic != kGgufMagic)
      fail(0, "bad magic '" + printable(bytes_.first(4)) + "', expected 'GGUF': not a GGUF file");
    const auto version = read<uint32_t>("version");
    check_version(version);
    file_.version_ = version;
    n_tensors_ = read<uint64_t>("tensor count");
    n_kv_ = read<uint64_t>("metadata key count");
    if (n_tensors_ > left() / kMinTensorInfoBytes)
      fail(8, "tensor count " + std::to_string(n_tensors_) + " cannot fit in the " +
                  std::to_string(left()) + " bytes left");
    if (n_kv_ > left() / kMinKeyValueBytes)
      fail(16, "metadata key count " + std::to_string(n_kv_) + " cannot fit in the " +
                   std::to_string(left()) + " bytes left");
    if (n_tensors_ * kMinTensorInfoBytes + n_kv_ * kMinKeyValueBytes > left())
      fail(8, "tensor count " + std::to_string(n_tensors_) + " and key count " +
                  std::to_string(n_kv_) + " cannot fit in the " + std::to_string(left()) +
                  " bytes left");
  }

  void check_version(uint32_t version) const {
    if (version == 2 || version == 3) return;
    const std::string file = file_.source() + ": ";
    const uint32_t swapped = __builtin_bswap32(version);
    if ((version & 0xffff) == 0 && swapped >= 1 && swapped <= 3)
      throw Error(
          ErrorKind::Unsupported,
          file + "big-endian GGUF (version field reads " + std::to_string(swapped) +
              " byte-swapped, at byte 4): rotary reads little-endian GGUF only; convert the "
              "model with a little-endian converter");
    if (version == 1)
      throw Error(ErrorKind::Unsupported,
                  file +
                      "unsupported GGUF version 1 (at byte 4): v1 uses 32-bit counts; rotary reads "
                      "GGUF v2 and v3 (re-convert the model with a current llama.cpp)");
    if (version > 3 && version < 256)
      throw Error(ErrorKind::Unsupported, file + "unsupported GGUF version " +
                                              std::to_string(version) +
                                              " (at byte 4): rotary reads GGUF v2 and v3");
    fail(4, "bad GGUF version " + std::to_string(version) + " (expected 2 or 3)");
  }

  // --- metadata -----------------------------------------------------------------------------
  void read_key_value(uint64_t i) {
    const uint64_t at = pos_;
    what_ = "metadata key " + std::to_string(i) + " of " + std::to_string(n_kv_);
    std::string key = read_string("key name");
    if (key.empty()) fail(at, "empty key name");
    what_ += " ('" + printable(std::as_bytes(std::span(key))) + "')";
    const GgufType type = read_type("value type");
    if (const auto* first = file_.metadata_.find_entry(key))
      fail(at, "duplicate key (first defined at byte " + std::to_string(first->offset) + ")");
    GgufValue value = read_value(type, 0);
    file_.metadata_.insert(std::move(key), std::move(value), at);
  }

  template <typename T>
  T read_scalar() {
    if constexpr (std::is_same_v<T, std::string>) {
      return read_string("string value");
    } else if constexpr (std::is_same_v<T, bool>) {
      const uint64_t at = pos_;
      const auto b = read<uint8_t>("bool value");
      if (b > 1) fail(at, "bool value " + std::to_string(b) + " is neither 0 nor 1");
      return b == 1;
    } else {
      return read<T>("value");
    }
  }

  GgufValue read_value(GgufType type, uint32_t depth) {
    return visit_gguf_type(type, [&](auto tag) -> GgufValue {
      using T = typename decltype(tag)::type;
      if constexpr (std::is_same_v<T, GgufArray>) {
        return GgufValue(read_array(depth + 1));
      } else {
        return GgufValue(read_scalar<T>());
      }
    });
  }

  GgufArray read_array(uint32_t depth) {
    const uint64_t at = pos_;
    if (depth > kGgufMaxArrayNesting)
      fail(at, "arrays nested more than " + std::to_string(kGgufMaxArrayNesting) + " deep");
    const GgufType type = read_type("array element type");
    const auto count = read<uint64_t>("array length");
    const uint64_t min_bytes = type == GgufType::String  ? kMinStringBytes
                               : type == GgufType::Array ? kMinArrayBytes
                                                         : gguf_type_size(type);
    if (count > left() / min_bytes)
      fail(at, "array of " + std::to_string(count) + " " + std::string(gguf_type_name(type)) +
                   " runs past the end of the file (" + std::to_string(left()) + " bytes left)");
    return visit_gguf_type(type, [&](auto tag) -> GgufArray {
      using T = typename decltype(tag)::type;
      std::vector<T> elements;
      if constexpr (std::is_arithmetic_v<T> && !std::is_same_v<T, bool>) {
        elements.resize(count);
        if (count > 0) {  // memcpy from/to the null data() of an empty span or vector is UB
          std::memcpy(elements.data(), bytes_.data() + pos_, count * sizeof(T));
          pos_ += count * sizeof(T);
        }
      } else {
        elements.reserve(count);
        for (uint64_t j = 0; j < count; ++j) {
          if constexpr (std::is_same_v<T, GgufArray>) {
            elements.push_back(read_array(depth + 1));
          } else {
            elements.push_back(read_scalar<T>());
          }
        }
      }
      return GgufArray(std::move(elements));
    });
  }

  void read_alignment() {
    const auto* entry = file_.metadata_.find_entry(kGgufAlignmentKey);
    if (!entry) return;
    what_ = "metadata key '" + std::string(kGgufAlignmentKey) + "'";
    const auto* a = entry->value.get_if<uint32_t>();
    if (!a)
      fail(entry->offset,
           "must be a u32, found " + std::string(gguf_type_name(entry->value.type())));
    if (*a == 0 || !std::has_single_bit(*a))
      fail(entry->offset, "alignment " + std::to_string(*a) + " is not a power of two");
    file_.alignment_ = *a;
  }

  // --- tensors ------------------------------------------------------------------------------
  void read_tensor_info(uint64_t i) {
    GgufTensorInfo t;
    t.info_offset = pos_;
    what_ = "tensor " + std::to_string(i) + " of " + std::to_string(n_tensors_);
    t.name = read_string("tensor name");
    if (t.name.empty()) fail(t.info_offset, "empty tensor name");
    what_ += " ('" + printable(std::as_bytes(std::span(t.name))) + "')";
    if (t.name.size() > kMaxTensorNameBytes)
      fail(t.info_offset, "name is " + std::to_string(t.name.size()) +
                              " bytes, longer than ggml's " + std::to_string(kMaxTensorNameBytes));
    read_shape(t);
    read_tensor_type(t);
    t.offset = read<uint64_t>("data offset");
    file_.tensors_.push_back(std::move(t));
  }

  void read_shape(GgufTensorInfo& t) {
    const uint64_t at = pos_;
    const auto n_dims = read<uint32_t>("dimension count");
    if (n_dims > kGgufMaxDims)
      fail(at, std::to_string(n_dims) + " dimensions, more than ggml's " +
                   std::to_string(kGgufMaxDims));
    for (uint32_t d = 0; d < n_dims; ++d) {
      const uint64_t dim_at = pos_;
      const auto ne = read<uint64_t>("dimension");
      if (ne > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
        fail(dim_at, "dimension " + std::to_string(d) + " is " + std::to_string(ne) +
                         " (negative as int64)");
      t.shape.push_back(ne);
    }
    const auto n = shape_elements(t.shape);
    if (!n) fail(at, "element count of shape " + shape_text(t.shape) + " overflows int64");
    t.n_elements = *n;
  }

  void read_tensor_type(GgufTensorInfo& t) {
    const uint64_t at = pos_;
    const auto id = read<uint32_t>("ggml type");
    const auto info = ggml_type_info(id);
    if (!info) fail(at, "unknown ggml type id " + std::to_string(id));
    t.type = info->type;
    const uint64_t row = t.shape.empty() ? 1 : t.shape[0];
    if (row % info->block_size != 0)
      fail(at, "rows of " + std::to_string(row) + " elements are not a whole number of " +
                   std::string(info->name) + " blocks (" + std::to_string(info->block_size) + ")");
    const auto bytes = shape_bytes(t.type, t.n_elements);
    if (!bytes) fail(at, "byte size of shape " + shape_text(t.shape) + " overflows 64 bits");
    t.n_bytes = *bytes;
  }

  void place_tensor_data() {
    const uint64_t size = bytes_.size();
    uint64_t start = pos_;
    if (n_tensors_ > 0) {
      start = align_up(pos_, file_.alignment_);
      if (start > size) {
        what_ = "data section";
        fail(pos_, "starts at byte " + std::to_string(start) + " (aligned to " +
                       std::to_string(file_.alignment_) + "), past the end of the " +
                       std::to_string(size) + "-byte file (truncated?)");
      }
    }
    file_.data_offset_ = start;
    for (auto& t : file_.tensors_) {
      what_ = "tensor '" + printable(std::as_bytes(std::span(t.name))) + "'";
      if (t.offset % file_.alignment_ != 0)
        fail(t.info_offset, "data offset " + std::to_string(t.offset) +
                                " is not a multiple of the alignment " +
                                std::to_string(file_.alignment_));
      if (t.offset > size - start || t.n_bytes > size - start - t.offset)
        fail(t.info_offset, std::to_string(t.n_bytes) + " bytes at data offset " +
                                std::to_string(t.offset) + " (file byte " +
                                std::to_string(start + t.offset) + ") run past the end of the " +
                                std::to_string(size) + "-byte file (truncated?)");
      t.data = bytes_.subspan(start + t.offset, t.n_bytes);
    }
    check_overlaps();
  }

  void check_overlaps() {
    std::vector<const GgufTensorInfo*> by_offset;
    for (const auto& t : file_.tensors_)
      if (t.n_bytes) by_offset.push_back(&t);
    std::sort(by_offset.begin(), by_offset.end(),
              [](const auto* a, const auto* b) { return a->offset < b->offset; });
    for (size_t i = 1; i < by_offset.size(); ++i) {
      const auto* prev = by_offset[i - 1];
      const auto* cur = by_offset[i];
      if (prev->offset + prev->n_bytes > cur->offset) {
        what_ = "tensor '" + printable(std::as_bytes(std::span(cur->name))) + "'";
        fail(cur->info_offset, "data at offset " + std::to_string(cur->offset) +
                                   " overlaps tensor '" + printable(std::as_bytes(std::span(prev->name))) + "' (" +
                                   std::to_string(prev->n_bytes) + " bytes at offset " +
                                   std::to_string(prev->offset) + ")");
      }
    }
  }

  void index_tensor_names() {
    auto& idx = file_.by_name_;
    const auto& ts = file_.tensors_;
    idx.resize(ts.size());
    for (size_t i = 0; i < idx.size(); ++i) idx[i] = i;
    std::stable_sort(idx.begin(), idx.end(),
                     [&](size_t a, size_t b) { return ts[a].name < ts[b].name; });
    for (size_t i = 1; i < idx.size(); ++i) {
      if (ts[idx[i - 1]].name != ts[idx[i]].name) continue;
      const auto& dup = ts[idx[i]];
      what_ = "tensor " + std::to_string(idx[i]) + " ('" +
              printable(std::as_bytes(std::span(dup.name))) + "')";
      fail(dup.info_offset, "duplicate tensor name (first defined by tensor " +
                                std::to_string(idx[i - 1]) + " at byte " +
                                std::to_string(ts[idx[i - 1]].info_offset) + ")");
    }
  }

  GgufFile& file_;
  std::span<const std::byte> bytes_;
  uint64_t pos_ = 0;
  uint64_t n_tensors_ = 0;
  uint64_t n_kv_ = 0;
  std::string what_;
};

GgufFile GgufFile::open(const std::filesystem::path& path) {
  GgufFile file;
  file.mapping_ = MappedFile::open(path);
  file.bytes_ = file.mapping_.bytes();
  file.metadata_ = GgufMetadata(path.string());
  GgufParser(file, file.bytes_).parse();
  return file;
}

GgufFile GgufFile::parse(std::span<const std::byte> bytes, std::string source) {
  GgufFile file;
  file.bytes_ = bytes;
  file.metadata_ = GgufMetadata(std::move(source));
  GgufParser(file, bytes).parse();
  return file;
}

const GgufTensorInfo* GgufFile::find_tensor(std::string_view name) const {
  const auto it =
      std::lower_bound(by_name_.begin(), by_name_.end(), name,
                       [&](size_t i, std::string_view n) { return tensors_[i].name < n; });
  if (it == by_name_.end() || tensors_[*it].name != name) return nullptr;
  return &tensors_[*it];
}

}  // namespace rotary

#include "loader/gguf_writer.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <limits>

#include "base/error.h"
#include "loader/gguf_reader.h"
#include "loader/gguf_sink.h"
#include "loader/tensor_shape.h"

namespace rotary {

namespace {

[[noreturn]] void misuse(const std::string& message) {
  throw Error(ErrorKind::InvalidArgument, "GGUF writer: " + message);
}

uint64_t align_up(uint64_t x, uint64_t alignment) {
  return x + (alignment - x % alignment) % alignment;
}

// Little-endian encoding of the head of the file (everything before the tensor data).
class Encoder {
 public:
  template <typename T>
  void put(T v) {
    static_assert(std::endian::native == std::endian::little);
    const auto* p = reinterpret_cast<const std::byte*>(&v);
    out_.insert(out_.end(), p, p + sizeof(T));
  }
  void put_string(std::string_view s) {
    put<uint64_t>(s.size());
    const auto* p = reinterpret_cast<const std::byte*>(s.data());
    out_.insert(out_.end(), p, p + s.size());
  }
  void put_value(const GgufValue& v) {
    std::visit([&](const auto& x) { put_element(x); }, v.storage());
  }
  std::vector<std::byte>& bytes() { return out_; }

 private:
  template <typename T>
  void put_element(const T& x) {
    if constexpr (std::is_same_v<T, std::string>) {
      put_string(x);
    } else if constexpr (std::is_same_v<T, bool>) {
      put<uint8_t>(x ? 1 : 0);
    } else if constexpr (std::is_same_v<T, GgufArray>) {
      put<uint32_t>(static_cast<uint32_t>(x.element_type()));
      put<uint64_t>(x.size());
      std::visit(
          [&](const auto& vec) {
            for (size_t i = 0; i < vec.size(); ++i) {
              using E = std::decay_t<decltype(vec[i])>;
              const E& e = vec[i];  // std::vector<bool> yields a proxy: bind a copy
              put_element(e);
            }
          },
          x.elements());
    } else {
      put<T>(x);
    }
  }
  std::vector<std::byte> out_;
};

uint32_t nesting_depth(const GgufArray& a) {
  uint32_t deepest = 0;
  if (const auto* inner = a.get_if<GgufArray>())
    for (const auto& e : *inner) deepest = std::max(deepest, nesting_depth(e));
  return 1 + deepest;
}

}  // namespace

GgufWriter::GgufWriter() : alignment_(kGgufDefaultAlignment) {}
GgufWriter::~GgufWriter() = default;
GgufWriter::GgufWriter(GgufWriter&&) noexcept = default;
GgufWriter& GgufWriter::operator=(GgufWriter&&) noexcept = default;

void GgufWriter::require_declaring(const char* what) const {
  if (state_ != State::Declaring)
    misuse(std::string(what) + " after open(): declare everything first");
}

void GgufWriter::set_version(uint32_t version) {
  require_declaring("set_version");
  if (version != 2 && version != 3) misuse("version " + std::to_string(version) + " (2 or 3)");
  version_ = version;
}

void GgufWriter::set(std::string key, GgufValue value) {
  require_declaring("set");
  if (key.empty()) misuse("empty metadata key");
  if (const auto* a = value.as_array(); a && nesting_depth(*a) > kGgufMaxArrayNesting)
    misuse("key '" + key + "': arrays nested deeper than " + std::to_string(kGgufMaxArrayNesting));
  if (key == kGgufAlignmentKey) {
    const auto* a = value.get_if<uint32_t>();
    if (!a || *a == 0 || !std::has_single_bit(*a))
      misuse("general.alignment must be a u32 power of two, got " + value.to_display());
    if (!tensors_.empty()) misuse("set general.alignment before declaring tensors");
    alignment_ = *a;
  }
  if (metadata_.contains(key)) misuse("duplicate metadata key '" + key + "'");
  metadata_.insert(std::move(key), std::move(value));
}

void GgufWriter::add_tensor_info(std::string name, GgmlType type, std::vector<uint64_t> shape) {
  require_declaring("add_tensor_info");
  const auto info = ggml_type_info(static_cast<uint32_t>(type));
  if (!info)
    misuse("tensor '" + name + "': unknown ggml type " +
           std::to_string(static_cast<uint32_t>(type)));
  if (name.empty() || name.size() > 63) misuse("tensor name '" + name + "' must be 1..63 bytes");
  if (find(name)) misuse("duplicate tensor name '" + name + "'");
  if (shape.size() > kGgufMaxDims) misuse("tensor '" + name + "': more than 4 dimensions");
  const auto n = shape_elements(shape);
  if (!n)
    misuse("tensor '" + name + "': element count of " + shape_text(shape) + " overflows int64");
  const uint64_t row = shape.empty() ? 1 : shape[0];
  if (row % info->block_size != 0)
    misuse("tensor '" + name + "': rows of " + std::to_string(row) + " are not whole " +
           std::string(info->name) + " blocks of " + std::to_string(info->block_size));
  const auto n_bytes = shape_bytes(type, *n);
  if (!n_bytes)
    misuse("tensor '" + name + "': byte size of " + shape_text(shape) + " overflows 64 bits");
  if (*n_bytes > (uint64_t{1} << 62) || data_bytes_ > (uint64_t{1} << 62))
    misuse("tensor '" + name + "': the data section would pass 2^62 bytes");
  tensors_.push_back({std::move(name), type, std::move(shape), *n_bytes, data_bytes_, {}, false});
  data_bytes_ += align_up(*n_bytes, alignment_);
}

void GgufWriter::add_tensor(std::string name, GgmlType type, std::vector<uint64_t> shape,
                            std::span<const std::byte> data) {
  add_tensor_info(std::move(name), type, std::move(shape));
  Tensor& t = tensors_.back();
  if (data.size() != t.n_bytes) {
    const std::string msg = "tensor '" + t.name + "': " + std::to_string(data.size()) +
                            " bytes given, its shape needs " + std::to_string(t.n_bytes);
    data_bytes_ = t.offset;
    tensors_.pop_back();
    misuse(msg);
  }
  t.data.assign(data.begin(), data.end());
  t.has_data = true;
}

const GgufWriter::Tensor* GgufWriter::find(std::string_view name) const {
  for (const auto& t : tensors_)
    if (t.name == name) return &t;
  return nullptr;
}

uint64_t GgufWriter::tensor_bytes(std::string_view name) const {
  const auto* t = find(name);
  if (!t) misuse("no tensor '" + std::string(name) + "' declared");
  return t->n_bytes;
}

std::vector<std::byte> GgufWriter::encode_head() const {
  Encoder e;
  e.put<uint32_t>(kGgufMagic);
  e.put<uint32_t>(version_);
  e.put<uint64_t>(tensors_.size());
  e.put<uint64_t>(metadata_.size());
  for (const auto& kv : metadata_.entries()) {
    e.put_string(kv.key);
    e.put<uint32_t>(static_cast<uint32_t>(kv.value.type()));
    e.put_value(kv.value);
  }
  for (const auto& t : tensors_) {
    e.put_string(t.name);
    e.put<uint32_t>(static_cast<uint32_t>(t.shape.size()));
    for (uint64_t ne : t.shape) e.put<uint64_t>(ne);
    e.put<uint32_t>(static_cast<uint32_t>(t.type));
    e.put<uint64_t>(t.offset);
  }
  if (!tensors_.empty()) e.bytes().resize(align_up(e.bytes().size(), alignment_), std::byte{0});
  return std::move(e.bytes());
}

uint64_t GgufWriter::file_size() const {
  return encode_head().size() + data_bytes_;
}

void GgufWriter::start(std::unique_ptr<GgufSink> sink) {
  require_declaring("open");
  const auto head = encode_head();
  sink->write(head);
  sink_ = std::move(sink);
  state_ = State::Streaming;
  next_ = 0;
}

void GgufWriter::open(const std::filesystem::path& path) {
  start(make_file_sink(path));
}

void GgufWriter::write_padding(uint64_t n) {
  static constexpr std::byte kZeros[256] = {};
  while (n > 0) {
    const uint64_t k = std::min<uint64_t>(n, sizeof kZeros);
    sink_->write(std::span(kZeros, k));
    n -= k;
  }
}

void GgufWriter::emit_stored_tensors() {
  while (next_ < tensors_.size() && tensors_[next_].has_data) {
    const Tensor& t = tensors_[next_++];
    sink_->write(t.data);
    write_padding(align_up(t.n_bytes, alignment_) - t.n_bytes);
  }
}

void GgufWriter::begin_tensor(std::string_view name) {
  if (state_ == State::Declaring) misuse("begin_tensor('" + std::string(name) + "') before open()");
  if (state_ == State::InTensor)
    misuse("begin_tensor('" + std::string(name) + "') while tensor '" + tensors_[next_].name +
           "' is open");
  emit_stored_tensors();
  if (next_ >= tensors_.size())
    misuse("begin_tensor('" + std::string(name) + "'): every tensor is written");
  if (tensors_[next_].name != name)
    misuse("begin_tensor('" + std::string(name) + "'): the next tensor to write is '" +
           tensors_[next_].name + "' (tensors are written in the order declared)");
  state_ = State::InTensor;
  written_ = 0;
}

void GgufWriter::write_bytes(std::span<const std::byte> bytes) {
  if (state_ != State::InTensor) misuse("write_bytes outside begin_tensor/end_tensor");
  const Tensor& t = tensors_[next_];
  if (bytes.size() > t.n_bytes - written_)
    misuse("tensor '" + t.name + "': " + std::to_string(written_ + bytes.size()) +
           " bytes written, more than its " + std::to_string(t.n_bytes));
  sink_->write(bytes);
  written_ += bytes.size();
}

void GgufWriter::end_tensor() {
  if (state_ != State::InTensor) misuse("end_tensor without begin_tensor");
  const Tensor& t = tensors_[next_];
  if (written_ != t.n_bytes)
    misuse("tensor '" + t.name + "': " + std::to_string(written_) + " bytes written, it needs " +
           std::to_string(t.n_bytes));
  write_padding(align_up(t.n_bytes, alignment_) - t.n_bytes);
  ++next_;
  state_ = State::Streaming;
}

void GgufWriter::write_tensor(std::string_view name, const Fill& fill, size_t chunk_bytes) {
  if (chunk_bytes == 0) misuse("write_tensor: chunk_bytes is 0");
  begin_tensor(name);
  const uint64_t total = tensors_[next_].n_bytes;
  chunk_.resize(static_cast<size_t>(std::min<uint64_t>(chunk_bytes, total)));
  for (uint64_t off = 0; off < total;) {
    const size_t n = static_cast<size_t>(std::min<uint64_t>(chunk_.size(), total - off));
    const std::span<std::byte> chunk(chunk_.data(), n);
    fill(chunk, off);
    write_bytes(chunk);
    off += n;
  }
  end_tensor();
}

void GgufWriter::finish() {
  if (state_ == State::Declaring) misuse("finish() before open()");
  if (state_ == State::InTensor)
    misuse("finish() while tensor '" + tensors_[next_].name + "' is open");
  emit_stored_tensors();
  if (next_ < tensors_.size())
    misuse("finish(): tensor '" + tensors_[next_].name + "' and " +
           std::to_string(tensors_.size() - next_ - 1) + " more were never written");
  sink_->close();
  sink_.reset();
  state_ = State::Declaring;  // a writer can write its (complete) declaration again
}

void GgufWriter::require_all_data(const char* what) const {
  for (const auto& t : tensors_)
    if (!t.has_data)
      misuse(std::string(what) + ": tensor '" + t.name +
             "' has no bytes (declared with add_tensor_info: stream it with "
             "open/write_tensor/finish)");
}

std::vector<std::byte> GgufWriter::to_bytes() {
  require_declaring("to_bytes");
  require_all_data("to_bytes()");
  std::vector<std::byte> out;
  out.reserve(file_size());
  start(make_memory_sink(out));
  finish();
  return out;
}

void GgufWriter::write_file(const std::filesystem::path& path) {
  require_declaring("write_file");
  require_all_data("write_file()");
  open(path);
  finish();
}

}  // namespace rotary

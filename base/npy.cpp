#include "base/npy.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "base/error.h"

namespace rotary {

namespace {

// Always 128 bytes, so that a header written before the row count is known can be rewritten in
// place.
std::string header(uint64_t rows, uint64_t cols) {
  std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + std::to_string(rows) + ", " +
                     std::to_string(cols) + "), }";
  // magic(6) + version(2) + header length(2) + dict + padding + '\n' is 128 bytes.
  dict.append(128 - 10 - 1 - dict.size(), ' ');
  dict += '\n';
  std::string out("\x93NUMPY\x01\x00", 8);
  const uint16_t len = static_cast<uint16_t>(dict.size());
  out += static_cast<char>(len & 0xFF);
  out += static_cast<char>(len >> 8);
  return out + dict;
}

FILE* as_file(void* f) { return static_cast<FILE*>(f); }

}  // namespace

NpyWriter::NpyWriter(const std::string& path, uint64_t rows, uint64_t cols) : path_(path), rows_(rows), cols_(cols) {
  file_ = std::fopen(path.c_str(), "wb");
  require(file_ != nullptr, ErrorKind::Io, "cannot write " + path + ": " + std::strerror(errno));
  const std::string h = header(rows == kUnknownRows ? 0 : rows, cols);
  require(std::fwrite(h.data(), 1, h.size(), as_file(file_)) == h.size(), ErrorKind::Io, "short write to " + path);
}

NpyWriter::~NpyWriter() {
  if (file_) std::fclose(as_file(file_));
}

void NpyWriter::write_row(const float* row) {
  require(file_ != nullptr && (rows_ == kUnknownRows || written_ < rows_), ErrorKind::Internal,
          "npy: more rows than declared for " + path_);
  require(std::fwrite(row, sizeof(float), cols_, as_file(file_)) == cols_, ErrorKind::Io, "short write to " + path_);
  ++written_;
}

void NpyWriter::close() {
  require(rows_ == kUnknownRows || written_ == rows_, ErrorKind::Internal,
          "npy: " + std::to_string(written_) + " of " + std::to_string(rows_) + " rows written to " + path_);
  FILE* f = as_file(file_);
  file_ = nullptr;
  if (rows_ == kUnknownRows) {
    const std::string h = header(written_, cols_);
    const bool ok = std::fseek(f, 0, SEEK_SET) == 0 && std::fwrite(h.data(), 1, h.size(), f) == h.size();
    if (!ok) {
      std::fclose(f);
      throw Error(ErrorKind::Io, "cannot finish writing " + path_);
    }
  }
  require(std::fclose(f) == 0, ErrorKind::Io, "cannot finish writing " + path_);
}

void write_npy(const std::string& path, const NpyArray& a) {
  require(a.data.size() == a.rows * a.cols, ErrorKind::Internal, "npy: data size does not match shape");
  NpyWriter w(path, a.rows, a.cols);
  for (uint64_t r = 0; r < a.rows; ++r) w.write_row(a.data.data() + r * a.cols);
  w.close();
}

NpyArray read_npy(const std::string& path) {
  std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  require(f != nullptr, ErrorKind::Io, "cannot open " + path);
  char pre[10];
  require(std::fread(pre, 1, 10, f.get()) == 10 && std::memcmp(pre, "\x93NUMPY", 6) == 0, ErrorKind::InvalidArgument,
          path + " is not a .npy file");
  require(pre[6] == 1, ErrorKind::Unsupported, path + ": only .npy format version 1.0 is read");
  const uint16_t len = static_cast<uint16_t>(static_cast<uint8_t>(pre[8]) | (static_cast<uint8_t>(pre[9]) << 8));
  std::string dict(len, '\0');
  require(std::fread(dict.data(), 1, len, f.get()) == len, ErrorKind::InvalidArgument, path + ": truncated header");
  require(dict.find("'descr': '<f4'") != std::string::npos, ErrorKind::Unsupported, path + ": not little-endian float32");
  require(dict.find("'fortran_order': False") != std::string::npos, ErrorKind::Unsupported, path + ": Fortran order");
  const size_t open = dict.find('('), close = dict.find(')');
  require(open != std::string::npos && close != std::string::npos && close > open, ErrorKind::InvalidArgument,
          path + ": no shape");
  std::vector<uint64_t> dims;
  std::string shape = dict.substr(open + 1, close - open - 1);
  size_t pos = 0;
  while (pos < shape.size()) {
    while (pos < shape.size() && (shape[pos] == ' ' || shape[pos] == ',')) ++pos;
    if (pos >= shape.size()) break;
    size_t used = 0;
    dims.push_back(std::stoull(shape.substr(pos), &used));
    pos += used;
  }
  require(dims.size() == 1 || dims.size() == 2, ErrorKind::Unsupported, path + ": only 1-D and 2-D arrays are read");
  NpyArray a;
  a.rows = dims.size() == 2 ? dims[0] : 1;
  a.cols = dims.back();
  a.data.resize(a.rows * a.cols);
  require(std::fread(a.data.data(), 4, a.data.size(), f.get()) == a.data.size(), ErrorKind::InvalidArgument,
          path + ": truncated data");
  return a;
}

}  // namespace rotary

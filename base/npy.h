#pragma once
// NumPy .npy files (format version 1.0) of little-endian float32, for --logits-out and the
// oracle comparisons: shape [rows, cols], C order.
#include <cstdint>
#include <string>
#include <vector>

namespace rotary {

struct NpyArray {
  uint64_t rows = 0;
  uint64_t cols = 0;
  std::vector<float> data;  // rows * cols
};

// Streams rows as they come. With `rows` known the header is final from the start; with
// kUnknownRows the header is rewritten by close() with the count actually written (generation
// may stop early at an end-of-generation token).
class NpyWriter {
 public:
  static constexpr uint64_t kUnknownRows = UINT64_MAX;
  NpyWriter(const std::string& path, uint64_t rows, uint64_t cols);
  ~NpyWriter();
  NpyWriter(const NpyWriter&) = delete;
  NpyWriter& operator=(const NpyWriter&) = delete;
  void write_row(const float* row);  // `cols` floats
  // Throws Error(Io) unless exactly `rows` rows were written (any number when unknown) and the
  // file closed cleanly.
  void close();
  uint64_t rows_written() const { return written_; }

 private:
  std::string path_;
  uint64_t rows_, cols_, written_ = 0;
  void* file_ = nullptr;
};

void write_npy(const std::string& path, const NpyArray& array);
NpyArray read_npy(const std::string& path);  // 1-D arrays read as [1, n]; Error on other dtypes

}  // namespace rotary

#pragma once
// GGUF v3 (or v2) writer that streams: the caller declares all metadata and tensor infos first,
// then supplies each tensor's bytes in declaration order, chunk by chunk, so a 20 GB model goes
// to disk at disk speed without ever being in memory. The writer computes offsets and alignment
// padding and checks that each tensor receives exactly its byte count.
//
//   GgufWriter w;
//   w.set("general.architecture", GgufValue(std::string("qwen3moe")));
//   w.add_tensor_info("token_embd.weight", GgmlType::Q4_K, {2048, 151936});
//   w.open("model.gguf");                        // writes header, metadata, tensor infos
//   w.write_tensor("token_embd.weight", fill);  // or begin_tensor / write_bytes / end_tensor
//   w.finish();
//
// Small files (tests) can carry their bytes: add_tensor(name, type, shape, bytes), then
// to_bytes() or write_file(path). Streamed and in-memory tensors may be mixed: in-memory ones
// are written when the stream reaches them.
//
// Misuse (a duplicate key or name, a bad shape, bytes for the wrong tensor, a wrong byte count)
// is Error(InvalidArgument); a failed write is Error(Io) naming the path.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "loader/ggml_types.h"
#include "loader/gguf_metadata.h"

namespace rotary {

class GgufSink;

class GgufWriter {
 public:
  // fill(chunk, offset): write chunk.size() bytes of the tensor, starting at byte `offset` of it.
  using Fill = std::function<void(std::span<std::byte> chunk, uint64_t offset)>;

  GgufWriter();
  ~GgufWriter();
  GgufWriter(GgufWriter&&) noexcept;
  GgufWriter& operator=(GgufWriter&&) noexcept;

  // --- 1. declare ---------------------------------------------------------------------------
  void set_version(uint32_t version);  // 2 or 3 (default 3: same layout, v3 allows big-endian)
  // Appends a metadata key. "general.alignment" (u32, a power of two) sets the alignment.
  void set(std::string key, GgufValue value);
  void add_tensor_info(std::string name, GgmlType type, std::vector<uint64_t> shape);
  // Declares a tensor and keeps a copy of its bytes (which must be exactly its size).
  void add_tensor(std::string name, GgmlType type, std::vector<uint64_t> shape,
                  std::span<const std::byte> data);

  const GgufMetadata& metadata() const { return metadata_; }
  uint32_t alignment() const { return alignment_; }
  size_t tensor_count() const { return tensors_.size(); }
  uint64_t tensor_bytes(std::string_view name) const;
  uint64_t file_size() const;  // the size of the finished file

  // --- 2a. everything in memory (every tensor added with add_tensor) ----------------------
  std::vector<std::byte> to_bytes();
  void write_file(const std::filesystem::path& path);

  // --- 2b. streaming ------------------------------------------------------------------------
  // Creates (truncates) the file and writes everything before the tensor data. No declarations
  // after this. If the writer is destroyed before finish(), the partial file is removed.
  void open(const std::filesystem::path& path);
  void begin_tensor(std::string_view name);  // must be the next declared tensor without data
  void write_bytes(std::span<const std::byte> bytes);
  void end_tensor();  // checks the byte count, writes the padding
  // begin_tensor + fill in chunks of up to `chunk_bytes` + end_tensor.
  void write_tensor(std::string_view name, const Fill& fill, size_t chunk_bytes = 8u << 20);
  // Writes the remaining in-memory tensors, checks that none is missing, closes the file.
  void finish();

 private:
  struct Tensor {
    std::string name;
    GgmlType type;
    std::vector<uint64_t> shape;
    uint64_t n_bytes;
    uint64_t offset;              // in the data section
    std::vector<std::byte> data;  // add_tensor only
    bool has_data;
  };
  enum class State { Declaring, Streaming, InTensor };

  void require_declaring(const char* what) const;
  void require_all_data(const char* what) const;
  const Tensor* find(std::string_view name) const;
  std::vector<std::byte> encode_head() const;
  void start(std::unique_ptr<GgufSink> sink);
  void emit_stored_tensors();
  void write_padding(uint64_t n);

  uint32_t version_ = 3;
  uint32_t alignment_;
  GgufMetadata metadata_;
  std::vector<Tensor> tensors_;
  uint64_t data_bytes_ = 0;  // padded sum so far
  State state_ = State::Declaring;
  std::unique_ptr<GgufSink> sink_;
  size_t next_ = 0;       // the next tensor to write
  uint64_t written_ = 0;  // bytes of the current tensor so far
  std::vector<std::byte> chunk_;
};

}  // namespace rotary

#pragma once
// GGUF v2/v3 reader. It parses a whole file (memory-mapped) or a byte span, checks every field,
// and keeps tensor data where it lies: each tensor's bytes are a span into the mapping, so later
// code uploads straight from the page cache without a copy.
//
// Malformed input is Error(InvalidModel) whose message names the file, the field or tensor and
// the byte offset; open/mmap failures are Error(Io); GGUF v1, big-endian files and versions newer
// than 3 are Error(Unsupported). See docs/gguf.md for the layout and every check.
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "loader/ggml_types.h"
#include "loader/gguf_metadata.h"
#include "loader/mapped_file.h"

namespace rotary {

inline constexpr uint32_t kGgufMagic = 0x46554747;  // "GGUF" read as a little-endian uint32
inline constexpr uint32_t kGgufDefaultAlignment = 32;
inline constexpr uint32_t kGgufMaxDims = 4;
inline constexpr uint32_t kGgufMaxArrayNesting = 8;  // arrays inside arrays inside ...
inline constexpr std::string_view kGgufAlignmentKey = "general.alignment";

struct GgufTensorInfo {
  std::string name;
  GgmlType type = GgmlType::F32;
  std::vector<uint64_t> shape;  // ggml ne order: shape[0] is the contiguous dimension; 0..4 dims
  uint64_t n_elements = 0;
  uint64_t n_bytes = 0;
  uint64_t offset = 0;       // from the start of the data section (a multiple of the alignment)
  uint64_t info_offset = 0;  // byte offset of this tensor's info record in the file
  std::span<const std::byte> data;  // n_bytes, inside the file's bytes
};

class GgufFile {
 public:
  // Maps and parses the file at `path`.
  static GgufFile open(const std::filesystem::path& path);
  // Parses `bytes` without copying them: they must outlive the GgufFile, whose tensor spans point
  // into them. `source` names the input in error messages.
  static GgufFile parse(std::span<const std::byte> bytes, std::string source = "<memory>");

  const std::string& source() const { return metadata_.source(); }
  uint32_t version() const { return version_; }
  uint32_t alignment() const { return alignment_; }
  uint64_t data_offset() const { return data_offset_; }  // where the data section starts
  uint64_t file_size() const { return bytes_.size(); }
  std::span<const std::byte> bytes() const { return bytes_; }

  const GgufMetadata& metadata() const { return metadata_; }
  const std::vector<GgufTensorInfo>& tensors() const { return tensors_; }
  // nullptr when there is no tensor of that name.
  const GgufTensorInfo* find_tensor(std::string_view name) const;

 private:
  GgufFile() = default;
  friend class GgufParser;

  MappedFile mapping_;  // empty when parsed from a caller's span
  std::span<const std::byte> bytes_;
  uint32_t version_ = 0;
  uint32_t alignment_ = kGgufDefaultAlignment;
  uint64_t data_offset_ = 0;
  GgufMetadata metadata_;
  std::vector<GgufTensorInfo> tensors_;
  std::vector<size_t> by_name_;  // tensor indices sorted by name
};

}  // namespace rotary
